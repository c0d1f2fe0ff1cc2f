"""Reads on exchanges: for a party or an operator, never for anyone else.

An exchange is visible to its customer, its provider, the deployment's staff and
the hosts of its community (its operators); everyone else gets ``NotFound``.
"""

import datetime as dt
import uuid
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Count,
    ForeignKey,
    Prefetch,
    Q,
    QuerySet,
    prefetch_related_objects,
)
from django.db.models.functions import Trunc
from django.utils import timezone
from django.utils.translation import gettext

from selfwork.catalog.calendar import DAY
from selfwork.catalog.errors import NotBookable
from selfwork.catalog.models import CancellationPolicy, Listing
from selfwork.catalog.selectors import availability_get
from selfwork.communities.selectors import communities_hosted_by, member_is_host
from selfwork.core.compiled import CompiledRead, Slot
from selfwork.core.errors import NotFound
from selfwork.core.models import Upload
from selfwork.core.money import Money
from selfwork.core.periods import Bucket
from selfwork.exchanges.engine import Process, process_version_load
from selfwork.exchanges.guards import guards_hold
from selfwork.exchanges.models import (
    Delivery,
    Exchange,
    ExchangeEvent,
    Licence,
    Message,
    ProcessBinding,
)
from selfwork.exchanges.params import PARAMS
from selfwork.exchanges.terms import LineItem
from selfwork.payments.fees import FeePolicy, customer_fee_of
from selfwork.payments.models import Release
from selfwork.payments.selectors import deposit_for


@dataclass(frozen=True)
class TransitionOption:
    """A transition a member may take now: its name, label and the parameters it takes."""

    name: str
    label: str
    params: list[str]
    required: list[str]
    description: str = ""
    # primary, danger or quiet: how the room draws its button.
    style: str = "primary"
    # Whether taking it charges the customer (the button shows the amount due).
    pays: bool = False
    # Whether taking it pays the provider for good (escrow released, hours moved).
    releases: bool = False


def exchange_roles(*, exchange: Exchange, member) -> frozenset[str]:
    """Return the roles ``member`` holds on ``exchange``.

    customer or provider for its parties; operator for a host of its community
    or staff; staff (the install's operators) besides. A party is never the
    operator of their own exchange: a host who buys in their community is a
    customer there, like anyone else, and cannot decide its dispute.
    """
    if member is None or not getattr(member, "is_authenticated", False):
        return frozenset()
    if member.pk == exchange.customer_id:
        return frozenset({"customer"})
    if member.pk == exchange.provider_id:
        return frozenset({"provider"})
    if member.is_staff:
        return frozenset({"operator", "staff"})
    if member_is_host(community=exchange.community_id, member=member):
        return frozenset({"operator"})
    return frozenset()


def _exchange_rows() -> QuerySet[Exchange]:
    return Exchange.objects.select_related(
        "customer", "provider", "community", "listing", "offered_listing", "licence"
    )


def _visible(member) -> Q:
    hosted = communities_hosted_by(member=member)
    return Q(customer=member) | Q(provider=member) | Q(community__in=hosted)


def exchange_get_for_party(*, public_id: Any, member) -> Exchange:
    """Return the exchange ``public_id`` for one of its parties or an operator.

    :raises NotFound: if it does not exist or ``member`` is neither a party, a
        host of its community nor staff.
    """
    try:
        key = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise NotFound(gettext("No such exchange."), code="exchange_not_found") from exc
    if member is None or not getattr(member, "is_authenticated", False):
        raise NotFound(gettext("No such exchange."), code="exchange_not_found")
    found = _party_read.objects(member.is_staff, exchange=key, member=member.pk)
    if not found:
        raise NotFound(gettext("No such exchange."), code="exchange_not_found")
    return found[0]


def _for_party(staff: bool) -> QuerySet[Exchange]:
    rows = _exchange_rows().filter(
        public_id=Slot("exchange", Exchange._meta.get_field("public_id"))
    )
    if not staff:
        rows = rows.filter(_visible(Slot("member", _MEMBER_ID)))
    # The public id is unique: no ORDER BY.
    return rows[:1]


