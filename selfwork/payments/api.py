"""API: the member's wallet — balances, entries, payout destinations, payouts."""

import uuid
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from selfwork.communities.timebank import HoursBalance, hours_balances_of
from selfwork.core.api import (
    PROBLEMS,
    BodyIn,
    Cursor,
    Instant,
    MoneyOut,
    PublicId,
    QueryIn,
    caller,
    documented,
    member_auth,
    now,
)
from selfwork.core.errors import InvalidInput
from selfwork.core.money import HOUR, Money
from selfwork.core.openapi import plain, ref
from selfwork.core.pagination import cursor_decode, cursor_encode, offset_page
from selfwork.core.parse import money_parse
from selfwork.ledger.models import Leg
from selfwork.payments import selectors, services
from selfwork.payments.models import Payout, PayoutDestination

router = Router(tags=["wallet"], auth=member_auth)


class BalanceOut(Schema):
    currency: str
    community: str | None = Field(
        None,
        description="For HOUR: the community whose time bank holds these hours "
        "(hours of one community are not hours of another).",
    )
    available: str = Field(description="In the wallet: can be paid out now.")
    escrow: str = Field(
        description="Paid by customers for your work, held until they accept."
    )
    escrow_paid: str = Field(
        description="Paid by you for others' work, held until you accept."
    )
    paid_out: str = Field(description="Paid out to your destinations so far.")
    deposits_held: str = Field(
        description="Held on your card (or in cash) as deposits of your rentals: "
        "not taken, given back when the rental ends without a claim."
    )
    refunded: str = Field(
        "0",
        description="Given back to your card from escrow you paid (a cancellation, "
        "a dispute decided your way), so far.",
    )


class WalletOut(Schema):
    balances: list[BalanceOut]
    auto_payout: bool


class EntryOut(Schema):
    id: PublicId
    posted_at: Instant
    kind: str
    memo: str
    reference: str
    amount: MoneyOut


class EntryPage(Schema):
    items: list[EntryOut]
    next: str | None


class DestinationOut(Schema):
    id: PublicId
    kind: str
    label: str
    masked: str
    created_at: Instant


class DestinationPage(Schema):
    items: list[DestinationOut]
    next: str | None


# What payments.gateways.account_number_clean takes.
ACCOUNT_NUMBER = "^[ -]*(?:[A-Za-z0-9][ -]*){8,34}$"


class DestinationIn(BodyIn):
    label: str = Field(
        max_length=200, json_schema_extra=documented(**plain(max_length=80))
    )
    account_number: str = Field(
        max_length=60,
        description="8 to 34 letters and digits, like an IBAN; spaces and '-' "
        "between them are dropped.",
        json_schema_extra=documented(pattern=ACCOUNT_NUMBER),
    )
    kind: str = Field(
        PayoutDestination.Kind.SANDBOX_BANK,
        max_length=30,
        json_schema_extra=documented(enum=list(PayoutDestination.Kind.values)),
    )


def _positive_money(schema: dict[str, Any]) -> None:
    # The document's PositiveMoney says what money_parse and the payout take.
    schema.clear()
    schema.update(ref("PositiveMoney"))


class MoneyIn(BodyIn):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_positive_money)

    amount: str = Field(max_length=40, description='A decimal string, e.g. "12.50".')
    currency: str = Field(max_length=10, description="ISO 4217, upper case.")


class PayoutIn(BodyIn):
    amount: MoneyIn
    destination: uuid.UUID | None = Field(
        None, description="A destination id; your newest one if left out."
    )


class PayoutOut(Schema):
    id: PublicId
    amount: MoneyOut
    status: str
    failure_code: str
    destination: PublicId
    automatic: bool
    created_at: Instant
    paid_at: Instant | None


class PayoutPage(Schema):
    items: list[PayoutOut]
    next: str | None


class PreferencesIn(BodyIn):
    auto_payout: bool


class PreferencesOut(Schema):
    auto_payout: bool


class PageQuery(QueryIn):
    cursor: Cursor = None
    limit: int = Field(25, ge=1, le=100)


def _money_parse(money: MoneyIn) -> Money:
    return money_parse(
        {"amount": money.amount, "currency": money.currency}, field="amount"
    )


def _balance_out(balance: selectors.WalletBalance) -> dict:
    return {
        "currency": balance.currency,
        "available": balance.available.amount,
        "escrow": balance.escrow.amount,
        "escrow_paid": balance.escrow_paid.amount,
        "paid_out": balance.paid_out.amount,
        "deposits_held": balance.deposits_held.amount,
        "refunded": balance.refunded.amount,
    }


def _hours_out(balance: HoursBalance) -> dict:
    zero = Money.zero(HOUR).amount
    return {
        "currency": HOUR,
        "community": balance.community.slug,
        "available": balance.available.amount,
        "escrow": zero,
        "escrow_paid": zero,
        "paid_out": zero,
        "deposits_held": zero,
        "refunded": zero,
    }


