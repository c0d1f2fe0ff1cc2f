"""The guards a transition may name: the engine's one registry of them.

A guard is a condition on the exchange row. It is folded into the transition's
compare-and-set (``where``), so two racing callers cannot both pass it; the same
condition in Python (``holds``) decides whether the room offers the transition;
``changes`` is what taking the transition spends (a revision); ``failure`` says
why it did not hold. Adding a guard touches only this module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import F, Q

from selfwork.core.errors import SelfworkError
from selfwork.exchanges.errors import AlreadyConfirmed, GuardFailed, PaymentPending

if TYPE_CHECKING:
    from selfwork.exchanges.models import Exchange

CLAIM_WINDOW = dt.timedelta(hours=48)


@dataclass(frozen=True)
class Guard:
    """One guard of the engine's vocabulary."""

    name: str
    description: str
    where: Callable[[dt.datetime], Q]
    holds: Callable[[Exchange, dt.datetime], bool]
    failure: Callable[[Exchange], SelfworkError]
    changes: Callable[[], dict[str, Any]] = field(default=lambda: {})
    # A guard that waits for something outside the exchange (a host confirming a
    # payment): its timer is tried again later instead of skipped.
    waits: bool = False
    # A guard on the side of whoever takes the transition (each party confirms
    # their own handover): given the role, its WHERE clause and its check.
    where_as: Callable[[str], Q] | None = None
    holds_as: Callable[[Exchange, str], bool] | None = None


# Listings an exchange has taken (``catalog.Listing.Status``).
TAKEN = ("promised", "given", "swapped")


def _payments_of(exchange: Exchange) -> tuple[set[str], bool, bool]:
    """The exchange's payment references; is one awaiting a host; is it captured."""
    from selfwork.exchanges.actions import payment_reference
    from selfwork.payments.models import Charge, Deposit

    current = payment_reference(exchange)
    references = {current, str(exchange.public_id)}
    pending = (
        Charge.objects.filter(reference__in=references, status="pending").exists()
        or Deposit.objects.filter(reference__in=references, status="pending").exists()
    )
    captured = Charge.objects.filter(
        reference=current, status__in=Charge.CAPTURED
    ).exists()
    return references, pending, captured


def _unconfirmed_where(role: str) -> Q:
    if role == "customer":
        return Q(customer_confirmed_at__isnull=True)
    if role == "provider":
        return Q(provider_confirmed_at__isnull=True)
    return Q(pk__in=[])  # only a party has a side to confirm


def _unconfirmed(exchange: Exchange, role: str) -> bool:
    if role == "customer":
        return exchange.customer_confirmed_at is None
    if role == "provider":
        return exchange.provider_confirmed_at is None
    return False


def _taken(exchange: Exchange) -> bool:
    # Read fresh: another exchange may have taken the listing since this one loaded.
    from selfwork.exchanges.models import Exchange

    return (
        Exchange.objects.filter(pk=exchange.pk)
        .filter(Q(listing__status__in=TAKEN) | Q(offered_listing__status__in=TAKEN))
        .exists()
    )


def _payment_arrived(exchange: Exchange, now: dt.datetime) -> bool:
    _, pending, captured = _payments_of(exchange)
    return captured and not pending


def _payment_refused(exchange: Exchange, now: dt.datetime) -> bool:
    _, pending, captured = _payments_of(exchange)
    return not captured and not pending