_CUSTOMER = Exchange._meta.get_field("customer")
assert isinstance(_CUSTOMER, ForeignKey)
_MEMBER_ID = _CUSTOMER.target_field
# Every read of an exchange by its parties: with the six rows it selects, Django
# took longer to write this SQL than SQLite to answer it; it is written once.
_party_read = CompiledRead(Exchange, _for_party)


def exchanges_list_for_member(*, member) -> QuerySet[Exchange]:
    """Return ``member``'s exchanges as customer or provider, newest first."""
    return (
        _exchange_rows()
        .filter(Q(customer=member) | Q(provider=member))
        .order_by("-created_at", "-pk")
    )


def exchanges_for_operator(*, member) -> QuerySet[Exchange]:
    """Return the exchanges ``member`` operates: all for staff, else their communities'."""
    rows = _exchange_rows()
    if not member.is_staff:
        rows = rows.filter(community__in=communities_hosted_by(member=member))
    return rows.order_by("-created_at", "-pk")


@dataclass(frozen=True)
class ListingRequest:
    """A request (or proposal) for one of the owner's listings, as the owner sees it."""

    exchange: Exchange
    state_label: str


def listing_requests_for_owner(*, listing: Listing, owner) -> list[ListingRequest]:
    """Return the requests for ``owner``'s ``listing``: open first, then the 20
    latest ended, each newest first; none for anyone but the owner.

    Two queries for the exchanges (open, ended); each process version is read
    once.
    """
    if owner is None or not owner.is_authenticated or listing.owner_id != owner.pk:
        return []
    rows = _exchange_rows().filter(listing=listing, provider=owner)
    open_rows = list(rows.filter(closed_at__isnull=True).order_by("-created_at", "-pk"))
    ended = list(
        rows.filter(closed_at__isnull=False).order_by("-closed_at", "-pk")[:20]
    )
    labels: dict[tuple[str, str, str], str] = {}
    found = []
    for exchange in open_rows + ended:
        key = (exchange.process_name, exchange.process_version, exchange.state)
        if key not in labels:
            try:
                labels[key] = (
                    exchange_process(exchange=exchange).states[exchange.state].label
                )
            except (NotFound, KeyError):
                labels[key] = exchange.state.replace("_", " ").capitalize()
        found.append(ListingRequest(exchange=exchange, state_label=labels[key]))
    return found


def exchange_process(*, exchange: Exchange) -> Process:
    """Return the process ``exchange`` runs, at the version it pinned."""
    return process_version_load(exchange.process_name, exchange.process_version)


def transitions_available(
    *, exchange: Exchange, member, now: dt.datetime | None = None
) -> list[TransitionOption]:
    """Return the transitions ``member`` may take on ``exchange`` now, in process order."""
    now = now or timezone.now()
    roles = exchange_roles(exchange=exchange, member=member)
    if not roles:
        return []
    process = exchange_process(exchange=exchange)
    return [
        TransitionOption(
            name=t.name,
            label=t.label,
            params=list(t.params),
            required=list(t.required),
            description=t.description_label,
            style=t.style,
            pays="charge" in t.actions,
            releases=bool({"release", "credit_hours"} & set(t.actions)),
        )
        for t in process.transitions_from(exchange.state)
        if roles & set(t.actors)
        and guards_hold(exchange, t.guards, now, sorted(roles & set(t.actors))[0])
    ]


def exchange_events(*, exchange: Exchange) -> list[ExchangeEvent]:
    """Return ``exchange``'s timeline, oldest first, with each event's actor."""
    return _events_read.objects(exchange=exchange.pk)


# Read with every view of an exchange: SQL written once (``core.compiled``).
_events_read = CompiledRead(
    ExchangeEvent,
    lambda shape: (
        ExchangeEvent.objects.filter(exchange=Slot("exchange", Exchange._meta.pk))
        .select_related("actor")
        .order_by("seq")
    ),
)


def exchange_messages(*, exchange: Exchange) -> QuerySet[Message]:
    """Return ``exchange``'s conversation, oldest first."""
    return (
        Message.objects.filter(exchange=exchange)
        .select_related("author")
        .order_by("created_at", "pk")
    )


def exchange_deliveries(*, exchange: Exchange) -> list[Delivery]:
    """Return ``exchange``'s deliveries with their files, oldest first."""
    deliveries = _deliveries_read.objects(exchange=exchange.pk)
    prefetch_related_objects(
        deliveries, Prefetch("files", queryset=Upload.objects.order_by("pk"))
    )
    return deliveries