def _entry_out(leg: Leg) -> dict:
    txn = leg.transaction
    # Only posted legs are listed, and a posted transaction has its time (a CHECK
    # constraint, ledger_transaction_posted_is_sealed).
    assert txn.posted_at is not None
    return {
        "id": str(txn.public_id),
        "posted_at": txn.posted_at.isoformat(),
        "kind": txn.kind,
        "memo": txn.memo,
        "reference": txn.reference,
        "amount": Money(leg.amount_minor, leg.unit).as_dict(),
    }


def _destination_out(destination: PayoutDestination) -> dict:
    return {
        "id": str(destination.public_id),
        "kind": destination.kind,
        "label": destination.label,
        "masked": destination.masked,
        "created_at": destination.created_at.isoformat(),
    }


def payout_out(payout: Payout) -> dict:
    return {
        "id": str(payout.public_id),
        "amount": Money(payout.amount_minor, payout.currency).as_dict(),
        "status": payout.status,
        "failure_code": payout.failure_code,
        "destination": str(payout.destination.public_id),
        "automatic": payout.release_id is not None,
        "created_at": payout.created_at.isoformat(),
        "paid_at": payout.paid_at.isoformat() if payout.paid_at else None,
    }


@router.get("", response={200: WalletOut, **PROBLEMS})
def wallet_read(request: HttpRequest):
    """Your balances per currency: available, in escrow, paid out, deposits held.

    Hours follow the money, one item per community whose time bank you belong
    to (``"currency": "HOUR"`` with its ``community``); they may be negative,
    down to that community's floor.
    """
    member = caller(request)
    return {
        "balances": [_balance_out(b) for b in selectors.wallet_balances(member=member)]
        + [_hours_out(h) for h in hours_balances_of(member=member)],
        "auto_payout": selectors.payout_preference(member=member),
    }


@router.get("/entries", response={200: EntryPage, **PROBLEMS})
def wallet_entries(request: HttpRequest, page: Query[PageQuery]):
    """Your wallet's entries, newest first; ``reference`` names the exchange."""
    before = cursor_decode(page.cursor).get("b")
    if before is not None and (
        isinstance(before, bool) or not isinstance(before, int) or before < 1
    ):
        raise InvalidInput(
            gettext("The cursor is not one this server gave out."),
            field="cursor",
            code="invalid_cursor",
        )
    legs = list(
        selectors.wallet_entries(member=caller(request), before_id=before)[
            : page.limit + 1
        ]
    )
    more = len(legs) > page.limit
    legs = legs[: page.limit]
    return {
        "items": [_entry_out(leg) for leg in legs],
        "next": cursor_encode({"b": legs[-1].pk}) if more else None,
    }


@router.get("/destinations", response={200: DestinationPage, **PROBLEMS})
def destinations_list(request: HttpRequest, page: Query[PageQuery]):
    """Your payout destinations, newest (the default) first."""
    rows, cursor = offset_page(
        selectors.payout_destinations(member=caller(request)),
        cursor=page.cursor,
        limit=page.limit,
    )
    return {"items": [_destination_out(d) for d in rows], "next": cursor}


@router.post("/destinations", response={201: DestinationOut, **PROBLEMS})
def destination_add(request: HttpRequest, payload: DestinationIn):
    """Add a bank account to be paid out to; only its last four digits are kept."""
    destination = services.payout_destination_add(
        member=caller(request),
        label=payload.label,
        account_number=payload.account_number,
        kind=payload.kind,
        now=now(),
    )
    return Status(201, _destination_out(destination))


@router.post("/payouts", response={201: PayoutOut, **PROBLEMS})
def payout_create(request: HttpRequest, payload: PayoutIn):
    """Pay money out of your wallet now (the sandbox pays at once: ``paid``)."""
    member = caller(request)
    amount = _money_parse(payload.amount)
    destination = (
        selectors.payout_destination_get(member=member, public_id=payload.destination)
        if payload.destination is not None
        else None
    )
    payout = services.payout_create(
        member=member, amount=amount, destination=destination, now=now()
    )
    return Status(201, payout_out(payout))


@router.get("/payouts", response={200: PayoutPage, **PROBLEMS})
def payouts_list(request: HttpRequest, page: Query[PageQuery]):
    """Your payouts, newest first."""
    rows, cursor = offset_page(
        selectors.payouts_list(member=caller(request)),
        cursor=page.cursor,
        limit=page.limit,
    )
    return {"items": [payout_out(p) for p in rows], "next": cursor}


@router.get("/preferences", response={200: PreferencesOut, **PROBLEMS})
def payout_preferences_get(request: HttpRequest):
    """Whether every release is paid out to you automatically."""
    return {"auto_payout": selectors.payout_preference(member=caller(request))}


