"""Each event's object, rendered by the API's own functions: one representation.

The object is rendered when the event is fanned out (seconds after it
happened), as the endpoint's owner would read it through the API. An object
gone by then (a deleted listing) is sent as the identity its event recorded.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

from selfwork.accounts.models import Member
from selfwork.catalog.api import listing_out
from selfwork.catalog.selectors import listing_get
from selfwork.communities.api import membership_out
from selfwork.communities.models import Membership
from selfwork.core.errors import NotFound
from selfwork.core.fx import fx_table
from selfwork.core.models import Event
from selfwork.exchanges.api import exchange_out
from selfwork.exchanges.models import Exchange, Review
from selfwork.exchanges.reviews_api import review_out
from selfwork.payments.api import payout_out
from selfwork.payments.models import Payout

Render = Callable[[Event, Any, dt.datetime], Any]


def _exchange(event: Event, viewer, at: dt.datetime) -> Any:
    exchange = Exchange.objects.filter(public_id=event.subject).first()
    if exchange is None:
        return {"id": event.subject}
    return exchange_out(exchange, viewer=viewer, at=at)


def _listing(event: Event, viewer, at: dt.datetime) -> Any:
    if event.kind == "listing.removed":
        return event.data
    try:
        listing = listing_get(public_id=event.subject, viewer=viewer)
    except NotFound:
        return event.data
    return listing_out(
        listing, viewer_currency=viewer.preferred_currency, rates=fx_table()
    )


def _membership(event: Event, viewer, at: dt.datetime) -> Any:
    if event.community_id is None:
        return {"id": event.subject}
    membership = (
        Membership.objects.filter(
            community_id=event.community_id,
            member__in=Member.objects.filter(public_id=event.subject),
        )
        .select_related("member")
        .first()
    )
    return membership_out(membership) if membership else {"id": event.subject}


def _review(event: Event, viewer, at: dt.datetime) -> Any:
    review = (
        Review.objects.filter(public_id=event.subject)
        .select_related("exchange", "author", "subject")
        .first()
    )
    return review_out(review, viewer=viewer) if review else {"id": event.subject}


def _payout(event: Event, viewer, at: dt.datetime) -> Any:
    payout = (
        Payout.objects.filter(public_id=event.subject)
        .select_related("destination")
        .first()
    )
    return payout_out(payout) if payout else {"id": event.subject}


RENDERERS: dict[str, Render] = {
    "exchange.started": _exchange,
    "exchange.transitioned": _exchange,
    "exchange.paid": _exchange,
    "exchange.released": _exchange,
    "exchange.refunded": _exchange,
    "booking.created": _exchange,
    "booking.cancelled": _exchange,
    "listing.created": _listing,
    "listing.updated": _listing,
    "listing.removed": _listing,
    "member.joined": _membership,
    "review.published": _review,
    "payout.paid": _payout,
    "payout.failed": _payout,
}


def payload_data(event: Event, *, viewer, at: dt.datetime) -> Any:
    """The ``data`` of a delivery of ``event`` to an endpoint of ``viewer``."""
    return RENDERERS[event.kind](event, viewer, at)
