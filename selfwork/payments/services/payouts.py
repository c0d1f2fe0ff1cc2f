"""Payouts from a member's wallet to their bank, and where and when they go."""

import datetime as dt
import uuid

from django.db import transaction
from django.utils.translation import gettext

from selfwork.core.errors import InvalidInput, NotFound
from selfwork.core.money import Money
from selfwork.core.text import plain_check
from selfwork.ledger.errors import InsufficientFunds
from selfwork.ledger.models import Account
from selfwork.ledger.services import transaction_post
from selfwork.payments import books
from selfwork.payments.errors import NoPayoutDestination
from selfwork.payments.gateways import SandboxGateway, account_number_clean
from selfwork.payments.models import (
    GatewayCall,
    Payout,
    PayoutDestination,
    PayoutPreference,
    Release,
)
from selfwork.payments.services.calls import call_queue, calls_after_commit
from selfwork.payments.services.common import _amount_check, _member_check

DESTINATION_GATEWAY = {PayoutDestination.Kind.SANDBOX_BANK: "sandbox"}


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
            gettext("The destination kind is sandbox_bank."),
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


def payout_create(
    *,
    member,
    amount: Money,
    now: dt.datetime,
    destination: PayoutDestination | None = None,
) -> Payout:
    """Pay ``amount`` out of ``member``'s wallet to ``destination`` (default: newest).

    Posts wallet → payout clearing and queues the gateway's payout, made once
    the transaction is over (``calls``); the sandbox pays at once (status
    ``paid``). If the gateway refuses, the payout is ``failed`` and the posting
    reversed: the money is back in the wallet.

    :raises InvalidInput: bad amount or currency.
    :raises NoPayoutDestination: if the member has no destination.
    :raises NotFound: if ``destination`` is another member's.
    :raises InsufficientFunds: if the wallet holds less than ``amount``; nothing
        is posted or stored.
    """
    with calls_after_commit():
        payout = _payout_create(
            member=member, amount=amount, now=now, destination=destination
        )
    payout.refresh_from_db()  # the gateway's answer, when it was asked already
    return payout


@transaction.atomic
def _payout_create(
    *,
    member,
    amount: Money,
    now: dt.datetime,
    destination: PayoutDestination | None,
) -> Payout:
    _member_check(member, field="member")
    amount = _amount_check(amount)
    if destination is None:
        destination = _default_destination(member)
        if destination is None:
            raise NoPayoutDestination(
                gettext("Add a payout destination (a bank account) first.")
            )
    elif destination.member_id != member.pk:
        raise NotFound(
            gettext("No such payout destination."), code="destination_not_found"
        )
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
            gettext("The wallet has %(Money)s available; %(amount)s was asked.")
            % {"Money": Money.zero(amount.unit), "amount": amount},
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
    transaction_post(
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
        memo=f"Payout {public_id}",
        reference=f"payout:{public_id}",
    )
    call_queue(
        operation=GatewayCall.Operation.PAYOUT,
        gateway=gateway_name,
        idempotency_key=key,
        target_ref=destination.token,
        amount=amount,
        now=now,
        payout=payout,
    )
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
            gettext("auto_payout is true or false."),
            field="auto_payout",
            code="invalid_input",
        )
    if auto_payout and _default_destination(member) is None:
        raise NoPayoutDestination(
            gettext("Add a payout destination before asking for automatic payouts.")
        )
    preference, _ = PayoutPreference.objects.update_or_create(
        member=member, defaults={"auto_payout": auto_payout, "updated_at": now}
    )
    return preference
