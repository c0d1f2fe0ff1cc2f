"""API: briefs (list, create, read, close) and offers (list, create, accept, counter)."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from selfwork.briefs import selectors, services
from selfwork.briefs.errors import CounterNotOpen
from selfwork.briefs.models import Brief, Counter, Offer
from selfwork.briefs.services import MAX_ATTACHMENTS
from selfwork.communities.selectors import community_get
from selfwork.core.api import (
    PROBLEMS,
    BodyIn,
    Cursor,
    Day,
    Instant,
    MoneyOut,
    PublicId,
    QueryIn,
    caller,
    documented,
    member_auth,
    now,
)
from selfwork.core.money import Money
from selfwork.core.openapi import UPLOAD_ID, markdown, plain, ref
from selfwork.core.throttle import throttled

briefs_router = Router(tags=["briefs"])
offers_router = Router(tags=["offers"])

# What briefs.services._deadline_parse takes: ten characters, an ISO date.
DATE = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
MONEY_HINT = 'MONEY is {"amount": "12.50", "currency": "EUR"}.'


class BudgetOut(Schema):
    min: MoneyOut
    max: MoneyOut


class BriefOut(Schema):
    id: PublicId
    community: str
    author: str
    author_name: str
    title: str
    description: str
    budget: BudgetOut
    deadline: Day | None
    status: str
    attachments: list[str]
    offer_count: int
    created_at: Instant
    closed_at: Instant | None
    url: str


class BriefPageOut(Schema):
    items: list[BriefOut]
    next: str | None


class OfferMilestoneOut(Schema):
    title: str
    amount: MoneyOut


class UsageRightsOut(Schema):
    use: str
    credit_required: bool


class CounterOut(Schema):
    id: PublicId
    offer: PublicId
    price: MoneyOut
    delivery_days: int
    message: str
    status: str
    created_at: Instant
    answered_at: Instant | None


class OfferOut(Schema):
    id: PublicId
    brief: PublicId
    provider: str
    provider_name: str
    price: MoneyOut
    delivery_days: int
    revisions: int
    milestones: list[OfferMilestoneOut]
    usage_rights: UsageRightsOut
    message: str
    expires_at: Instant
    status: str
    revision: int
    counter: CounterOut | None = Field(
        description="The latest counter-proposal on this offer, if any."
    )
    exchange: PublicId | None = Field(
        description="The exchange its acceptance started."
    )
    created_at: Instant
    updated_at: Instant


class OfferPageOut(Schema):
    items: list[OfferOut]
    next: str | None


class ExchangeStartedOut(Schema):
    id: PublicId
    process: str
    state: str
    url: str


def brief_out(brief: Brief) -> dict[str, Any]:
    return {
        "id": str(brief.public_id),
        "community": brief.community.slug,
        "author": brief.author.username,
        "author_name": brief.author.name,
        "title": brief.title,
        "description": brief.description,
        "budget": {
            "min": Money(brief.budget_min_minor, brief.currency).as_dict(),
            "max": Money(brief.budget_max_minor, brief.currency).as_dict(),
        },
        "deadline": brief.deadline_on.isoformat() if brief.deadline_on else None,
        "status": brief.status,
        "attachments": [a.upload.url for a in brief.attachments.all()],
        "offer_count": getattr(brief, "offer_count", 0),
        "created_at": brief.created_at.isoformat(),
        "closed_at": brief.closed_at.isoformat() if brief.closed_at else None,
        "url": f"/briefs/{brief.public_id}/",
    }


def counter_out(counter: Counter, *, currency: str) -> dict[str, Any]:
    return {
        "id": str(counter.public_id),
        "offer": str(counter.offer.public_id),
        "price": Money(counter.price_minor, currency).as_dict(),
        "delivery_days": counter.delivery_days,
        "message": counter.message,
        "status": counter.status,
        "created_at": counter.created_at.isoformat(),
        "answered_at": counter.answered_at.isoformat() if counter.answered_at else None,
    }


def offer_out(offer: Offer, *, at: dt.datetime) -> dict[str, Any]:
    currency = offer.brief.currency
    counters = list(offer.counters.all())
    latest = max(counters, key=lambda c: (c.created_at, c.pk), default=None)
    return {
        "id": str(offer.public_id),
        "brief": str(offer.brief.public_id),
        "provider": offer.provider.username,
        "provider_name": offer.provider.name,
        "price": Money(offer.price_minor, currency).as_dict(),
        "delivery_days": offer.delivery_days,
        "revisions": offer.revisions,
        "milestones": [
            {
                "title": m["title"],
                "amount": Money(m["amount_minor"], currency).as_dict(),
            }
            for m in offer.milestones
        ],
        "usage_rights": offer.usage_rights,
        "message": offer.message,
        "expires_at": offer.expires_at.isoformat(),
        "status": selectors.offer_status(offer=offer, now=at),
        "revision": offer.revision,
        "counter": counter_out(latest, currency=currency) if latest else None,
        "exchange": str(offer.exchange_public_id) if offer.exchange_public_id else None,
        "created_at": offer.created_at.isoformat(),
        "updated_at": offer.updated_at.isoformat(),
    }


# --- Briefs ------------------------------------------------------------------------


def _money(name: str):
    # Typed for the document only (decision 0011): money_parse refuses a bad
    # amount with its own codes (invalid_money, too_precise, unknown_currency).
    def amend(schema: dict[str, Any]) -> None:
        schema.pop("additionalProperties", None)
        schema.pop("type", None)
        schema.update(ref(name))

    return amend


POSITIVE_MONEY = _money("PositiveMoney")


class BudgetIn(BodyIn):
    min: dict[str, Any] = Field(
        description=MONEY_HINT + " In the same currency as max, and at most max.",
        json_schema_extra=POSITIVE_MONEY,
    )
    max: dict[str, Any] = Field(
        description=MONEY_HINT, json_schema_extra=POSITIVE_MONEY
    )


class BriefIn(BodyIn):
    community: str = Field(max_length=50)
    title: str = Field(
        max_length=1000, json_schema_extra=documented(**plain(max_length=120))
    )
    description: str = Field(
        max_length=40000,
        json_schema_extra=documented(**markdown(max_length=10000, required=True)),
    )
    budget: BudgetIn
    deadline: str | None = Field(
        None,
        max_length=40,
        description="A date: 2026-12-24, today or later; empty or null for none.",
        json_schema_extra=documented(
            anyOf=[
                {"type": "string", "format": "date", "pattern": DATE},
                {"const": ""},
                {"type": "null"},
            ]
        ),
    )
    attachments: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="Upload ids of images",
        json_schema_extra=documented(maxItems=MAX_ATTACHMENTS, items=UPLOAD_ID),
    )


class BriefQuery(QueryIn):
    community: str | None = Field(None, max_length=50)
    mine: bool = Field(False, description="Only my briefs, in any status")
    cursor: Cursor = None
    limit: int = Field(24, ge=1, le=100)


@briefs_router.get("", response={200: BriefPageOut, **PROBLEMS})
def briefs_list(request: HttpRequest, filters: Query[BriefQuery]):
    """Open briefs I may see, newest first (``mine=true``: my briefs in any status)."""
    viewer = request.user
    if filters.mine:
        if not viewer.is_authenticated:
            rows = Brief.objects.none()
        else:
            rows = selectors.briefs_of_author(author=viewer)
    else:
        community = (
            community_get(slug=filters.community, viewer=viewer)
            if filters.community
            else None
        )
        rows = selectors.briefs_open(viewer=viewer, community=community)
    page, following = selectors.page_keyset(
        rows, cursor=filters.cursor, limit=filters.limit
    )
    return {"items": [brief_out(b) for b in page], "next": following}


@briefs_router.post("", response={201: BriefOut, **PROBLEMS}, auth=member_auth)
def brief_create(request: HttpRequest, payload: BriefIn):
    """Post a brief: ``{"community", "title", "description", "budget": {"min", "max"}}``."""
    member = caller(request)
    community = community_get(slug=payload.community, viewer=member)
    brief = services.brief_create(
        author=member,
        community=community,
        title=payload.title,
        description=payload.description,
        budget_min=payload.budget.min,
        budget_max=payload.budget.max,
        deadline=payload.deadline,
        attachments=payload.attachments,
        now=now(),
    )
    return Status(
        201, brief_out(selectors.brief_get(public_id=brief.public_id, viewer=member))
    )


@briefs_router.get("/{brief_id}", response={200: BriefOut, **PROBLEMS})
def brief_read(request: HttpRequest, brief_id: PublicId):
    return brief_out(selectors.brief_get(public_id=brief_id, viewer=request.user))


@briefs_router.post(
    "/{brief_id}/close", response={200: BriefOut, **PROBLEMS}, auth=member_auth
)
def brief_close(request: HttpRequest, brief_id: PublicId):
    """Stop taking offers without accepting one (the author only)."""
    member = caller(request)
    brief = selectors.brief_get_for_author(public_id=brief_id, author=member)
    services.brief_close(brief=brief, author=member, now=now())
    return brief_out(selectors.brief_get(public_id=brief.public_id, viewer=member))


@briefs_router.post(
    "/{brief_id}/cancel", response={200: BriefOut, **PROBLEMS}, auth=member_auth
)
def brief_cancel(request: HttpRequest, brief_id: PublicId):
    """Withdraw the brief altogether (the author only); open offers are declined."""
    member = caller(request)
    brief = selectors.brief_get_for_author(public_id=brief_id, author=member)
    services.brief_cancel(brief=brief, author=member, now=now())
    return brief_out(selectors.brief_get(public_id=brief.public_id, viewer=member))


# --- Offers on a brief ---------------------------------------------------------------


class OfferQuery(QueryIn):
    cursor: Cursor = None
    limit: int = Field(24, ge=1, le=100)


class MilestoneIn(BodyIn):
    title: str = Field(max_length=1000)
    amount: dict[str, Any] = Field(
        description=MONEY_HINT, json_schema_extra=POSITIVE_MONEY
    )


class UsageRightsIn(BodyIn):
    use: str = Field("personal", max_length=20, description="personal or commercial")
    credit_required: bool = False


class OfferIn(BodyIn):
    price: dict[str, Any] = Field(
        description=MONEY_HINT + " In the brief's currency.",
        json_schema_extra=POSITIVE_MONEY,
    )
    delivery_days: int = Field(ge=1, le=365)
    message: str = Field("", max_length=10000)
    milestones: list[MilestoneIn] = Field(
        default_factory=list,
        max_length=20,
        description="Optional; when given, their amounts add up to the price.",
    )
    usage_rights: UsageRightsIn | None = None
    revisions: int = Field(services.DEFAULT_REVISIONS, ge=0, le=50)
    expires_in_days: int = Field(
        services.DEFAULT_EXPIRY_DAYS, ge=1, le=services.MAX_EXPIRY_DAYS
    )


@briefs_router.get(
    "/{brief_id}/offers", response={200: OfferPageOut, **PROBLEMS}, auth=member_auth
)
def offers_list(request: HttpRequest, brief_id: PublicId, filters: Query[OfferQuery]):
    """The brief's author sees every offer; a provider sees their own."""
    member = caller(request)
    brief = selectors.brief_get(public_id=brief_id, viewer=member)
    page, following = selectors.page_keyset(
        selectors.offers_for_brief(brief=brief, viewer=member),
        cursor=filters.cursor,
        limit=filters.limit,
    )
    at = now()
    return {"items": [offer_out(o, at=at) for o in page], "next": following}


