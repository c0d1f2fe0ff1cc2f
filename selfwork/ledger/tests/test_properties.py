"""Random sequences of posts, retries, refusals and reversals keep every invariant.

A model of the balances runs beside the ledger; after every step the stored
balances equal the model and the sums of legs, and the audit passes. A refused
post must leave the ledger exactly as it was.
"""

import datetime as dt
import itertools

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from selfwork.ledger.audit import ledger_audit
from selfwork.ledger.errors import (
    AlreadyReversed,
    IdempotencyKeyReused,
    InsufficientFunds,
    UnbalancedTransaction,
)
from selfwork.ledger.models import Account, Leg, Transaction
from selfwork.ledger.services import (
    account_get_or_create,
    transaction_post,
    transaction_reverse,
)

pytestmark = pytest.mark.slow

START = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)
amounts = st.integers(min_value=-3_000, max_value=3_000).filter(bool)


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        # Each run is a savepoint rolled back in teardown: runs stay independent.
        self.savepoint = transaction.atomic()
        self.savepoint.__enter__()
        self.clock = itertools.count()
        self.keys = itertools.count()
        self.expected: dict[int, int] = {}
        self.accounts: dict[str, list[Account]] = {}
        # (key, legs, the transaction, the one it reverses or None)
        self.posted: list[
            tuple[str, list[tuple[Account, int]], Transaction, Transaction | None]
        ] = []
        self.reversed: set[int] = set()

    def teardown(self):
        transaction.set_rollback(True)
        self.savepoint.__exit__(None, None, None)

    def now(self):
        return START + dt.timedelta(minutes=next(self.clock))

    def key(self):
        return f"property-{next(self.keys)}"

    @initialize()
    def open_accounts(self):
        def account(kind, unit, owner, floor):
            opened = account_get_or_create(
                kind=kind, owner_ref=owner, unit=unit, floor_minor=floor, now=self.now()
            )
            self.expected[opened.pk] = 0
            return opened

        self.accounts = {
            "EUR": [
                account("gateway_clearing", "EUR", "gateway:sandbox", None),
                *(account("member_wallet", "EUR", f"member:{n}", 0) for n in range(3)),
                account("escrow", "EUR", "exchange:1", 0),
            ],
            "HOUR": [
                account("hours_issuance", "HOUR", "community:1", None),
                *(
                    account("member_hours", "HOUR", f"member:{n}", -1_000)
                    for n in range(3)
                ),
            ],
        }

    # --- what the ledger should do --------------------------------------------

    def allowed(self, legs):
        return all(
            account.floor_minor is None
            or self.expected[account.pk] + amount >= account.floor_minor
            for account, amount in legs
        )

    def snapshot(self):
        return (
            Transaction.objects.count(),
            Leg.objects.count(),
            dict(Account.objects.values_list("pk", "balance_minor")),
        )

    def refused(self, error, post):
        before = self.snapshot()
        with pytest.raises(error):
            post()
        assert self.snapshot() == before

    def apply(self, legs):
        for account, amount in legs:
            self.expected[account.pk] += amount

    # --- rules ------------------------------------------------------------------

    @rule(data=st.data(), unit=st.sampled_from(["EUR", "HOUR"]), mixed=st.booleans())
    def post_a_balanced_transfer(self, data, unit, mixed):
        legs = self.balanced_legs(data, unit)
        if mixed:
            other = "HOUR" if unit == "EUR" else "EUR"
            legs += self.balanced_legs(data, other)
        key = self.key()

        def post():
            return transaction_post(
                kind="transfer", legs=legs, idempotency_key=key, now=self.now()
            )

        if self.allowed(legs):
            txn = post()
            self.apply(legs)
            self.posted.append((key, legs, txn, None))
        else:
            self.refused(InsufficientFunds, post)

    def balanced_legs(self, data, unit):
        accounts = data.draw(
            st.lists(
                st.sampled_from(self.accounts[unit]),
                min_size=2,
                max_size=4,
                unique=True,
            )
        )
        head = [data.draw(amounts) for _ in accounts[:-1]]
        last = -sum(head)
        if last == 0:
            head[0] += 1
            last = -1
        return [*zip(accounts, [*head, last], strict=True)]

    @rule(data=st.data())
    def post_unbalanced_legs(self, data):
        accounts = data.draw(
            st.lists(
                st.sampled_from(self.accounts["EUR"]),
                min_size=2,
                max_size=3,
                unique=True,
            )
        )
        legs = [(account, data.draw(amounts)) for account in accounts]
        if sum(amount for _, amount in legs) == 0:
            legs[0] = (legs[0][0], legs[0][1] + 1 or 2)
        self.refused(
            UnbalancedTransaction,
            lambda: transaction_post(
                kind="transfer", legs=legs, idempotency_key=self.key(), now=self.now()
            ),
        )

    @precondition(lambda self: self.posted)
    @rule(data=st.data())
    def retry_a_post(self, data):
        key, legs, txn, original = data.draw(st.sampled_from(self.posted))
        before = self.snapshot()

        if original is None:
            again = transaction_post(
                kind="transfer", legs=legs, idempotency_key=key, now=self.now()
            )
        else:
            again = transaction_reverse(
                transaction=original, idempotency_key=key, now=self.now()
            )

        assert again.pk == txn.pk
        assert self.snapshot() == before

    @precondition(lambda self: self.posted)
    @rule(data=st.data())
    def reuse_a_key_for_other_legs(self, data):
        key, legs, _, _ = data.draw(st.sampled_from(self.posted))
        doubled = [(account, amount * 2) for account, amount in legs]
        self.refused(
            IdempotencyKeyReused,
            lambda: transaction_post(
                kind="transfer", legs=doubled, idempotency_key=key, now=self.now()
            ),
        )

    @precondition(lambda self: self.posted)
    @rule(data=st.data())
    def reverse_a_transaction(self, data):
        _, legs, txn, _ = data.draw(st.sampled_from(self.posted))
        opposite = [(account, -amount) for account, amount in legs]
        key = self.key()

        def reverse():
            return transaction_reverse(
                transaction=txn, idempotency_key=key, now=self.now()
            )

        if txn.pk in self.reversed:
            self.refused(AlreadyReversed, reverse)
        elif not self.allowed(opposite):
            self.refused(InsufficientFunds, reverse)
        else:
            reversal = reverse()
            self.apply(opposite)
            self.reversed.add(txn.pk)
            self.posted.append((key, opposite, reversal, txn))

    # --- after every step -------------------------------------------------------

    @invariant()
    def balances_match_the_model_and_the_legs(self):
        if not self.expected:
            return
        stored = dict(
            Account.objects.filter(pk__in=self.expected).values_list(
                "pk", "balance_minor"
            )
        )
        assert stored == self.expected
        for pk, balance in stored.items():
            legs = Leg.objects.filter(account_id=pk).values_list(
                "amount_minor", flat=True
            )
            assert sum(legs) == balance

    @invariant()
    def the_audit_passes(self):
        report = ledger_audit()
        assert report.ok, report.render()


@pytest.mark.django_db
def test_random_postings_keep_every_invariant():
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=20,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
