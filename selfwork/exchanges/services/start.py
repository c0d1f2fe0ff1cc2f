"""Starting exchanges: from terms (offers) or from a listing, priced by the server."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext, gettext_lazy

from selfwork.accounts.models import Member
from selfwork.catalog.models import Listing, ListingMode
from selfwork.catalog.selectors import (
    availability_get,
    listing_get,
    listing_get_for_owner,
)
from selfwork.catalog.services import booking_period_check, listing_lock
from selfwork.communities.errors import InsufficientHours, TimebankDisabled
from selfwork.communities.models import Community, Mode
from selfwork.communities.selectors import member_required
from selfwork.communities.timebank import hours_amount_check, hours_available
from selfwork.core.errors import InvalidInput, NotFound
from selfwork.core.i18n import interpolate_lazy
from selfwork.core.money import HOUR, Money
from selfwork.core.parse import int_parse
from selfwork.core.text import markdown_check, plain_check
from selfwork.exchanges.actions import (
    ActionContext,
    actions_announced,
    actions_run,
    exchange_path,
)
from selfwork.exchanges.engine import process_load, process_version_pin
from selfwork.exchanges.errors import (
    AlreadyRequested,
    AlreadySwapped,
    CommissionsClosed,
    GiftPromised,
    ListingNotActive,
    NotYourListing,
    OtherCommunity,
    SwapNotOffered,
)
from selfwork.exchanges.models import Exchange, ExchangeEvent
from selfwork.exchanges.selectors import process_for_mode
from selfwork.exchanges.services.common import (
    exchange_announce,
    member_check,
    outbox_queue,
    timers_schedule,
)
from selfwork.exchanges.services.transition import timers_take_due_now
from selfwork.exchanges.terms import LineItem, Terms, terms_check
from selfwork.notifications.models import Kind
from selfwork.notifications.services import notify
from selfwork.payments.fees import NO_FEES, FeePolicy, customer_fee_of
from selfwork.payments.services import fee_policy_for


@dataclass(frozen=True)
class Order:
    """What a customer asks for when ordering from a listing, as sent."""

    now: dt.datetime
    package: str | None = None
    quantity: int = 1
    options: dict[str, Any] = field(default_factory=dict)
    personalisation: dict[str, Any] = field(default_factory=dict)
    requirements: str = ""
    # The period asked for (rentals, loans): dates, or ISO 8601 date-times.
    start: Any = None
    end: Any = None
    customer: Any = None
    mode: str = ""
    # A swap: the public id of the customer's own listing offered in return.
    offered_listing: Any = None
    # A gift request's (or a swap proposal's) words to the owner, plain text.
    message: str = ""
    # Hours asked for (timebank), as sent: {"amount": "1.50", "currency": "HOUR"}.
    hours: Any = None


@dataclass(frozen=True)
class Start:
    """The process's ``on_start`` actions, run like a transition's."""

    actions: tuple[str, ...]
    name: str = "start"
    label: str = "Start"


@transaction.atomic
def exchange_start(
    *,
    process: str,
    customer,
    provider,
    community: Community,
    terms: Terms,
    now: dt.datetime,
    listing: Listing | None = None,
    source: str = "listing",
    title: str = "",
    started_by=None,
) -> Exchange:
    """Start an exchange on the current version of ``process``, in its initial state.

    The exchange copies ``terms`` and the community's fee policy of today, and
    pins the process version; its total adds the customer fee to the line items.
    Its initial state's timers start now, and one due at once whose guards hold
    is taken at once (an automatic step). ``started_by`` is the party who
    started it, when that is the provider (answering a request for help).

    :raises NotFound: if there is no such process.
    :raises InvalidInput: bad parties (``self_exchange`` when they are one
        member), terms, source, or a currency other than the community's
        payments accept.
    """
    member_check(customer, field="customer")
    member_check(provider, field="provider")
    if customer.pk == provider.pk:
        raise InvalidInput(
            gettext("A member cannot exchange with themselves."),
            field="provider",
            code="self_exchange",
        )
    if not isinstance(community, Community) or community.pk is None:
        raise InvalidInput(gettext("community must be a community."), field="community")
    if source not in Exchange.Source.values:
        raise InvalidInput(
            gettext("source is one of %(value)s.")
            % {"value": ", ".join(Exchange.Source.values)},
            field="source",
        )
    terms_check(terms)
    definition = process_load(process)
    if terms.total.minor == 0 and definition.uses("charge"):
        raise InvalidInput(
            gettext(
                "The %(name)s process charges the customer; these terms have no price."
            )
            % {"name": definition.name},
            field="mode",
            code="process_mismatch",
        )
    process_version_pin(definition, now=now)
    label = title or (listing.title if listing is not None else "")
    label = label or terms.line_items[0].label
    policy = _policy_at_start(community, terms.currency)
    # Each payment adds the customer fee of what it pays: of each milestone in
    # turn, or of the whole.
    customer_fee = sum(
        customer_fee_of(part.minor, policy)
        for part in ([m.amount for m in terms.milestones] or [terms.total])
    )
    exchange = Exchange.objects.create(
        process_name=definition.name,
        process_version=definition.version,
        state=definition.initial,
        customer=customer,
        provider=provider,
        community=community,
        listing=listing,
        source=source,
        title=label[:200],
        currency=terms.currency,
        total_minor=terms.total.minor + customer_fee,
        customer_fee_minor=customer_fee,
        fee_hundredths=policy.fee_hundredths,
        customer_fee_hundredths=policy.customer_fee_hundredths,
        minimum_fee_minor=policy.minimum_minor,
        treasury_share_hundredths=policy.treasury_share_hundredths,
        line_items=[item.as_json() for item in terms.line_items],
        delivery_days=terms.delivery_days,
        revisions_allowed=terms.revisions,
        usage_rights=dict(terms.usage_rights),
        milestones=[m.as_json() for m in terms.milestones],
        milestone_count=len(terms.milestones),
        requirements=terms.requirements,
        booking_start_at=terms.booking_start,
        booking_end_at=terms.booking_end,
        deposit_minor=terms.deposit.minor if terms.deposit is not None else 0,
        cancellation_policy=terms.cancellation_policy,
        instant_booking=terms.instant_booking,
        offered_listing=terms.offered_listing,
        created_at=now,
        updated_at=now,
        state_entered_at=now,
    )
    starter_role = (
        "provider" if started_by is not None and started_by == provider else "customer"
    )
    starter = provider if starter_role == "provider" else customer
    ExchangeEvent.objects.create(
        exchange=exchange,
        seq=1,
        actor=starter,
        actor_role=starter_role,
        name="start",
        from_state="",
        to_state=definition.initial,
        params={"source": source},
        created_at=now,
    )
    announced: list[str] = []
    if definition.on_start:
        ctx = ActionContext(
            exchange=exchange,
            process=definition,
            transition=Start(definition.on_start),
            actor=starter,
            role=starter_role,
            params={},
            seq=1,
            now=now,
        )
        actions_run(ctx)
        announced = actions_announced(ctx, success=False)
    started = timers_schedule(
        exchange=exchange, process=definition, state=definition.initial, now=now
    )
    _tell_the_other_party(
        exchange=exchange,
        starter=starter,
        started_by_provider=starter_role == "provider",
        now=now,
    )
    outbox_queue(
        "exchange.started",
        exchange=exchange,
        now=now,
        process=definition.name,
        state=definition.initial,
    )
    exchange_announce(
        "exchange.started",
        exchange=exchange,
        now=now,
        process=definition.name,
        state=definition.initial,
    )
    # After ``exchange.started``: a booking made at the start (a rental's period).
    for kind in announced:
        exchange_announce(kind, exchange=exchange, now=now)
    if any(timer.due_at <= now for timer in started):
        timers_take_due_now(
            exchange=exchange, process=definition, state=definition.initial, now=now
        )
    exchange.refresh_from_db()
    return exchange


def _tell_the_other_party(
    *, exchange: Exchange, starter, started_by_provider: bool, now: dt.datetime
) -> None:
    if started_by_provider:
        recipient = exchange.customer
        sentence = gettext_lazy("%(name)s offered to help with “%(title)s”.")
    elif exchange.booking_start_at is not None:
        recipient = exchange.provider
        sentence = gettext_lazy("%(name)s asked to book “%(title)s”.")
    else:
        recipient = exchange.provider
        sentence = gettext_lazy("%(name)s ordered “%(title)s”.")
    notify(
        member=recipient,
        kind=Kind.REQUESTED,
        title=interpolate_lazy(
            sentence, {"name": starter.name, "title": exchange.title}
        ),
        body=gettext_lazy(
            "Open the exchange to see what they asked for and what comes next."
        ),
        link=exchange_path(exchange),
        now=now,
    )


def _policy_at_start(community: Community, unit: str) -> FeePolicy:
    # Time credits are an hour for an hour: no fee is ever taken of them.
    if unit == HOUR:
        return NO_FEES
    return fee_policy_for(community=community, unit=unit)


def _order_quantity(quantity: object) -> int:
    return int_parse(quantity, field="quantity", low=1, high=100)


def _service_terms(listing: Listing, mode: ListingMode, order: Order) -> Terms:
    provider = listing.owner
    if provider.commission_status == Member.CommissionStatus.CLOSED:
        raise CommissionsClosed(
            gettext("%(name)s is not taking commissions right now.")
            % {"name": provider.name}
        )
    package, quantity = order.package, order.quantity
    packages = list(mode.packages.all())
    if package is None:
        if len(packages) != 1:
            raise InvalidInput(
                "Choose a package: "
                + ", ".join(f"{p.name} ({p.public_id})" for p in packages),
                field="package",
                code="package_required",
            )
        chosen = packages[0]
    else:
        matches = [
            p for p in packages if str(p.public_id) == str(package) or p.name == package
        ]
        if not matches:
            raise InvalidInput(
                gettext("That package is not one of this listing's."),
                field="package",
                code="unknown_package",
            )
        chosen = matches[0]
    unit = Money(chosen.price_minor, chosen.unit)
    return Terms(
        line_items=[
            LineItem(
                label=f"{listing.title} — {chosen.name}"[:200],
                unit_price=unit,
                quantity=quantity,
            )
        ],
        currency=chosen.unit,
        delivery_days=chosen.delivery_days,
        revisions=chosen.revisions,
        usage_rights={
            "use": "commercial" if chosen.commercial_use else "personal",
            "credit_required": chosen.credit_required,
        },
        requirements=order.requirements,
    )


def _purchase_terms(listing: Listing, mode: ListingMode, order: Order) -> Terms:
    if order.package is not None:
        raise InvalidInput(
            gettext("Packages belong to services."),
            field="package",
            code="unknown_package",
        )
    quantity, options = order.quantity, order.options
    personalisation = order.personalisation
    if mode.price_minor is None:
        raise InvalidInput(gettext("This listing has no price."), field="mode")
    unit = mode.unit
    items = [
        LineItem(
            label=listing.title[:200],
            unit_price=Money(mode.price_minor, unit),
            quantity=quantity,
        )
    ]
    if not isinstance(options, dict):
        raise InvalidInput(
            gettext('options is {"<option name>": "<choice label>"}.'), field="options"
        )
    known = {o["name"]: o for o in mode.options}
    for name in options:
        if name not in known:
            raise InvalidInput(
                gettext("'%(name)s' is not an option of this listing.")
                % {"name": str(name)[:60]},
                field="options",
                code="unknown_option",
            )
    for name, option in known.items():
        if name not in options:
            raise InvalidInput(
                f"Choose the {name}: "
                + ", ".join(c["label"] for c in option["choices"]),
                field=f"options.{name}",
                code="option_required",
            )
        choice = next(
            (c for c in option["choices"] if c["label"] == options[name]), None
        )
        if choice is None:
            raise InvalidInput(
                gettext("'%(options)s' is not a choice of %(name)s.")
                % {"options": str(options[name])[:60], "name": name},
                field=f"options.{name}",
                code="unknown_choice",
            )
        items.append(
            LineItem(
                label=f"{name}: {choice['label']}"[:200],
                unit_price=Money(int(choice["price_delta_minor"]), unit),
                quantity=quantity,
            )
        )
    if not isinstance(personalisation, dict):
        raise InvalidInput(
            gettext('personalisation is {"<prompt>": "<answer>"}.'),
            field="personalisation",
        )
    prompts = {p["prompt"]: p for p in mode.personalisation}
    for prompt in personalisation:
        if prompt not in prompts:
            raise InvalidInput(
                gettext("'%(prompt)s' is not a personalisation prompt of this listing.")
                % {"prompt": str(prompt)[:60]},
                field="personalisation",
                code="unknown_prompt",
            )
    for prompt, spec in prompts.items():
        answer = personalisation.get(prompt, "")
        answer = plain_check(
            answer,
            field=f"personalisation.{prompt}",
            max_length=200,
            required=spec.get("required", False),
        )
        if answer:
            items.append(
                LineItem(
                    label=f"{prompt}: {answer}"[:200],
                    unit_price=Money(0, unit),
                    quantity=1,
                )
            )
    return Terms(line_items=items, currency=unit, requirements=order.requirements)


def _rental_terms(listing: Listing, mode: ListingMode, order: Order) -> Terms:
    if order.package is not None or order.options or order.personalisation:
        raise InvalidInput(
            gettext("A rental takes a start and an end."),
            field="package",
            code="unknown_parameter",
        )
    if order.start is None or order.end is None:
        raise InvalidInput(
            gettext("A rental needs a start and an end."),
            field="start",
            code="required",
        )
    if mode.price_minor is None:
        raise InvalidInput(gettext("This listing has no rental price."), field="mode")
    period = booking_period_check(
        listing=listing, start=order.start, end=order.end, now=order.now
    )
    rules = availability_get(listing=listing)
    unit = mode.unit
    each = "day" if period.unit == "day" else "hour"
    return Terms(
        line_items=[
            LineItem(
                label=f"{listing.title} — {period.units} × 1 {each}"[:200],
                unit_price=Money(mode.price_minor, unit),
                quantity=period.units,
            )
        ],
        currency=unit,
        requirements=order.requirements,
        booking_start=period.start,
        booking_end=period.end,
        deposit=Money(mode.deposit_minor, unit),
        cancellation_policy=rules.cancellation_policy,
        instant_booking=rules.instant_booking,
    )


def _nothing_else(order: Order, mode: str) -> None:
    if (
        order.package is not None
        or order.options
        or order.personalisation
        or order.start is not None
        or order.end is not None
        or order.hours is not None
    ):
        raise InvalidInput(
            gettext(
                "A %(mode)s takes no package, options, personalisation, "
                "period or hours."
            )
            % {"mode": mode},
            field="mode",
            code="unknown_parameter",
        )


def _free_terms(listing: Listing, order: Order, **extra: Any) -> Terms:
    # Nothing is paid: one line at zero, in the community's currency.
    unit = listing.community.currency
    return Terms(
        line_items=[LineItem(label=listing.title[:200], unit_price=Money(0, unit))],
        currency=unit,
        requirements=order.message,
        **extra,
    )


def _open_exchange_check(listing: Listing, order: Order, **match: Any) -> None:
    """Refuse a second open request (or proposal) of one member for one listing.

    The listing's row is locked first, so two such requests racing queue there
    and the second sees the first.
    """
    listing_lock(listing=listing)
    if Exchange.objects.filter(
        listing=listing,
        customer=order.customer,
        closed_at__isnull=True,
        process_name=process_for_mode(community=listing.community, mode=order.mode),
        **match,
    ).exists():
        raise AlreadyRequested(
            gettext(
                "You have an open request for this listing already; see it "
                "among your exchanges."
            )
        )


def _gift_terms(listing: Listing, mode: ListingMode, order: Order) -> Terms:
    _nothing_else(order, "gift")
    if order.offered_listing is not None:
        raise InvalidInput(
            gettext("A gift takes no listing in return."),
            field="offered_listing",
            code="unknown_parameter",
        )
    if not order.message:
        raise InvalidInput(
            gettext(
                "Say a few words to the giver: why you would like it, when "
                "you could collect it."
            ),
            field="message",
            code="required",
        )
    _open_exchange_check(listing, order)
    return _free_terms(listing, order)


def _offered_listing(listing: Listing, order: Order) -> Listing:
    """The customer's own listing offered in a swap, checked; nothing is written."""
    if order.offered_listing is None:
        raise InvalidInput(
            gettext("Choose one of your listings to offer in return."),
            field="offered_listing",
            code="required",
        )
    try:
        offered = listing_get_for_owner(
            public_id=order.offered_listing, owner=order.customer
        )
    except NotFound as exc:
        # Someone else's listing and no listing at all answer alike: whether
        # another member's hidden listing exists is not the proposer's to learn.
        raise NotYourListing(
            gettext("You can offer only a listing of your own."),
            field="offered_listing",
        ) from exc
    if offered.status == Listing.Status.SWAPPED:
        raise AlreadySwapped(
            gettext("That listing of yours was swapped already."),
            field="offered_listing",
        )
    if offered.status != Listing.Status.ACTIVE:
        raise ListingNotActive(
            gettext("That listing of yours is %(offered)s; offer an active one.")
            % {"offered": offered.get_status_display().lower()},
            field="offered_listing",
        )
    if offered.community_id != listing.community_id:
        raise OtherCommunity(
            gettext("Offer a listing of yours in %(name)s, where this one is.")
            % {"name": listing.community.name},
            field="offered_listing",
        )
    if not any(m.mode == Mode.SWAP for m in offered.modes.all()):
        raise SwapNotOffered(
            gettext(
                "That listing of yours is not offered for swaps; add the "
                "swap mode to it first."
            ),
            field="offered_listing",
        )
    return offered


