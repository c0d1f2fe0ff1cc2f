"""Charges into escrow, by card or settled by hand and confirmed by a host."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from selfwork.communities.models import Community
from selfwork.communities.selectors import host_required
from selfwork.core.errors import Conflict, InvalidInput
from selfwork.core.money import Money
from selfwork.ledger.models import Transaction
from selfwork.ledger.services import transaction_post
from selfwork.payments import books
from selfwork.payments.errors import ChargeNotPending, PaymentDeclined, ReferenceSettled
from selfwork.payments.fees import FeePolicy, customer_fee_of
from selfwork.payments.gateways import gateway_get
from selfwork.payments.models import Charge
from selfwork.payments.selectors import community_gateway, reference_settled
from selfwork.payments.services.calls import calls_after_commit
from selfwork.payments.services.common import (
    DECLINE_DETAIL,
    _amount_check,
    _currency_mismatch,
    _key,
    _member_check,
)
from selfwork.payments.services.settings import charge_policy, fee_policy_for


def escrow_charge(
    *,
    reference: str,
    customer,
    community: Community,
    amount: Money,
    now: dt.datetime,
    card: str | None = None,
    provider=None,
    part: str = "",
    policy: FeePolicy | None = None,
    claim: bool = True,
) -> Charge:
    """Charge ``customer`` the price ``amount``, plus the customer fee, into escrow.

    ``policy`` is the fee policy the customer agreed to (an exchange's copy);
    without one, the reference's first payment's, or else ``community``'s today.
    The charge keeps it, and releases of the reference apply it: a fee changed
    after payment never touches money already paid. The customer fee
    (``customer_fee_of(amount)``) is added on top of ``amount``.

    Three steps, none holding a lock across the gateway call: the attempt is
    recorded (``pending``) and committed; the community's gateway is asked;
    its answer is applied with a compare-and-set, and only money it took is
    posted (gateway clearing → escrow). A manual gateway's charge stays
    ``pending`` until the host confirms it (``manual_charge_confirm``). If the
    process dies between the call and its answer, calling again with the same
    card, or the worker (``charges_reconcile``), applies what the gateway did.
    Calling again after a success returns the same charge; after a decline, it
    is a new attempt with its own key. ``provider``, when known, is who the
    money is held for: their wallet shows it as incoming escrow, and a release
    to anyone else is refused.

    ``claim`` False leaves the charge for what it pays for to take
    (``charge_claim``) in a transaction of its own; one never claimed is given
    back (``charge_abandon``). The returned charge's ``recorded_here`` (not
    stored) says whether this call recorded the attempt, rather than finding a
    racing or earlier call's: only its recorder gives it back at once. A
    declined attempt is kept (``failed``).

    :raises InvalidInput: bad reference, part or amount; ``invalid_card``;
        ``currency_mismatch`` (the reference holds another currency);
        ``self_payment``.
    :raises ReferenceSettled: if the reference was settled already.
    :raises Conflict: ``already_charged`` if this reference and part took a
        different charge; ``payment_in_progress`` while another payment of the
        reference is not yet claimed or given back.
    :raises PaymentDeclined: (402) ``card_declined``, ``insufficient_funds`` or
        ``processing_error``; nothing is posted.
    """
    charge = _charge_record(
        reference=reference,
        customer=customer,
        community=community,
        amount=amount,
        now=now,
        card=card,
        provider=provider,
        part=part,
        policy=policy,
    )
    if charge.status == Charge.Status.PENDING and not charge.gateway_ref:
        result = gateway_get(charge.gateway).charge(
            card=card,
            amount=Money(charge.amount_minor, charge.currency),
            idempotency_key=charge.idempotency_key,
        )
        charge = _charge_apply(
            charge,
            status=result.status,
            ref=result.ref,
            failure_code=result.failure_code,
            now=now,
        )
    if charge.status == Charge.Status.FAILED:
        raise PaymentDeclined.because(
            charge.failure_code,
            DECLINE_DETAIL.get(charge.failure_code, "The payment failed."),
            charge=str(charge.public_id),
        )
    if claim:
        charge = charge_claim(charge=charge, now=now)
    return charge


def _same_charge(charge: Charge, *, customer, community, amount: Money) -> bool:
    return (
        charge.customer_id == customer.pk
        and charge.community_id == community.pk
        and charge.amount_minor == amount.minor
        and charge.currency == amount.unit
    )


def _is_live(charge: Charge) -> bool:
    """Not declined and not given back (``_live_charge``'s test, on a row in hand)."""
    return charge.abandoned_at is None and charge.status != Charge.Status.FAILED


def _live_charge(reference: str, part: str) -> Charge | None:
    return (
        Charge.objects.filter(reference=reference, part=part, abandoned_at__isnull=True)
        .exclude(status=Charge.Status.FAILED)
        .first()
    )


def _replay_charge(charge: Charge, *, customer, community, amount: Money) -> Charge:
    if not _same_charge(charge, customer=customer, community=community, amount=amount):
        raise Conflict(
            gettext("This reference was already charged, for another payment."),
            code="already_charged",
            charge=str(charge.public_id),
        )
    return charge


@transaction.atomic
def _charge_record(
    *,
    reference: str,
    customer,
    community: Community,
    amount: Money,
    now: dt.datetime,
    card: str | None,
    provider,
    part: str,
    policy: FeePolicy | None,
) -> Charge:
    books.reference_check(reference)
    books.part_check(part)
    amount = _amount_check(amount)
    # Every charge of the reference, read once (a handful: attempts, milestones
    # have references of their own). A racing call's new row is refused by the
    # unique constraints on insert below, so reading them once loses nothing.
    earlier = list(Charge.objects.filter(reference=reference).order_by("pk"))
    if policy is None:
        first = next((c for c in earlier if c.status in Charge.CAPTURED), None)
        policy = (
            charge_policy(first)
            if first is not None
            else fee_policy_for(community=community, unit=amount.unit)
        )
    customer_fee = customer_fee_of(amount.minor, policy)
    amount = _amount_check(Money(amount.minor + customer_fee, amount.unit))
    _member_check(customer, field="customer")
    if provider is not None:
        _member_check(provider, field="provider")
        if provider.pk == customer.pk:
            raise InvalidInput(
                gettext("A member cannot pay themselves."),
                field="provider",
                code="self_payment",
            )
    gateway = gateway_get(community_gateway(community=community))
    last4 = gateway.card_check(card)

    live = next((c for c in earlier if c.part == part and _is_live(c)), None)
    if live is not None:
        return _replay_charge(
            live, customer=customer, community=community, amount=amount
        )
    other = next((c.currency for c in earlier if c.currency != amount.unit), None)
    if other is not None:
        raise _currency_mismatch(other, amount.unit, field="amount.currency")
    if reference_settled(reference=reference, charges=earlier):
        raise ReferenceSettled(
            gettext("This reference was settled; it takes no more payments."),
            reference=reference,
        )

    attempt = sum(1 for c in earlier if c.part == part) + 1
    key = _key("charge", reference, part)
    if attempt > 1:
        key = f"{key}:attempt-{attempt}"
    if any(_is_live(c) and c.claimed_at is None for c in earlier):
        raise _in_progress()
    try:
        with transaction.atomic():
            charge = Charge.objects.create(
                reference=reference,
                part=part,
                attempt=attempt,
                customer=customer,
                provider=provider,
                community=community,
                gateway=gateway.name,
                amount_minor=amount.minor,
                customer_fee_minor=customer_fee,
                currency=amount.unit,
                fee_hundredths=policy.fee_hundredths,
                customer_fee_hundredths=policy.customer_fee_hundredths,
                minimum_fee_minor=policy.minimum_minor,
                treasury_share_hundredths=policy.treasury_share_hundredths,
                status=Charge.Status.PENDING,
                card_last4=last4,
                idempotency_key=key,
                created_at=now,
            )
    except IntegrityError:
        # A racing call for the same reference claimed this attempt first.
        live = _live_charge(reference, part)
        if live is None:
            raise _in_progress() from None
        return _replay_charge(
            live, customer=customer, community=community, amount=amount
        )
    charge.recorded_here = True
    return charge


def _in_progress() -> Conflict:
    return Conflict(
        "Another payment for this is in progress; try again in a minute.",
        code="payment_in_progress",
    )


@transaction.atomic
def _charge_apply(
    charge: Charge, *, status: str, ref: str, failure_code: str, now: dt.datetime
) -> Charge:
    """Apply the gateway's answer (``succeeded``, ``pending``, ``failed``) once."""
    waiting = Charge.objects.filter(
        pk=charge.pk, status=Charge.Status.PENDING, gateway_ref=""
    )
    answer: dict[str, object]
    if status == "failed":
        answer = {
            "status": Charge.Status.FAILED,
            "failure_code": failure_code or "failed",
            "gateway_ref": ref,
        }
    elif status == "pending":
        answer = {"gateway_ref": ref}
    else:
        answer = {
            "status": Charge.Status.SUCCEEDED,
            "gateway_ref": ref,
            "captured_at": now,
        }
    if not waiting.update(**answer):
        charge.refresh_from_db()  # another call applied it: read what it did
        return charge
    # The row was pending with no answer, so it is as read, with this answer.
    for name, value in answer.items():
        setattr(charge, name, value)
    if charge.status == Charge.Status.SUCCEEDED:
        _charge_post(charge, now=now)
    return charge


def charge_claim(*, charge: Charge, now: dt.datetime) -> Charge:
    """Record that what ``charge`` pays for took it; idempotent.

    Call it in the transaction that records the purchase, so that both happen
    or neither does.

    :raises Conflict: ``payment_abandoned`` if the charge was given back meanwhile.
    """
    claimed = (
        Charge.objects.filter(
            pk=charge.pk, claimed_at__isnull=True, abandoned_at__isnull=True
        )
        .exclude(status=Charge.Status.FAILED)
        .update(claimed_at=now)
    )
    # Nothing else changes a live charge that is not claimed yet but the
    # gateway's answer, which ``charge`` carries (``_charge_apply``) when it
    # was taken in this request; a charge found otherwise is read again.
    if claimed and getattr(charge, "recorded_here", False):
        charge.claimed_at = now
        return charge
    charge.refresh_from_db()
    if not claimed and charge.claimed_at is None:
        raise Conflict(
            gettext("This payment was given back before it was taken; pay again."),
            code="payment_abandoned",
        )
    return charge


def charge_abandon(*, charge: Charge, now: dt.datetime) -> Charge:
    """Give back a charge nothing took (its exchange moved on, its request died).

    A captured one is refunded whole (escrow → gateway clearing, the refund
    queued for the gateway); a pending one, which posted nothing, fails with
    ``abandoned``. A charge whose gateway answer is not known yet is left for
    ``charges_reconcile``. Idempotent; a claimed charge is left as it is.
    """
    with calls_after_commit():
        charge = _charge_abandon(charge=charge, now=now)
    return charge


@transaction.atomic
def _charge_abandon(*, charge: Charge, now: dt.datetime) -> Charge:
    from selfwork.payments.services.escrow import _escrow_locked, _refund_queue

    charge = Charge.objects.select_related("customer").get(pk=charge.pk)
    unclaimed = charge.claimed_at is None and charge.abandoned_at is None
    if not unclaimed or charge.status == Charge.Status.FAILED:
        return charge
    if charge.status == Charge.Status.PENDING:
        if charge.gateway != "manual" and not charge.gateway_ref:
            return charge  # the gateway's answer is not known yet
        Charge.objects.filter(pk=charge.pk, claimed_at__isnull=True).update(
            status=Charge.Status.FAILED, failure_code="abandoned", abandoned_at=now
        )
        charge.refresh_from_db()
        return charge
    escrow = _escrow_locked(charge.reference, charge.currency)
    moved = Charge.objects.filter(
        pk=charge.pk,
        claimed_at__isnull=True,
        abandoned_at__isnull=True,
        status=Charge.Status.SUCCEEDED,
    ).update(
        status=Charge.Status.REFUNDED,
        refunded_minor=charge.amount_minor,
        abandoned_at=now,
    )
    if moved != 1:
        charge.refresh_from_db()
        return charge
    amount = Money(charge.amount_minor, charge.currency)
    key = f"abandon:{charge.idempotency_key}"
    transaction_post(
        kind="refund",
        legs=[
            (escrow, -amount.minor),
            (
                books.gateway_clearing_account(charge.gateway, amount.unit, now),
                amount.minor,
            ),
        ],
        idempotency_key=key,
        now=now,
        memo=f"Payment of {amount} given back: nothing took it",
        reference=charge.reference,
    )
    _refund_queue(
        charge,
        amount=amount,
        customer_fee_minor=charge.customer_fee_minor,
        ledger_key=key,
        idempotency_key=key,
        now=now,
    )
    charge.refresh_from_db()
    return charge


def _charge_post(charge: Charge, *, now: dt.datetime) -> Transaction:
    amount = Money(charge.amount_minor, charge.currency)
    clearing, escrow = books.accounts_open(
        books.gateway_clearing_wanted(charge.gateway, amount.unit),
        books.escrow_wanted(charge.reference, amount.unit),
        now=now,
    )
    return transaction_post(
        kind="charge",
        legs=[(clearing, -amount.minor), (escrow, amount.minor)],
        idempotency_key=charge.idempotency_key,
        now=now,
        memo=f"Payment into escrow for {charge.reference}",
        reference=charge.reference,
    )


@transaction.atomic
def manual_charge_confirm(*, charge: Charge, host, now: dt.datetime) -> Charge:
    """Record that a manual (cash, transfer) charge arrived; credit it to escrow.

    :raises NotPermitted: if ``host`` is not an active host of the charge's
        community.
    :raises ChargeNotPending: if the charge is not pending (confirmed, cancelled).
    :raises ReferenceSettled: if the reference was settled meanwhile.
    """
    host_required(community=charge.community, member=host)
    if reference_settled(reference=charge.reference):
        raise ReferenceSettled(
            gettext("This reference was settled; it takes no more payments."),
            reference=charge.reference,
        )
    moved = Charge.objects.filter(pk=charge.pk, status=Charge.Status.PENDING).update(
        status=Charge.Status.SUCCEEDED, captured_at=now, confirmed_by=host
    )
    if moved != 1:
        raise ChargeNotPending(gettext("This payment is not waiting for confirmation."))
    charge.refresh_from_db()
    _charge_post(charge, now=now)
    return charge


@transaction.atomic
def manual_charge_cancel(*, charge: Charge, host, now: dt.datetime) -> Charge:
    """Record that a manual charge never arrived; nothing was posted for it.

    :raises NotPermitted: if ``host`` is not an active host of the community.
    :raises ChargeNotPending: if the charge is not pending.
    """
    host_required(community=charge.community, member=host)
    moved = Charge.objects.filter(pk=charge.pk, status=Charge.Status.PENDING).update(
        status=Charge.Status.FAILED, failure_code="cancelled"
    )
    if moved != 1:
        raise ChargeNotPending(gettext("This payment is not waiting for confirmation."))
    charge.refresh_from_db()
    return charge


@transaction.atomic
def pending_payments_lapse(*, references: list[str], now: dt.datetime) -> int:
    """Record that the cash or transfers awaited for ``references`` never came.

    Their pending charges fail with ``lapsed`` and a pending cash deposit is
    voided; nothing was posted for either, so nothing is reversed. Returns how
    many were lapsed; idempotent.
    """
    from selfwork.payments.models import Deposit
    from selfwork.payments.services.deposits import deposit_void

    lapsed = Charge.objects.filter(
        reference__in=references, status=Charge.Status.PENDING
    ).update(status=Charge.Status.FAILED, failure_code="lapsed")
    for reference in references:
        if Deposit.objects.filter(reference=reference, status="pending").exists():
            deposit_void(reference=reference, now=now)
            lapsed += 1
    return lapsed
