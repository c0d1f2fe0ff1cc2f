"""What the exchange services share: party checks, timers and the outbox."""

import datetime as dt
from typing import Any

from selfwork.accounts.models import Member
from selfwork.core.errors import InvalidInput
from selfwork.exchanges.engine import Process
from selfwork.exchanges.models import Exchange, OutboxEvent, Timer


def member_check(member: object, *, field: str) -> None:
    """Refuse anything but a saved member as a party."""
    if not isinstance(member, Member) or member.pk is None:
        raise InvalidInput(f"{field} must be a member.", field=field)


def timers_schedule(
    *, exchange: Exchange, process: Process, state: str, now: dt.datetime
) -> None:
    """Cancel the timers of the state left; start those of ``state``."""
    Timer.objects.filter(exchange=exchange, done=False).update(
        done=True, done_at=now, outcome=Timer.Outcome.CANCELLED
    )
    Timer.objects.bulk_create(
        Timer(
            exchange=exchange,
            transition=t.name,
            state=state,
            due_at=now + t.after,
            created_at=now,
        )
        for t in process.timers_from(state)
        if t.after is not None
    )


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
