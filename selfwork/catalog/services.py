"""Writes on listings: create, edit, hide, show, delete; their calendars and bookings.

Modes arrive in the API's shape (``{"mode": "rental", "price": MONEY, ...}``); the web
forms build the same dictionaries, so both interfaces meet one set of rules here.
"""

import datetime as dt
import re
import uuid
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext

from selfwork.catalog.calendar import (
    MAX_ADVANCE_DAYS,
    MAX_BUFFER_MINUTES,
    MAX_UNITS,
    TIME_ZONES,
    BookingPeriod,
    instant_parse,
    opening_hours_parse,
    period_check,
    rules_of,
)
from selfwork.catalog.cards import listing_cards_refresh
from selfwork.catalog.errors import ListingTaken, PeriodInvalid, SlotTaken
from selfwork.catalog.models import (
    BlockedPeriod,
    Booking,
    CancellationPolicy,
    Listing,
    ListingAvailability,
    ListingImage,
    ListingMode,
    ListingPackage,
    rating_key_of,
)
from selfwork.communities.models import (
    Category,
    Community,
    ListingField,
    Mode,
)
from selfwork.communities.selectors import member_can_moderate, member_required
from selfwork.core.errors import InvalidInput, NotFound
from selfwork.core.events import event_record
from selfwork.core.generations import LISTINGS, generation_bump
from selfwork.core.models import Upload
from selfwork.core.money import HOUR, Money
from selfwork.core.parse import int_parse, money_parse, upload_ids_parse
from selfwork.core.text import markdown_check, plain_check

MAX_IMAGES = 8
MAX_TAGS = 12
MAX_OPTIONS = 10
MONEY_MODES = {Mode.MADE_TO_ORDER, Mode.SERVICE, Mode.RENTAL}
COUNTRY = re.compile(r"^[A-Z]{2}$")


@dataclass
class _ModeTerms:
    mode: str
    price: Money | None = None
    rental_unit: str = ""
    deposit: Money | None = None
    options: list[dict[str, Any]] = field(default_factory=list)
    personalisation: list[dict[str, Any]] = field(default_factory=list)
    wants: str = ""
    packages: list[dict[str, Any]] = field(default_factory=list)


def _money(value: Any, *, field: str, hours: bool | None = False) -> Money:
    """Parse a MONEY or HOURS object; ``hours`` True wants HOUR, False a currency."""
    # A mode says which unit it takes, so hours given for a price are the wrong
    # kind of value (invalid_money), not an unknown currency.
    if hours is False and isinstance(value, dict) and value.get("currency") == HOUR:
        raise InvalidInput(
            gettext("%(field)s is a price in a currency, not in hours.")
            % {"field": field},
            field=field,
            code="invalid_money",
        )
    return money_parse(value, field=field, hours=hours)


def _positive(money: Money, *, field: str) -> Money:
    if money.minor <= 0:
        raise InvalidInput(
            gettext("%(field)s must be more than zero.") % {"field": field},
            field=field,
            code="amount_not_positive",
        )
    return money


