"""Writes on payments: charges into escrow, refunds, releases less fees, payouts, deposits.

Money moves only through ``ledger.services.transaction_post``. Each service names
the external call it makes by an idempotency key derived from what it settles,
and posts its ledger transaction under the same key:

========================  ==========================================
``charge:<reference>``    the first charge attempt of a reference (a
                          retry after a decline adds ``:attempt-<n>``;
                          a second part, e.g. a milestone, ``:<part>``)
``refund:<reference>``    a refund (``:<part>`` for a further one)
``release:<reference>``   a release (``:<part>`` for a further one)
``payout:<payout id>``    a payout
``deposit:<reference>``   a deposit's authorisation (``:attempt-<n>``
                          after a decline), then ``:capture``,
                          ``:void`` or ``:expire`` when it ends
========================  ==========================================

so that a retried call (a worker restarted, a client retrying) settles the same
thing once. The exchange engine calls these services with the exchange's public
id as ``reference`` and the parties and community explicitly.
"""

import datetime as dt
import uuid

from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, Sum, Value, When

from selfwork.communities.models import Community
from selfwork.communities.selectors import host_required
from selfwork.core.errors import Conflict, InvalidInput, NotFound
from selfwork.core.fx import fx_convert, fx_table
from selfwork.core.money import MAX_MINOR, Money, unit_check
from selfwork.core.text import plain_check
from selfwork.ledger.errors import IdempotencyKeyReused, InsufficientFunds
from selfwork.ledger.models import Account, Transaction
from selfwork.ledger.services import transaction_post, transaction_reverse
from selfwork.payments import books
from selfwork.payments.errors import (
    CaptureExceedsDeposit,
    ChargeNotPending,
    DepositExpired,
    DepositNotHeld,
    DepositNotPending,
    GatewayUnavailable,
    NoPayoutDestination,
    NothingInEscrow,
    PaymentDeclined,
    ReferenceSettled,
    RefundExceedsEscrow,
)
from selfwork.payments.fees import (
    FeePolicy,
    customer_fee_of,
    fee_split,
    percent_hundredths,
    share_of,
)
from selfwork.payments.gateways import (
    SandboxGateway,
    account_number_clean,
    authorisation_days,
    gateway_get,
)
from selfwork.payments.models import (
    Charge,
    CommunityPaymentSettings,
    Deposit,
    Payout,
    PayoutDestination,
    PayoutPreference,
    Refund,
    Release,
)
from selfwork.payments.selectors import community_gateway, reference_settled

DECLINE_DETAIL = {
    "card_declined": "The card was declined.",
    "insufficient_funds": "The card has insufficient funds.",
    "processing_error": "The card processor had an error; try again in a moment.",
}
DESTINATION_GATEWAY = {PayoutDestination.Kind.SANDBOX_BANK: "sandbox"}


def _amount_check(amount: object, *, field: str = "amount") -> Money:
    """Return ``amount`` if it is a positive amount of a real currency."""
    if not isinstance(amount, Money) or isinstance(amount.minor, bool):
        raise InvalidInput(
            "An amount is {amount, currency}.", field=field, code="invalid_amount"
        )
    unit_check(amount.unit, field=f"{field}.currency", allow_hours=False)
    if not isinstance(amount.minor, int):
        raise InvalidInput(
            "An amount is whole minor units.", field=field, code="invalid_amount"
        )
    if amount.minor <= 0:
        raise InvalidInput(
            "The amount must be more than zero.",
            field=field,
            code="amount_not_positive",
        )
    if amount.minor > MAX_MINOR:
        raise InvalidInput(
            "The amount is too large.", field=field, code="amount_too_large"
        )
    return amount


def _key(prefix: str, reference: str, part: str) -> str:
    return f"{prefix}:{reference}" + (f":{part}" if part else "")


def _member_check(member: object, *, field: str) -> None:
    if getattr(member, "pk", None) is None or not getattr(
        member, "is_authenticated", False
    ):
        raise InvalidInput(f"{field} must be a member.", field=field)


def _currency_mismatch(expected: str, got: str, *, field: str) -> InvalidInput:
    return InvalidInput(
        f"This is paid in {expected}; {got} was given.",
        field=field,
        code="currency_mismatch",
        expected=expected,
    )


def fee_policy_for(*, community: Community, unit: str) -> FeePolicy:
    """Return ``community``'s fee policy today, for money in ``unit``.

    Exchanges copy this when they start; a payment carries the copy it was made
    under. The minimum fee is set in the community's currency; for a payment in
    another currency it is converted at the reference rate (half-up), or dropped
    when there is no rate.
    """
    minimum = community.minimum_fee_minor
    if minimum and unit != community.currency:
        converted = fx_convert(Money(minimum, community.currency), unit, fx_table())
        minimum = converted.minor if converted is not None else 0
    return FeePolicy(
        fee_hundredths=percent_hundredths(community.fee_percent),
        minimum_minor=minimum,
        treasury_share_hundredths=percent_hundredths(community.treasury_share_percent),
        customer_fee_hundredths=percent_hundredths(community.customer_fee_percent),
    )


