"""Moments of an exchange that timers count from: the engine's one registry of them.

A timer in a process file says when it fires as ``at``: a moment, plus or minus
a duration — ``"entered + P3D"`` (3 days after entering the state),
``"booking_start - PT2H"``, ``"booking_end + P2D"`` — or a list of such times
with ``at_pick = "earliest"`` (the default) or ``"latest"``: a request expires 6
days after it was made, 1 day after the booking starts or when the booking ends,
whichever comes first, is

    at = ["entered + P6D", "booking_start + P1D", "booking_end"]

``after = "P3D"`` is short for ``at = "entered + P3D"``. A moment the exchange
does not have (no booking, no due date) drops out of the list; a timer none of
whose moments exist does not start. Adding a moment touches only this module.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from selfwork.exchanges.models import Exchange

PICKS = ("earliest", "latest")
TERM = re.compile(
    r"^\s*(?P<moment>[a-z_]+(?::[a-z][a-z0-9_]*)?)\s*"
    r"(?:(?P<sign>[+-])\s*(?P<duration>P[0-9A-Z]+))?\s*$"
)


@dataclass(frozen=True)
class Moment:
    """A point in an exchange's life a timer may count from."""

    name: str
    description: str
    # The moment for ``exchange`` that has just entered ``state`` at ``now``,
    # or None when the exchange has no such moment.
    of: Callable[[Exchange, str, dt.datetime], dt.datetime | None]


def _first_entered(exchange: Exchange, state: str, now: dt.datetime):
    from selfwork.exchanges.models import ExchangeEvent

    return (
        ExchangeEvent.objects.filter(exchange=exchange, to_state=state)
        .order_by("seq")
        .values_list("created_at", flat=True)
        .first()
    )


MOMENTS: dict[str, Moment] = {
    m.name: m
    for m in (
        Moment("entered", "when the exchange entered the state", lambda x, s, now: now),
        Moment(
            "created", "when the exchange was started", lambda x, s, now: x.created_at
        ),
        Moment(
            "booking_start",
            "when the booked period starts",
            lambda x, s, now: x.booking_start_at,
        ),
        Moment(
            "booking_end",
            "when the booked period ends",
            lambda x, s, now: x.booking_end_at,
        ),
        Moment("due", "when the provider owes the work", lambda x, s, now: x.due_at),
    )
}
# "entered:<state>": the first time the exchange entered <state>, e.g.
# "entered:requested + P6D" counts from the request even after later states.
FIRST_ENTERED = "entered"


@dataclass(frozen=True)
class Term:
    """One ``moment ± duration`` of a timer."""

    moment: str
    state: str  # for "entered:<state>"; "" otherwise
    offset: dt.timedelta

    def text(self) -> str:
        name = f"{self.moment}:{self.state}" if self.state else self.moment
        if not self.offset:
            return name
        sign = "-" if self.offset < dt.timedelta(0) else "+"
        return f"{name} {sign} {_iso(abs(self.offset))}"


@dataclass(frozen=True)
class When:
    """When a timer fires: the earliest (or latest) of its terms."""

    terms: tuple[Term, ...]
    pick: str = "earliest"

    def text(self) -> str:
        if len(self.terms) == 1:
            return self.terms[0].text()
        inner = ", ".join(t.text() for t in self.terms)
        return f"{self.pick} of {inner}"

    def due(self, exchange: Exchange, state: str, now: dt.datetime):
        """When the timer fires for ``exchange``, just entered ``state`` at ``now``."""
        times = []
        for term in self.terms:
            if term.state:
                base = _first_entered(exchange, term.state, now)
            else:
                base = MOMENTS[term.moment].of(exchange, state, now)
            if base is not None:
                times.append(base + term.offset)
        if not times:
            return None
        return min(times) if self.pick == "earliest" else max(times)


def _iso(delta: dt.timedelta) -> str:
    days, seconds = delta.days, delta.seconds
    text = f"P{days}D" if days else "P"
    if seconds:
        hours, rest = divmod(seconds, 3600)
        minutes, secs = divmod(rest, 60)
        text += (
            "T" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
        )
        text += f"{secs}S" if secs else ""
    return text if text != "P" else "PT0S"


def when_parse(
    at: object,
    pick: object,
    *,
    states: set[str],
    duration_parse: Callable[[object], dt.timedelta],
) -> tuple[When | None, list[str]]:
    """Parse a timer's ``at`` (and ``at_pick``); return it and any problems."""
    problems: list[str] = []
    texts = [at] if isinstance(at, str) else at
    if not isinstance(texts, list) or not texts or len(texts) > 10:
        return None, ['at is a time such as "entered + P3D", or a list of them']
    if pick is None:
        pick = "earliest"
    if pick not in PICKS:
        problems.append(f"at_pick is one of {', '.join(PICKS)}")
    terms = []
    for text in texts:
        match = TERM.match(text) if isinstance(text, str) else None
        if match is None:
            problems.append(
                f"'{str(text)[:40]}' is not a moment with an optional ± duration, "
                'such as "booking_end + P2D"'
            )
            continue
        name, _, state = match["moment"].partition(":")
        if state:
            if name != FIRST_ENTERED:
                problems.append(f"'{name}:' is not a moment; write entered:<state>")
            elif state not in states:
                problems.append(f"entered:{state} names an unknown state")
        elif name not in MOMENTS:
            problems.append(
                f"unknown moment '{name}'; moments are {', '.join(MOMENTS)} and "
                "entered:<state>"
            )
        offset = dt.timedelta(0)
        if match["duration"]:
            try:
                offset = duration_parse(match["duration"])
            except ValueError as exc:
                problems.append(str(exc))
            if match["sign"] == "-":
                offset = -offset
        terms.append(Term(moment=name, state=state, offset=offset))
    if problems:
        return None, problems
    return When(terms=tuple(terms), pick=str(pick)), []