def _mode_parse(raw: Any, *, index: int) -> _ModeTerms:
    where = f"modes[{index}]"
    if not isinstance(raw, dict) or "mode" not in raw:
        raise InvalidInput(
            gettext('%(where)s is an object with a "mode".') % {"where": where},
            field=where,
        )
    mode = raw["mode"]
    if mode not in Mode.values:
        raise InvalidInput(
            gettext("'%(mode)s' is not a mode; modes are %(value)s.")
            % {"mode": str(mode)[:30], "value": ", ".join(Mode.values)},
            field=f"{where}.mode",
            code="unknown_mode",
        )
    known = {
        Mode.MADE_TO_ORDER: {"mode", "price", "options", "personalisation"},
        Mode.SERVICE: {"mode", "packages"},
        Mode.RENTAL: {"mode", "price", "unit", "deposit"},
        Mode.LEND: {"mode", "hours"},
        Mode.SWAP: {"mode", "wants"},
        Mode.GIFT: {"mode"},
        Mode.TIMEBANK: {"mode", "hours"},
    }[mode]
    unknown = set(raw) - known
    if unknown:
        raise InvalidInput(
            gettext("%(where)s: a %(mode)s mode has no field '%(value)s'.")
            % {"where": where, "mode": mode, "value": sorted(unknown)[0][:30]},
            field=where,
        )
    terms = _ModeTerms(mode=mode)
    if mode == Mode.MADE_TO_ORDER:
        terms.price = _positive(
            _money(raw.get("price"), field=f"{where}.price"), field=f"{where}.price"
        )
        terms.options = _options_parse(
            raw.get("options", []), currency=terms.price.unit, where=where
        )
        terms.personalisation = _prompts_parse(
            raw.get("personalisation", []), where=where
        )
    elif mode == Mode.SERVICE:
        terms.packages = _packages_parse(raw.get("packages"), where=where)
    elif mode == Mode.RENTAL:
        terms.price = _positive(
            _money(raw.get("price"), field=f"{where}.price"), field=f"{where}.price"
        )
        unit = raw.get("unit", "day")
        if unit not in ListingMode.RentalUnit.values:
            raise InvalidInput(
                gettext('%(where)s.unit is "day" or "hour".') % {"where": where},
                field=f"{where}.unit",
            )
        terms.rental_unit = unit
        if raw.get("deposit") is not None:
            terms.deposit = _money(raw["deposit"], field=f"{where}.deposit")
            if terms.deposit.minor < 0:
                raise InvalidInput(
                    gettext("%(where)s.deposit may not be negative.")
                    % {"where": where},
                    field=f"{where}.deposit",
                    code="amount_not_positive",
                )
            if terms.deposit.unit != terms.price.unit:
                raise InvalidInput(
                    gettext("%(where)s.deposit must be in %(unit)s, like the price.")
                    % {"where": where, "unit": terms.price.unit},
                    field=f"{where}.deposit",
                    code="currency_mismatch",
                )
    elif mode == Mode.LEND:
        if raw.get("hours") is not None:
            terms.price = _positive(
                _money(raw["hours"], field=f"{where}.hours", hours=True),
                field=f"{where}.hours",
            )
    elif mode == Mode.TIMEBANK:
        terms.price = _positive(
            _money(raw.get("hours"), field=f"{where}.hours", hours=True),
            field=f"{where}.hours",
        )
    elif mode == Mode.SWAP:
        terms.wants = plain_check(
            raw.get("wants", ""), field=f"{where}.wants", max_length=200, required=False
        )
    return terms


def _members_check(raw: dict[str, Any], known: set[str], *, at: str) -> None:
    # As for a mode: a member the object does not have is a mistake to report,
    # not something to drop (the API document lists each object's members).
    unknown = set(raw) - known
    if unknown:
        raise InvalidInput(
            gettext("%(at)s has no field '%(value)s'.")
            % {"at": at, "value": sorted(unknown)[0][:30]},
            field=at,
        )


def _options_parse(raw: Any, *, currency: str, where: str) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or len(raw) > MAX_OPTIONS:
        raise InvalidInput(
            gettext("%(where)s.options is a list of at most %(MAX_OPTIONS)s options.")
            % {"where": where, "MAX_OPTIONS": MAX_OPTIONS},
            field=f"{where}.options",
        )
    options = []
    for i, option in enumerate(raw):
        at = f"{where}.options[{i}]"
        if not isinstance(option, dict) or not isinstance(option.get("choices"), list):
            raise InvalidInput(
                gettext('%(at)s is {"name", "choices": [...]}.') % {"at": at}, field=at
            )
        _members_check(option, {"name", "choices"}, at=at)
        name = plain_check(option.get("name", ""), field=f"{at}.name", max_length=60)
        if not 1 <= len(option["choices"]) <= 20:
            raise InvalidInput(
                gettext("%(at)s has 1 to 20 choices.") % {"at": at},
                field=f"{at}.choices",
            )
        choices = []
        for j, choice in enumerate(option["choices"]):
            cat = f"{at}.choices[{j}]"
            if not isinstance(choice, dict):
                raise InvalidInput(
                    gettext('%(cat)s is {"label", "price_delta"?}.') % {"cat": cat},
                    field=cat,
                )
            _members_check(choice, {"label", "price_delta"}, at=cat)
            label = plain_check(
                choice.get("label", ""), field=f"{cat}.label", max_length=60
            )
            delta = Money(0, currency)
            if choice.get("price_delta") is not None:
                delta = _money(choice["price_delta"], field=f"{cat}.price_delta")
                if delta.unit != currency:
                    raise InvalidInput(
                        gettext("%(cat)s.price_delta must be in %(currency)s.")
                        % {"cat": cat, "currency": currency},
                        field=f"{cat}.price_delta",
                        code="currency_mismatch",
                    )
                if delta.minor < 0:
                    raise InvalidInput(
                        gettext("%(cat)s.price_delta may not be negative.")
                        % {"cat": cat},
                        field=f"{cat}.price_delta",
                    )
            choices.append({"label": label, "price_delta_minor": delta.minor})
        options.append({"name": name, "choices": choices})
    return options


