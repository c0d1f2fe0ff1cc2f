"""API: exchanges (order, list mine, read, transitions, messages) and processes."""

import datetime as dt
import json
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import BaseModel, ConfigDict, create_model

from selfwork.catalog.calendar import instant_schema
from selfwork.catalog.models import Listing
from selfwork.communities.selectors import community_get
from selfwork.core.api import (
    JSON,
    PROBLEMS,
    BodyIn,
    Cursor,
    Instant,
    MoneyOut,
    Problem,
    PublicId,
    QueryIn,
    caller,
    member_auth,
    now,
)
from selfwork.core.errors import NotFound
from selfwork.core.fx import fx_convert, fx_table
from selfwork.core.money import Money
from selfwork.core.pagination import offset_page
from selfwork.core.throttle import throttled
from selfwork.exchanges import engine, selectors, services
from selfwork.exchanges.downloads import delivery_file_url
from selfwork.exchanges.models import Exchange, Message
from selfwork.exchanges.params import PARAMS, AmountIn

router = Router(tags=["exchanges"], auth=member_auth)
processes_router = Router(tags=["processes"])
WITH_402 = {**PROBLEMS, 402: Problem}


class PartyOut(Schema):
    username: str
    name: str


class LineItemOut(Schema):
    label: str
    unit_price: MoneyOut
    quantity: int
    amount: MoneyOut
    kind: Literal["item", "customer_fee"] = Field(
        "item", description="item: what is bought; customer_fee: the community's fee"
    )


class FeesOut(Schema):
    """The community's fee policy this exchange copied when it started."""

    provider_fee_percent: str
    customer_fee_percent: str
    minimum_fee: MoneyOut
    treasury_share_percent: str


class MilestoneOut(Schema):
    title: str
    amount: MoneyOut
    status: str = Field(
        description="released, current, upcoming, or closed (the exchange ended "
        "before it was released)"
    )


class TransitionOptionOut(Schema):
    name: str
    label: str
    description: str
    params: list[str]
    required: list[str]
    style: str = Field("primary", description="primary, danger or quiet")
    pays: bool = Field(False, description="Taking it charges the customer.")


class EventOut(Schema):
    seq: int
    name: str
    actor: str | None
    actor_role: str
    from_state: str
    to_state: str
    params: dict[str, Any]
    created_at: Instant


class FileOut(Schema):
    id: PublicId
    content_type: str
    size_bytes: int
    url: str | None = Field(
        description="A signed link for you alone, valid for two hours; null until "
        "the deliverables are revealed to you."
    )


class DeliveryOut(Schema):
    id: PublicId
    number: int
    note: str
    files: list[FileOut]
    created_at: Instant


class ExchangeUsageRightsOut(Schema):
    use: str | None = Field(
        None, description="personal or commercial; absent when the terms say nothing"
    )
    credit_required: bool | None = None


class LicenceOut(Schema):
    id: PublicId
    terms: dict[str, Any]
    created_at: Instant


class BookingOut(Schema):
    start: Instant
    end: Instant


class DepositOut(Schema):
    amount: MoneyOut
    status: Literal["none", "pending", "held", "released", "claimed"]


class ExchangeOut(Schema):
    id: PublicId
    process: str
    process_version: str
    state: str
    state_label: str
    title: str
    customer: PartyOut
    provider: PartyOut
    community: str
    listing: PublicId | None
    offered_listing: PublicId | None = Field(
        None, description="swap: the customer's listing offered in return"
    )
    source: str
    total: MoneyOut
    amount_due: MoneyOut = Field(
        description="What the next payment takes: the total, or the current "
        "milestone, with its customer fee."
    )
    fees: FeesOut
    booking: BookingOut | None = Field(
        None, description="The period booked on the listing's calendar, [start, end)."
    )
    deposit: DepositOut
    total_in_viewer_currency: MoneyOut | None
    total_in_customer_currency: MoneyOut | None
    total_in_provider_currency: MoneyOut | None
    line_items: list[LineItemOut]
    delivery_days: int | None
    due_at: Instant | None
    revisions_allowed: int
    revisions_used: int
    milestones: list[MilestoneOut]
    usage_rights: ExchangeUsageRightsOut
    requirements: str
    transitions: list[str] = Field(description="The transitions you may take now.")
    transition_options: list[TransitionOptionOut]
    events: list[EventOut]
    deliveries: list[DeliveryOut]
    queue_position: int | None
    licence: LicenceOut | None
    created_at: Instant
    updated_at: Instant
    closed_at: Instant | None