_deliveries_read = CompiledRead(
    Delivery,
    lambda shape: Delivery.objects.filter(
        exchange=Slot("exchange", Exchange._meta.pk)
    ).order_by("number"),
)


def deliverables_visible(*, exchange: Exchange, member) -> bool:
    """Whether ``member`` may download ``exchange``'s delivered files now.

    The provider and operators always; the customer once the process revealed
    them (``reveal_deliverables``).
    """
    roles = exchange_roles(exchange=exchange, member=member)
    if "provider" in roles or "operator" in roles:
        return True
    return "customer" in roles and exchange.deliverables_revealed_at is not None


def upload_exchange_for_member(*, upload_id: int, member) -> Exchange | None:
    """Return an exchange through which ``member`` may download upload ``upload_id``."""
    candidates = Exchange.objects.filter(
        deliveries__files__id=upload_id
    ).select_related("community")
    for exchange in candidates.distinct().order_by("pk")[:20]:
        if deliverables_visible(exchange=exchange, member=member):
            return exchange
    return None


def commissions_open(*, provider) -> QuerySet[Exchange]:
    """Return ``provider``'s open commissions in the order they came in."""
    return Exchange.objects.filter(
        provider=provider, process_name="commission", closed_at__isnull=True
    ).order_by("created_at", "pk")


def provider_slots_full(*, provider) -> bool:
    """Whether ``provider``'s open commissions fill their slots (they show as waitlisted)."""
    return commissions_open(provider=provider).count() >= provider.commission_slots


@dataclass(frozen=True)
class CommissionQueue:
    """How full a provider's commission slots are, as a buyer sees it before ordering."""

    slots: int
    taken: int
    waiting: int

    @property
    def free(self) -> int:
        return self.slots - self.taken

    @property
    def next_place(self) -> int | None:
        """The queue place a new order would get (1 = next), or None if a slot is free."""
        return None if self.free else self.waiting + 1


def commission_queue(*, provider) -> CommissionQueue:
    """``provider``'s slots: how many are taken and how many orders wait (one query)."""
    open_now = commissions_open(provider=provider).count()
    slots = provider.commission_slots
    return CommissionQueue(
        slots=slots, taken=min(open_now, slots), waiting=max(open_now - slots, 0)
    )


def queue_position(*, exchange: Exchange) -> int | None:
    """Return the customer's place in the provider's waitlist (1 = next), or None.

    Open commissions take the provider's slots in the order they came in; the
    ones beyond the slots wait, in that order.
    """
    if exchange.process_name != "commission" or exchange.closed_at is not None:
        return None
    ahead = (
        commissions_open(provider=exchange.provider)
        .filter(
            Q(created_at__lt=exchange.created_at)
            | Q(created_at=exchange.created_at, pk__lt=exchange.pk)
        )
        .count()
    )
    slots = exchange.provider.commission_slots
    return ahead - slots + 1 if ahead >= slots else None


def licence_for(*, exchange: Exchange) -> Licence | None:
    """Return the licence ``exchange`` granted, if any (no query when the exchange
    was read with it, as every exchange selector reads it)."""
    try:
        return exchange.licence
    except Licence.DoesNotExist:
        return None


def exchange_fee_policy(*, exchange: Exchange) -> FeePolicy:
    """Return the fee policy ``exchange`` copied when it started."""
    return FeePolicy(
        fee_hundredths=exchange.fee_hundredths,
        minimum_minor=exchange.minimum_fee_minor,
        treasury_share_hundredths=exchange.treasury_share_hundredths,
        customer_fee_hundredths=exchange.customer_fee_hundredths,
    )


@dataclass(frozen=True)
class Bill:
    """What the customer pays, line by line, for the API and the room alike.

    ``due`` is what the next payment takes (the current milestone or the whole,
    with its customer fee); ``due_price`` the part of it that is the price.
    """

    items: list[LineItem]
    customer_fee: Money
    customer_fee_percent: str
    total: Money
    due: Money
    due_price: Money


def _percent_text(hundredths: int) -> str:
    whole, part = divmod(hundredths, 100)
    return f"{whole}.{part:02d}".rstrip("0").rstrip(".")


