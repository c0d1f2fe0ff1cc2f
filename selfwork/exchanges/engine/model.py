"""The shape of a process: its states, transitions and reminders, and the words
the engine knows (actors, pots, the keys a file may use).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.utils.functional import Promise as StrPromise
from django.utils.translation import pgettext, pgettext_lazy

from selfwork.exchanges.moments import When

# ``operator``: a host of the exchange's community who is not a party to it, or
# staff; ``staff``: the install's own operators only, who review hosts' decisions.
ACTORS = ("customer", "provider", "operator", "staff", "system")


OVERSEERS = ("operator", "staff")


# How the validator speaks of each pot: (open, none open, what settles it, name).
POT_WORDS = {
    "escrow": ("money in escrow", "nothing is in escrow", "release", "escrow"),
    "deposit": (
        "a deposit still held",
        "no deposit is held",
        "release_deposit or claim_deposit",
        "the deposit",
    ),
    "booking": (
        "its period still booked",
        "no period is booked",
        "release_reservation",
        "the booking",
    ),
    "promise": (
        "its listing still promised",
        "nothing is promised",
        "give_listing or reopen_listing",
        "the promise",
    ),
}


PARTIES = ("customer", "provider")


NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


DURATION = re.compile(
    r"^P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)


MAX_AFTER = dt.timedelta(days=366)


TOP_KEYS = {
    "name",
    "title",
    "description",
    "initial",
    "version",
    "on_start",
    "states",
    "transitions",
    "reminders",
    "review_window",
}


# How long the parties of a successful exchange may review each other, unless
# the process says otherwise (``review_window``), and the bounds it may set.
REVIEW_WINDOW = dt.timedelta(days=14)
REVIEW_WINDOW_MIN = dt.timedelta(days=1)
REVIEW_WINDOW_MAX = dt.timedelta(days=90)


STYLES = ("primary", "danger", "quiet")


STATE_KEYS = {"description", "terminal", "success", "label"}


TRANSITION_KEYS = {
    "label",
    "description",
    "from",
    "to",
    "actor",
    "actions",
    "guards",
    "params",
    "required",
    "after",
    "at",
    "at_pick",
    "style",
    "pending_to",
}


REMINDER_KEYS = {"label", "description", "in", "at", "at_pick", "every"}


def label_context(process: str, kind: str) -> str:
    """The catalogue's context of a process's labels: ``process commission state``.

    Labels are translated per process (a "Returned" lend and a "Returned"
    rental may read differently), from the table in ``exchanges.process_labels``.
    """
    return f"process {process} {kind}"


def described(process: str, kind: str, text: str) -> str:
    """A description from a process file in the active language (the file's own
    text when the catalogue has none); context ``process <name> <kind> description``."""
    return pgettext(label_context(process, f"{kind} description"), text) if text else ""


@dataclass(frozen=True)
class State:
    """A state of a process; a terminal state ends the exchange."""

    name: str
    label_source: str
    description: str
    terminal: bool = False
    success: bool = False
    process: str = ""

    @property
    def description_label(self) -> str:
        """The description in the active language."""
        return described(self.process, "state", self.description)

    @property
    def label(self) -> str:
        """The label in the active language (the process file's own text when the
        catalogue has none, as for an operator's own process)."""
        return pgettext(label_context(self.process, "state"), self.label_source)

    @property
    def label_lazy(self) -> StrPromise:
        """The label, translated when it is read (a notification for its member)."""
        return pgettext_lazy(label_context(self.process, "state"), self.label_source)


@dataclass(frozen=True)
class Transition:
    """A named move from any of ``sources`` to ``target``, taken by ``actors``."""

    name: str
    label_source: str
    description: str
    sources: tuple[str, ...]
    target: str
    actors: tuple[str, ...]
    actions: tuple[str, ...] = ()
    guards: tuple[str, ...] = ()
    params: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    # When a system transition fires (``after`` is short for "entered + after").
    when: When | None = None
    after_text: str = ""
    # How the room draws its button: primary, danger (undoes or ends) or quiet
    # (second thoughts rather than the way forward).
    style: str = "primary"
    # Where the exchange waits instead of ``target`` when the payment this
    # transition took awaits a host's confirmation (cash, a transfer).
    pending_target: str = ""
    process: str = ""

    @property
    def description_label(self) -> str:
        """The description in the active language."""
        return described(self.process, "transition", self.description)

    @property
    def label(self) -> str:
        """The label in the active language (the process file's own text when the
        catalogue has none, as for an operator's own process)."""
        return pgettext(label_context(self.process, "transition"), self.label_source)

    @property
    def label_lazy(self) -> StrPromise:
        """The label, translated when it is read (a notification for its member)."""
        return pgettext_lazy(
            label_context(self.process, "transition"), self.label_source
        )

    @property
    def targets(self) -> tuple[str, ...]:
        """Every state taking the transition can lead to."""
        return (
            (self.target, self.pending_target)
            if self.pending_target
            else (self.target,)
        )

    @property
    def is_timer(self) -> bool:
        return self.when is not None

    @property
    def is_automatic(self) -> bool:
        """Due the moment its state is entered: a step taken when its guards hold."""
        return self.after == dt.timedelta(0)

    @property
    def after(self) -> dt.timedelta | None:
        """The time since entering the state, for a plain ``after`` timer."""
        if self.when is None or len(self.when.terms) != 1:
            return None
        term = self.when.terms[0]
        return term.offset if term.moment == "entered" and not term.state else None


@dataclass(frozen=True)
class Reminder:
    """A timer that tells the parties something and changes nothing."""

    name: str
    label_source: str
    description: str
    states: tuple[str, ...]
    when: When
    every: dt.timedelta | None = None
    process: str = ""

    @property
    def label(self) -> str:
        """The label in the active language (the process file's own text when the
        catalogue has none, as for an operator's own process)."""
        return pgettext(label_context(self.process, "reminder"), self.label_source)

    @property
    def label_lazy(self) -> StrPromise:
        """The label, translated when it is read (a notification for its member)."""
        return pgettext_lazy(label_context(self.process, "reminder"), self.label_source)


@dataclass(frozen=True)
class Process:
    """A validated process at one version."""

    name: str
    title: str
    description: str
    initial: str
    states: dict[str, State]
    transitions: dict[str, Transition]
    version: str
    # Actions run when an exchange starts, before it enters ``initial``.
    on_start: tuple[str, ...] = ()
    reminders: dict[str, Reminder] = field(default_factory=dict)
    # How long reviews stay open after the exchange ends successfully.
    review_window: dt.timedelta = REVIEW_WINDOW
    # The TOML text it was read from, kept with each stored version.
    text: str = field(default="", repr=False)
    source: str = ""

    @property
    def description_label(self) -> str:
        """The description in the active language."""
        return described(self.name, "process", self.description.strip())

    @property
    def title_label(self) -> str:
        """The title in the active language (the file's own text when the
        catalogue has none, as for an operator's own process)."""
        return pgettext(label_context(self.name, "title"), self.title)

    def transitions_from(self, state: str) -> list[Transition]:
        return [t for t in self.transitions.values() if state in t.sources]

    def timers_from(self, state: str) -> list[Transition]:
        return [t for t in self.transitions_from(state) if t.is_timer]

    def reminders_in(self, state: str) -> list[Reminder]:
        return [r for r in self.reminders.values() if state in r.states]

    @property
    def terminal_states(self) -> frozenset[str]:
        return frozenset(s.name for s in self.states.values() if s.terminal)

    def uses(self, action: str) -> bool:
        return action in self.on_start or any(
            action in t.actions for t in self.transitions.values()
        )