class ExchangeSummaryOut(Schema):
    id: PublicId
    process: str
    state: str
    title: str
    customer: PartyOut
    provider: PartyOut
    listing: PublicId | None
    offered_listing: PublicId | None
    message: str = Field(description="What the customer wrote when they asked.")
    total: MoneyOut
    created_at: Instant
    closed_at: Instant | None


class ExchangePage(Schema):
    items: list[ExchangeSummaryOut]
    next: str | None


class ExchangeIn(BodyIn):
    listing: uuid.UUID
    mode: str = Field(
        max_length=20,
        description="service, made_to_order, rental, lend, swap, gift or timebank "
        "(as the listing offers)",
    )
    package: str | None = Field(
        None, max_length=60, description="A package id (or name) of a service."
    )
    quantity: int = Field(1, ge=1, le=100)
    options: dict[str, str] | None = Field(
        None, description='made_to_order: {"<option name>": "<choice label>"}'
    )
    personalisation: dict[str, str] | None = Field(
        None, description='made_to_order: {"<prompt>": "<answer>"}'
    )
    requirements: str = Field("", max_length=10000)
    start: str | None = Field(
        None,
        max_length=40,
        json_schema_extra=instant_schema(null=True),
        description="rental: the first day (YYYY-MM-DD) or moment (ISO 8601 with "
        "offset) of the period",
    )
    end: str | None = Field(
        None,
        max_length=40,
        json_schema_extra=instant_schema(null=True),
        description="rental: the day or moment the period ends (exclusive)",
    )
    offered_listing: uuid.UUID | None = Field(
        None,
        description="swap: one of your own active listings with the swap mode, in "
        "the same community, offered in return",
    )
    message: str = Field(
        "",
        max_length=2000,
        description="gift (required): a few words to the giver; swap: optional",
    )
    hours: AmountIn | None = Field(
        None,
        description='timebank: the hours asked for, {"amount": "1.50", "currency": '
        '"HOUR"}; the listing\'s hours when left out',
    )


class _TransitionBase(BodyIn):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=40, description="The transition to take.")


# A transition's name and the parameters it takes (see the process): one field
# per parameter of the engine's registry, so a new parameter needs no change here.
if TYPE_CHECKING:
    TransitionIn = _TransitionBase
else:
    TransitionIn = create_model(
        "TransitionIn",
        __base__=_TransitionBase,
        **{name: param.api_field() for name, param in PARAMS.items()},
    )


class MessageIn(BodyIn):
    body: str = Field(max_length=5000)


class MessageOut(Schema):
    id: PublicId
    author: PartyOut
    body: str
    created_at: Instant


class MessagePage(Schema):
    items: list[MessageOut]
    next: str | None


class ListQuery(QueryIn):
    cursor: Cursor = None
    limit: int = Field(25, ge=1, le=100)
    role: str | None = Field(None, pattern="^(customer|provider)$")
    open: bool | None = Field(None, description="Only open (true) or closed (false).")
    listing: uuid.UUID | None = Field(
        None,
        description="Only the exchanges on this listing (its owner sees every "
        "request for it, e.g. for a gift; others see their own)",
    )


class PageQuery(QueryIn):
    cursor: Cursor = None
    limit: int = Field(50, ge=1, le=100)


def _percent(hundredths: int) -> str:
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def _party(member) -> dict[str, str]:
    return {"username": member.username, "name": member.name}


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _converted(
    money: Money, unit: str, rates: dict[str, Decimal]
) -> dict[str, str] | None:
    converted = fx_convert(money, unit, rates)
    return converted.as_dict() if converted is not None else None


