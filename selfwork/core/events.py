"""The events integrations hear about, and the one function that records them.

Each kind is declared once here with a sentence; services record them in the
transaction of the change they describe, so an event exists exactly when its
change committed.
"""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from selfwork.core.models import Event

# Every kind an integration may subscribe to, with what it means.
EVENT_KINDS: dict[str, str] = {
    "exchange.started": "An exchange was started.",
    "exchange.transitioned": "An exchange moved from one state to another.",
    "exchange.paid": "The customer's payment is held in escrow.",
    "exchange.released": "The money in escrow was released to the provider.",
    "exchange.refunded": "Money in escrow went back to the customer.",
    "payout.paid": "A payout reached the member's bank.",
    "payout.failed": "A payout was refused and went back to the wallet.",
    "listing.created": "A listing was published.",
    "listing.updated": "A listing was edited.",
    "listing.removed": "A listing was deleted.",
    "member.joined": "A member joined a community.",
    "review.published": "A review was published.",
    "booking.created": "A period was booked on a listing's calendar.",
    "booking.cancelled": "A booking was released from a listing's calendar.",
    "ping": "A test event, sent on request to one endpoint.",
}


def event_record(
    *,
    kind: str,
    subject: str,
    community_id: int | None,
    now: dt.datetime,
    sequence: str = "",
    **data: Any,
) -> Event:
    """Record that ``kind`` happened to ``subject`` (a public id), in the caller's
    transaction; ``data`` is what the kind adds to the object (from and to states)."""
    if kind not in EVENT_KINDS:
        raise ValueError(f"Unknown event kind {kind!r}")
    return Event.objects.create(
        kind=kind,
        subject=subject,
        community_id=community_id,
        sequence=sequence,
        data=data,
        created_at=now,
    )


def events_record(
    *,
    events: Sequence[tuple[str, dict[str, Any]]],
    subject: str,
    community_id: int | None,
    now: dt.datetime,
    sequence: str = "",
) -> list[Event]:
    """Record several ``(kind, data)`` events about ``subject`` (see ``event_record``)
    in their order, with one INSERT."""
    for kind, _data in events:
        if kind not in EVENT_KINDS:
            raise ValueError(f"Unknown event kind {kind!r}")
    return Event.objects.bulk_create(
        [
            Event(
                kind=kind,
                subject=subject,
                community_id=community_id,
                sequence=sequence,
                data=data,
                created_at=now,
            )
            for kind, data in events
        ]
    )
