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