def charge_policy(charge: Charge) -> FeePolicy:
    """The fee policy ``charge`` was paid under."""
    return FeePolicy(
        fee_hundredths=charge.fee_hundredths,
        minimum_minor=charge.minimum_fee_minor,
        treasury_share_hundredths=charge.treasury_share_hundredths,
        customer_fee_hundredths=charge.customer_fee_hundredths,
    )


@transaction.atomic
def payment_settings_set(
    *, community: Community, actor, gateway: str, now: dt.datetime
) -> CommunityPaymentSettings:
    """Choose the gateway ``community``'s payments go through (its host only).

    :raises NotPermitted: if ``actor`` is not an active host of ``community``.
    :raises InvalidInput: ``unknown_gateway``.
    """
    host_required(community=community, member=actor)
    gateway_get(gateway)
    row, _ = CommunityPaymentSettings.objects.update_or_create(
        community=community, defaults={"gateway": gateway, "updated_at": now}
    )
    return row


# --- Charges ----------------------------------------------------------------------


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


# --- Escrow: refunds and releases -------------------------------------------------


def _captured_charges(reference: str) -> list[Charge]:
    return list(
        Charge.objects.filter(reference=reference, status__in=Charge.CAPTURED)
        .select_related("community", "provider")
        .order_by("pk")
    )


def _escrow_locked(reference: str, unit: str) -> Account:
    """The escrow account of ``reference``, locked until the transaction ends.

    Refunds and releases of one reference queue here, so each reads a balance
    nobody else is spending (SQLite's IMMEDIATE transactions queue them anyway).
    """
    account = (
        Account.objects.select_for_update()
        .filter(
            kind=Account.Kind.ESCROW, owner_ref=books.escrow_ref(reference), unit=unit
        )
        .first()
    )
    if account is None:
        raise NothingInEscrow("Nothing is held in escrow for this reference.")
    return account


def _customer_fee_held(reference: str) -> int:
    """The part of ``reference``'s escrow that is customer fee, in minor units.

    Each refund and release takes its share of it in proportion (``share_of``),
    so a refund of 40 % of escrow gives back 40 % of the customer fee too.
    """
    paid = Charge.objects.filter(
        reference=reference, status__in=Charge.CAPTURED
    ).aggregate(total=Sum("customer_fee_minor"))["total"]
    refunded = Refund.objects.filter(reference=reference).aggregate(
        total=Sum("customer_fee_minor")
    )["total"]
    released = Release.objects.filter(reference=reference).aggregate(
        total=Sum("customer_fee_minor")
    )["total"]
    return (paid or 0) - (refunded or 0) - (released or 0)


def _refunds_done(ledger_key: str, amount: Money | None) -> list[Refund]:
    done = list(Refund.objects.filter(ledger_key=ledger_key).order_by("pk"))
    if done and amount is not None:
        total = sum(refund.amount_minor for refund in done)
        if amount.minor != total or amount.unit != done[0].currency:
            raise IdempotencyKeyReused(
                "This refund was already made, for another amount.", field="part"
            )
    return done