def _prompts_parse(raw: Any, *, where: str) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or len(raw) > MAX_OPTIONS:
        raise InvalidInput(
            gettext(
                "%(where)s.personalisation is a list of at most "
                "%(MAX_OPTIONS)s prompts."
            )
            % {"where": where, "MAX_OPTIONS": MAX_OPTIONS},
            field=f"{where}.personalisation",
        )
    prompts = []
    for i, prompt in enumerate(raw):
        at = f"{where}.personalisation[{i}]"
        if not isinstance(prompt, dict):
            raise InvalidInput(
                gettext('%(at)s is {"prompt", "required"?}.') % {"at": at}, field=at
            )
        _members_check(prompt, {"prompt", "required"}, at=at)
        text = plain_check(
            prompt.get("prompt", ""), field=f"{at}.prompt", max_length=200
        )
        prompts.append(
            {"prompt": text, "required": bool(prompt.get("required", False))}
        )
    return prompts


def _packages_parse(raw: Any, *, where: str) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not 1 <= len(raw) <= 3:
        raise InvalidInput(
            gettext("%(where)s.packages is a list of 1 to 3 packages.")
            % {"where": where},
            field=f"{where}.packages",
        )
    packages: list[dict[str, Any]] = []
    for i, package in enumerate(raw):
        at = f"{where}.packages[{i}]"
        if not isinstance(package, dict):
            raise InvalidInput(
                gettext('%(at)s is {"name", "price", "delivery_days", "revisions"}.')
                % {"at": at},
                field=at,
            )
        _members_check(
            package,
            {
                "name",
                "description",
                "price",
                "delivery_days",
                "revisions",
                "commercial_use",
                "credit_required",
            },
            at=at,
        )
        price = _positive(
            _money(package.get("price"), field=f"{at}.price"), field=f"{at}.price"
        )
        packages.append(
            {
                "name": plain_check(
                    package.get("name", ""), field=f"{at}.name", max_length=60
                ),
                "description": plain_check(
                    package.get("description", ""),
                    field=f"{at}.description",
                    max_length=500,
                    required=False,
                ),
                "price": price,
                "delivery_days": int_parse(
                    package.get("delivery_days"),
                    field=f"{at}.delivery_days",
                    low=1,
                    high=365,
                ),
                "revisions": int_parse(
                    package.get("revisions", 0), field=f"{at}.revisions", low=0, high=50
                ),
                "commercial_use": _bool(
                    package.get("commercial_use", False), field=f"{at}.commercial_use"
                ),
                "credit_required": _bool(
                    package.get("credit_required", False),
                    field=f"{at}.credit_required",
                ),
            }
        )
    currencies = {
        price.unit for p in packages if isinstance(price := p["price"], Money)
    }
    if len(currencies) > 1:
        raise InvalidInput(
            gettext("%(where)s: all packages must be priced in one currency.")
            % {"where": where},
            field=f"{where}.packages",
            code="currency_mismatch",
        )
    return packages


def _modes_parse(raw: Any, community: Community) -> list[_ModeTerms]:
    if not isinstance(raw, list) or not raw:
        raise InvalidInput(gettext("modes is a non-empty list."), field="modes")
    if len(raw) > len(Mode.values):
        raise InvalidInput(
            gettext("A listing has each mode at most once."), field="modes"
        )
    terms = [_mode_parse(item, index=i) for i, item in enumerate(raw)]
    seen: set[str] = set()
    for t in terms:
        if t.mode in seen:
            raise InvalidInput(
                gettext("The mode %(mode)s appears twice.") % {"mode": t.mode},
                field="modes",
                code="duplicate_mode",
            )
        seen.add(t.mode)
        if not community.mode_enabled(t.mode):
            raise InvalidInput(
                gettext("%(name)s does not offer the %(mode)s mode.")
                % {"name": community.name, "mode": t.mode},
                field="modes",
                code="mode_not_enabled",
            )
    currencies = {_currency_of(t) for t in terms} - {None}
    if len(currencies) > 1:
        raise InvalidInput(
            gettext("All prices of one listing must be in one currency; got %(value)s.")
            % {"value": ", ".join(sorted(c for c in currencies if c))},
            field="modes",
            code="currency_mismatch",
        )
    return terms


def _currency_of(terms: _ModeTerms) -> str | None:
    if terms.packages:
        return terms.packages[0]["price"].unit
    if terms.price is not None and terms.price.unit != HOUR:
        return terms.price.unit
    return None


def _from_price(terms: list[_ModeTerms]) -> Money | None:
    """The lowest money price, else the lowest hours price, else None (free)."""
    prices = [p["price"] for t in terms for p in t.packages]
    prices += [t.price for t in terms if t.price is not None]
    money = [p for p in prices if p.unit != HOUR]
    pool = money or prices
    return min(pool, key=lambda p: p.minor) if pool else None


