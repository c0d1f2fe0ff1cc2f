"""API: listing search, create, read, update, delete; a listing's availability."""

import datetime as dt
import hashlib
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from selfwork.catalog import selectors, services
from selfwork.catalog.calendar import instant_schema
from selfwork.catalog.cards import card_json, cards_page_json
from selfwork.catalog.models import ListingMode
from selfwork.catalog.out import ListingOut, ListingPageOut
from selfwork.catalog.services import MAX_IMAGES, MAX_OPTIONS, MAX_TAGS
from selfwork.communities.models import Mode
from selfwork.communities.selectors import community_get
from selfwork.communities.services import KEY
from selfwork.core.api import (
    JSON,
    PROBLEMS,
    BodyIn,
    Cursor,
    Instant,
    PublicId,
    QueryIn,
    documented,
    documented_not_null,
    member_auth,
    now,
)
from selfwork.core.fx import fx_table
from selfwork.core.generations import LISTINGS, generation_get
from selfwork.core.money import HOUR, unit_check
from selfwork.core.openapi import (
    COUNTRY_OR_EMPTY,
    UPLOAD_ID,
    amount_pattern,
    currency_enum,
    markdown,
    plain,
    ref,
)

router = Router(tags=["listings"])

MODES_DESCRIPTION = (
    'Each mode is one of {"mode": "made_to_order", "price": MONEY, "options"?, '
    '"personalisation"?}, {"mode": "service", "packages": [{"name", "price": MONEY, '
    '"delivery_days", "revisions"}]}, {"mode": "rental", "price": MONEY, "unit": "day"|"hour", '
    '"deposit": MONEY}, {"mode": "lend", "hours"?: HOURS}, {"mode": "swap", "wants"?}, '
    '{"mode": "gift"}, {"mode": "timebank", "hours": HOURS}. MONEY is {"amount": "12.50", '
    '"currency": "EUR"}; HOURS is {"amount": "1.50", "currency": "HOUR"}.'
)


def _viewer_currency(request: HttpRequest, asked: str | None = None) -> str:
    if asked:
        return unit_check(asked, field="show_in", allow_hours=False)
    user = request.user
    return user.preferred_currency if user.is_authenticated else "EUR"


# A price bound: a decimal of at most three places (the most any currency has);
# more places than the currency's own are refused as ``too_precise``.
PRICE_BOUND = "^$|" + amount_pattern(3)  # empty: no bound


class SearchQuery(QueryIn):
    q: str = Field("", max_length=200)
    community: str | None = Field(None, max_length=50)
    mode: str | None = Field(
        None, max_length=30, json_schema_extra=documented(enum=["", *Mode.values])
    )
    category: str | None = Field(None, max_length=50)
    min_price: str | None = Field(
        None,
        max_length=30,
        json_schema_extra=documented(pattern=PRICE_BOUND),
        description="A decimal amount in `currency` (needs it).",
    )
    max_price: str | None = Field(
        None,
        max_length=30,
        json_schema_extra=documented(pattern=PRICE_BOUND),
        description="A decimal amount in `currency` (needs it).",
    )
    currency: str | None = Field(
        None,
        max_length=4,
        json_schema_extra=documented(enum=["", *currency_enum(), HOUR]),
        description="Listings priced in this currency (a price range needs it); "
        "empty: any currency.",
    )
    country: str | None = Field(None, max_length=2)
    city: str | None = Field(None, max_length=80)
    owner: str | None = Field(None, max_length=30)
    sort: str | None = Field(
        None,
        max_length=20,
        json_schema_extra=documented(enum=["", *selectors.SORTS]),
        description="empty: relevance when searching for words, else newest.",
    )
    cursor: Cursor = None
    limit: int = Field(24, ge=1, le=100)
    show_in: str | None = Field(
        None,
        max_length=3,
        json_schema_extra=documented(enum=["", *currency_enum()]),
        description="Currency to show prices in; empty: your preferred currency "
        "(EUR when signed out).",
    )
    available_from: str | None = Field(
        None,
        max_length=40,
        json_schema_extra=instant_schema(empty=True, null=True),
        description="Rental and lend listings free from this date (midnight in your "
        "time zone, UTC when anonymous) or date and time with offset; needs "
        "available_to",
    )
    available_to: str | None = Field(
        None,
        max_length=40,
        json_schema_extra=instant_schema(empty=True, null=True),
        description="… until this date or time (exclusive)",
    )