GUARDS: dict[str, Guard] = {
    g.name: g
    for g in (
        Guard(
            name="revisions_left",
            description="the exchange has a revision left (taking the transition "
            "uses it)",
            where=lambda now: Q(revisions_used__lt=F("revisions_allowed")),
            holds=lambda x, now: x.revisions_used < x.revisions_allowed,
            failure=lambda x: GuardFailed(
                f"All {x.revisions_allowed} revision(s) were used.",
                code="no_revisions_left",
            ),
            changes=lambda: {"revisions_used": F("revisions_used") + 1},
        ),
        Guard(
            name="milestones_left",
            description="a later milestone follows the current one",
            where=lambda now: Q(milestone_index__lt=F("milestone_count") - 1),
            holds=lambda x, now: x.milestone_index < x.milestone_count - 1,
            failure=lambda x: GuardFailed(
                "This is the last milestone; accept it instead.",
                code="final_milestone",
            ),
        ),
        Guard(
            name="final_milestone",
            description="the current milestone is the last (or there are none)",
            where=lambda now: Q(milestone_index__gte=F("milestone_count") - 1),
            holds=lambda x, now: x.milestone_index >= x.milestone_count - 1,
            failure=lambda x: GuardFailed(
                "Milestones remain; accept this milestone instead.",
                code="milestones_left",
            ),
        ),
        Guard(
            name="before_start",
            description="the booked period has not started yet",
            where=lambda now: Q(booking_start_at__gt=now),
            holds=lambda x, now: (
                x.booking_start_at is not None and x.booking_start_at > now
            ),
            failure=lambda x: GuardFailed(
                "The booking has started; it can no longer be cancelled.",
                code="booking_started",
            ),
        ),
        Guard(
            name="instant_booking",
            description="the listing took bookings without the owner's approval "
            "when the exchange began",
            where=lambda now: Q(instant_booking=True),
            holds=lambda x, now: x.instant_booking,
            failure=lambda x: GuardFailed(
                "The owner approves each booking of this listing.",
                code="approval_needed",
            ),
        ),
        Guard(
            name="payment_arrived",
            description="the exchange's current payment is in escrow and nothing "
            "awaits a host's confirmation (cash, a transfer); a timer waiting on it "
            "is tried again until it holds",
            # Not a condition on the exchange's row: the payments' rows decide.
            where=lambda now: Q(),
            holds=_payment_arrived,
            failure=lambda x: PaymentPending(
                "The payment waits for a host of the community to confirm it arrived."
            ),
            waits=True,
        ),
        Guard(
            name="payment_refused",
            description="the host marked the payment awaited as never received",
            where=lambda now: Q(),
            holds=_payment_refused,
            failure=lambda x: PaymentPending(
                "The payment waits for a host of the community to confirm it arrived."
            ),
            waits=True,
        ),
        Guard(
            name="own_side_unconfirmed",
            description="the party taking the transition has not confirmed their "
            "side yet (each party confirms once)",
            where=lambda now: Q(),
            holds=lambda x, now: True,
            where_as=lambda role: _unconfirmed_where(role),
            holds_as=lambda x, role: _unconfirmed(x, role),
            failure=lambda x: AlreadyConfirmed(
                "You have confirmed your side already; the other party confirms theirs."
            ),
        ),
        Guard(
            name="both_confirmed",
            description="both parties have confirmed their side",
            where=lambda now: Q(
                customer_confirmed_at__isnull=False,
                provider_confirmed_at__isnull=False,
            ),
            holds=lambda x, now: (
                x.customer_confirmed_at is not None
                and x.provider_confirmed_at is not None
            ),
            failure=lambda x: GuardFailed(
                "Both parties confirm their side first.", code="not_both_confirmed"
            ),
        ),
        Guard(
            name="listing_taken",
            description="the exchange's listing, or the listing offered in return, "
            "was promised, given or swapped in another exchange",
            where=lambda now: (
                Q(listing__status__in=TAKEN) | Q(offered_listing__status__in=TAKEN)
            ),
            holds=lambda x, now: _taken(x),
            failure=lambda x: GuardFailed(
                "The listing is still available.", code="listing_available"
            ),
        ),
        Guard(
            name="answers_request",
            description="the provider started the exchange, answering the "
            "customer's request for help",
            where=lambda now: Q(source="request"),
            holds=lambda x, now: x.source == "request",
            failure=lambda x: GuardFailed(
                "The customer asked for this exchange; the provider answers it.",
                code="not_a_request",
            ),
        ),
        Guard(
            name="within_claim_window",
            description="less than 48 hours have passed since the exchange entered "
            "its state (e.g. since the item was returned)",
            where=lambda now: Q(state_entered_at__gt=now - CLAIM_WINDOW),
            holds=lambda x, now: x.state_entered_at > now - CLAIM_WINDOW,
            failure=lambda x: GuardFailed(
                "The 48 hours to claim after the return are over.",
                code="claim_window_closed",
            ),
        ),
    )
}


def _role_where(guard: Guard, role: str) -> Q:
    return guard.where_as(role) if guard.where_as is not None else Q()


def _role_holds(guard: Guard, exchange: Exchange, role: str) -> bool:
    return guard.holds_as is None or guard.holds_as(exchange, role)


def guards_where(names: tuple[str, ...], now: dt.datetime, role: str = "") -> Q:
    """The WHERE clause of every guard in ``names``, for the compare-and-set,
    taken as ``role``."""
    clause = Q()
    for name in names:
        clause &= GUARDS[name].where(now) & _role_where(GUARDS[name], role)
    return clause


def guards_changes(names: tuple[str, ...]) -> dict[str, Any]:
    """What taking a transition with these guards spends (e.g. a revision)."""
    changes: dict[str, Any] = {}
    for name in names:
        changes.update(GUARDS[name].changes())
    return changes


def guards_hold(
    exchange: Exchange, names: tuple[str, ...], now: dt.datetime, role: str = ""
) -> bool:
    """Whether every guard in ``names`` holds for ``exchange`` as loaded, taken
    as ``role``."""
    return all(
        GUARDS[name].holds(exchange, now) and _role_holds(GUARDS[name], exchange, role)
        for name in names
    )


def guards_waiting(
    exchange: Exchange, names: tuple[str, ...], now: dt.datetime
) -> bool:
    """Whether a guard in ``names`` that does not hold yet waits (try again later)."""
    return any(
        GUARDS[name].waits and not GUARDS[name].holds(exchange, now) for name in names
    )


def guard_failure(
    exchange: Exchange, names: tuple[str, ...], now: dt.datetime, role: str = ""
):
    """The failure of the first guard in ``names`` that does not hold."""
    for name in names:
        guard = GUARDS[name]
        if not guard.holds(exchange, now) or not _role_holds(guard, exchange, role):
            return guard.failure(exchange)
    return GuardFailed("This is not possible now.")
