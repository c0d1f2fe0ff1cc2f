"""Racing posts, each thread on its own database connection, on both engines.

These tests commit (``transaction=True``), so the database serialises real
transactions: PostgreSQL with row locks, SQLite with IMMEDIATE transactions.
"""

import threading
import time
from collections import Counter

import pytest
from django.db import connections

from selfwork.core.errors import SelfworkError
from selfwork.core.testing import race as _race
from selfwork.ledger.audit import ledger_audit
from selfwork.ledger.models import Account, Transaction
from selfwork.ledger.services import transaction_post

pytestmark = pytest.mark.django_db(transaction=True)


def _outcome_of(exc):
    if isinstance(exc, SelfworkError):
        return (exc.code, None)
    return (repr(exc), None)


def race(count, work):
    """Run ``work(i)`` in ``count`` threads released at once; return each outcome.

    An outcome is "ok", the error code of an anticipated failure, or the repr of
    anything else (which fails the tests below).
    """
    return _race(count, lambda i: ("ok", work(i)), on_error=_outcome_of)


class Watcher:
    """Reads a balance over and over from its own connection while a race runs."""

    def __init__(self, account):
        self.account = account
        self.seen = []
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.watch)

    def watch(self):
        try:
            while not self.done.is_set():
                self.seen.append(
                    Account.objects.values_list("balance_minor", flat=True).get(
                        pk=self.account.pk
                    )
                )
                time.sleep(0.002)
        finally:
            connections.close_all()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.done.set()
        self.thread.join()


def test_200_concurrent_debits_of_one_euro_from_100_euros_exactly_100_succeed(
    open_account, fund, now
):
    wallet = open_account("member_wallet", "EUR", owner_ref="member:priya")
    bank = open_account("payout_clearing", "EUR", owner_ref="gateway:sandbox")
    fund(wallet, 10_000)

    def pay_out(i):
        return transaction_post(
            kind="payout",
            legs=[(wallet, -100), (bank, 100)],
            idempotency_key=f"payout-{i}",
            now=now,
        )

    with Watcher(wallet) as watcher:
        outcomes = race(200, pay_out)

    assert Counter(code for code, _ in outcomes) == {
        "ok": 100,
        "insufficient_funds": 100,
    }
    wallet.refresh_from_db()
    assert wallet.balance_minor == 0
    assert watcher.seen and min(watcher.seen) >= 0
    assert Transaction.objects.filter(kind="payout").count() == 100
    assert ledger_audit().ok


def test_a_key_raced_by_many_requests_has_exactly_one_effect(open_account, fund, now):
    wallet = open_account("member_wallet", "EUR")
    bank = open_account("payout_clearing", "EUR", owner_ref="gateway:sandbox")
    fund(wallet, 10_000)

    outcomes = race(
        20,
        lambda i: (
            transaction_post(
                kind="payout",
                legs=[(wallet, -2_500), (bank, 2_500)],
                idempotency_key="payout:request-7",
                now=now,
            ).public_id
        ),
    )

    assert {code for code, _ in outcomes} == {"ok"}
    assert len({public_id for _, public_id in outcomes}) == 1
    wallet.refresh_from_db()
    assert wallet.balance_minor == 7_500


def test_transfers_racing_in_opposite_directions_never_deadlock(
    open_account, fund, now
):
    priya = open_account("member_wallet", "EUR")
    bruno = open_account("member_wallet", "EUR")
    fund(priya, 10_000)
    fund(bruno, 10_000)

    def transfer(i):
        giver, taker = (priya, bruno) if i % 2 else (bruno, priya)
        return transaction_post(
            kind="transfer",
            legs=[(giver, -100), (taker, 100)],
            idempotency_key=f"transfer-{i}",
            now=now,
        )

    outcomes = race(100, transfer)

    assert Counter(code for code, _ in outcomes) == {"ok": 100}
    priya.refresh_from_db()
    bruno.refresh_from_db()
    assert (priya.balance_minor, bruno.balance_minor) == (10_000, 10_000)
    assert ledger_audit().ok