@transaction.atomic
def escrow_refund(
    *,
    reference: str,
    now: dt.datetime,
    amount: Money | None = None,
    part: str = "",
) -> list[Refund]:
    """Give ``amount`` (default: everything still in escrow) back to the customer.

    Posts escrow → gateway clearing, then asks the gateway to refund, oldest
    charge first; one ``Refund`` per charge refunded against. A retry with the
    same reference and part returns the first refunds. For a further refund of
    the same reference, pass a new ``part``.

    :raises InvalidInput: bad reference, part or amount; ``currency_mismatch``.
    :raises NothingInEscrow: if the reference holds nothing.
    :raises RefundExceedsEscrow: for more than escrow still holds.
    :raises IdempotencyKeyReused: if this reference and part refunded another amount.
    """
    books.reference_check(reference)
    books.part_check(part)
    if amount is not None:
        amount = _amount_check(amount)
    ledger_key = _key("refund", reference, part)
    done = _refunds_done(ledger_key, amount)
    if done:
        return done
    charges = _captured_charges(reference)
    if not charges:
        raise NothingInEscrow("Nothing was paid for this reference.")
    unit = charges[0].currency
    if amount is not None and amount.unit != unit:
        raise _currency_mismatch(unit, amount.unit, field="amount.currency")
    escrow = _escrow_locked(reference, unit)
    # Under the lock: a racing retry may have refunded meanwhile.
    done = _refunds_done(ledger_key, amount)
    if done:
        return done
    charges = _captured_charges(reference)
    held = Money(escrow.balance_minor, unit)
    if held.minor <= 0:
        raise NothingInEscrow("Nothing is left in escrow for this reference.")
    wanted = amount or held
    if wanted.minor > held.minor:
        raise RefundExceedsEscrow(
            f"Escrow holds {held}; {wanted} cannot be refunded.",
            available=held.as_dict(),
            requested=wanted.as_dict(),
        )

    pieces: list[tuple[Charge, int, int]] = []
    left = wanted.minor
    fee_left = share_of(
        wanted.minor, whole_minor=held.minor, of_minor=_customer_fee_held(reference)
    )
    for charge in charges:
        room = charge.amount_minor - charge.refunded_minor
        if left and room > 0:
            take = min(room, left)
            fee = min(take, fee_left)
            pieces.append((charge, take, fee))
            left -= take
            fee_left -= fee
    if left:  # escrow never holds more than was captured, less refunds
        raise RefundExceedsEscrow("The charges cannot cover this refund.")

    by_gateway: dict[str, int] = {}
    for charge, take, _fee in pieces:
        by_gateway[charge.gateway] = by_gateway.get(charge.gateway, 0) + take
    legs: list[tuple[Account, int]] = [(escrow, -wanted.minor)]
    legs.extend(
        (books.gateway_clearing_account(name, unit, now), total)
        for name, total in sorted(by_gateway.items())
    )
    try:
        transaction_post(
            kind="refund",
            legs=legs,
            idempotency_key=ledger_key,
            now=now,
            memo=f"Refund of {wanted} to the customer",
            reference=reference,
        )
    except InsufficientFunds as exc:
        raise RefundExceedsEscrow(
            "Escrow holds less than that refund.", requested=wanted.as_dict()
        ) from exc

    refunds = []
    for charge, take, fee in pieces:
        key = f"{ledger_key}:{charge.public_id}"
        result = gateway_get(charge.gateway).refund(
            charge_ref=charge.gateway_ref,
            amount=Money(take, unit),
            idempotency_key=key,
        )
        if not result.ok:
            raise GatewayUnavailable(
                "The gateway did not refund; nothing was changed. Try again later.",
                gateway=charge.gateway,
            )
        refunds.append(
            Refund.objects.create(
                reference=reference,
                charge=charge,
                amount_minor=take,
                customer_fee_minor=fee,
                currency=unit,
                gateway_ref=result.ref,
                ledger_key=ledger_key,
                idempotency_key=key,
                created_at=now,
            )
        )
        Charge.objects.filter(pk=charge.pk).update(
            refunded_minor=F("refunded_minor") + take,
            status=Case(
                When(
                    amount_minor=F("refunded_minor") + take,
                    then=Value(Charge.Status.REFUNDED),
                ),
                default=Value(Charge.Status.PARTIALLY_REFUNDED),
            ),
        )
    return refunds


def _release_done(key: str, *, provider, amount: Money | None) -> Release | None:
    done = Release.objects.filter(idempotency_key=key).first()
    if done is not None and (
        done.provider_id != provider.pk
        or (
            amount is not None
            and (amount.minor != done.gross_minor or amount.unit != done.currency)
        )
    ):
        raise IdempotencyKeyReused(
            "This release was already made, otherwise.", field="part"
        )
    return done