def _swap_terms(listing: Listing, mode: ListingMode, order: Order) -> Terms:
    _nothing_else(order, "swap")
    offered = _offered_listing(listing, order)
    _open_exchange_check(listing, order, offered_listing=offered)
    return _free_terms(listing, order, offered_listing=offered)


def _hours_of(listing: Listing, mode: ListingMode) -> Money | None:
    if mode.price_minor is None or mode.unit != HOUR:
        return None
    return Money(mode.price_minor, HOUR)


def _timebank_open(listing: Listing) -> None:
    if not listing.community.timebank_enabled:
        raise TimebankDisabled(
            gettext(
                "%(name)s has no time bank, so nothing is exchanged in hours there."
            )
            % {"name": listing.community.name}
        )


def _timebank_terms(listing: Listing, mode: ListingMode, order: Order) -> Terms:
    if order.package is not None or order.options or order.personalisation:
        raise InvalidInput(
            gettext("A time-bank exchange takes hours (and requirements) only."),
            field="package",
            code="unknown_parameter",
        )
    if order.start is not None or order.end is not None:
        raise InvalidInput(
            gettext("A time-bank exchange books no period."),
            field="start",
            code="unknown_parameter",
        )
    _timebank_open(listing)
    if order.hours is not None:
        hours = hours_amount_check(order.hours)
    else:
        listed = _hours_of(listing, mode)
        if listed is None:
            raise InvalidInput(
                gettext("This listing names no hours; say how many in hours."),
                field="hours",
                code="required",
            )
        hours = listed
    if hours.minor > MAX_EXCHANGE_HOURS:
        raise InvalidInput(
            gettext("One exchange moves at most %(value)s.")
            % {"value": Money(MAX_EXCHANGE_HOURS, HOUR)},
            field="hours",
            code="amount_too_large",
        )
    return Terms(
        line_items=[LineItem(label=listing.title[:200], unit_price=hours, quantity=1)],
        currency=HOUR,
        requirements=order.requirements,
    )