@briefs_router.post(
    "/{brief_id}/offers",
    response={201: OfferOut, **PROBLEMS},
    auth=member_auth,
    throttle=throttled("offers"),
)
def offer_create(request: HttpRequest, brief_id: PublicId, payload: OfferIn):
    """Answer a brief: ``{"price": MONEY, "delivery_days", "message"}`` and optional terms."""
    member = caller(request)
    brief = selectors.brief_get(public_id=brief_id, viewer=member)
    at = now()
    offer = services.offer_create(
        brief=brief,
        provider=member,
        price=payload.price,
        delivery_days=payload.delivery_days,
        message=payload.message,
        milestones=[m.model_dump() for m in payload.milestones],
        usage_rights=payload.usage_rights.model_dump()
        if payload.usage_rights
        else None,
        revisions=payload.revisions,
        expires_in_days=payload.expires_in_days,
        now=at,
    )
    return Status(201, _offer_response(offer, member))


def _offer_response(offer: Offer, member) -> dict[str, Any]:
    fresh = selectors.offer_get_for_party(public_id=offer.public_id, member=member)
    return offer_out(fresh, at=now())


# --- Offers ---------------------------------------------------------------------------


@offers_router.get("", response={200: OfferPageOut, **PROBLEMS}, auth=member_auth)
def my_offers(request: HttpRequest, filters: Query[OfferQuery]):
    """The offers I made, newest first."""
    member = caller(request)
    page, following = selectors.page_keyset(
        selectors.offers_of_provider(provider=member),
        cursor=filters.cursor,
        limit=filters.limit,
    )
    at = now()
    return {"items": [offer_out(o, at=at) for o in page], "next": following}