@transaction.atomic
def escrow_release(
    *,
    reference: str,
    provider,
    community: Community,
    now: dt.datetime,
    amount: Money | None = None,
    part: str = "",
) -> Release:
    """Pay the escrow of ``reference`` (default: all of it) to ``provider``, less fees.

    The fees follow the policy the customer paid under (kept on the charge, see
    ``fees``), never ``community``'s policy of the day: the provider fee of the
    price and the customer fee paid with it go to the platform fee account and
    the community treasury by ``treasury_share_percent``; the rest to the
    provider's wallet. One transaction, exact to the minor unit. A
    release that empties escrow settles the reference. If the provider asked for
    automatic payouts, the net is paid out at once. A retry returns the first
    release; a further partial release needs a new ``part``.

    :raises InvalidInput: bad reference, part or amount; ``currency_mismatch``;
        ``community_mismatch`` or ``provider_mismatch`` (not whom it was paid for).
    :raises NothingInEscrow: if nothing is held.
    :raises Conflict: ``release_exceeds_escrow`` for more than escrow holds.
    :raises IdempotencyKeyReused: if this reference and part released otherwise.
    """
    books.reference_check(reference)
    books.part_check(part)
    _member_check(provider, field="provider")
    if amount is not None:
        amount = _amount_check(amount)
    key = _key("release", reference, part)
    done = _release_done(key, provider=provider, amount=amount)
    if done is not None:
        return done
    charges = _captured_charges(reference)
    if not charges:
        raise NothingInEscrow("Nothing was paid for this reference.")
    unit = charges[0].currency
    if any(charge.community_id != community.pk for charge in charges):
        raise InvalidInput(
            "This reference was paid in another community.",
            field="community",
            code="community_mismatch",
        )
    if any(
        charge.provider_id is not None and charge.provider_id != provider.pk
        for charge in charges
    ):
        raise InvalidInput(
            "This reference was paid for another provider.",
            field="provider",
            code="provider_mismatch",
        )
    if amount is not None and amount.unit != unit:
        raise _currency_mismatch(unit, amount.unit, field="amount.currency")
    escrow = _escrow_locked(reference, unit)
    done = _release_done(key, provider=provider, amount=amount)
    if done is not None:  # a racing retry released meanwhile
        return done
    held = escrow.balance_minor
    if held <= 0:
        raise NothingInEscrow("Nothing is left in escrow for this reference.")
    gross = amount or Money(held, unit)
    if gross.minor > held:
        raise Conflict(
            f"Escrow holds {Money(held, unit)}; {gross} cannot be released.",
            code="release_exceeds_escrow",
            available=Money(held, unit).as_dict(),
        )

    policy = charge_policy(charges[0])
    customer_fee = share_of(
        gross.minor, whole_minor=held, of_minor=_customer_fee_held(reference)
    )
    split = fee_split(gross, policy, customer_fee_minor=customer_fee)
    legs: list[tuple[Account, int]] = [(escrow, -gross.minor)]
    for account, part_amount in (
        (books.wallet_account(provider, unit, now), split.net),
        (books.platform_fees_account(unit, now), split.platform),
        (books.treasury_account(community, unit, now), split.treasury),
    ):
        if part_amount.minor:
            legs.append((account, part_amount.minor))
    transaction_post(
        kind="release",
        legs=legs,
        idempotency_key=key,
        now=now,
        memo=f"Release to {provider.username}: {split.net} net of a {split.fee} fee"
        + (f" and a {split.customer_fee} customer fee" if customer_fee else ""),
        reference=reference,
    )
    release = Release.objects.create(
        reference=reference,
        provider=provider,
        community=community,
        currency=unit,
        gross_minor=split.gross.minor,
        fee_minor=split.fee.minor,
        customer_fee_minor=split.customer_fee.minor,
        platform_fee_minor=split.platform.minor,
        treasury_fee_minor=split.treasury.minor,
        net_minor=split.net.minor,
        fee_hundredths=policy.fee_hundredths,
        minimum_fee_minor=policy.minimum_minor,
        treasury_share_hundredths=policy.treasury_share_hundredths,
        final=gross.minor == held,
        idempotency_key=key,
        created_at=now,
    )
    if split.net.minor and _wants_auto_payout(provider):
        destination = _default_destination(provider)
        if destination is not None:
            _payout(
                member=provider,
                amount=split.net,
                destination=destination,
                now=now,
                release=release,
            )
    return release


# --- Payouts ----------------------------------------------------------------------


@transaction.atomic
def payout_destination_add(
    *,
    member,
    label: str,
    account_number: str,
    now: dt.datetime,
    kind: str = PayoutDestination.Kind.SANDBOX_BANK,
) -> PayoutDestination:
    """Add a payout destination for ``member``; it becomes their default.

    Only the last four characters of the account number are kept; the gateway
    holds the rest behind a token.

    :raises InvalidInput: ``unknown_destination_kind``, ``invalid_account_number``,
        or a bad label.
    """
    _member_check(member, field="member")
    if kind not in PayoutDestination.Kind.values:
        raise InvalidInput(
            "The destination kind is sandbox_bank.",
            field="kind",
            code="unknown_destination_kind",
        )
    label = plain_check(label, field="label", max_length=80)
    number = account_number_clean(account_number)
    token = SandboxGateway().destination_token(number)
    return PayoutDestination.objects.create(
        member=member,
        kind=kind,
        label=label,
        masked=f"•••• {number[-4:]}",
        token=token,
        created_at=now,
    )


def _default_destination(member) -> PayoutDestination | None:
    return (
        PayoutDestination.objects.filter(member=member)
        .order_by("-created_at", "-pk")
        .first()
    )


def _wants_auto_payout(member) -> bool:
    return PayoutPreference.objects.filter(member=member, auto_payout=True).exists()


@transaction.atomic
def payout_create(
    *,
    member,
    amount: Money,
    now: dt.datetime,
    destination: PayoutDestination | None = None,
) -> Payout:
    """Pay ``amount`` out of ``member``'s wallet to ``destination`` (default: newest).

    Posts wallet → payout clearing, then asks the gateway to pay; the sandbox
    pays at once (status ``paid``). If the gateway refuses, the payout is
    ``failed`` and the posting reversed: the money is back in the wallet.

    :raises InvalidInput: bad amount or currency.
    :raises NoPayoutDestination: if the member has no destination.
    :raises NotFound: if ``destination`` is another member's.
    :raises InsufficientFunds: if the wallet holds less than ``amount``; nothing
        is posted or stored.
    """
    _member_check(member, field="member")
    amount = _amount_check(amount)
    if destination is None:
        destination = _default_destination(member)
        if destination is None:
            raise NoPayoutDestination(
                "Add a payout destination (a bank account) first."
            )
    elif destination.member_id != member.pk:
        raise NotFound("No such payout destination.", code="destination_not_found")
    return _payout(member=member, amount=amount, destination=destination, now=now)


