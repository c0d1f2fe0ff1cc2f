"""Each event's object, rendered by the API's own functions: one representation.

The object is rendered when the event is fanned out (seconds after it
happened), as the endpoint's owner would read it through the API. An object
gone by then (a deleted listing) is sent as the identity its event recorded.
"""

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from pydantic import BaseModel

from selfwork.accounts.models import Member
from selfwork.catalog.out import ListingOut, listing_out
from selfwork.catalog.selectors import listing_get
from selfwork.communities.api import MembershipOut, membership_out
from selfwork.communities.models import Membership
from selfwork.core.errors import NotFound
from selfwork.core.fx import fx_table
from selfwork.core.models import Event
from selfwork.exchanges.api import ExchangeOut, exchange_out
from selfwork.exchanges.models import Exchange, Review
from selfwork.exchanges.reviews_api import ReviewOut, review_out
from selfwork.payments.api import PayoutOut, payout_out
from selfwork.payments.models import Payout

logger = logging.getLogger("selfwork.webhooks")

Render = Callable[[Event, Any, dt.datetime], Any]


class Gone(dict):
    """What an event recorded of an object that no longer exists."""


def _as_api(schema: type[BaseModel], raw: Any) -> Any:
    # Through the response schema, as the API sends it (defaults filled in).
    return schema.model_validate(raw).model_dump(mode="json", by_alias=True)


def _exchange(event: Event, viewer, at: dt.datetime) -> Any:
    exchange = Exchange.objects.filter(public_id=event.subject).first()
    if exchange is None:
        return Gone(id=event.subject)
    return _as_api(ExchangeOut, exchange_out(exchange, viewer=viewer, at=at))


def _listing(event: Event, viewer, at: dt.datetime) -> Any:
    if event.kind == "listing.removed":
        return Gone(event.data)
    try:
        listing = listing_get(public_id=event.subject, viewer=viewer)
    except NotFound:
        return Gone(event.data)
    raw = listing_out(
        listing, viewer_currency=viewer.preferred_currency, rates=fx_table()
    )
    return _as_api(ListingOut, raw)


def _membership(event: Event, viewer, at: dt.datetime) -> Any:
    if event.community_id is None:
        return Gone(id=event.subject)
    membership = (
        Membership.objects.filter(
            community_id=event.community_id,
            member__in=Member.objects.filter(public_id=event.subject),
        )
        .select_related("member")
        .first()
    )
    if membership is None:
        return Gone(id=event.subject)
    return _as_api(MembershipOut, membership_out(membership))


def _review(event: Event, viewer, at: dt.datetime) -> Any:
    review = (
        Review.objects.filter(public_id=event.subject)
        .select_related("exchange", "author", "subject")
        .first()
    )
    if review is None:
        return Gone(id=event.subject)
    return _as_api(ReviewOut, review_out(review, viewer=viewer))


def _payout(event: Event, viewer, at: dt.datetime) -> Any:
    payout = (
        Payout.objects.filter(public_id=event.subject)
        .select_related("destination")
        .first()
    )
    if payout is None:
        return Gone(id=event.subject)
    return _as_api(PayoutOut, payout_out(payout))


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
    """The ``data`` of a delivery of ``event`` to an endpoint of ``viewer``.

    An object that cannot be rendered (a bug) is sent as its id and logged:
    one broken event must not stop every other from being delivered.
    """
    try:
        # A savepoint: a failed query must not break the fan-out's transaction.
        with transaction.atomic():
            return RENDERERS[event.kind](event, viewer, at)
    except Exception:  # noqa: BLE001 - logged with its traceback
        logger.exception("webhook payload of %s %s", event.kind, event.subject)
        return Gone(id=event.subject)