def exchange_out(exchange: Exchange, *, viewer, at: dt.datetime) -> dict[str, Any]:
    """The full view of an exchange for ``viewer`` (a party or an operator),
    exactly as ``ExchangeOut`` writes it: no field more or less, every value
    already the text or number it is sent as."""
    process = selectors.exchange_process(exchange=exchange)
    unit = exchange.currency
    bill = selectors.exchange_bill(exchange=exchange)
    total = bill.total
    shown_in = {
        viewer.preferred_currency,
        exchange.customer.preferred_currency,
        exchange.provider.preferred_currency,
    }
    # The rates are read only when a total is shown in another currency.
    rates = fx_table() if shown_in - {total.unit} else {}
    options = selectors.transitions_available(exchange=exchange, member=viewer)
    visible = selectors.deliverables_visible(exchange=exchange, member=viewer)
    milestones = [
        {"title": m.title, "amount": m.amount.as_dict(), "status": m.status}
        for m in selectors.exchange_milestones(exchange=exchange)
    ]
    licence = selectors.licence_for(exchange=exchange)
    return {
        "id": str(exchange.public_id),
        "process": exchange.process_name,
        "process_version": exchange.process_version,
        "state": exchange.state,
        "state_label": process.states[exchange.state].label,
        "title": exchange.title,
        "customer": _party(exchange.customer),
        "provider": _party(exchange.provider),
        "community": exchange.community.slug,
        "listing": str(exchange.listing.public_id) if exchange.listing else None,
        "offered_listing": str(exchange.offered_listing.public_id)
        if exchange.offered_listing
        else None,
        "source": exchange.source,
        "total": total.as_dict(),
        "total_in_viewer_currency": _converted(total, viewer.preferred_currency, rates),
        "total_in_customer_currency": _converted(
            total, exchange.customer.preferred_currency, rates
        ),
        "total_in_provider_currency": _converted(
            total, exchange.provider.preferred_currency, rates
        ),
        "amount_due": bill.due.as_dict(),
        "booking": {
            "start": exchange.booking_start_at.isoformat(),
            "end": exchange.booking_end_at.isoformat(),
        }
        if exchange.booking_start_at is not None and exchange.booking_end_at is not None
        else None,
        "deposit": {
            "amount": Money(exchange.deposit_minor, unit).as_dict(),
            "status": selectors.deposit_status(exchange=exchange),
        },
        "fees": {
            "provider_fee_percent": _percent(exchange.fee_hundredths),
            "customer_fee_percent": _percent(exchange.customer_fee_hundredths),
            "minimum_fee": Money(exchange.minimum_fee_minor, unit).as_dict(),
            "treasury_share_percent": _percent(exchange.treasury_share_hundredths),
        },
        "line_items": [
            {
                "label": item.label,
                "unit_price": item.unit_price.as_dict(),
                "quantity": item.quantity,
                "amount": item.amount.as_dict(),
                "kind": "item",
            }
            for item in bill.items
        ]
        + (
            [
                {
                    "label": f"Customer fee ({bill.customer_fee_percent} %)",
                    "unit_price": bill.customer_fee.as_dict(),
                    "quantity": 1,
                    "amount": bill.customer_fee.as_dict(),
                    "kind": "customer_fee",
                }
            ]
            if bill.customer_fee.minor
            else []
        ),
        "delivery_days": exchange.delivery_days,
        "due_at": _iso(exchange.due_at),
        "revisions_allowed": exchange.revisions_allowed,
        "revisions_used": exchange.revisions_used,
        "milestones": milestones,
        "usage_rights": {
            "use": exchange.usage_rights.get("use"),
            "credit_required": exchange.usage_rights.get("credit_required"),
        },
        "requirements": exchange.requirements,
        "transitions": [o.name for o in options],
        "transition_options": [
            {
                "name": o.name,
                "label": o.label,
                "description": o.description,
                "params": o.params,
                "required": o.required,
                "style": o.style,
                "pays": o.pays,
            }
            for o in options
        ],
        "events": [
            {
                "seq": e.seq,
                "name": e.name,
                "actor": e.actor.username if e.actor else None,
                "actor_role": e.actor_role,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "params": e.params,
                "created_at": e.created_at.isoformat(),
            }
            for e in selectors.exchange_events(exchange=exchange)
        ],
        "deliveries": [
            {
                "id": str(d.public_id),
                "number": d.number,
                "note": d.note,
                "created_at": d.created_at.isoformat(),
                "files": [
                    {
                        "id": str(f.public_id),
                        "content_type": f.content_type,
                        "size_bytes": f.size_bytes,
                        "url": delivery_file_url(upload=f, member=viewer, now=at)
                        if visible
                        else None,
                    }
                    for f in d.files.all()
                ],
            }
            for d in selectors.exchange_deliveries(exchange=exchange)
        ],
        "queue_position": selectors.queue_position(exchange=exchange),
        "licence": {
            "id": str(licence.public_id),
            "terms": licence.terms,
            "created_at": licence.created_at.isoformat(),
        }
        if licence is not None
        else None,
        "created_at": exchange.created_at.isoformat(),
        "updated_at": exchange.updated_at.isoformat(),
        "closed_at": _iso(exchange.closed_at),
    }


