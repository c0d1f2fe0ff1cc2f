"""What the exchange services share: party checks, timers and the outbox."""

import datetime as dt
from typing import Any

from django.utils.translation import gettext

from selfwork.accounts.models import Member
from selfwork.core.errors import InvalidInput
from selfwork.core.events import event_record, events_record
from selfwork.exchanges.engine import Process
from selfwork.exchanges.models import Exchange, OutboxEvent, Timer


def member_check(member: object, *, field: str) -> None:
    """Refuse anything but a saved member as a party."""
    if not isinstance(member, Member) or member.pk is None:
        raise InvalidInput(
            gettext("%(field)s must be a member.") % {"field": field}, field=field
        )


def timers_schedule(
    *, exchange: Exchange, process: Process, state: str, now: dt.datetime
) -> list[Timer]:
    """Cancel the timers of the state left; start those of ``state``; return them.

    Each system transition leaving ``state`` and each reminder in it starts a
    timer at the moment its ``at`` names (see ``moments``); one whose moments
    the exchange lacks (no booking) does not start.
    """
    Timer.objects.filter(exchange=exchange, done=False).update(
        done=True, done_at=now, outcome=Timer.Outcome.CANCELLED
    )
    timers = []
    for kind, name, when in [
        (Timer.Kind.TRANSITION, t.name, t.when) for t in process.timers_from(state)
    ] + [(Timer.Kind.REMINDER, r.name, r.when) for r in process.reminders_in(state)]:
        due_at = when.due(exchange, state, now) if when is not None else None
        if due_at is not None:
            timers.append(
                Timer(
                    exchange=exchange,
                    kind=kind,
                    transition=name,
                    state=state,
                    due_at=due_at,
                    created_at=now,
                )
            )
    return Timer.objects.bulk_create(timers) if timers else []


def outbox_queue(
    kind: str, *, exchange: Exchange, now: dt.datetime, **payload: Any
) -> None:
    OutboxEvent.objects.create(
        kind=kind,
        exchange=exchange,
        payload={"exchange": str(exchange.public_id), **payload},
        created_at=now,
        available_at=now,
    )


def exchange_announce(
    kind: str, *, exchange: Exchange, now: dt.datetime, **data: Any
) -> None:
    """Record an event about ``exchange`` for integrations, in order with its others."""
    event_record(
        kind=kind,
        subject=str(exchange.public_id),
        community_id=exchange.community_id,
        sequence=str(exchange.public_id),
        now=now,
        **data,
    )


def exchange_announce_all(
    events: list[tuple[str, dict[str, Any]]], *, exchange: Exchange, now: dt.datetime
) -> None:
    """``exchange_announce`` for several ``(kind, data)`` events, in order, at once."""
    events_record(
        events=events,
        subject=str(exchange.public_id),
        community_id=exchange.community_id,
        sequence=str(exchange.public_id),
        now=now,
    )