# Anonymous pages of listings are cached for this long at most; a write that
# changes any of them moves the generation in their key first (exact).
PAGE_CACHE_SECONDS = 300


@router.get("", response={200: ListingPageOut, **PROBLEMS})
def listings_search(request: HttpRequest, filters: Query[SearchQuery]):
    """Search listings. Custom community fields filter as ``field.<key>=<value>``."""
    # Only a visitor's pages are cached: a member's depend on who they are (the
    # private communities they see, their currency).
    key = None
    if not request.user.is_authenticated:
        asked = hashlib.blake2s(request.get_full_path().encode()).hexdigest()
        key = f"listings:{generation_get(LISTINGS)}:{asked}"
        body = cache.get(key)
        if body is not None:
            return HttpResponse(body, content_type=JSON, headers={"X-Cache": "hit"})
    custom = {
        k[len("field.") :]: str(v)
        for k, v in request.GET.items()
        if k.startswith("field.")
    }
    data = filters.model_dump(exclude={"show_in"})
    page = selectors.listing_cards_search(
        query=selectors.ListingQuery(**data, custom=custom), viewer=request.user
    )
    body = cards_page_json(
        page.items,
        next=page.next,
        currency=_viewer_currency(request, filters.show_in),
        rates=fx_table(),
    )
    # Written from the cards as they were stored: already what ListingPageOut
    # says (``catalog.cards``), so it is not validated again.
    if key is None:
        return HttpResponse(body, content_type=JSON)
    cache.set(key, body, PAGE_CACHE_SECONDS)
    return HttpResponse(body, content_type=JSON, headers={"X-Cache": "miss"})


def _object(members: list[str], **properties: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "required": members,
        "additionalProperties": False,
        "properties": properties,
    }


def _text(max_length: int, *, required: bool = True) -> dict[str, Any]:
    return {"type": "string", **plain(max_length=max_length, required=required)}


