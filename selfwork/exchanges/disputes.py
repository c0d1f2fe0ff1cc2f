"""Reads for the disputes console: the queue of disputes a member decides, and
what a decision would pay.

A dispute is read from the processes, not named: an exchange waits for a
member's decision when its state is left by a transition that records a
resolution (``record_resolution``) for one of the member's roles, and by no
timer (a host's proposed resolution waits for its timer, not for anyone). So a
host sees the disputes of their communities, staff also the decisions appealed
to them, and neither sees an exchange they are a party to.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max, OuterRef, Q, QuerySet, Subquery

from selfwork.communities.selectors import communities_hosted_by
from selfwork.core.money import Money
from selfwork.exchanges.actions import payment_reference, payment_references
from selfwork.exchanges.engine import Process, Transition, processes_list
from selfwork.exchanges.models import Exchange, ExchangeEvent
from selfwork.exchanges.selectors import exchange_process, exchange_roles
from selfwork.payments.models import Deposit
from selfwork.payments.selectors import reference_totals
from selfwork.payments.services import EscrowSplit, escrow_split_preview

DECIDES = "record_resolution"
SETTLES = "settle_resolution"


def _roles_of(member) -> frozenset[str]:
    return frozenset({"operator", "staff"} if member.is_staff else {"operator"})


def decision_of(
    process: Process, state: str, roles: frozenset[str]
) -> Transition | None:
    """The transition that decides a dispute in ``state`` for ``roles``, if any.

    One that also settles the money (staff's final word) comes before one that
    only proposes (a host's decision, open to review).
    """
    if any(t.is_timer for t in process.transitions_from(state)):
        return None
    found = [
        t
        for t in process.transitions_from(state)
        if DECIDES in t.actions and roles & set(t.actors)
    ]
    found.sort(key=lambda t: SETTLES not in t.actions)
    return found[0] if found else None


def _waiting_states(roles: frozenset[str]) -> set[str]:
    return {
        state
        for process in processes_list()
        for state in process.states
        if decision_of(process, state, roles) is not None
    }


@dataclass(frozen=True)
class DisputeRow:
    """One exchange awaiting a decision, as the console lists it."""

    exchange: Exchange
    state_label: str
    since: dt.datetime
    escrow: Money | None
    deposit: Money | None


def _disputed_rows(member) -> QuerySet[Exchange]:
    entered = (
        ExchangeEvent.objects.filter(
            exchange=OuterRef("pk"), to_state=OuterRef("state")
        )
        .values("exchange")
        .annotate(at=Max("created_at"))
        .values("at")
    )
    rows = (
        Exchange.objects.filter(state__in=_waiting_states(_roles_of(member)))
        .exclude(Q(customer=member) | Q(provider=member))
        .select_related("customer", "provider", "community", "listing")
        .annotate(since=Subquery(entered))
    )
    if not member.is_staff:
        rows = rows.filter(community__in=communities_hosted_by(member=member))
    return rows.order_by("since", "pk")


def disputes_for_operator(*, member) -> list[DisputeRow]:
    """Return the disputes waiting for ``member``'s decision, oldest first.

    Staff see every community's, hosts their communities', nobody their own.
    Each with the time it has waited and the money at stake (escrow held and
    deposit held). A fixed number of queries, however many disputes.
    """
    if member is None or not getattr(member, "is_authenticated", False):
        return []
    roles = _roles_of(member)
    exchanges = []
    # One read of each process version, however many exchanges pinned it.
    processes: dict[tuple[str, str], Process] = {}
    for exchange in _disputed_rows(member):
        key = (exchange.process_name, exchange.process_version)
        if key not in processes:
            processes[key] = exchange_process(exchange=exchange)
        process = processes[key]
        if decision_of(process, exchange.state, roles) is not None:
            exchanges.append((exchange, process))
    references = {exchange.pk: payment_reference(exchange) for exchange, _ in exchanges}
    escrow = {
        totals.reference: totals.escrow
        for totals in reference_totals(references=list(references.values()))
    }
    deposits = {
        deposit.reference: Money(deposit.amount_minor, deposit.currency)
        for deposit in Deposit.objects.filter(
            reference__in=[str(exchange.public_id) for exchange, _ in exchanges],
            status=Deposit.Status.HELD,
        )
    }
    return [
        DisputeRow(
            exchange=exchange,
            state_label=process.states[exchange.state].label,
            since=getattr(exchange, "since", None) or exchange.created_at,
            escrow=escrow.get(references[exchange.pk]),
            deposit=deposits.get(str(exchange.public_id)),
        )
        for exchange, process in exchanges
    ]


def dispute_decision(*, exchange: Exchange, member) -> Transition | None:
    """The transition ``member`` would take to decide ``exchange``'s dispute now.

    None for a party, a member who operates nothing here, or an exchange that
    waits for no decision of theirs.
    """
    roles = exchange_roles(exchange=exchange, member=member)
    if "operator" not in roles:
        return None
    return decision_of(exchange_process(exchange=exchange), exchange.state, roles)


def dispute_stakes(*, exchange: Exchange) -> tuple[Money | None, Money | None]:
    """What ``exchange`` holds now: (escrow, deposit held), None for nothing."""
    totals = reference_totals(references=[payment_reference(exchange)])
    escrow = totals[0].escrow if totals and totals[0].escrow.minor else None
    deposit = Deposit.objects.filter(
        reference=str(exchange.public_id), status=Deposit.Status.HELD
    ).first()
    held = Money(deposit.amount_minor, deposit.currency) if deposit else None
    return escrow, held


def dispute_split(*, exchange: Exchange, refund_percent: int) -> EscrowSplit | None:
    """How settling ``exchange``'s escrow with ``refund_percent`` refunded would
    divide it, by the arithmetic the settlement uses; None if nothing is held."""
    return escrow_split_preview(
        reference=payment_reference(exchange), refund_percent=refund_percent
    )


@dataclass(frozen=True)
class DisputeOutcome:
    """A recorded decision and where the money went (all of it, once settled)."""

    refund_percent: int
    note: str
    decided_by: str
    awarded: Money
    refunded: Money
    net: Money
    fees: Money
    escrow: Money


def dispute_outcome(*, exchange: Exchange) -> DisputeOutcome | None:
    """Return what was decided on ``exchange``'s dispute and the money since, or None."""
    resolution = exchange.resolution
    if not resolution:
        return None
    totals = reference_totals(references=payment_references(exchange))
    unit = exchange.currency

    def summed(key: str) -> Money:
        return Money(sum(getattr(t, key).minor for t in totals), unit)

    return DisputeOutcome(
        refund_percent=int(resolution.get("refund_percent", 0)),
        note=str(resolution.get("note", "")),
        decided_by=str(resolution.get("decided_by") or resolution.get("role", "")),
        awarded=Money(int(resolution.get("awarded_minor", 0)), unit),
        refunded=summed("refunded"),
        net=summed("net"),
        fees=summed("fees"),
        escrow=summed("escrow"),
    )