def _lend_terms(listing: Listing, mode: ListingMode, order: Order) -> Terms:
    if order.package is not None or order.options or order.personalisation:
        raise InvalidInput(
            gettext("A loan takes a start and an end."),
            field="package",
            code="unknown_parameter",
        )
    if order.hours is not None:
        raise InvalidInput(
            gettext("A loan costs the hours its listing names, if any."),
            field="hours",
            code="unknown_parameter",
        )
    if order.start is None or order.end is None:
        raise InvalidInput(
            gettext("A loan needs a start and an end."), field="start", code="required"
        )
    period = booking_period_check(
        listing=listing, start=order.start, end=order.end, now=order.now
    )
    hours = _hours_of(listing, mode) or Money.zero(HOUR)
    if hours.minor:
        _timebank_open(listing)
    each = "day" if period.unit == "day" else "hour"
    return Terms(
        line_items=[
            LineItem(
                label=f"{listing.title} — lent for {period.units} × 1 {each}"[:200],
                unit_price=hours,
                quantity=1,
            )
        ],
        currency=HOUR,
        requirements=order.requirements,
        booking_start=period.start,
        booking_end=period.end,
    )


def _hours_affordable(*, listing: Listing, customer, terms: Terms) -> None:
    """Refuse a borrower (or asker) who could not give the hours at the end."""
    if terms.currency != HOUR or terms.total.minor == 0:
        return
    available = hours_available(community=listing.community, member=customer)
    if available.minor < terms.total.minor:
        raise InsufficientHours(
            gettext(
                "You have %(value)s to give in %(name)s before reaching its "
                "floor; this needs %(total)s."
            )
            % {
                "value": Money(max(available.minor, 0), HOUR),
                "name": listing.community.name,
                "total": terms.total,
            },
            available=Money(max(available.minor, 0), HOUR).as_dict(),
            requested=terms.total.as_dict(),
        )