@router.patch("/preferences", response={200: PreferencesOut, **PROBLEMS})
def payout_preferences_update(request: HttpRequest, payload: PreferencesIn):
    """Turn automatic payouts on or off (on needs a payout destination)."""
    preference = services.payout_preference_set(
        member=caller(request), auto_payout=payload.auto_payout, now=now()
    )
    return {"auto_payout": preference.auto_payout}


class ManualChargeOut(Schema):
    id: PublicId
    reference: str
    community: str
    customer: str
    amount: MoneyOut
    status: str
    created_at: Instant


class ManualChargePage(Schema):
    items: list[ManualChargeOut]
    next: str | None


def _manual_charge_out(charge) -> dict:
    return {
        "id": str(charge.public_id),
        "reference": charge.reference,
        "community": charge.community.slug,
        "customer": charge.customer.username,
        "amount": Money(charge.amount_minor, charge.currency).as_dict(),
        "status": charge.status,
        "created_at": charge.created_at.isoformat(),
    }


@router.get("/manual-payments", response={200: ManualChargePage, **PROBLEMS})
def manual_payments_pending(request: HttpRequest, page: Query[PageQuery]):
    """Cash or transfer payments waiting for you to confirm, as a community's host."""
    rows, cursor = offset_page(
        selectors.charges_pending_for_host(member=caller(request)),
        cursor=page.cursor,
        limit=page.limit,
    )
    return {"items": [_manual_charge_out(c) for c in rows], "next": cursor}


@router.post(
    "/manual-payments/{charge_id}/confirm", response={200: ManualChargeOut, **PROBLEMS}
)
def manual_payment_confirm(request: HttpRequest, charge_id: PublicId):
    """Record that the money arrived (hosts only); it moves into escrow."""
    member = caller(request)
    charge = selectors.charge_get_for_host(public_id=charge_id, member=member)
    charge = services.manual_charge_confirm(charge=charge, host=member, now=now())
    return _manual_charge_out(charge)


@router.post(
    "/manual-payments/{charge_id}/cancel", response={200: ManualChargeOut, **PROBLEMS}
)
def manual_payment_cancel(request: HttpRequest, charge_id: PublicId):
    """Record that the money never arrived (hosts only); nothing is posted."""
    member = caller(request)
    charge = selectors.charge_get_for_host(public_id=charge_id, member=member)
    charge = services.manual_charge_cancel(charge=charge, host=member, now=now())
    return _manual_charge_out(charge)


class ManualDepositOut(Schema):
    id: PublicId
    reference: str
    community: str
    customer: str
    provider: str
    amount: MoneyOut
    status: str
    created_at: Instant


class ManualDepositPage(Schema):
    items: list[ManualDepositOut]
    next: str | None


def _manual_deposit_out(deposit) -> dict:
    return {
        "id": str(deposit.public_id),
        "reference": deposit.reference,
        "community": deposit.community.slug,
        "customer": deposit.customer.username,
        "provider": deposit.provider.username,
        "amount": Money(deposit.amount_minor, deposit.currency).as_dict(),
        "status": deposit.status,
        "created_at": deposit.created_at.isoformat(),
    }


@router.get("/manual-deposits", response={200: ManualDepositPage, **PROBLEMS})
def manual_deposits_list(request: HttpRequest, page: Query[PageQuery]):
    """Cash deposits of communities you host: to confirm (pending) or return (held)."""
    rows, cursor = offset_page(
        selectors.deposits_for_host(member=caller(request)),
        cursor=page.cursor,
        limit=page.limit,
    )
    return {"items": [_manual_deposit_out(d) for d in rows], "next": cursor}


@router.post(
    "/manual-deposits/{deposit_id}/confirm",
    response={200: ManualDepositOut, **PROBLEMS},
)
def manual_deposit_confirm(request: HttpRequest, deposit_id: PublicId):
    """Record that the customer handed you the cash deposit (hosts only); it is held."""
    member = caller(request)
    deposit = selectors.deposit_get_for_host(public_id=deposit_id, member=member)
    deposit = services.manual_deposit_confirm(deposit=deposit, host=member, now=now())
    return _manual_deposit_out(deposit)


@router.post(
    "/manual-deposits/{deposit_id}/return",
    response={200: ManualDepositOut, **PROBLEMS},
)
def manual_deposit_return(request: HttpRequest, deposit_id: PublicId):
    """Record that you gave the cash deposit back to the customer (hosts only)."""
    member = caller(request)
    deposit = selectors.deposit_get_for_host(public_id=deposit_id, member=member)
    deposit = services.manual_deposit_return(deposit=deposit, host=member, now=now())
    return _manual_deposit_out(deposit)
