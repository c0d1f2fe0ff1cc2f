"""Deposits: card authorisations held for the length of a rental."""

import datetime as dt

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext

from selfwork.communities.models import Community
from selfwork.communities.selectors import host_required
from selfwork.core.errors import Conflict, InvalidInput
from selfwork.core.money import Money
from selfwork.ledger.models import Account, Transaction
from selfwork.ledger.services import transaction_post
from selfwork.payments import books
from selfwork.payments.errors import (
    CaptureExceedsDeposit,
    DepositExpired,
    DepositNotHeld,
    DepositNotPending,
    PaymentDeclined,
)
from selfwork.payments.gateways import authorisation_days, gateway_get
from selfwork.payments.models import Deposit, GatewayCall
from selfwork.payments.selectors import community_gateway
from selfwork.payments.services.calls import call_queue, calls_after_commit
from selfwork.payments.services.common import (
    DECLINE_DETAIL,
    _amount_check,
    _currency_mismatch,
    _member_check,
)

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
    rows = Deposit.objects.filter(
        reference=reference, abandoned_at__isnull=True
    ).exclude(status=Deposit.Status.FAILED)
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
            gettext(
                "This reference already has a deposit, for another amount or party."
            ),
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
    claim: bool = True,
) -> Deposit:
    """Hold ``amount`` on ``customer``'s card as the deposit of ``reference``.

    The community's gateway is asked to authorise (not charge) the card; when it
    does, the amount is posted gateway clearing → the reference's
    ``deposit_held`` account, and the deposit is ``held`` until it is voided,
    captured for ``provider`` or lapses (``expires_at``, after
    ``SELFWORK_DEPOSIT_AUTHORISATION_DAYS``). A manual gateway's deposit (cash
    handed to the host) stays ``pending`` until the host confirms it
    (``manual_deposit_confirm``); it does not lapse.

    As for charges, the attempt is recorded and committed, the gateway asked
    with no lock held, and its answer applied with a compare-and-set; ``claim``
    False leaves it for the rental to take (``deposit_claim``), and one never
    taken is voided (``deposit_abandon``); ``recorded_here`` as for charges.
    Calling again after a success returns the same deposit; after a decline it
    is a new attempt with its own key. A declined attempt is kept (``failed``).

    :raises InvalidInput: bad reference or amount; ``invalid_card``;
        ``self_payment``.
    :raises Conflict: ``deposit_exists`` if the reference holds another deposit.
    :raises PaymentDeclined: (402) ``card_declined``, ``insufficient_funds`` or
        ``processing_error``; nothing is posted.
    """
    deposit = _deposit_record(
        reference=reference,
        customer=customer,
        provider=provider,
        community=community,
        amount=amount,
        now=now,
        card=card,
    )
    if deposit.status == Deposit.Status.PENDING and not deposit.gateway_ref:
        result = gateway_get(deposit.gateway).authorise(
            card=card,
            amount=Money(deposit.amount_minor, deposit.currency),
            idempotency_key=deposit.idempotency_key,
        )
        deposit = _deposit_apply(
            deposit,
            status=result.status,
            ref=result.ref,
            failure_code=result.failure_code,
            now=now,
        )
    if deposit.status == Deposit.Status.FAILED:
        raise PaymentDeclined.because(
            deposit.failure_code,
            DECLINE_DETAIL.get(deposit.failure_code, "The authorisation failed."),
            deposit=str(deposit.public_id),
        )
    if claim:
        deposit = deposit_claim(deposit=deposit, now=now)
    return deposit