def _custom_parse(
    raw: Any, fields: list[ListingField], *, partial: bool
) -> dict[str, Any]:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise InvalidInput(
            gettext("custom is an object of field values."), field="custom"
        )
    by_key = {f.key: f for f in fields}
    unknown = set(raw) - set(by_key)
    if unknown:
        raise InvalidInput(
            gettext("This community has no listing field '%(value)s'.")
            % {"value": sorted(unknown)[0][:40]},
            field="custom",
            code="unknown_field",
        )
    values: dict[str, Any] = {}
    for f in fields:
        at = f"custom.{f.key}"
        value = raw.get(f.key)
        if value is None or value == "":
            if f.required and not partial:
                raise InvalidInput(
                    gettext("%(label)s is required.") % {"label": f.label},
                    field=at,
                    code="required",
                )
            continue
        values[f.key] = listing_field_value(f, value)
    return values


def listing_field_value(f: ListingField, value: Any) -> Any:
    """Check and normalise one custom field value (also used for search filters)."""
    at = f"custom.{f.key}"
    if f.kind == ListingField.Kind.TEXT:
        return plain_check(str(value), field=at, max_length=200)
    if f.kind == ListingField.Kind.NUMBER:
        try:
            number = Decimal(str(value))
        except InvalidOperation as exc:
            raise InvalidInput(
                gettext("%(label)s is a number.") % {"label": f.label}, field=at
            ) from exc
        if not number.is_finite() or abs(number) > 10**12:
            raise InvalidInput(
                gettext("%(label)s is a number.") % {"label": f.label}, field=at
            )
        return int(number) if number == number.to_integral_value() else float(number)
    if f.kind == ListingField.Kind.CHOICE:
        if value not in f.choices:
            raise InvalidInput(
                gettext("%(label)s is one of: %(value)s.")
                % {"label": f.label, "value": ", ".join(f.choices)},
                field=at,
                code="unknown_choice",
            )
        return value
    if isinstance(value, bool):
        return value
    if str(value).lower() in {"true", "yes", "1", "on"}:
        return True
    if str(value).lower() in {"false", "no", "0", "off"}:
        return False
    raise InvalidInput(
        gettext("%(label)s is yes or no.") % {"label": f.label}, field=at
    )


def _tags_parse(raw: Any) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list) or len(raw) > MAX_TAGS:
        raise InvalidInput(
            gettext("tags is a list of at most %(MAX_TAGS)s words.")
            % {"MAX_TAGS": MAX_TAGS},
            field="tags",
        )
    tags = []
    for tag in raw:
        text = plain_check(tag, field="tags", max_length=30).lower()
        if text not in tags:
            tags.append(text)
    return tags


def _images_parse(raw: Any, owner) -> list[Upload]:
    if raw is None:
        return []
    return upload_ids_parse(
        raw, owner=owner, field="images", limit=MAX_IMAGES, duplicates="keep"
    )


def _category_parse(raw: Any, community: Community) -> Category | None:
    if raw in (None, ""):
        return None
    category = Category.objects.filter(community=community, slug=str(raw)[:50]).first()
    if category is None:
        raise InvalidInput(
            gettext("%(name)s has no category '%(raw)s'.")
            % {"name": community.name, "raw": str(raw)[:50]},
            field="category",
            code="unknown_category",
        )
    return category


def _country_parse(raw: Any) -> str:
    value = (raw or "").strip().upper() if isinstance(raw, str) else raw
    if value and (not isinstance(value, str) or not COUNTRY.match(value)):
        raise InvalidInput(
            gettext("country is a two-letter ISO code such as NZ."), field="country"
        )
    return value or ""


def _write_modes(listing: Listing, terms: list[_ModeTerms]) -> None:
    ListingMode.objects.filter(listing=listing).delete()
    for t in terms:
        row = ListingMode.objects.create(
            listing=listing,
            mode=t.mode,
            price_minor=t.price.minor if t.price else None,
            unit=t.price.unit
            if t.price
            else (t.packages[0]["price"].unit if t.packages else ""),
            rental_unit=t.rental_unit,
            deposit_minor=t.deposit.minor if t.deposit else 0,
            options=t.options,
            personalisation=t.personalisation,
            wants=t.wants,
        )
        ListingPackage.objects.bulk_create(
            ListingPackage(
                mode=row,
                name=p["name"],
                description=p["description"],
                price_minor=p["price"].minor,
                unit=p["price"].unit,
                delivery_days=p["delivery_days"],
                revisions=p["revisions"],
                commercial_use=p["commercial_use"],
                credit_required=p["credit_required"],
                position=i,
            )
            for i, p in enumerate(t.packages)
        )
    price = _from_price(terms)
    listing.price_minor = price.minor if price else None
    listing.price_unit = price.unit if price else ""
    listing.sort_price = price.minor if price else 0