# How each mode's listing is priced into terms; the process it runs is the
# community's choice (``selectors.process_for_mode``).
TERMS_BY_MODE: dict[str, Callable[[Listing, ListingMode, Order], Terms]] = {
    Mode.SERVICE.value: _service_terms,
    Mode.MADE_TO_ORDER.value: _purchase_terms,
    Mode.RENTAL.value: _rental_terms,
    Mode.SWAP.value: _swap_terms,
    Mode.GIFT.value: _gift_terms,
    Mode.LEND.value: _lend_terms,
    Mode.TIMEBANK.value: _timebank_terms,
}
# The most hours one exchange moves.
MAX_EXCHANGE_HOURS = 1000 * 100


@transaction.atomic
def exchange_order(
    *,
    listing: Listing,
    customer,
    mode: str,
    now: dt.datetime,
    package: str | None = None,
    quantity: int = 1,
    options: dict | None = None,
    requirements: str = "",
    personalisation: dict | None = None,
    start: Any = None,
    end: Any = None,
    offered_listing: Any = None,
    message: str = "",
    hours: Any = None,
) -> Exchange:
    """Order from ``listing`` in ``mode``: the server prices it and starts its process.

    The mode prices the order (a ``service`` package with its delivery days and
    revisions, a ``made_to_order`` product with its options and
    personalisation, a rental's period; a ``gift`` request with its
    ``message``, a ``swap`` proposal of the customer's ``offered_listing``, both
    free); the community's binding of the mode (by default ``commission``,
    ``purchase``, ``rental``, ``gift``, ``swap``) names the process it runs.

    :raises NotFound: if ``customer`` may not see the listing.
    :raises InvalidInput: an unknown or unsupported mode, package, option or
        choice, a missing required choice or answer, a bad quantity;
        ``self_exchange`` for one's own listing; for a swap,
        ``not_your_listing``, ``listing_not_active``, ``other_community`` or
        ``swap_not_offered`` for the listing offered.
    :raises CommissionsClosed: if the provider takes no commissions now.
    :raises GiftPromised: the gift is promised to someone (409).
    :raises AlreadyRequested: an open request for the listing exists (409).
    :raises AlreadySwapped: the listing offered was swapped already (409).
    :raises InsufficientHours: a loan priced in hours the borrower cannot give.
    :raises NotPermitted: hours asked by someone who is not a member.
    """
    member_check(customer, field="customer")
    listing = listing_get(public_id=listing.public_id, viewer=customer)
    if listing.status == Listing.Status.PROMISED:
        raise GiftPromised(
            gettext(
                "This gift is promised to someone; it may become available "
                "again if it is not collected."
            )
        )
    if listing.status != Listing.Status.ACTIVE:
        raise NotFound(gettext("No such listing."), code="listing_not_found")
    builder = TERMS_BY_MODE.get(mode) if isinstance(mode, str) else None
    process = process_for_mode(community=listing.community, mode=mode)
    if builder is None or not process:
        raise InvalidInput(
            gettext("Orders are for the modes %(value)s.")
            % {"value": ", ".join(TERMS_BY_MODE)},
            field="mode",
            code="mode_not_orderable",
        )
    row = next((m for m in listing.modes.all() if m.mode == mode), None)
    if row is None:
        raise InvalidInput(
            gettext("This listing is not offered as %(mode)s.") % {"mode": mode},
            field="mode",
            code="unknown_mode",
        )
    if listing.owner_id == customer.pk:
        raise InvalidInput(
            gettext("You cannot order from your own listing."),
            field="listing",
            code="self_exchange",
        )
    order = Order(
        now=now,
        customer=customer,
        mode=mode,
        offered_listing=offered_listing,
        message=plain_check(message, field="message", max_length=2000, required=False),
        start=start,
        end=end,
        hours=hours,
        package=package,
        quantity=_order_quantity(quantity),
        options=options or {},
        personalisation=personalisation or {},
        requirements=markdown_check(
            requirements, field="requirements", max_length=10000, required=False
        ),
    )
    if not isinstance(order.options, dict):
        raise InvalidInput(
            gettext('options is {"<option name>": "<choice label>"}.'), field="options"
        )
    terms = builder(listing, row, order)
    if terms.currency == HOUR and terms.total.minor > 0:
        # Hours are the community's own: only its members hold and move them.
        member_required(
            community=listing.community,
            member=customer,
            doing="exchange hours in its time bank",
        )
    answering = listing.kind == Listing.Kind.REQUEST
    asker = listing.owner if answering else customer
    if mode == Mode.LEND.value:
        _hours_affordable(listing=listing, customer=asker, terms=terms)
    return exchange_start(
        process=process,
        customer=asker,
        provider=customer if answering else listing.owner,
        community=listing.community,
        terms=terms,
        now=now,
        listing=listing,
        source=Exchange.Source.REQUEST if answering else Exchange.Source.LISTING,
        title=listing.title,
        started_by=customer,
    )