@transaction.atomic
def _deposit_record(
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
            gettext("A member cannot hold a deposit for themselves."),
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

    deposit.recorded_here = True
    return deposit


@transaction.atomic
def _deposit_apply(
    deposit: Deposit, *, status: str, ref: str, failure_code: str, now: dt.datetime
) -> Deposit:
    """Apply the gateway's answer (``authorised``, ``pending``, ``failed``) once."""
    waiting = Deposit.objects.filter(
        pk=deposit.pk, status=Deposit.Status.PENDING, gateway_ref=""
    )
    if status == "failed":
        waiting.update(
            status=Deposit.Status.FAILED,
            failure_code=failure_code or "failed",
            gateway_ref=ref,
        )
    elif status == "pending":
        waiting.update(gateway_ref=ref)
    # selfwork lapses the deposit by its own clock (the ``now`` every service is
    # told), not by the processor's ``expires_at``: a test or a replayed worker
    # runs on a clock of its own, and both clocks count the same number of days
    # from the same moment in production.
    elif waiting.update(
        status=Deposit.Status.HELD,
        gateway_ref=ref,
        held_at=now,
        expires_at=now + dt.timedelta(days=authorisation_days()),
    ):
        _deposit_hold_post(deposit, now=now)
    deposit.refresh_from_db()
    return deposit


def deposit_claim(*, deposit: Deposit, now: dt.datetime) -> Deposit:
    """Record that the rental ``deposit`` secures took it; idempotent.

    :raises Conflict: ``payment_abandoned`` if it was voided meanwhile.
    """
    claimed = (
        Deposit.objects.filter(
            pk=deposit.pk, claimed_at__isnull=True, abandoned_at__isnull=True
        )
        .exclude(status=Deposit.Status.FAILED)
        .update(claimed_at=now)
    )
    deposit.refresh_from_db()
    if not claimed and deposit.claimed_at is None:
        raise Conflict(
            gettext("This deposit was given back before it was taken; pay again."),
            code="payment_abandoned",
        )
    return deposit


def deposit_abandon(*, deposit: Deposit, now: dt.datetime) -> Deposit:
    """Void a deposit nothing took; one whose gateway answer is unknown waits.

    Idempotent; a claimed deposit is left as it is.
    """
    with calls_after_commit():
        deposit = _deposit_abandon(deposit=deposit, now=now)
    return deposit


@transaction.atomic
def _deposit_abandon(*, deposit: Deposit, now: dt.datetime) -> Deposit:
    deposit = (
        Deposit.objects.select_for_update()
        .select_related("customer", "provider", "community")
        .get(pk=deposit.pk)
    )
    if deposit.claimed_at is not None or deposit.abandoned_at is not None:
        return deposit
    if deposit.status not in (Deposit.Status.PENDING, Deposit.Status.HELD):
        return deposit
    if deposit.status == Deposit.Status.PENDING and (
        deposit.gateway != "manual" and not deposit.gateway_ref
    ):
        return deposit  # the gateway's answer is not known yet
    Deposit.objects.filter(pk=deposit.pk).update(abandoned_at=now)
    return _deposit_void(deposit, now=now)


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
        memo=f"Deposit held on the customer's card for {deposit.reference}",
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
            f"Deposit claim: {Money(captured_minor, unit)} to the provider, "
            f"{Money(voided, unit)} given back"
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
    """
    with calls_after_commit():
        deposit = _deposit_capture(reference=reference, amount=amount, now=now)
    return deposit


@transaction.atomic
def _deposit_capture(*, reference: str, amount: Money, now: dt.datetime) -> Deposit:
    books.reference_check(reference)
    amount = _amount_check(amount)
    deposit = _live_deposit(reference, lock=True)
    if deposit is None:
        raise DepositNotHeld(gettext("No deposit is held for this reference."))
    if amount.unit != deposit.currency:
        raise _currency_mismatch(deposit.currency, amount.unit, field="amount.currency")
    if (
        deposit.status == Deposit.Status.CAPTURED
        and deposit.captured_minor == amount.minor
    ):
        return deposit
    if deposit.status != Deposit.Status.HELD:
        raise DepositNotHeld(
            gettext("The deposit is %(status)s; only a held deposit can be captured.")
            % {"status": deposit.status},
            status=deposit.status,
        )
    held = Money(deposit.amount_minor, deposit.currency)
    if amount.minor > held.minor:
        raise CaptureExceedsDeposit(
            gettext("The deposit holds %(held)s; %(amount)s cannot be captured.")
            % {"held": held, "amount": amount},
            available=held.as_dict(),
            requested=amount.as_dict(),
        )
    if deposit.expires_at is not None and now >= deposit.expires_at:
        raise DepositExpired(gettext("The card authorisation has lapsed."))
    moved = Deposit.objects.filter(pk=deposit.pk, status=Deposit.Status.HELD).update(
        status=Deposit.Status.CAPTURED, captured_minor=amount.minor, settled_at=now
    )
    if moved != 1:  # pragma: no cover - the row is locked (or SQLite serialises)
        raise DepositNotHeld(gettext("The deposit changed meanwhile; try again."))
    # No fee on a damage claim: the captured deposit compensates the provider for
    # a loss, it is not a price for their work. The community's fee is a share of
    # the prices it helped agree (already taken on the rent), and a fee here would
    # leave the provider short of the very damage the claim makes good.
    _deposit_settle_post(
        deposit, kind="deposit_capture", captured_minor=amount.minor, now=now
    )
    call_queue(
        operation=GatewayCall.Operation.CAPTURE,
        gateway=deposit.gateway,
        idempotency_key=f"{deposit.idempotency_key}:capture",
        target_ref=deposit.gateway_ref,
        amount=amount,
        now=now,
        deposit=deposit,
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
        raise DepositNotHeld(gettext("The deposit changed meanwhile; try again."))
    if was_held:
        _deposit_settle_post(deposit, kind="deposit_void", captured_minor=0, now=now)
        call_queue(
            operation=GatewayCall.Operation.VOID,
            gateway=deposit.gateway,
            idempotency_key=f"{deposit.idempotency_key}:void",
            target_ref=deposit.gateway_ref,
            amount=Money(deposit.amount_minor, deposit.currency),
            now=now,
            deposit=deposit,
        )
    deposit.refresh_from_db()
    return deposit


def deposit_void(*, reference: str, now: dt.datetime) -> Deposit | None:
    """Give back ``reference``'s deposit: held on a card, or pending in cash.

    A held deposit is posted back (deposit held → gateway clearing) and voided
    at the gateway; a pending one was never posted and is simply voided.
    Idempotent: a deposit already voided or lapsed is returned as it is.

    :returns: the deposit, or None when the reference has none.
    :raises InvalidInput: bad reference.
    :raises DepositNotHeld: if the deposit was captured.
    """
    with calls_after_commit():
        deposit = _deposit_void_reference(reference=reference, now=now)
    return deposit


@transaction.atomic
def _deposit_void_reference(*, reference: str, now: dt.datetime) -> Deposit | None:
    books.reference_check(reference)
    deposit = _live_deposit(reference, lock=True)
    if deposit is None:
        return None
    if deposit.status in (Deposit.Status.VOIDED, Deposit.Status.EXPIRED):
        return deposit
    if deposit.status == Deposit.Status.CAPTURED:
        raise DepositNotHeld(
            gettext("The deposit was captured; there is nothing left to give back."),
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
            gettext("Only a cash (manual) deposit is recorded by a host."),
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
        raise DepositNotPending(
            gettext("This deposit is not waiting for confirmation.")
        )
    _deposit_hold_post(deposit, now=now)
    deposit.refresh_from_db()
    return deposit


def manual_deposit_return(*, deposit: Deposit, host, now: dt.datetime) -> Deposit:
    """Record that the host gave a held cash deposit back to the customer.

    :raises NotPermitted: if ``host`` is not an active host of the community.
    :raises InvalidInput: ``not_a_manual_deposit``.
    :raises DepositNotHeld: if the deposit is not held.
    """
    with calls_after_commit():
        deposit = _manual_deposit_return(deposit=deposit, host=host, now=now)
    return deposit


@transaction.atomic
def _manual_deposit_return(*, deposit: Deposit, host, now: dt.datetime) -> Deposit:
    deposit = _host_deposit_locked(deposit, host)
    if deposit.status != Deposit.Status.HELD:
        raise DepositNotHeld(
            gettext("The deposit is %(status)s; only a held deposit can be returned.")
            % {"status": deposit.status},
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
        with calls_after_commit(), transaction.atomic():
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
            call_queue(
                operation=GatewayCall.Operation.VOID,
                gateway=deposit.gateway,
                idempotency_key=f"{deposit.idempotency_key}:expire",
                target_ref=deposit.gateway_ref,
                amount=Money(deposit.amount_minor, deposit.currency),
                now=now,
                deposit=deposit,
            )
            expired += 1
    return expired