def _payout(
    *,
    member,
    amount: Money,
    destination: PayoutDestination,
    now: dt.datetime,
    release: Release | None = None,
) -> Payout:
    wallet = Account.objects.filter(
        kind=Account.Kind.MEMBER_WALLET,
        owner_ref=books.member_ref(member),
        unit=amount.unit,
    ).first()
    if wallet is None:
        raise InsufficientFunds(
            f"The wallet has {Money.zero(amount.unit)} available; {amount} was asked.",
            available=Money.zero(amount.unit).as_dict(),
            requested=amount.as_dict(),
        )
    gateway_name = DESTINATION_GATEWAY[PayoutDestination.Kind(destination.kind)]
    public_id = uuid.uuid4()
    key = f"payout:{public_id}"
    payout = Payout.objects.create(
        public_id=public_id,
        member=member,
        destination=destination,
        amount_minor=amount.minor,
        currency=amount.unit,
        status=Payout.Status.REQUESTED,
        gateway=gateway_name,
        idempotency_key=key,
        release=release,
        created_at=now,
    )
    posted = transaction_post(
        kind="payout",
        legs=[
            (wallet, -amount.minor),
            (
                books.payout_clearing_account(gateway_name, amount.unit, now),
                amount.minor,
            ),
        ],
        idempotency_key=key,
        now=now,
        memo=f"Payout to {destination.label} {destination.masked}",
        reference=f"payout:{public_id}",
    )
    result = gateway_get(gateway_name).payout(
        destination=destination.token, amount=amount, idempotency_key=key
    )
    if result.ok:
        Payout.objects.filter(pk=payout.pk, status=Payout.Status.REQUESTED).update(
            status=Payout.Status.PAID, gateway_ref=result.ref, paid_at=now
        )
    else:
        transaction_reverse(
            transaction=posted,
            idempotency_key=f"payout-failed:{public_id}",
            now=now,
            memo=f"Payout failed ({result.failure_code}); back to the wallet",
        )
        Payout.objects.filter(pk=payout.pk, status=Payout.Status.REQUESTED).update(
            status=Payout.Status.FAILED,
            gateway_ref=result.ref,
            failure_code=result.failure_code or "failed",
        )
    payout.refresh_from_db()
    return payout


@transaction.atomic
def payout_preference_set(
    *, member, auto_payout: bool, now: dt.datetime
) -> PayoutPreference:
    """Say whether ``member`` is paid out automatically on every release.

    :raises NoPayoutDestination: when turning it on without a destination.
    """
    _member_check(member, field="member")
    if not isinstance(auto_payout, bool):
        raise InvalidInput(
            "auto_payout is true or false.", field="auto_payout", code="invalid_input"
        )
    if auto_payout and _default_destination(member) is None:
        raise NoPayoutDestination(
            "Add a payout destination before asking for automatic payouts."
        )
    preference, _ = PayoutPreference.objects.update_or_create(
        member=member, defaults={"auto_payout": auto_payout, "updated_at": now}
    )
    return preference


# --- Deposits: card authorisations held for the length of a rental -----------------
#
# A deposit is not taken, only held: the card is authorised, and the ledger shows
# the amount in a ``deposit_held`` account of the reference (gateway clearing →
# deposit held), apart from escrow and from anyone's wallet. It then ends one way:
#
# =====================  ====================================  ==================
# ``deposit_void``       deposit held → gateway clearing       ``<key>:void``
# ``deposit_capture``    deposit held → provider's wallet      ``<key>:capture``
#                        (the captured part) and → gateway
#                        clearing (the rest, voided)
# ``deposits_expire``    deposit held → gateway clearing       ``<key>:expire``
# =====================  ====================================  ==================
#
# where ``<key>`` is the authorisation's own key, ``deposit:<reference>`` (a retry
# after a decline adds ``:attempt-<n>``), under which the hold is posted.


def _live_deposit(reference: str, *, lock: bool = False) -> Deposit | None:
    rows = Deposit.objects.filter(reference=reference).exclude(
        status=Deposit.Status.FAILED
    )
    if lock:
        rows = rows.select_for_update()
    return rows.select_related("customer", "provider", "community").first()


def _replay_deposit(
    deposit: Deposit, *, customer, provider, community, amount: Money
) -> Deposit:
    if (
        deposit.customer_id != customer.pk
        or deposit.provider_id != provider.pk
        or deposit.community_id != community.pk
        or deposit.amount_minor != amount.minor
        or deposit.currency != amount.unit
    ):
        raise Conflict(
            "This reference already has a deposit, for another amount or party.",
            code="deposit_exists",
            deposit=str(deposit.public_id),
        )
    return deposit