@dataclass(frozen=True)
class Quote:
    """What an order would cost, priced exactly as ``exchange_order`` prices it.

    ``price`` is the line items; ``total`` adds the customer fee; the deposit is
    held on the card besides (rentals), never charged.
    """

    terms: Terms
    price: Money
    customer_fee: Money
    customer_fee_hundredths: int
    total: Money
    deposit: Money


def exchange_quote(
    *,
    listing: Listing,
    customer,
    mode: str,
    now: dt.datetime,
    start: Any = None,
    end: Any = None,
) -> Quote:
    """Price an order of ``listing`` in ``mode`` for ``customer``; write nothing.

    The same checks as ``exchange_order`` (the period, the mode, one's own
    listing), so a quote that succeeds is an order that would, unless someone
    else takes the period first.

    :raises NotFound: if ``customer`` may not see the listing.
    :raises InvalidInput: as ``exchange_order``.
    """
    member_check(customer, field="customer")
    listing = listing_get(public_id=listing.public_id, viewer=customer)
    if listing.status != Listing.Status.ACTIVE:
        raise NotFound(gettext("No such listing."), code="listing_not_found")
    builder = TERMS_BY_MODE.get(mode) if isinstance(mode, str) else None
    row = next((m for m in listing.modes.all() if m.mode == mode), None)
    if builder is None or row is None:
        raise InvalidInput(
            gettext("This listing is not offered as %(mode)s.")
            % {"mode": str(mode)[:20]},
            field="mode",
            code="unknown_mode",
        )
    if listing.owner_id == customer.pk:
        raise InvalidInput(
            gettext("You cannot order from your own listing."),
            field="listing",
            code="self_exchange",
        )
    terms = builder(listing, row, Order(now=now, start=start, end=end))
    policy = _policy_at_start(listing.community, terms.currency)
    fee = Money(customer_fee_of(terms.total.minor, policy), terms.currency)
    return Quote(
        terms=terms,
        price=terms.total,
        customer_fee=fee,
        customer_fee_hundredths=policy.customer_fee_hundredths,
        total=Money(terms.total.minor + fee.minor, terms.currency),
        deposit=terms.deposit or Money(0, terms.currency),
    )