@offers_router.get(
    "/{offer_id}", response={200: OfferOut, **PROBLEMS}, auth=member_auth
)
def offer_read(request: HttpRequest, offer_id: PublicId):
    member = caller(request)
    return offer_out(
        selectors.offer_get_for_party(public_id=offer_id, member=member), at=now()
    )


@offers_router.post(
    "/{offer_id}/accept",
    response={201: ExchangeStartedOut, **PROBLEMS},
    auth=member_auth,
)
def offer_accept(request: HttpRequest, offer_id: PublicId):
    """Accept an offer on my brief: starts a commission exchange (201 with its id)."""
    member = caller(request)
    offer = selectors.offer_get_for_party(public_id=offer_id, member=member)
    exchange = services.offer_accept(offer=offer, customer=member, now=now())
    return Status(
        201,
        {
            "id": str(exchange.public_id),
            "process": exchange.process_name,
            "state": exchange.state,
            "url": f"/exchanges/{exchange.public_id}/",
        },
    )


@offers_router.post(
    "/{offer_id}/withdraw", response={200: OfferOut, **PROBLEMS}, auth=member_auth
)
def offer_withdraw(request: HttpRequest, offer_id: PublicId):
    """Take back my offer while it is open or countered."""
    member = caller(request)
    offer = selectors.offer_get_for_party(public_id=offer_id, member=member)
    services.offer_withdraw(offer=offer, provider=member, now=now())
    return _offer_response(offer, member)