def _write_images(listing: Listing, uploads: list[Upload]) -> None:
    ListingImage.objects.filter(listing=listing).delete()
    ListingImage.objects.bulk_create(
        ListingImage(listing=listing, upload=u, position=i, alt=listing.title[:200])
        for i, u in enumerate(uploads)
    )


@transaction.atomic
def listing_create(
    *,
    owner,
    community: Community,
    title: str,
    modes: list[dict[str, Any]],
    now: dt.datetime,
    description: str = "",
    tags: list[str] | None = None,
    category: str | None = None,
    custom: dict[str, Any] | None = None,
    images: list[str] | None = None,
    city: str | None = None,
    country: str | None = None,
    kind: str = Listing.Kind.OFFER,
) -> Listing:
    """Publish a listing in ``community`` in one or more modes.

    A ``request`` asks for help in the time bank: it is offered in the
    ``timebank`` mode only, and whoever answers it is the exchange's provider.

    :raises NotPermitted: if ``owner`` is not an active member of ``community``.
    :raises InvalidInput: naming the first bad field; nothing is stored.
    """
    member_required(community=community, member=owner, doing="publish there")
    if kind not in Listing.Kind.values:
        raise InvalidInput(
            gettext("kind is offer or request."), field="kind", code="invalid_kind"
        )
    fields = list(ListingField.objects.filter(community=community))
    tag_list = _tags_parse(tags)
    listing = Listing(
        community=community,
        owner=owner,
        title=plain_check(title, field="title", max_length=120),
        description=markdown_check(description, field="description", max_length=20000),
        tags=tag_list,
        tags_text=" ".join(tag_list),
        category=_category_parse(category, community),
        custom=_custom_parse(custom, fields, partial=False),
        city=plain_check(
            owner.city if city is None else city,
            field="city",
            max_length=80,
            required=False,
        ),
        country=_country_parse(owner.country if country is None else country),
        kind=kind,
        created_at=now,
        updated_at=now,
    )
    terms = _modes_parse(modes, community)
    if kind == Listing.Kind.REQUEST and any(t.mode != Mode.TIMEBANK for t in terms):
        raise InvalidInput(
            gettext("A request for help is offered in the timebank mode only."),
            field="modes",
            code="request_timebank_only",
        )
    uploads = _images_parse(images, owner)
    listing.save()
    _write_modes(listing, terms)
    listing.save(update_fields=["price_minor", "price_unit", "sort_price"])
    _write_images(listing, uploads)
    listing_cards_refresh(listing_ids=[listing.pk])
    _listing_announce("listing.created", listing, now=now)
    return listing


def _listing_announce(kind: str, listing: Listing, *, now: dt.datetime) -> None:
    event_record(
        kind=kind,
        subject=str(listing.public_id),
        community_id=listing.community_id,
        now=now,
        # A deleted listing cannot be rendered later: its identity goes with it.
        id=str(listing.public_id),
        community=listing.community.slug,
    )


EDITABLE = {
    "title",
    "description",
    "tags",
    "category",
    "custom",
    "images",
    "city",
    "country",
    "modes",
    "status",
}


@transaction.atomic
def listing_update(
    *, listing: Listing, actor, changes: dict[str, Any], now: dt.datetime
) -> Listing:
    """Edit ``listing`` with the fields present in ``changes`` (its owner only).

    :raises NotFound: if ``actor`` is not the owner (others must not learn it exists).
    :raises InvalidInput: naming the first bad field; nothing is stored.
    """
    if listing.owner_id != actor.pk:
        raise NotFound(gettext("No such listing."), code="listing_not_found")
    # Queue on the listing's row first. New modes are written before the listing
    # and an exchange moving its status writes the listing before its mode rows'
    # copies (``listing_cards_refresh``): taken in opposite orders, the two
    # would deadlock on PostgreSQL.
    listing_lock(listing=listing)
    unknown = set(changes) - EDITABLE
    if unknown:
        raise InvalidInput(
            gettext("'%(value)s' cannot be changed.")
            % {"value": sorted(unknown)[0][:30]},
            field=sorted(unknown)[0][:30],
        )
    community = listing.community
    if "title" in changes:
        listing.title = plain_check(changes["title"], field="title", max_length=120)
    if "description" in changes:
        listing.description = markdown_check(
            changes["description"], field="description", max_length=20000
        )
    if "tags" in changes:
        listing.tags = _tags_parse(changes["tags"])
        listing.tags_text = " ".join(listing.tags)
    if "category" in changes:
        listing.category = _category_parse(changes["category"], community)
    if "custom" in changes:
        fields = list(ListingField.objects.filter(community=community))
        listing.custom = _custom_parse(changes["custom"], fields, partial=False)
    if "city" in changes:
        listing.city = plain_check(
            changes["city"] or "", field="city", max_length=80, required=False
        )
    if "country" in changes:
        listing.country = _country_parse(changes["country"])
    status = changes.get("status")
    if "status" in changes and status not in OWNER_STATUSES:
        raise InvalidInput(gettext("status is active or hidden."), field="status")
    terms = _modes_parse(changes["modes"], community) if "modes" in changes else None
    uploads = _images_parse(changes["images"], actor) if "images" in changes else None
    listing.updated_at = now
    if terms is not None:
        _write_modes(listing, terms)
    # The status is an exchange's too (a gift promised, a thing swapped): it is
    # never written back from this copy, only moved by a compare-and-set.
    listing.save(update_fields=_EDITED_COLUMNS)
    if status is not None and not listing_status_move(
        listing_id=listing.pk, source=OWNER_STATUSES, target=status, now=now
    ):
        taken = Listing.objects.get(pk=listing.pk)
        raise ListingTaken(
            gettext("This listing is %(taken)s; it cannot be shown or hidden any more.")
            % {"taken": taken.get_status_display().lower()}
        )
    listing.refresh_from_db(fields=["status"])
    if uploads is not None:
        _write_images(listing, uploads)
    listing_cards_refresh(listing_ids=[listing.pk])
    _listing_announce("listing.updated", listing, now=now)
    return listing