def exchange_bill(*, exchange: Exchange) -> Bill:
    """Return the line items, the customer fee and the total of ``exchange``."""
    unit = exchange.currency
    if exchange.milestone_count:
        milestone = exchange.milestones[exchange.milestone_index]
        price = int(milestone["amount_minor"])
    else:
        price = exchange.total_minor - exchange.customer_fee_minor
    fee = customer_fee_of(price, exchange_fee_policy(exchange=exchange))
    return Bill(
        items=[LineItem.from_json(item, unit) for item in exchange.line_items],
        customer_fee=Money(exchange.customer_fee_minor, unit),
        customer_fee_percent=_percent_text(exchange.customer_fee_hundredths),
        total=Money(exchange.total_minor, unit),
        due=Money(price + fee, unit),
        due_price=Money(price, unit),
    )


# Which process each mode runs unless a community binds it to another.
DEFAULT_MODE_PROCESS = {
    "service": "commission",
    "made_to_order": "purchase",
    "rental": "rental",
    "lend": "lend",
    "swap": "swap",
    "gift": "gift",
    "timebank": "timebank",
}


def process_for_mode(*, community, mode: str) -> str:
    """Return the name of the process ``mode`` runs in ``community``."""
    bound = (
        ProcessBinding.objects.filter(community=community, mode=mode)
        .values_list("process_name", flat=True)
        .first()
    )
    return bound or DEFAULT_MODE_PROCESS.get(mode, "")


def process_bindings(*, community) -> list[tuple[str, str, bool]]:
    """Return (mode, process, is the default) for each of ``community``'s modes."""
    bound = dict(
        ProcessBinding.objects.filter(community=community).values_list(
            "mode", "process_name"
        )
    )
    return [
        (mode, bound.get(mode, DEFAULT_MODE_PROCESS[mode]), mode not in bound)
        for mode in community.enabled_modes
        if mode in DEFAULT_MODE_PROCESS
    ]


def deposit_status(*, exchange: Exchange) -> str:
    """none, pending (a cash deposit to confirm), held, released or claimed."""
    if not exchange.deposit_minor:
        return "none"
    deposit = deposit_for(reference=str(exchange.public_id))
    if deposit is None or deposit.status == "failed":
        return "none"
    if deposit.status in ("voided", "expired"):
        return "released"
    if deposit.status == "captured":
        return "claimed"
    return deposit.status


@dataclass(frozen=True)
class MilestoneView:
    """A milestone as both the API and the room show it."""

    title: str
    amount: Money
    # released (paid out to the provider), current (being funded or worked on),
    # upcoming, or closed (the exchange ended before it was released).
    status: str

    @property
    def done(self) -> bool:
        return self.status == "released"

    @property
    def current(self) -> bool:
        return self.status == "current"


def exchange_milestones(*, exchange: Exchange) -> list[MilestoneView]:
    """Return ``exchange``'s milestones, each released only if its escrow was."""
    if not exchange.milestone_count:
        return []
    references = {
        f"{exchange.public_id}:m{i + 1}": i for i in range(exchange.milestone_count)
    }
    released = {
        references[r]
        for r in Release.objects.filter(reference__in=references).values_list(
            "reference", flat=True
        )
    }
    views = []
    for index, milestone in enumerate(exchange.milestones):
        if index in released:
            status = "released"
        elif exchange.closed_at is not None:
            status = "closed"
        elif index == exchange.milestone_index:
            status = "current"
        else:
            status = "upcoming"
        views.append(
            MilestoneView(
                title=milestone["title"],
                amount=Money(int(milestone["amount_minor"]), exchange.currency),
                status=status,
            )
        )
    return views


# --- Rentals: the booked period, the deposit, the photos, the owner's week --------


@dataclass(frozen=True)
class BookedPeriod:
    """A booked ``[start, end)`` as its listing's calendar reads it, in its zone."""

    start: dt.datetime
    end: dt.datetime
    unit: str
    units: int
    time_zone: str

    @property
    def last_day(self) -> dt.date:
        """The last day of a daily period (its end is the next midnight)."""
        return (self.end - dt.timedelta(days=1)).date()

    @property
    def daily(self) -> bool:
        return self.unit == DAY