def _exchange_response(
    exchange: Exchange, *, viewer, at: dt.datetime, status: int = 200
) -> HttpResponse:
    """``exchange_out`` as the answer's body, sent as built: it is already what
    ``ExchangeOut`` would validate it into (tests/test_exchange_out.py checks)."""
    body = json.dumps(exchange_out(exchange, viewer=viewer, at=at), ensure_ascii=False)
    return HttpResponse(body, status=status, content_type=JSON)


def _summary(exchange: Exchange) -> dict[str, Any]:
    return {
        "id": str(exchange.public_id),
        "process": exchange.process_name,
        "state": exchange.state,
        "title": exchange.title,
        "customer": _party(exchange.customer),
        "provider": _party(exchange.provider),
        "listing": str(exchange.listing.public_id) if exchange.listing else None,
        "offered_listing": str(exchange.offered_listing.public_id)
        if exchange.offered_listing
        else None,
        "message": exchange.requirements,
        "total": Money(exchange.total_minor, exchange.currency).as_dict(),
        "created_at": exchange.created_at.isoformat(),
        "closed_at": _iso(exchange.closed_at),
    }


@router.post("", response={201: ExchangeOut, **PROBLEMS})
def exchange_create(request: HttpRequest, payload: ExchangeIn):
    """Order from a listing: the server prices it and starts its process."""
    member = caller(request)
    listing = Listing.objects.filter(public_id=payload.listing).first()
    if listing is None:
        raise NotFound(gettext("No such listing."), code="listing_not_found")
    at = now()
    exchange = services.exchange_order(
        listing=listing,
        customer=member,
        mode=payload.mode,
        package=payload.package,
        quantity=payload.quantity,
        options=payload.options,
        personalisation=payload.personalisation,
        requirements=payload.requirements,
        start=payload.start,
        end=payload.end,
        offered_listing=payload.offered_listing,
        message=payload.message,
        hours=payload.hours.model_dump() if payload.hours is not None else None,
        now=at,
    )
    exchange = selectors.exchange_get_for_party(
        public_id=exchange.public_id, member=member
    )
    return _exchange_response(exchange, viewer=member, at=at, status=201)


@router.get("", response={200: ExchangePage, **PROBLEMS})
def exchange_list(request: HttpRequest, query: Query[ListQuery]):
    """Your exchanges, as customer or provider, newest first."""
    member = caller(request)
    rows = selectors.exchanges_list_for_member(member=member)
    if query.role == "customer":
        rows = rows.filter(customer=member)
    elif query.role == "provider":
        rows = rows.filter(provider=member)
    if query.open is not None:
        rows = rows.filter(closed_at__isnull=query.open)
    if query.listing is not None:
        rows = rows.filter(listing__public_id=query.listing)
    page, following = offset_page(rows, cursor=query.cursor, limit=query.limit)
    return {"items": [_summary(e) for e in page], "next": following}


@router.get("/{exchange_id}", response={200: ExchangeOut, **PROBLEMS})
def exchange_read(request: HttpRequest, exchange_id: PublicId):
    """One exchange: state, line items, totals, your transitions, timeline, deliveries."""
    member = caller(request)
    exchange = selectors.exchange_get_for_party(public_id=exchange_id, member=member)
    return _exchange_response(exchange, viewer=member, at=now())


@router.post("/{exchange_id}/transitions", response={200: ExchangeOut, **WITH_402})
def exchange_transition(
    request: HttpRequest, exchange_id: PublicId, payload: TransitionIn
):
    """Take a transition: ``{"name": "pay", "card": "4242424242424242"}``, ...

    A declined card is a 402 and changes nothing; another party's transition is
    a 403; one not possible in the current state a 409.
    """
    member = caller(request)
    exchange = selectors.exchange_get_for_party(public_id=exchange_id, member=member)
    params = {
        key: getattr(payload, key)
        for key in payload.model_fields_set
        if key != "name" and getattr(payload, key) is not None
    }
    params = {
        key: value.model_dump() if isinstance(value, BaseModel) else value
        for key, value in params.items()
    }
    at = now()
    exchange = services.exchange_transition(
        exchange=exchange, actor=member, name=payload.name, params=params, now=at
    )
    exchange = selectors.exchange_get_for_party(
        public_id=exchange.public_id, member=member
    )
    return _exchange_response(exchange, viewer=member, at=at)


def _message_out(message: Message) -> dict[str, Any]:
    return {
        "id": str(message.public_id),
        "author": _party(message.author),
        "body": message.body,
        "created_at": message.created_at.isoformat(),
    }