# Every column an edit may write: all but the status and the identity.
_EDITED_COLUMNS = [
    f.name
    for f in Listing._meta.concrete_fields
    if f.name not in ("id", "public_id", "status", "created_at")
]


# The statuses an owner may set; the others are an exchange's to set.
OWNER_STATUSES = (Listing.Status.ACTIVE, Listing.Status.HIDDEN)


def listing_status_move(
    *, listing_id: int, source: tuple[str, ...], target: str, now: dt.datetime
) -> bool:
    """Move listing ``listing_id`` from any of ``source`` to ``target``; say if it moved.

    A compare-and-set, so of two exchanges racing to promise, give or swap the
    same listing exactly one moves it (PostgreSQL re-checks the WHERE once the
    winner commits; SQLite has one writer). The exchanges call it; the caller
    decides what a listing that did not move means.
    """
    if target not in Listing.Status.values:
        raise InvalidInput(
            gettext("'%(target)s' is not a listing status.") % {"target": target[:20]},
            field="status",
        )
    moved = Listing.objects.filter(pk=listing_id, status__in=source).update(
        status=target, updated_at=now
    )
    if moved:
        listing_cards_refresh(listing_ids=[listing_id])
    return moved == 1


def listing_rating_add(*, listing_id: int, total: int, count: int) -> None:
    """Add ``count`` ratings summing to ``total`` to a listing (negative to take
    them away, when a host hides a review), and re-key its place in rating sorts.

    The caller's transaction holds the row from the update to the re-key, so two
    reviews published at once both count (PostgreSQL re-reads the row; SQLite has
    one writer).
    """
    Listing.objects.filter(pk=listing_id).update(
        rating_sum=F("rating_sum") + total, rating_count=F("rating_count") + count
    )
    row = Listing.objects.filter(pk=listing_id).values("rating_sum", "rating_count")
    for sums in row:
        Listing.objects.filter(pk=listing_id).update(
            rating_key=rating_key_of(sums["rating_sum"], sums["rating_count"])
        )
    listing_cards_refresh(listing_ids=[listing_id])


def listing_lock(*, listing: Listing) -> None:
    """Queue on ``listing``'s row until the transaction ends (PostgreSQL; SQLite
    has one writer), so checks of its open exchanges and the write that follows
    them are not interleaved with another request's."""
    Listing.objects.select_for_update().filter(pk=listing.pk).values("pk").first()


def listing_hide(*, listing: Listing, actor, now: dt.datetime) -> Listing:
    """Take ``listing`` out of search and browse without deleting it."""
    return listing_update(
        listing=listing, actor=actor, changes={"status": "hidden"}, now=now
    )


def listing_show(*, listing: Listing, actor, now: dt.datetime) -> Listing:
    """Put a hidden listing back into search and browse."""
    return listing_update(
        listing=listing, actor=actor, changes={"status": "active"}, now=now
    )


@transaction.atomic
def listing_delete(*, listing: Listing, actor, now: dt.datetime) -> None:
    """Delete ``listing`` (its owner, or a host or moderator of its community)."""
    if listing.owner_id != actor.pk and not member_can_moderate(
        community=listing.community_id, member=actor
    ):
        raise NotFound(gettext("No such listing."), code="listing_not_found")
    _listing_announce("listing.removed", listing, now=now)
    listing.delete()
    generation_bump(LISTINGS)


# --- Calendars and bookings -------------------------------------------------------


