"""Money out of escrow: refunds to the customer, releases to the provider less fees."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Case, F, Sum, Value, When
from django.utils.translation import gettext

from selfwork.communities.models import Community
from selfwork.core.errors import Conflict, InvalidInput
from selfwork.core.money import Money
from selfwork.ledger.errors import IdempotencyKeyReused, InsufficientFunds
from selfwork.ledger.models import Account
from selfwork.ledger.services import transaction_post
from selfwork.payments import books
from selfwork.payments.errors import (
    NothingInEscrow,
    RefundExceedsEscrow,
)
from selfwork.payments.fees import FeeSplit, fee_split, refund_share, share_of
from selfwork.payments.models import Charge, GatewayCall, Refund, Release
from selfwork.payments.services.calls import call_queue, calls_after_commit
from selfwork.payments.services.common import (
    _amount_check,
    _currency_mismatch,
    _key,
    _member_check,
)
from selfwork.payments.services.payouts import (
    _default_destination,
    _payout,
    _wants_auto_payout,
)
from selfwork.payments.services.settings import charge_policy


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
        raise NothingInEscrow(gettext("Nothing is held in escrow for this reference."))
    return account


def _customer_fee_held(reference: str) -> int:
    """The part of ``reference``'s escrow that is customer fee, in minor units.

    Each refund and release takes its share of it in proportion (``share_of``),
    so a refund of 40 % of escrow gives back 40 % of the customer fee too.
    """
    # Three sums in one query, a row each (no row where there is nothing to sum).
    sums = dict(
        _fee_sum(
            Charge.objects.filter(status__in=Charge.CAPTURED), reference, "paid"
        ).union(
            _fee_sum(Refund.objects.all(), reference, "refunded"),
            _fee_sum(Release.objects.all(), reference, "released"),
            all=True,
        )
    )
    return (
        (sums.get("paid") or 0)
        - (sums.get("refunded") or 0)
        - (sums.get("released") or 0)
    )


def _fee_sum(rows, reference: str, source: str):
    return (
        rows.filter(reference=reference)
        .values("reference")
        .annotate(source=Value(source), total=Sum("customer_fee_minor"))
        .values_list("source", "total")
    )


@dataclass(frozen=True)
class EscrowSplit:
    """How settling a reference's escrow would divide it: a refund, then a release."""

    held: Money
    refund: Money
    release: FeeSplit

    @property
    def fees(self) -> Money:
        """The fees taken on release (provider fee and customer fee), all income."""
        return self.release.platform + self.release.treasury


def escrow_split_preview(*, reference: str, refund_percent: int) -> EscrowSplit | None:
    """What refunding ``refund_percent`` of ``reference``'s escrow, then releasing
    the rest, would pay each side now; ``None`` when escrow holds nothing.

    A read: it posts nothing. It takes the same steps as ``escrow_refund`` and
    ``escrow_release`` (``refund_share``, the customer fee taken in proportion,
    ``fee_split`` under the policy the customer paid under), so what a resolver
    is shown is what the settlement pays.
    """
    charges = _captured_charges(reference)
    if not charges:
        return None
    unit = charges[0].currency
    escrow = Account.objects.filter(
        kind=Account.Kind.ESCROW, owner_ref=books.escrow_ref(reference), unit=unit
    ).first()
    held = escrow.balance_minor if escrow is not None else 0
    if held <= 0:
        return None
    customer_fee = _customer_fee_held(reference)
    refund = refund_share(held, refund_percent)
    customer_fee -= share_of(refund, whole_minor=held, of_minor=customer_fee)
    release = fee_split(
        Money(held - refund, unit),
        charge_policy(charges[0]),
        customer_fee_minor=customer_fee,
    )
    return EscrowSplit(
        held=Money(held, unit), refund=Money(refund, unit), release=release
    )


def _refunds_done(ledger_key: str, amount: Money | None) -> list[Refund]:
    done = list(Refund.objects.filter(ledger_key=ledger_key).order_by("pk"))
    if done and amount is not None:
        total = sum(refund.amount_minor for refund in done)
        if amount.minor != total or amount.unit != done[0].currency:
            raise IdempotencyKeyReused(
                gettext("This refund was already made, for another amount."),
                field="part",
            )
    return done