def deposit_authorise(
    *,
    reference: str,
    customer,
    provider,
    community: Community,
    amount: Money,
    now: dt.datetime,
    card: str | None = None,
) -> Deposit:
    """Hold ``amount`` on ``customer``'s card as the deposit of ``reference``.

    The community's gateway is asked to authorise (not charge) the card; when it
    does, the amount is posted gateway clearing → the reference's
    ``deposit_held`` account, and the deposit is ``held`` until it is voided,
    captured for ``provider`` or lapses (``expires_at``, after
    ``SELFWORK_DEPOSIT_AUTHORISATION_DAYS``). A manual gateway's deposit (cash
    handed to the host) stays ``pending`` until the host confirms it
    (``manual_deposit_confirm``); it does not lapse.

    Calling again after a success returns the same deposit; after a decline it
    is a new attempt with its own key. A declined attempt is kept (``failed``)
    and committed before the error is raised, unless the caller holds an outer
    transaction.

    :raises InvalidInput: bad reference or amount; ``invalid_card``;
        ``self_payment``.
    :raises Conflict: ``deposit_exists`` if the reference holds another deposit.
    :raises PaymentDeclined: (402) ``card_declined``, ``insufficient_funds`` or
        ``processing_error``; nothing is posted.
    """
    deposit = _deposit_attempt(
        reference=reference,
        customer=customer,
        provider=provider,
        community=community,
        amount=amount,
        now=now,
        card=card,
    )
    if deposit.status == Deposit.Status.FAILED:
        raise PaymentDeclined(
            DECLINE_DETAIL.get(deposit.failure_code, "The authorisation failed."),
            code=deposit.failure_code,
            deposit=str(deposit.public_id),
            retryable=deposit.failure_code == "processing_error",
        )
    return deposit


@transaction.atomic
def _deposit_attempt(
    *,
    reference: str,
    customer,
    provider,
    community: Community,
    amount: Money,
    now: dt.datetime,
    card: str | None,
) -> Deposit:
    books.reference_check(reference)
    amount = _amount_check(amount)
    _member_check(customer, field="customer")
    _member_check(provider, field="provider")
    if provider.pk == customer.pk:
        raise InvalidInput(
            "A member cannot hold a deposit for themselves.",
            field="provider",
            code="self_payment",
        )
    gateway = gateway_get(community_gateway(community=community))
    last4 = gateway.card_check(card)

    live = _live_deposit(reference)
    if live is not None:
        return _replay_deposit(
            live,
            customer=customer,
            provider=provider,
            community=community,
            amount=amount,
        )
    attempt = Deposit.objects.filter(reference=reference).count() + 1
    key = f"deposit:{reference}"
    if attempt > 1:
        key = f"{key}:attempt-{attempt}"
    try:
        with transaction.atomic():
            deposit = Deposit.objects.create(
                reference=reference,
                attempt=attempt,
                customer=customer,
                provider=provider,
                community=community,
                gateway=gateway.name,
                amount_minor=amount.minor,
                currency=amount.unit,
                status=Deposit.Status.PENDING,
                card_last4=last4,
                idempotency_key=key,
                created_at=now,
            )
    except IntegrityError:
        # A racing call for the same reference claimed this attempt first.
        live = _live_deposit(reference)
        if live is None:
            raise
        return _replay_deposit(
            live,
            customer=customer,
            provider=provider,
            community=community,
            amount=amount,
        )

    result = gateway.authorise(card=card, amount=amount, idempotency_key=key)
    if result.status == "failed":
        Deposit.objects.filter(pk=deposit.pk).update(
            status=Deposit.Status.FAILED,
            failure_code=result.failure_code or "failed",
            gateway_ref=result.ref,
        )
    elif result.status == "pending":
        Deposit.objects.filter(pk=deposit.pk).update(gateway_ref=result.ref)
    else:
        # selfwork lapses the deposit by its own clock (the ``now`` every service
        # is told), not by the processor's ``result.expires_at``: a test or a
        # replayed worker runs on a clock of its own, and both clocks count the
        # same number of days from the same moment in production.
        expires_at = now + dt.timedelta(days=authorisation_days())
        _deposit_hold_post(deposit, now=now)
        Deposit.objects.filter(pk=deposit.pk).update(
            status=Deposit.Status.HELD,
            gateway_ref=result.ref,
            held_at=now,
            expires_at=expires_at,
        )
    deposit.refresh_from_db()
    return deposit


def _deposit_hold_post(deposit: Deposit, *, now: dt.datetime) -> Transaction:
    unit = deposit.currency
    return transaction_post(
        kind="deposit_hold",
        legs=[
            (
                books.gateway_clearing_account(deposit.gateway, unit, now),
                -deposit.amount_minor,
            ),
            (
                books.deposit_held_account(deposit.reference, unit, now),
                deposit.amount_minor,
            ),
        ],
        idempotency_key=deposit.idempotency_key,
        now=now,
        memo=f"Deposit held on {deposit.customer.username}'s card",
        reference=deposit.reference,
    )