def _blocked_between(
    listing: Listing, start: dt.datetime, end: dt.datetime
) -> list[tuple[dt.datetime, dt.datetime]]:
    return list(
        BlockedPeriod.objects.filter(
            listing=listing, start_at__lt=end, end_at__gt=start
        ).values_list("start_at", "end_at")
    )


def booking_period_check(
    *, listing: Listing, start: Any, end: Any, now: dt.datetime
) -> BookingPeriod:
    """Check that ``listing`` can be booked from ``start`` to ``end`` (end exclusive).

    ``start`` and ``end`` are aware datetimes or plain dates (midnight in the
    listing's time zone). Does not look at other bookings: ``booking_hold`` leaves
    that to the database.

    :raises NotBookable: if the listing is offered neither for rent nor to lend.
    :raises InvalidInput: ``period_invalid``, ``period_misaligned``,
        ``period_in_past``, ``period_too_short``, ``period_too_long``,
        ``period_too_far_ahead`` or ``not_available`` (outside opening hours,
        across a blocked period), in that order of checking.
    """
    return period_check(
        rules_of(listing),
        start=start,
        end=end,
        now=now,
        blocked=lambda s, e: _blocked_between(listing, s, e),
    )


def _reference_check(reference: Any) -> str:
    if not isinstance(reference, str) or not 1 <= len(reference) <= 90:
        raise InvalidInput(
            gettext("reference is a text of 1 to 90 characters."), field="reference"
        )
    return reference


def booking_hold(
    *, listing: Listing, start: Any, end: Any, reference: str, now: dt.datetime
) -> Booking:
    """Hold ``[start, end)`` of ``listing``'s calendar for ``reference``.

    The held period runs on to the end plus the listing's buffer. Safe inside a
    caller's ``transaction.atomic()``: the insert runs in a savepoint, so a refusal
    leaves the caller's transaction usable.

    :raises InvalidInput: as ``booking_period_check``; nothing is held.
    :raises SlotTaken: if another held booking overlaps (the database decides).
    """
    reference = _reference_check(reference)
    period = booking_period_check(listing=listing, start=start, end=end, now=now)
    rules = rules_of(listing)
    # No read-then-insert check here: of two racing holds both would read "free".
    # The exclusion constraint (a trigger on SQLite) refuses the loser's insert.
    # Holds of one listing first queue on its row: racing inserts into the
    # exclusion constraint's index can otherwise deadlock each other on
    # PostgreSQL (an error, not a refusal); queued, the loser sees the winner's
    # committed row and is refused cleanly.
    with transaction.atomic():
        Listing.objects.select_for_update().filter(pk=listing.pk).values("pk").first()
        try:
            with transaction.atomic():
                return Booking.objects.create(
                    listing=listing,
                    start_at=period.start,
                    end_at=period.end,
                    held_end_at=period.end + rules.buffer,
                    reference=reference,
                    status=Booking.Status.HELD,
                    created_at=now,
                )
        except IntegrityError as exc:
            raise SlotTaken(
                gettext("Someone else holds part of this period already."),
                field="start",
            ) from exc


def booking_release(*, reference: str, now: dt.datetime) -> int:
    """Release every held booking of ``reference``; return how many were released.

    Idempotent: a second call releases nothing and returns 0.
    """
    return Booking.objects.filter(
        reference=reference, status=Booking.Status.HELD
    ).update(status=Booking.Status.RELEASED, released_at=now)