def booked_period(
    *, listing: Listing | None, start: dt.datetime, end: dt.datetime
) -> BookedPeriod:
    """Return ``[start, end)`` in ``listing``'s time zone and counted in its unit.

    A listing gone since (or without a calendar any more) reads in UTC, by the
    hour unless the period runs midnight to midnight.
    """
    try:
        if listing is None:
            raise NotBookable(gettext("No listing."))
        rules = availability_get(listing=listing)
        zone, name, unit = rules.zone, rules.time_zone, rules.unit
    except NotBookable:
        zone, name = zoneinfo.ZoneInfo("UTC"), "UTC"
        midnights = all(
            (at.hour, at.minute, at.second) == (0, 0, 0) for at in (start, end)
        )
        unit = DAY if midnights else "hour"
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    if unit == DAY:
        units = (local_end.date() - local_start.date()).days
    else:
        units = int((end - start).total_seconds() // 3600)
    return BookedPeriod(
        start=local_start, end=local_end, unit=unit, units=units, time_zone=name
    )


def cancellation_policy_text(policy: str) -> str:
    """The cancellation policy ``policy`` in words ("" for none)."""
    if policy not in CancellationPolicy.values:
        return ""
    return str(CancellationPolicy(policy).label)


# The params whose widget takes photos: their recorded upload ids are the
# pictures of an item's condition that the room shows.
PHOTO_PARAMS = tuple(name for name, p in PARAMS.items() if p.widget == "photos")


@dataclass(frozen=True)
class PhotoSet:
    """The photos one event recorded (a handover, a return, a claim)."""

    event: ExchangeEvent
    uploads: list[Upload]


@dataclass(frozen=True)
class RentalPanel:
    """What the room shows of an exchange that booked a period."""

    period: BookedPeriod
    deposit: Money
    deposit_status: str
    claim: Money
    cancellation_policy: str
    photos: list[PhotoSet]


def _photo_ids(params: dict | None) -> list[str]:
    ids: list[str] = []
    for key in PHOTO_PARAMS:
        value = (params or {}).get(key)
        if isinstance(value, list):
            ids.extend(str(v) for v in value)
    return ids


def exchange_rental(*, exchange: Exchange) -> RentalPanel | None:
    """Return the booked period, deposit, claim and photos of ``exchange``, or None
    when it booked no period. Callers have checked who may see the exchange."""
    if exchange.booking_start_at is None or exchange.booking_end_at is None:
        return None
    events = [
        e
        for e in ExchangeEvent.objects.filter(exchange=exchange)
        .select_related("actor")
        .order_by("seq")
        if _photo_ids(e.params)
    ]
    wanted = {i for e in events for i in _photo_ids(e.params)}
    uploads = {
        str(u.public_id): u
        for u in Upload.objects.filter(
            public_id__in=list(wanted), kind=Upload.Kind.IMAGE
        )
    }
    unit = exchange.currency
    return RentalPanel(
        period=booked_period(
            listing=exchange.listing,
            start=exchange.booking_start_at,
            end=exchange.booking_end_at,
        ),
        deposit=Money(exchange.deposit_minor, unit),
        deposit_status=deposit_status(exchange=exchange),
        claim=Money(exchange.claim_minor, unit),
        cancellation_policy=cancellation_policy_text(exchange.cancellation_policy),
        photos=[
            PhotoSet(
                event=e,
                uploads=[uploads[i] for i in _photo_ids(e.params) if i in uploads],
            )
            for e in events
        ],
    )


def exchange_photo_for_member(
    *, exchange_id: int, upload_id: int, member
) -> Upload | None:
    """Return image upload ``upload_id`` if an event of exchange ``exchange_id``
    recorded it as a photo and ``member`` is a party to it or an operator of it."""
    exchange = Exchange.objects.filter(pk=exchange_id).first()
    if exchange is None or not exchange_roles(exchange=exchange, member=member):
        return None
    upload = Upload.objects.filter(pk=upload_id, kind=Upload.Kind.IMAGE).first()
    if upload is None:
        return None
    recorded = ExchangeEvent.objects.filter(exchange=exchange).values_list(
        "params", flat=True
    )
    key = str(upload.public_id)
    return upload if any(key in _photo_ids(p) for p in recorded) else None


@dataclass(frozen=True)
class OwnerRentals:
    """An owner's rentals that need them soon: to hand over, and to get back."""

    handovers: list[Exchange]
    returns: list[Exchange]


HANDOVER_HORIZON = dt.timedelta(days=14)


def _return_states(process: Process) -> frozenset[str]:
    # The states in which the item is out: the process reminds the customer to
    # bring it back when the booking ends. Read from the process, not named, so a
    # community's own rental process shows here too.
    return frozenset(
        state
        for reminder in process.reminders.values()
        if any(term.moment == "booking_end" for term in reminder.when.terms)
        for state in reminder.states
    )


def _handover_states(process: Process, out: frozenset[str]) -> frozenset[str]:
    # The states from which the owner puts the item out (into a state above).
    return frozenset(
        source
        for t in process.transitions.values()
        if not t.is_timer and "provider" in t.actors and t.target in out
        for source in t.sources
        if source not in out
    )


def rentals_due_for_owner(
    *, owner, now: dt.datetime, horizon: dt.timedelta = HANDOVER_HORIZON
) -> OwnerRentals:
    """Return ``owner``'s bookings to hand over (starting before ``now + horizon``,
    soonest first) and to get back (out now, by end time).

    One query for the exchanges and one per process version among them.
    """
    rows = list(
        Exchange.objects.filter(
            provider=owner,
            closed_at__isnull=True,
            booking_start_at__isnull=False,
        )
        .select_related("customer", "listing")
        .order_by("booking_start_at", "pk")[:500]
    )
    processes: dict[tuple[str, str], tuple[frozenset[str], frozenset[str]]] = {}
    handovers, returns = [], []
    for exchange in rows:
        key = (exchange.process_name, exchange.process_version)
        if key not in processes:
            try:
                process = process_version_load(*key)
            except NotFound:
                processes[key] = (frozenset(), frozenset())
            else:
                out = _return_states(process)
                processes[key] = (_handover_states(process, out), out)
        handing, out = processes[key]
        if exchange.state in out:
            returns.append(exchange)
        elif (
            exchange.state in handing
            and exchange.booking_start_at is not None
            and exchange.booking_start_at < now + horizon
        ):
            handovers.append(exchange)
    returns.sort(key=lambda x: (x.booking_end_at, x.pk))
    return OwnerRentals(handovers=handovers, returns=returns)


def payment_awaits_host(*, exchange: Exchange) -> bool:
    """Whether a payment of ``exchange`` awaits a host's confirmation (cash, transfer)."""
    from selfwork.exchanges.guards import _payments_of

    return _payments_of(exchange)[1]


@dataclass(frozen=True)
class ProcessCounts:
    """Exchanges of one process started and completed in one bucket."""

    period: dt.date
    process_name: str
    started: int
    completed: int


def counts_by_process(
    *, since: dt.datetime, bucket: Bucket, community=None
) -> list[ProcessCounts]:
    """Return exchanges started and completed per ``bucket`` and process since ``since``.

    Completed means closed in the state ``completed``, which every built-in
    process names its successful end. Ordered by process, then bucket.
    """
    exchanges = Exchange.objects.all()
    if community is not None:
        exchanges = exchanges.filter(community=community)
    counts: dict[tuple[str, dt.date], list[int]] = {}
    for column, (field_name, narrowed) in enumerate(
        (
            ("created_at", exchanges.filter(created_at__gte=since)),
            (
                "closed_at",
                exchanges.filter(closed_at__gte=since, state="completed"),
            ),
        )
    ):
        for row in (
            narrowed.annotate(period=Trunc(field_name, bucket))
            .values("process_name", "period")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            key = (row["process_name"], timezone.localtime(row["period"]).date())
            counts.setdefault(key, [0, 0])[column] = row["n"]
    return [
        ProcessCounts(
            period=period, process_name=name, started=pair[0], completed=pair[1]
        )
        for (name, period), pair in sorted(counts.items())
    ]


def states_now(*, community=None) -> list[tuple[str, int]]:
    """Return how many exchanges are in each state now, the most common first."""
    exchanges = Exchange.objects.all()
    if community is not None:
        exchanges = exchanges.filter(community=community)
    return [
        (row["state"], row["n"])
        for row in exchanges.values("state")
        .annotate(n=Count("pk"))
        .order_by("-n", "state")
    ]
