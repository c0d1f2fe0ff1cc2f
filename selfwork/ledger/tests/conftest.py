"""Ledger fixtures: accounts opened through the service, and a way to fund them."""

import datetime as dt
import itertools
import uuid

import pytest

from selfwork.ledger.models import UNBOUNDED_KINDS
from selfwork.ledger.services import account_get_or_create, transaction_post

_keys = itertools.count(1)


@pytest.fixture
def open_account(db, now):
    """``open_account(kind, unit, owner_ref=None, floor_minor=0)`` opens an account."""

    def make(kind="member_wallet", unit="EUR", owner_ref=None, **options):
        if kind in UNBOUNDED_KINDS:
            options.setdefault("floor_minor", None)
        return account_get_or_create(
            kind=kind,
            owner_ref=owner_ref or f"member:{uuid.uuid4()}",
            unit=unit,
            now=now,
            **options,
        )

    return make


@pytest.fixture
def key():
    """A fresh idempotency key each call."""
    return lambda: f"test-{next(_keys)}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def gateway(open_account):
    """The sandbox gateway's clearing account per unit, where money comes in."""
    return lambda unit="EUR": open_account(
        "gateway_clearing", unit, owner_ref="gateway:sandbox"
    )


@pytest.fixture
def fund(gateway, key, now):
    """``fund(account, minor)`` brings ``minor`` in from the gateway."""

    def pay_in(account, minor, *, at=None):
        return transaction_post(
            kind="charge",
            legs=[(gateway(account.unit), -minor), (account, minor)],
            idempotency_key=key(),
            now=at or now,
        )

    return pay_in


@pytest.fixture
def later(now):
    return lambda minutes: now + dt.timedelta(minutes=minutes)


@pytest.fixture
def realistic_ledger(open_account, gateway, key, now):
    """A small market's month: paid commissions in EUR, JPY and BHD, a deposit,
    a partial refund, a payout, a reversal and time credits with a negative floor.

    Returns the accounts by nickname.
    """
    priya, bruno, hana = (f"member:{uuid.UUID(int=n)}" for n in (1, 2, 3))
    guild = f"community:{uuid.UUID(int=10)}"
    accounts = {
        "priya_eur": open_account("member_wallet", "EUR", owner_ref=priya),
        "priya_jpy": open_account("member_wallet", "JPY", owner_ref=priya),
        "hana_bhd": open_account("member_wallet", "BHD", owner_ref=hana),
        "priya_hours": open_account(
            "member_hours", "HOUR", owner_ref=priya, floor_minor=-1000
        ),
        "bruno_hours": open_account(
            "member_hours", "HOUR", owner_ref=bruno, floor_minor=-1000
        ),
        "hana_hours": open_account(
            "member_hours", "HOUR", owner_ref=hana, floor_minor=-1000
        ),
        "escrow_eur": open_account(
            "escrow", "EUR", owner_ref=f"exchange:{uuid.UUID(int=100)}"
        ),
        "escrow_jpy": open_account(
            "escrow", "JPY", owner_ref=f"exchange:{uuid.UUID(int=101)}"
        ),
        "deposit_bhd": open_account(
            "deposit_held", "BHD", owner_ref=f"exchange:{uuid.UUID(int=102)}"
        ),
        "fees_eur": open_account("platform_fees", "EUR", owner_ref="platform"),
        "fees_jpy": open_account("platform_fees", "JPY", owner_ref="platform"),
        "treasury_eur": open_account("community_treasury", "EUR", owner_ref=guild),
        "payout_eur": open_account(
            "payout_clearing", "EUR", owner_ref="gateway:sandbox"
        ),
        "issuance": open_account("hours_issuance", "HOUR", owner_ref=guild),
        "gateway_eur": gateway("EUR"),
        "gateway_jpy": gateway("JPY"),
        "gateway_bhd": gateway("BHD"),
    }
    a = accounts
    day = dt.timedelta(days=1)
    moves = [
        (
            "charge",
            [("gateway_eur", -12_000), ("escrow_eur", 12_000)],
            'Bruno\'s "dog"; portrait\nwith é',
        ),
        (
            "release",
            [
                ("escrow_eur", -12_000),
                ("priya_eur", 11_400),
                ("fees_eur", 400),
                ("treasury_eur", 200),
            ],
            "Release less 5% fee",
        ),
        ("payout", [("priya_eur", -10_000), ("payout_eur", 10_000)], "Same-day payout"),
        ("charge", [("gateway_jpy", -12_000), ("escrow_jpy", 12_000)], "Logo"),
        (
            "refund",
            [("escrow_jpy", -2_000), ("gateway_jpy", 2_000)],
            "One revision dropped",
        ),
        (
            "release",
            [("escrow_jpy", -10_000), ("priya_jpy", 9_500), ("fees_jpy", 500)],
            "",
        ),
        (
            "deposit",
            [("gateway_bhd", -25_500), ("deposit_bhd", 25_500)],
            "Camera deposit",
        ),
        ("deposit_return", [("deposit_bhd", -20_000), ("gateway_bhd", 20_000)], ""),
        (
            "deposit_claim",
            [("deposit_bhd", -5_500), ("hana_bhd", 5_500)],
            "Scratched lens",
        ),
        ("welcome", [("issuance", -200), ("hana_hours", 200)], "Welcome hours"),
        ("timebank", [("priya_hours", -150), ("bruno_hours", 150)], "Bike repair"),
        (
            "timebank",
            [("bruno_hours", -25), ("hana_hours", 25)],
            "Fifteen minutes of Spanish",
        ),
        ("timebank", [("priya_hours", -850), ("hana_hours", 850)], "Garden day"),
    ]
    posted = []
    for index, (kind, legs, memo) in enumerate(moves):
        posted.append(
            transaction_post(
                kind=kind,
                legs=[(a[name], amount) for name, amount in legs],
                idempotency_key=key(),
                now=now + index * day,
                memo=memo,
                reference=f"exchange:{uuid.UUID(int=100 + index % 3)}",
            )
        )
    from selfwork.ledger.services import transaction_reverse

    transaction_reverse(
        transaction=posted[-2], idempotency_key=key(), now=now + 20 * day, memo="Typo"
    )
    return accounts