def _bool(value: Any, *, field: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(
            gettext("%(field)s is true or false.") % {"field": field}, field=field
        )
    return value


def _owned_calendar(listing: Listing, actor) -> None:
    if actor is None or listing.owner_id != actor.pk:
        raise NotFound(gettext("No such listing."), code="listing_not_found")


def _blocked_parse(
    raw: Any, *, zone_name: str, field: str
) -> tuple[dt.datetime, dt.datetime, str]:
    zone = zoneinfo.ZoneInfo(zone_name)
    if not isinstance(raw, dict) or not {"start", "end"} <= set(raw) <= {
        "start",
        "end",
        "note",
    }:
        raise InvalidInput(
            gettext('%(field)s is {"start", "end", "note"?}.') % {"field": field},
            field=field,
        )
    start = instant_parse(raw["start"], zone=zone, field=f"{field}.start")
    end = instant_parse(raw["end"], zone=zone, field=f"{field}.end")
    if end <= start:
        raise PeriodInvalid(
            gettext("%(field)s must end after it starts.") % {"field": field},
            field=f"{field}.end",
        )
    note = plain_check(
        raw.get("note") or "", field=f"{field}.note", max_length=200, required=False
    )
    return start, end, note


@transaction.atomic
def availability_set(
    *,
    listing: Listing,
    actor,
    now: dt.datetime,
    time_zone: str | None = None,
    opening_hours: list[dict[str, Any]] | None = None,
    min_units: int = 1,
    max_units: int | None = None,
    buffer_minutes: int = 0,
    advance_days: int = 365,
    instant_booking: bool = False,
    cancellation_policy: str = CancellationPolicy.MODERATE,
    blocked: list[dict[str, Any]] | None = None,
) -> ListingAvailability:
    """Replace ``listing``'s calendar rules (its owner only).

    ``time_zone`` None keeps the current one (the owner's until set). ``blocked``
    None keeps the blocked periods; a list replaces them. Held bookings are never
    touched: rules apply to the next booking.

    :raises NotFound: if ``actor`` is not the owner.
    :raises NotBookable: if the listing is offered neither for rent nor to lend.
    :raises InvalidInput: naming the first bad field; nothing is stored.
    """
    _owned_calendar(listing, actor)
    current = rules_of(listing)
    zone = current.time_zone if time_zone is None else time_zone
    if zone not in TIME_ZONES:
        raise InvalidInput(
            gettext("'%(zone)s' is not a time zone.") % {"zone": str(zone)[:64]},
            field="time_zone",
        )
    hours = opening_hours_parse(opening_hours)
    if hours and current.unit != "hour":
        raise InvalidInput(
            gettext("Opening hours are for listings rented by the hour."),
            field="opening_hours",
        )
    low = int_parse(min_units, field="min_units", low=1, high=MAX_UNITS)
    high = (
        None
        if max_units is None
        else int_parse(max_units, field="max_units", low=1, high=MAX_UNITS)
    )
    if high is not None and high < low:
        raise InvalidInput(
            gettext("max_units may not be less than min_units."), field="max_units"
        )
    buffer = int_parse(
        buffer_minutes, field="buffer_minutes", low=0, high=MAX_BUFFER_MINUTES
    )
    ahead = int_parse(advance_days, field="advance_days", low=1, high=MAX_ADVANCE_DAYS)
    if cancellation_policy not in CancellationPolicy.values:
        raise InvalidInput(
            gettext("cancellation_policy is one of %(value)s.")
            % {"value": ", ".join(CancellationPolicy.values)},
            field="cancellation_policy",
        )
    periods = None
    if blocked is not None:
        if not isinstance(blocked, list) or len(blocked) > 200:
            raise InvalidInput(
                gettext("blocked is a list of at most 200 periods."), field="blocked"
            )
        periods = [
            _blocked_parse(b, zone_name=zone, field=f"blocked[{i}]")
            for i, b in enumerate(blocked)
        ]
    row, _ = ListingAvailability.objects.update_or_create(
        listing=listing,
        defaults={
            "time_zone": zone,
            "opening_hours": [h.as_dict() for h in hours],
            "min_units": low,
            "max_units": high,
            "buffer_minutes": buffer,
            "advance_days": ahead,
            "instant_booking": _bool(instant_booking, field="instant_booking"),
            "cancellation_policy": cancellation_policy,
            "updated_at": now,
        },
    )
    if periods is not None:
        BlockedPeriod.objects.filter(listing=listing).delete()
        BlockedPeriod.objects.bulk_create(
            BlockedPeriod(
                listing=listing, start_at=s, end_at=e, note=note, created_at=now
            )
            for s, e, note in periods
        )
    return row


@transaction.atomic
def blocked_period_add(
    *,
    listing: Listing,
    actor,
    start: Any,
    end: Any,
    now: dt.datetime,
    note: str = "",
) -> BlockedPeriod:
    """Keep ``[start, end)`` off ``listing``'s calendar (its owner only).

    Bookings held already are kept; the block applies to later requests.

    :raises NotFound: if ``actor`` is not the owner.
    :raises InvalidInput: for a bad period or note.
    """
    _owned_calendar(listing, actor)
    rules = rules_of(listing)
    s, e, text = _blocked_parse(
        {"start": start, "end": end, "note": note},
        zone_name=rules.time_zone,
        field="blocked",
    )
    return BlockedPeriod.objects.create(
        listing=listing, start_at=s, end_at=e, note=text, created_at=now
    )


def blocked_period_remove(*, listing: Listing, actor, public_id: Any) -> None:
    """Put a blocked period back on ``listing``'s calendar (its owner only).

    :raises NotFound: if ``actor`` is not the owner or there is no such period.
    """
    _owned_calendar(listing, actor)
    try:
        key = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise NotFound(
            gettext("No such blocked period."), code="blocked_not_found"
        ) from exc
    deleted, _ = BlockedPeriod.objects.filter(listing=listing, public_id=key).delete()
    if not deleted:
        raise NotFound(gettext("No such blocked period."), code="blocked_not_found")
