"""Reads on exchanges: for a party or an operator, never for anyone else.

An exchange is visible to its customer, its provider, the deployment's staff and
the hosts of its community (its operators); everyone else gets ``NotFound``.
"""

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from selfwork.communities.selectors import communities_hosted_by, member_is_host
from selfwork.core.errors import NotFound
from selfwork.core.models import Upload
from selfwork.core.money import Money
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
from selfwork.exchanges.terms import LineItem
from selfwork.payments.fees import FeePolicy, customer_fee_of
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
        "customer", "provider", "community", "listing", "licence"
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
        raise NotFound("No such exchange.", code="exchange_not_found") from exc
    if member is None or not getattr(member, "is_authenticated", False):
        raise NotFound("No such exchange.", code="exchange_not_found")
    rows = _exchange_rows().filter(public_id=key)
    if not member.is_staff:
        rows = rows.filter(_visible(member))
    exchange = rows.first()
    if exchange is None:
        raise NotFound("No such exchange.", code="exchange_not_found")
    return exchange


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
            description=t.description,
            style=t.style,
            pays="charge" in t.actions,
        )
        for t in process.transitions_from(exchange.state)
        if roles & set(t.actors) and guards_hold(exchange, t.guards, now)
    ]


def exchange_events(*, exchange: Exchange) -> QuerySet[ExchangeEvent]:
    """Return ``exchange``'s timeline, oldest first."""
    return (
        ExchangeEvent.objects.filter(exchange=exchange)
        .select_related("actor")
        .order_by("seq")
    )


def exchange_messages(*, exchange: Exchange) -> QuerySet[Message]:
    """Return ``exchange``'s conversation, oldest first."""
    return (
        Message.objects.filter(exchange=exchange)
        .select_related("author")
        .order_by("created_at", "pk")
    )


def exchange_deliveries(*, exchange: Exchange) -> QuerySet[Delivery]:
    """Return ``exchange``'s deliveries with their files, oldest first."""
    return (
        Delivery.objects.filter(exchange=exchange)
        .prefetch_related(Prefetch("files", queryset=Upload.objects.order_by("pk")))
        .order_by("number")
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
    """Return the licence ``exchange`` granted, if any."""
    return Licence.objects.filter(exchange=exchange).first()


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