def _deposit_settle_post(
    deposit: Deposit, *, kind: str, captured_minor: int, now: dt.datetime
) -> Transaction:
    """Empty the deposit's held account: ``captured_minor`` to the provider, the rest back."""
    unit = deposit.currency
    voided = deposit.amount_minor - captured_minor
    legs: list[tuple[Account, int]] = [
        (
            books.deposit_held_account(deposit.reference, unit, now),
            -deposit.amount_minor,
        )
    ]
    if captured_minor:
        legs.append((books.wallet_account(deposit.provider, unit, now), captured_minor))
    if voided:
        legs.append(
            (books.gateway_clearing_account(deposit.gateway, unit, now), voided)
        )
    memo = {
        "deposit_void": "Deposit given back",
        "deposit_expire": "Deposit authorisation lapsed",
        "deposit_capture": (
            f"Deposit claim: {Money(captured_minor, unit)} to "
            f"{deposit.provider.username}, {Money(voided, unit)} given back"
        ),
    }[kind]
    return transaction_post(
        kind=kind,
        legs=legs,
        idempotency_key=f"{deposit.idempotency_key}:{kind.removeprefix('deposit_')}",
        now=now,
        memo=memo,
        reference=deposit.reference,
    )


@transaction.atomic
def deposit_capture(*, reference: str, amount: Money, now: dt.datetime) -> Deposit:
    """Capture ``amount`` of ``reference``'s held deposit for its provider; void the rest.

    One transaction empties the held account: the captured part to the
    provider's wallet, the rest back to gateway clearing (the customer's card
    is no longer held for it). A deposit is captured once; the same capture
    again returns the deposit.

    :raises InvalidInput: bad reference or amount; ``currency_mismatch``.
    :raises DepositNotHeld: if the reference has no held deposit (none, pending,
        voided, expired, or captured for another amount).
    :raises CaptureExceedsDeposit: for more than the deposit holds; nothing moves.
    :raises DepositExpired: if the authorisation lapsed (the worker has not yet
        recorded it); nothing moves.
    :raises GatewayUnavailable: if the gateway did not capture; nothing moves.
    """
    books.reference_check(reference)
    amount = _amount_check(amount)
    deposit = _live_deposit(reference, lock=True)
    if deposit is None:
        raise DepositNotHeld("No deposit is held for this reference.")
    if amount.unit != deposit.currency:
        raise _currency_mismatch(deposit.currency, amount.unit, field="amount.currency")
    if (
        deposit.status == Deposit.Status.CAPTURED
        and deposit.captured_minor == amount.minor
    ):
        return deposit
    if deposit.status != Deposit.Status.HELD:
        raise DepositNotHeld(
            f"The deposit is {deposit.status}; only a held deposit can be captured.",
            status=deposit.status,
        )
    held = Money(deposit.amount_minor, deposit.currency)
    if amount.minor > held.minor:
        raise CaptureExceedsDeposit(
            f"The deposit holds {held}; {amount} cannot be captured.",
            available=held.as_dict(),
            requested=amount.as_dict(),
        )
    if deposit.expires_at is not None and now >= deposit.expires_at:
        raise DepositExpired("The card authorisation has lapsed.")
    moved = Deposit.objects.filter(pk=deposit.pk, status=Deposit.Status.HELD).update(
        status=Deposit.Status.CAPTURED, captured_minor=amount.minor, settled_at=now
    )
    if moved != 1:  # pragma: no cover - the row is locked (or SQLite serialises)
        raise DepositNotHeld("The deposit changed meanwhile; try again.")
    # No fee on a damage claim: the captured deposit compensates the provider for
    # a loss, it is not a price for their work. The community's fee is a share of
    # the prices it helped agree (already taken on the rent), and a fee here would
    # leave the provider short of the very damage the claim makes good.
    _deposit_settle_post(
        deposit, kind="deposit_capture", captured_minor=amount.minor, now=now
    )
    result = gateway_get(deposit.gateway).capture(
        ref=deposit.gateway_ref,
        amount=amount,
        idempotency_key=f"{deposit.idempotency_key}:capture",
    )
    if not result.ok:
        if result.failure_code == "authorisation_expired":
            raise DepositExpired("The card authorisation has lapsed.")
        raise GatewayUnavailable(
            "The gateway did not capture the deposit; nothing was changed.",
            gateway=deposit.gateway,
        )
    deposit.refresh_from_db()
    return deposit


def _deposit_void(deposit: Deposit, *, now: dt.datetime) -> Deposit:
    """Give back a pending or held deposit (the caller holds its row lock)."""
    was_held = deposit.status == Deposit.Status.HELD
    moved = Deposit.objects.filter(
        pk=deposit.pk, status__in=[Deposit.Status.PENDING, Deposit.Status.HELD]
    ).update(status=Deposit.Status.VOIDED, settled_at=now)
    if moved != 1:  # pragma: no cover - the row is locked (or SQLite serialises)
        raise DepositNotHeld("The deposit changed meanwhile; try again.")
    if was_held:
        _deposit_settle_post(deposit, kind="deposit_void", captured_minor=0, now=now)
        result = gateway_get(deposit.gateway).void(
            ref=deposit.gateway_ref, idempotency_key=f"{deposit.idempotency_key}:void"
        )
        if not result.ok and result.failure_code != "authorisation_expired":
            raise GatewayUnavailable(
                "The gateway did not void the deposit; nothing was changed.",
                gateway=deposit.gateway,
            )
    deposit.refresh_from_db()
    return deposit


