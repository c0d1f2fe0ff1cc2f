"""Charges into escrow, by card or settled by hand and confirmed by a host."""

import datetime as dt

from django.db import IntegrityError, transaction

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
) -> Charge:
    """Charge ``customer`` the price ``amount``, plus the customer fee, into escrow.

    ``policy`` is the fee policy the customer agreed to (an exchange's copy);
    without one, the reference's first payment's, or else ``community``'s today.
    The charge keeps it, and releases of the reference apply it: a fee changed
    after payment never touches money already paid. The customer fee
    (``customer_fee_of(amount)``) is added on top of ``amount``.

    The community's gateway is asked first; only money it took is posted
    (gateway clearing → escrow). A manual gateway's charge stays ``pending``
    until the host confirms it (``manual_charge_confirm``). Calling again after a
    success returns the same charge; after a decline, it is a new attempt with
    its own key. ``provider``, when known, is who the money is held for: their
    wallet shows it as incoming escrow, and a release to anyone else is refused.

    A declined attempt is kept (status ``failed``) and committed before the error
    is raised, unless the caller holds an outer transaction.

    :raises InvalidInput: bad reference, part or amount; ``invalid_card``;
        ``currency_mismatch`` (the reference holds another currency);
        ``self_payment``.
    :raises ReferenceSettled: if the reference was settled already.
    :raises Conflict: ``already_charged`` if this reference and part took a
        different charge.
    :raises PaymentDeclined: (402) ``card_declined``, ``insufficient_funds`` or
        ``processing_error``; nothing is posted.
    """
    charge = _charge_attempt(
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
    if charge.status == Charge.Status.FAILED:
        raise PaymentDeclined(
            DECLINE_DETAIL.get(charge.failure_code, "The payment failed."),
            code=charge.failure_code,
            charge=str(charge.public_id),
            retryable=charge.failure_code == "processing_error",
        )
    return charge


def _same_charge(charge: Charge, *, customer, community, amount: Money) -> bool:
    return (
        charge.customer_id == customer.pk
        and charge.community_id == community.pk
        and charge.amount_minor == amount.minor
        and charge.currency == amount.unit
    )


def _live_charge(reference: str, part: str) -> Charge | None:
    return (
        Charge.objects.filter(reference=reference, part=part)
        .exclude(status=Charge.Status.FAILED)
        .first()
    )


def _replay_charge(charge: Charge, *, customer, community, amount: Money) -> Charge:
    if not _same_charge(charge, customer=customer, community=community, amount=amount):
        raise Conflict(
            "This reference was already charged, for another payment.",
            code="already_charged",
            charge=str(charge.public_id),
        )
    return charge


@transaction.atomic
def _charge_attempt(
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
    if policy is None:
        first = (
            Charge.objects.filter(reference=reference, status__in=Charge.CAPTURED)
            .order_by("pk")
            .first()
        )
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
                "A member cannot pay themselves.",
                field="provider",
                code="self_payment",
            )
    gateway = gateway_get(community_gateway(community=community))
    last4 = gateway.card_check(card)

    live = _live_charge(reference, part)
    if live is not None:
        return _replay_charge(
            live, customer=customer, community=community, amount=amount
        )
    other = (
        Charge.objects.filter(reference=reference)
        .exclude(currency=amount.unit)
        .values_list("currency", flat=True)
        .first()
    )
    if other is not None:
        raise _currency_mismatch(other, amount.unit, field="amount.currency")
    if reference_settled(reference=reference):
        raise ReferenceSettled(
            "This reference was settled; it takes no more payments.",
            reference=reference,
        )

    attempt = Charge.objects.filter(reference=reference, part=part).count() + 1
    key = _key("charge", reference, part)
    if attempt > 1:
        key = f"{key}:attempt-{attempt}"
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
            raise
        return _replay_charge(
            live, customer=customer, community=community, amount=amount
        )

    result = gateway.charge(card=card, amount=amount, idempotency_key=key)
    if result.status == "failed":
        Charge.objects.filter(pk=charge.pk).update(
            status=Charge.Status.FAILED,
            failure_code=result.failure_code or "failed",
            gateway_ref=result.ref,
        )
    elif result.status == "pending":
        Charge.objects.filter(pk=charge.pk).update(gateway_ref=result.ref)
    else:
        _charge_post(charge, now=now)
        Charge.objects.filter(pk=charge.pk).update(
            status=Charge.Status.SUCCEEDED, gateway_ref=result.ref, captured_at=now
        )
    charge.refresh_from_db()
    return charge


def _charge_post(charge: Charge, *, now: dt.datetime) -> Transaction:
    amount = Money(charge.amount_minor, charge.currency)
    clearing = books.gateway_clearing_account(charge.gateway, amount.unit, now)
    escrow = books.escrow_account(charge.reference, amount.unit, now)
    return transaction_post(
        kind="charge",
        legs=[(clearing, -amount.minor), (escrow, amount.minor)],
        idempotency_key=charge.idempotency_key,
        now=now,
        memo=f"Payment by {charge.customer.username} into escrow",
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
            "This reference was settled; it takes no more payments.",
            reference=charge.reference,
        )
    moved = Charge.objects.filter(pk=charge.pk, status=Charge.Status.PENDING).update(
        status=Charge.Status.SUCCEEDED, captured_at=now, confirmed_by=host
    )
    if moved != 1:
        raise ChargeNotPending("This payment is not waiting for confirmation.")
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
        raise ChargeNotPending("This payment is not waiting for confirmation.")
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