def _or_null(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


# What catalog.services._mode_parse takes, one object shape per mode; rules across
# modes (each mode once, enabled in the community, one currency) are in prose.
_CHOICE = _object(
    ["label"], label=_text(60), price_delta=_or_null(ref("MoneyNotNegative"))
)
_OPTION = _object(
    ["name", "choices"],
    name=_text(60),
    choices={"type": "array", "minItems": 1, "maxItems": 20, "items": _CHOICE},
)
_PROMPT = _object(["prompt"], prompt=_text(200), required={"type": "boolean"})
_PACKAGE = _object(
    ["name", "price", "delivery_days"],
    name=_text(60),
    description=_text(500, required=False),
    price=ref("PositiveMoney"),
    delivery_days={"type": "integer", "minimum": 1, "maximum": 365},
    revisions={"type": "integer", "minimum": 0, "maximum": 50},
    commercial_use={"type": "boolean"},
    credit_required={"type": "boolean"},
)


def _mode(name: str, required: list[str], **properties: Any) -> dict[str, Any]:
    return _object(
        ["mode", *required], mode={"type": "string", "const": name}, **properties
    )


MODE_SCHEMAS = [
    _mode(
        Mode.MADE_TO_ORDER,
        ["price"],
        price=ref("PositiveMoney"),
        options={"type": "array", "maxItems": MAX_OPTIONS, "items": _OPTION},
        personalisation={"type": "array", "maxItems": MAX_OPTIONS, "items": _PROMPT},
    ),
    _mode(
        Mode.SERVICE,
        ["packages"],
        packages={"type": "array", "minItems": 1, "maxItems": 3, "items": _PACKAGE},
    ),
    _mode(
        Mode.RENTAL,
        ["price"],
        price=ref("PositiveMoney"),
        unit={"type": "string", "enum": list(ListingMode.RentalUnit.values)},
        deposit=_or_null(ref("MoneyNotNegative")),
    ),
    _mode(Mode.LEND, [], hours=_or_null(ref("PositiveHours"))),
    _mode(Mode.SWAP, [], wants=_text(200, required=False)),
    _mode(Mode.GIFT, []),
    _mode(Mode.TIMEBANK, ["hours"], hours=ref("PositiveHours")),
]


def _modes(schema: dict[str, Any]) -> None:
    # Typed for the document only: the service refuses a bad mode with its own
    # codes (unknown_mode, invalid_money, too_precise, ...).
    schema.pop("anyOf", None)
    schema.pop("default", None)
    schema.update(
        {
            "type": "array",
            "minItems": 1,
            "maxItems": 10,
            "items": {"anyOf": MODE_SCHEMAS},
        }
    )


def _custom_or_null(schema: dict[str, Any]) -> None:
    _custom(schema)
    schema["type"] = ["object", "null"]


def _custom(schema: dict[str, Any]) -> None:
    # Keys are the community's listing fields (unknown_field otherwise); values
    # are checked by each field's kind.
    schema.pop("anyOf", None)
    schema.update(
        {
            "type": "object",
            "propertyNames": {"pattern": KEY.pattern},
            "additionalProperties": {
                "anyOf": [
                    {"type": "string"},
                    {"type": "number"},
                    {"type": "boolean"},
                    {"type": "null"},
                ]
            },
        }
    )


TITLE = plain(max_length=120)
DESCRIPTION = markdown(max_length=20000)
TAGS = {"maxItems": MAX_TAGS, "items": {"type": "string", **plain(max_length=30)}}
IMAGES = {
    "maxItems": MAX_IMAGES,
    "items": UPLOAD_ID,
    "description": "Image ids from POST /api/v1/uploads.",
}
CITY = plain(max_length=80, required=False)
COUNTRY = {"pattern": COUNTRY_OR_EMPTY}


class ListingIn(BodyIn):
    community: str = Field(max_length=50)
    title: str = Field(max_length=1000, json_schema_extra=documented(**TITLE))
    description: str = Field(
        "", max_length=40000, json_schema_extra=documented(**DESCRIPTION)
    )
    modes: list[dict[str, Any]] = Field(
        max_length=10, description=MODES_DESCRIPTION, json_schema_extra=_modes
    )
    tags: list[str] = Field(
        default_factory=list, max_length=50, json_schema_extra=documented(**TAGS)
    )
    category: str | None = Field(None, max_length=50)
    custom: dict[str, Any] = Field(default_factory=dict, json_schema_extra=_custom)
    images: list[str] = Field(
        default_factory=list, max_length=20, json_schema_extra=documented(**IMAGES)
    )
    city: str | None = Field(None, max_length=200, json_schema_extra=documented(**CITY))
    country: str | None = Field(
        None, max_length=10, json_schema_extra=documented(**COUNTRY)
    )
    kind: str = Field(
        "offer",
        max_length=10,
        description="offer, or request: ask for help in the timebank mode; a "
        "helper answers it and earns the hours you give.",
        json_schema_extra=documented(enum=["offer", "request"]),
    )


class ListingUpdateIn(BodyIn):
    title: str | None = Field(
        None, max_length=1000, json_schema_extra=documented_not_null(**TITLE)
    )
    description: str | None = Field(
        None, max_length=40000, json_schema_extra=documented_not_null(**DESCRIPTION)
    )
    modes: list[dict[str, Any]] | None = Field(
        None, max_length=10, description=MODES_DESCRIPTION, json_schema_extra=_modes
    )
    tags: list[str] | None = Field(
        None, max_length=50, json_schema_extra=documented_not_null(**TAGS)
    )
    category: str | None = Field(None, max_length=50)
    custom: dict[str, Any] | None = Field(None, json_schema_extra=_custom_or_null)
    images: list[str] | None = Field(
        None, max_length=20, json_schema_extra=documented_not_null(**IMAGES)
    )
    city: str | None = Field(None, max_length=200, json_schema_extra=documented(**CITY))
    country: str | None = Field(
        None, max_length=10, json_schema_extra=documented(**COUNTRY)
    )
    status: str | None = Field(None, max_length=10)


def _listing_response(request: HttpRequest, listing_id) -> HttpResponse:
    row = selectors.listing_card_get(public_id=listing_id, viewer=request.user)
    body = card_json(row, currency=_viewer_currency(request), rates=fx_table())
    return HttpResponse(body, content_type=JSON)


@router.post("", response={201: ListingOut, **PROBLEMS}, auth=member_auth)
def listing_create(request: HttpRequest, payload: ListingIn):
    data = payload.model_dump()
    community = community_get(slug=data.pop("community"), viewer=request.user)
    listing = services.listing_create(
        owner=request.user, community=community, now=now(), **data
    )
    response = _listing_response(request, listing.public_id)
    response.status_code = 201
    return response


@router.get("/{listing_id}", response={200: ListingOut, **PROBLEMS})
def listing_read(request: HttpRequest, listing_id: PublicId):
    return _listing_response(request, listing_id)


@router.patch("/{listing_id}", response={200: ListingOut, **PROBLEMS}, auth=member_auth)
def listing_update(
    request: HttpRequest, listing_id: PublicId, payload: ListingUpdateIn
):
    listing = selectors.listing_get_for_owner(public_id=listing_id, owner=request.user)
    services.listing_update(
        listing=listing,
        actor=request.user,
        now=now(),
        changes=payload.model_dump(exclude_unset=True),
    )
    return _listing_response(request, listing.public_id)


@router.delete("/{listing_id}", response={204: None, **PROBLEMS}, auth=member_auth)
def listing_delete(request: HttpRequest, listing_id: PublicId):
    listing = selectors.listing_get_for_moderation(
        public_id=listing_id, actor=request.user
    )
    services.listing_delete(listing=listing, actor=request.user, now=now())
    return Status(204, None)


AVAILABILITY_DESCRIPTION = (
    "Periods are [start, end): ISO 8601 date-times with the listing's UTC offset. "
    "Busy: held bookings (with the buffer after each), blocked periods and closed "
    "hours, rounded out to whole units; free: the rest of the range."
)


class PeriodOut(Schema):
    start: Instant
    end: Instant


class OpeningHoursIO(Schema):
    weekday: str = Field(max_length=3, description="mon, tue, … sun")
    opens: str = Field(max_length=5, description="HH:MM, local time")
    closes: str = Field(max_length=5, description="HH:MM, local time; up to 24:00")


class BlockedOut(Schema):
    id: PublicId
    start: Instant
    end: Instant
    note: str


class AvailabilityOut(Schema):
    unit: str
    time_zone: str
    busy: list[PeriodOut]
    free: list[PeriodOut]
    opening_hours: list[OpeningHoursIO]
    min_units: int
    max_units: int | None
    buffer_minutes: int
    advance_days: int
    instant_booking: bool
    cancellation_policy: str
    blocked: list[BlockedOut] | None = Field(
        description="The owner's blocked periods (only the owner sees them)"
    )


class AvailabilityQuery(QueryIn):
    start: str | None = Field(
        None,
        alias="from",
        max_length=40,
        json_schema_extra=instant_schema(null=True),
        description="A date (midnight in the listing's time zone) or a date-time "
        "with offset; default today",
    )
    end: str | None = Field(
        None,
        alias="to",
        max_length=40,
        json_schema_extra=instant_schema(null=True),
        description="Exclusive; default five weeks after from; at most a year after",
    )


class BlockedIn(Schema):
    start: str = Field(max_length=40, json_schema_extra=instant_schema())
    end: str = Field(max_length=40, json_schema_extra=instant_schema())
    note: str = Field("", max_length=400)


class AvailabilityIn(BodyIn):
    time_zone: str | None = Field(
        None, max_length=64, description="IANA zone; omitted keeps the current one"
    )
    opening_hours: list[OpeningHoursIO] = Field(
        default_factory=list,
        max_length=28,
        description="Hourly listings only; empty means open around the clock",
    )
    min_units: int = Field(1, ge=1, le=10_000)
    max_units: int | None = Field(None, ge=1, le=10_000)
    buffer_minutes: int = Field(0, ge=0, le=10_080)
    advance_days: int = Field(365, ge=1, le=730)
    instant_booking: bool = False
    cancellation_policy: str = Field(
        "moderate", max_length=10, description="flexible, moderate or strict"
    )
    blocked: list[BlockedIn] | None = Field(
        None,
        max_length=200,
        description="Replaces the blocked periods; omitted keeps them",
    )


def _local_instant(moment: dt.datetime, zone) -> str:
    # RFC 3339 offsets are whole minutes; a zone's local mean time before it took
    # a standard time had seconds (Amsterdam +00:19:32 until 1937), so such a
    # moment is written in UTC rather than in a form the document does not allow.
    local = moment.astimezone(zone)
    offset = local.utcoffset()
    if offset is not None and offset.seconds % 60:
        local = moment.astimezone(dt.UTC)
    return local.isoformat()


def _period_out(start, end, zone) -> dict[str, str]:
    return {"start": _local_instant(start, zone), "end": _local_instant(end, zone)}


def availability_out(view: selectors.CalendarView) -> dict[str, Any]:
    rules, zone = view.rules, view.rules.zone
    return {
        "unit": rules.unit,
        "time_zone": rules.time_zone,
        "busy": [_period_out(s, e, zone) for s, e in view.busy],
        "free": [_period_out(s, e, zone) for s, e in view.free],
        "opening_hours": [h.as_dict() for h in rules.opening_hours],
        "min_units": rules.min_units,
        "max_units": rules.max_units,
        "buffer_minutes": rules.buffer_minutes,
        "advance_days": rules.advance_days,
        "instant_booking": rules.instant_booking,
        "cancellation_policy": rules.cancellation_policy,
        "blocked": None
        if view.blocked is None
        else [
            {
                "id": str(b.public_id),
                **_period_out(b.start_at, b.end_at, zone),
                "note": b.note,
            }
            for b in view.blocked
        ],
    }


@router.get(
    "/{listing_id}/availability",
    response={200: AvailabilityOut, **PROBLEMS},
    description=AVAILABILITY_DESCRIPTION,
)
def availability_read(
    request: HttpRequest, listing_id: PublicId, period: Query[AvailabilityQuery]
):
    """A listing's calendar: its unit, time zone, rules, busy and free periods."""
    listing = selectors.listing_get(public_id=listing_id, viewer=request.user)
    view = selectors.calendar_view(
        listing=listing,
        viewer=request.user,
        start=period.start,
        end=period.end,
        now=now(),
    )
    return availability_out(view)


@router.put(
    "/{listing_id}/availability",
    response={200: AvailabilityOut, **PROBLEMS},
    auth=member_auth,
    description=AVAILABILITY_DESCRIPTION,
)
def availability_update(
    request: HttpRequest, listing_id: PublicId, payload: AvailabilityIn
):
    """Replace a listing's calendar rules (its owner); answers with five weeks of it."""
    listing = selectors.listing_get_for_owner(public_id=listing_id, owner=request.user)
    at = now()
    services.availability_set(
        listing=listing, actor=request.user, now=at, **payload.model_dump()
    )
    view = selectors.calendar_view(
        listing=listing, viewer=request.user, start=None, end=None, now=at
    )
    return availability_out(view)