@transaction.atomic
def deposit_void(*, reference: str, now: dt.datetime) -> Deposit | None:
    """Give back ``reference``'s deposit: held on a card, or pending in cash.

    A held deposit is posted back (deposit held → gateway clearing) and voided
    at the gateway; a pending one was never posted and is simply voided.
    Idempotent: a deposit already voided or lapsed is returned as it is.

    :returns: the deposit, or None when the reference has none.
    :raises InvalidInput: bad reference.
    :raises DepositNotHeld: if the deposit was captured.
    :raises GatewayUnavailable: if the gateway did not void; nothing changes.
    """
    books.reference_check(reference)
    deposit = _live_deposit(reference, lock=True)
    if deposit is None:
        return None
    if deposit.status in (Deposit.Status.VOIDED, Deposit.Status.EXPIRED):
        return deposit
    if deposit.status == Deposit.Status.CAPTURED:
        raise DepositNotHeld(
            "The deposit was captured; there is nothing left to give back.",
            status=deposit.status,
        )
    return _deposit_void(deposit, now=now)


def _host_deposit_locked(deposit: Deposit, host) -> Deposit:
    host_required(community=deposit.community, member=host)
    locked = (
        Deposit.objects.select_for_update()
        .select_related("customer", "provider", "community")
        .get(pk=deposit.pk)
    )
    if locked.gateway != "manual":
        raise InvalidInput(
            "Only a cash (manual) deposit is recorded by a host.",
            field="deposit",
            code="not_a_manual_deposit",
        )
    return locked


@transaction.atomic
def manual_deposit_confirm(*, deposit: Deposit, host, now: dt.datetime) -> Deposit:
    """Record that the customer handed a cash deposit to the host; hold it.

    Posts manual gateway clearing → the reference's ``deposit_held``. A cash
    deposit does not lapse.

    :raises NotPermitted: if ``host`` is not an active host of the community.
    :raises InvalidInput: ``not_a_manual_deposit``.
    :raises DepositNotPending: if it is not pending (confirmed, voided).
    """
    deposit = _host_deposit_locked(deposit, host)
    moved = Deposit.objects.filter(pk=deposit.pk, status=Deposit.Status.PENDING).update(
        status=Deposit.Status.HELD, held_at=now, confirmed_by=host
    )
    if moved != 1:
        raise DepositNotPending("This deposit is not waiting for confirmation.")
    _deposit_hold_post(deposit, now=now)
    deposit.refresh_from_db()
    return deposit


@transaction.atomic
def manual_deposit_return(*, deposit: Deposit, host, now: dt.datetime) -> Deposit:
    """Record that the host gave a held cash deposit back to the customer.

    :raises NotPermitted: if ``host`` is not an active host of the community.
    :raises InvalidInput: ``not_a_manual_deposit``.
    :raises DepositNotHeld: if the deposit is not held.
    """
    deposit = _host_deposit_locked(deposit, host)
    if deposit.status != Deposit.Status.HELD:
        raise DepositNotHeld(
            f"The deposit is {deposit.status}; only a held deposit can be returned.",
            status=deposit.status,
        )
    return _deposit_void(deposit, now=now)


def _deposit_due(now: dt.datetime) -> Deposit | None:
    rows = Deposit.objects.filter(
        status=Deposit.Status.HELD, expires_at__lte=now
    ).order_by("expires_at", "pk")
    if connection.features.has_select_for_update_skip_locked:
        # Several workers: each takes a deposit nobody else is settling.
        rows = rows.select_for_update(skip_locked=True)
    return rows.select_related("customer", "provider", "community").first()


def deposits_expire(*, now: dt.datetime, limit: int = 100) -> int:
    """Record up to ``limit`` card authorisations lapsed by ``now``; return how many.

    Each, in its own transaction, is marked ``expired`` and its hold posted back
    (deposit held → gateway clearing); the gateway is told to void it, in case
    its clock is behind selfwork's (an answer that it lapsed already is fine).
    Run by the worker beside timers and the outbox.
    """
    expired = 0
    for _ in range(limit):
        with transaction.atomic():
            deposit = _deposit_due(now)
            if deposit is None:
                break
            moved = Deposit.objects.filter(
                pk=deposit.pk, status=Deposit.Status.HELD
            ).update(status=Deposit.Status.EXPIRED, settled_at=now)
            if moved != 1:
                continue
            _deposit_settle_post(
                deposit, kind="deposit_expire", captured_minor=0, now=now
            )
            gateway_get(deposit.gateway).void(
                ref=deposit.gateway_ref,
                idempotency_key=f"{deposit.idempotency_key}:expire",
            )
            expired += 1
    return expired