def escrow_refund(
    *,
    reference: str,
    now: dt.datetime,
    amount: Money | None = None,
    part: str = "",
) -> list[Refund]:
    """Give ``amount`` (default: everything still in escrow) back to the customer.

    Posts escrow → gateway clearing and queues the gateway's refunds, oldest
    charge first, made once the transaction is over (``calls``); one ``Refund``
    per charge refunded against. A retry with the
    same reference and part returns the first refunds. For a further refund of
    the same reference, pass a new ``part``.

    :raises InvalidInput: bad reference, part or amount; ``currency_mismatch``.
    :raises NothingInEscrow: if the reference holds nothing.
    :raises RefundExceedsEscrow: for more than escrow still holds.
    :raises IdempotencyKeyReused: if this reference and part refunded another amount.
    """
    with calls_after_commit():
        refunds = _escrow_refund(reference=reference, now=now, amount=amount, part=part)
    for refund in refunds:
        refund.refresh_from_db()  # the gateway's reference, once it answered
    return refunds


@transaction.atomic
def _escrow_refund(
    *, reference: str, now: dt.datetime, amount: Money | None, part: str
) -> list[Refund]:
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
        raise NothingInEscrow(gettext("Nothing was paid for this reference."))
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
        raise NothingInEscrow(gettext("Nothing is left in escrow for this reference."))
    wanted = amount or held
    if wanted.minor > held.minor:
        raise RefundExceedsEscrow(
            gettext("Escrow holds %(held)s; %(wanted)s cannot be refunded.")
            % {"held": held, "wanted": wanted},
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
        raise RefundExceedsEscrow(gettext("The charges cannot cover this refund."))

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
            gettext("Escrow holds less than that refund."), requested=wanted.as_dict()
        ) from exc

    refunds = []
    for charge, take, fee in pieces:
        refunds.append(
            _refund_queue(
                charge,
                amount=Money(take, unit),
                customer_fee_minor=fee,
                ledger_key=ledger_key,
                idempotency_key=f"{ledger_key}:{charge.public_id}",
                now=now,
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


def _refund_queue(
    charge: Charge,
    *,
    amount: Money,
    customer_fee_minor: int,
    ledger_key: str,
    idempotency_key: str,
    now: dt.datetime,
) -> Refund:
    """Record a refund against ``charge`` and queue the gateway's refund of it."""
    refund = Refund.objects.create(
        reference=charge.reference,
        charge=charge,
        amount_minor=amount.minor,
        customer_fee_minor=customer_fee_minor,
        currency=amount.unit,
        ledger_key=ledger_key,
        idempotency_key=idempotency_key,
        created_at=now,
    )
    call_queue(
        operation=GatewayCall.Operation.REFUND,
        gateway=charge.gateway,
        idempotency_key=idempotency_key,
        target_ref=charge.gateway_ref,
        amount=amount,
        now=now,
        refund=refund,
    )
    return refund


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
            gettext("This release was already made, otherwise."), field="part"
        )
    return done


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
    with calls_after_commit():
        return _escrow_release(
            reference=reference,
            provider=provider,
            community=community,
            now=now,
            amount=amount,
            part=part,
        )


@transaction.atomic
def _escrow_release(
    *,
    reference: str,
    provider,
    community: Community,
    now: dt.datetime,
    amount: Money | None,
    part: str,
) -> Release:
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
        raise NothingInEscrow(gettext("Nothing was paid for this reference."))
    unit = charges[0].currency
    if any(charge.community_id != community.pk for charge in charges):
        raise InvalidInput(
            gettext("This reference was paid in another community."),
            field="community",
            code="community_mismatch",
        )
    if any(
        charge.provider_id is not None and charge.provider_id != provider.pk
        for charge in charges
    ):
        raise InvalidInput(
            gettext("This reference was paid for another provider."),
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
        raise NothingInEscrow(gettext("Nothing is left in escrow for this reference."))
    gross = amount or Money(held, unit)
    if gross.minor > held:
        raise Conflict(
            gettext("Escrow holds %(value)s; %(gross)s cannot be released.")
            % {"value": Money(held, unit), "gross": gross},
            code="release_exceeds_escrow",
            available=Money(held, unit).as_dict(),
        )

    policy = charge_policy(charges[0])
    customer_fee = share_of(
        gross.minor, whole_minor=held, of_minor=_customer_fee_held(reference)
    )
    split = fee_split(gross, policy, customer_fee_minor=customer_fee)
    wallet, platform, treasury = books.accounts_open(
        books.wallet_wanted(provider, unit),
        books.platform_fees_wanted(unit),
        books.treasury_wanted(community, unit),
        now=now,
    )
    legs: list[tuple[Account, int]] = [(escrow, -gross.minor)]
    for account, part_amount in (
        (wallet, split.net),
        (platform, split.platform),
        (treasury, split.treasury),
    ):
        if part_amount.minor:
            legs.append((account, part_amount.minor))
    transaction_post(
        kind="release",
        legs=legs,
        idempotency_key=key,
        now=now,
        memo=f"Release to the provider: {split.net} net of a {split.fee} fee"
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