@offers_router.post(
    "/{offer_id}/decline", response={200: OfferOut, **PROBLEMS}, auth=member_auth
)
def offer_decline(request: HttpRequest, offer_id: PublicId):
    """Turn down an offer on my brief."""
    member = caller(request)
    offer = selectors.offer_get_for_party(public_id=offer_id, member=member)
    services.offer_decline(offer=offer, customer=member, now=now())
    return _offer_response(offer, member)


class CounterIn(BodyIn):
    price: dict[str, Any] = Field(
        description=MONEY_HINT + " In the brief's currency.",
        json_schema_extra=POSITIVE_MONEY,
    )
    delivery_days: int | None = Field(None, ge=1, le=365)
    message: str = Field("", max_length=4000)


@offers_router.post(
    "/{offer_id}/counter",
    response={201: CounterOut, **PROBLEMS},
    auth=member_auth,
    throttle=throttled("offers"),
)
def offer_counter(request: HttpRequest, offer_id: PublicId, payload: CounterIn):
    """Propose another price (and delivery time) on an offer on my brief."""
    member = caller(request)
    offer = selectors.offer_get_for_party(public_id=offer_id, member=member)
    counter = services.offer_counter(
        offer=offer,
        customer=member,
        price=payload.price,
        delivery_days=payload.delivery_days,
        message=payload.message,
        now=now(),
    )
    return Status(201, counter_out(counter, currency=offer.brief.currency))


def _open_counter(offer: Offer) -> Counter:
    counter = selectors.counter_open(offer=offer)
    if counter is None:
        raise CounterNotOpen(
            gettext("There is no counter-proposal waiting on this offer.")
        )
    return counter


@offers_router.post(
    "/{offer_id}/counter/accept", response={200: OfferOut, **PROBLEMS}, auth=member_auth
)
def counter_accept(request: HttpRequest, offer_id: PublicId):
    """Take the customer's counter-proposal on my offer: the offer's next revision."""
    member = caller(request)
    offer = selectors.offer_get_for_party(public_id=offer_id, member=member)
    services.counter_accept(counter=_open_counter(offer), provider=member, now=now())
    return _offer_response(offer, member)


@offers_router.post(
    "/{offer_id}/counter/decline",
    response={200: OfferOut, **PROBLEMS},
    auth=member_auth,
)
def counter_decline(request: HttpRequest, offer_id: PublicId):
    """Keep my offer as it was."""
    member = caller(request)
    offer = selectors.offer_get_for_party(public_id=offer_id, member=member)
    services.counter_decline(counter=_open_counter(offer), provider=member, now=now())
    return _offer_response(offer, member)