@router.get("/{exchange_id}/messages", response={200: MessagePage, **PROBLEMS})
def message_list(request: HttpRequest, exchange_id: PublicId, query: Query[PageQuery]):
    """The exchange's conversation, oldest first."""
    exchange = selectors.exchange_get_for_party(
        public_id=exchange_id, member=caller(request)
    )
    page, following = offset_page(
        selectors.exchange_messages(exchange=exchange),
        cursor=query.cursor,
        limit=query.limit,
    )
    return {"items": [_message_out(m) for m in page], "next": following}


@router.post(
    "/{exchange_id}/messages",
    response={201: MessageOut, **PROBLEMS},
    throttle=throttled("messages"),
)
def message_create(request: HttpRequest, exchange_id: PublicId, payload: MessageIn):
    """Write to the other party (Markdown)."""
    member = caller(request)
    exchange = selectors.exchange_get_for_party(public_id=exchange_id, member=member)
    message = services.message_post(
        exchange=exchange, author=member, body=payload.body, now=now()
    )
    return Status(201, _message_out(message))


# --- Processes ---------------------------------------------------------------------


class StateOut(Schema):
    name: str
    label: str
    description: str
    terminal: bool
    success: bool


class ProcessTransitionOut(Schema):
    name: str
    label: str
    description: str
    from_: list[str] = Field(alias="from")
    to: str
    actors: list[str]
    actions: list[str]
    guards: list[str]
    params: list[str]
    required: list[str]
    after: str | None


class ProcessSummaryOut(Schema):
    name: str
    title: str
    description: str
    version: str


class ProcessPage(Schema):
    items: list[ProcessSummaryOut]
    next: str | None


class ProcessOut(ProcessSummaryOut):
    initial: str
    states: list[StateOut]
    transitions: list[ProcessTransitionOut]
    mermaid: str
    svg: str


def _process_summary(process: engine.Process) -> dict[str, Any]:
    return {
        "name": process.name,
        "title": process.title,
        "description": process.description.strip(),
        "version": process.version,
    }


@processes_router.get("", response={200: ProcessPage, **PROBLEMS})
def process_list(request: HttpRequest):
    """Every process exchanges can run, by name."""
    return {
        "items": [_process_summary(p) for p in engine.processes_list()],
        "next": None,
    }


class BindingOut(Schema):
    mode: str
    process: str
    default: bool = Field(description="The mode runs its built-in default process.")


class BindingPage(Schema):
    items: list[BindingOut]
    next: str | None


class BindingIn(BodyIn):
    model_config = ConfigDict(extra="forbid")

    process: str = Field(max_length=40, pattern=r"^[a-z][a-z0-9_]{0,39}$")


def _bindings_out(community) -> dict[str, Any]:
    return {
        "items": [
            {"mode": mode, "process": process, "default": default}
            for mode, process, default in selectors.process_bindings(
                community=community
            )
        ],
        "next": None,
    }


@processes_router.get("/bindings/{community}", response={200: BindingPage, **PROBLEMS})
def process_bindings_read(request: HttpRequest, community: str):
    """Which process each of a community's modes runs."""
    place = community_get(slug=community, viewer=request.user)
    return _bindings_out(place)


@processes_router.put(
    "/bindings/{community}/{mode}",
    response={200: BindingPage, **PROBLEMS},
    auth=member_auth,
)
def process_bind(request: HttpRequest, community: str, mode: str, payload: BindingIn):
    """Make a mode run another installed process (hosts only); new exchanges use it."""
    member = caller(request)
    place = community_get(slug=community, viewer=member)
    services.process_bind(
        community=place, mode=mode, process=payload.process, actor=member, now=now()
    )
    return _bindings_out(place)


@processes_router.get("/{name}", response={200: ProcessOut, **PROBLEMS}, by_alias=True)
def process_read(request: HttpRequest, name: str):
    """A process's definition, with its graph as Mermaid text and as SVG."""
    process = engine.process_load(name)
    return {
        **_process_summary(process),
        "initial": process.initial,
        "states": [
            {
                "name": s.name,
                "label": s.label,
                "description": s.description,
                "terminal": s.terminal,
                "success": s.success,
            }
            for s in process.states.values()
        ],
        "transitions": [
            {
                "name": t.name,
                "label": t.label,
                "description": t.description,
                "from": list(t.sources),
                "to": t.target,
                "actors": list(t.actors),
                "actions": list(t.actions),
                "guards": list(t.guards),
                "params": list(t.params),
                "required": list(t.required),
                "after": t.after_text or None,
            }
            for t in process.transitions.values()
        ],
        "mermaid": engine.process_graph_mermaid(process),
        "svg": engine.process_graph_svg(process),
    }
