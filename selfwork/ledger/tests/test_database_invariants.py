"""The database itself refuses what would break the ledger, whoever writes.

Every test here writes raw SQL through ``connection.cursor()``, bypassing the
services, and shows the database refuses it, on SQLite and PostgreSQL alike.
"""

import uuid

import pytest
from django.db import DatabaseError, connection, transaction

from selfwork.ledger.models import Account

pytestmark = pytest.mark.django_db

POSTED_AT = "2026-11-21 09:00:00"


def sql(statement, params=()):
    """Run one statement in its own savepoint, so a refusal leaves the test usable."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else None


def refused(statement, params=(), *, match):
    with pytest.raises(DatabaseError, match=match):
        sql(statement, params)


@pytest.fixture(autouse=True)
def _pending_removed(db):
    """Remove the pending transactions a test leaves, as a rollback would.

    Django's test case checks deferred constraints when a test ends; on
    PostgreSQL that runs the trigger refusing a transaction left pending.
    """
    yield
    sql(
        "DELETE FROM ledger_leg WHERE transaction_id IN"
        " (SELECT id FROM ledger_transaction WHERE state = 'pending')"
    )
    sql("DELETE FROM ledger_transaction WHERE state = 'pending'")


def new_transaction(key=None):
    key = key or uuid.uuid4().hex
    sql(
        "INSERT INTO ledger_transaction"
        " (public_id, kind, memo, idempotency_key, reference, state, checksum)"
        " VALUES (%s, 'manual', '', %s, '', 'pending', '')",
        [uuid.uuid4().hex, key],
    )
    return sql("SELECT id FROM ledger_transaction WHERE idempotency_key = %s", [key])[
        0
    ][0]


def add_leg(txn_id, account, amount, unit=None):
    sql(
        "INSERT INTO ledger_leg (transaction_id, account_id, amount_minor, unit)"
        " VALUES (%s, %s, %s, %s)",
        [txn_id, account.pk, amount, unit or account.unit],
    )


def post(txn_id):
    sql(
        "UPDATE ledger_transaction SET state = 'posted', posted_at = %s,"
        " checksum = 'raw' WHERE id = %s",
        [POSTED_AT, txn_id],
    )


def balance(account):
    return sql("SELECT balance_minor FROM ledger_account WHERE id = %s", [account.pk])[
        0
    ][0]


@pytest.fixture
def wallet(open_account):
    return open_account("member_wallet", "EUR")


@pytest.fixture
def other_wallet(open_account):
    return open_account("member_wallet", "EUR")


@pytest.fixture
def clearing(gateway):
    return gateway("EUR")


@pytest.fixture
def posted(wallet, clearing):
    """A transaction posted by raw SQL: 10.00 EUR from the gateway to ``wallet``."""
    txn_id = new_transaction()
    add_leg(txn_id, clearing, -1000)
    add_leg(txn_id, wallet, 1000)
    post(txn_id)
    return txn_id


class TestEveryPostedTransactionBalances:
    def test_balanced_legs_post_and_the_database_moves_the_balances(
        self, posted, wallet, clearing
    ):
        assert sql("SELECT state FROM ledger_transaction WHERE id = %s", [posted]) == [
            ("posted",)
        ]
        assert balance(wallet) == 1000
        assert balance(clearing) == -1000

    def test_a_transaction_cannot_be_inserted_already_posted(self):
        refused(
            "INSERT INTO ledger_transaction"
            " (public_id, kind, memo, idempotency_key, reference, state, posted_at,"
            " checksum) VALUES (%s, 'manual', '', %s, '', 'posted', %s, 'raw')",
            [uuid.uuid4().hex, uuid.uuid4().hex, POSTED_AT],
            match="inserted pending",
        )

    def test_a_transaction_without_legs_cannot_be_posted(self):
        txn_id = new_transaction()
        with pytest.raises(DatabaseError, match="at least two legs"):
            post(txn_id)

    def test_a_transaction_with_one_leg_cannot_be_posted(self, wallet):
        txn_id = new_transaction()
        add_leg(txn_id, wallet, 1000)
        with pytest.raises(DatabaseError, match="at least two legs"):
            post(txn_id)
        assert balance(wallet) == 0

    def test_an_unbalanced_transaction_cannot_be_posted(self, wallet, clearing):
        txn_id = new_transaction()
        add_leg(txn_id, clearing, -1000)
        add_leg(txn_id, wallet, 999)
        with pytest.raises(DatabaseError, match="sums to zero in every unit"):
            post(txn_id)
        assert balance(wallet) == 0

    def test_legs_summing_to_zero_only_across_units_cannot_be_posted(
        self, wallet, gateway
    ):
        txn_id = new_transaction()
        add_leg(txn_id, gateway("JPY"), -1000)
        add_leg(txn_id, wallet, 1000)
        with pytest.raises(DatabaseError, match="sums to zero in every unit"):
            post(txn_id)

    def test_a_leg_cannot_be_added_to_a_posted_transaction(self, posted, wallet):
        with pytest.raises(DatabaseError, match="only to a pending transaction"):
            add_leg(posted, wallet, 5)

    def test_a_leg_cannot_be_added_to_a_transaction_that_does_not_exist(self, wallet):
        with pytest.raises(DatabaseError):
            add_leg(10**9, wallet, 5)

    @pytest.mark.postgres_only
    def test_on_postgresql_a_transaction_left_pending_is_refused_at_commit(
        self, wallet, clearing
    ):
        if connection.vendor != "postgresql":
            pytest.skip("deferred constraint triggers are PostgreSQL's")
        txn_id = new_transaction()
        add_leg(txn_id, clearing, -1000)
        add_leg(txn_id, wallet, 1000)
        # What COMMIT would do: run the deferred constraint triggers now.
        refused("SET CONSTRAINTS ALL IMMEDIATE", match="left unposted at commit")


class TestLegsAndUnits:
    def test_a_leg_in_another_unit_than_its_account_is_refused(self, wallet):
        txn_id = new_transaction()
        with pytest.raises(DatabaseError, match="unit must equal its account"):
            add_leg(txn_id, wallet, 1000, unit="JPY")

    def test_a_zero_leg_is_refused(self, wallet):
        txn_id = new_transaction()
        with pytest.raises(DatabaseError, match="ledger_leg_amount_not_zero"):
            add_leg(txn_id, wallet, 0)

    def test_an_account_cannot_change_its_unit(self, wallet):
        refused(
            "UPDATE ledger_account SET unit = 'JPY' WHERE id = %s",
            [wallet.pk],
            match="keeps its kind, owner and unit",
        )

    def test_an_account_cannot_change_its_kind(self, wallet):
        refused(
            "UPDATE ledger_account SET kind = 'escrow' WHERE id = %s",
            [wallet.pk],
            match="keeps its kind, owner and unit",
        )


class TestPostedRowsNeverChange:
    def test_a_posted_leg_cannot_be_updated(self, posted):
        refused(
            "UPDATE ledger_leg SET amount_minor = amount_minor * 2"
            " WHERE transaction_id = %s",
            [posted],
            match="a leg never changes",
        )

    def test_a_posted_leg_cannot_be_deleted(self, posted):
        refused(
            "DELETE FROM ledger_leg WHERE transaction_id = %s",
            [posted],
            match="posted leg is never deleted",
        )

    def test_a_posted_transaction_cannot_be_updated(self, posted):
        refused(
            "UPDATE ledger_transaction SET memo = 'changed' WHERE id = %s",
            [posted],
            match="posted transaction never changes",
        )

    def test_a_posted_transaction_cannot_be_unposted(self, posted):
        refused(
            "UPDATE ledger_transaction SET state = 'pending' WHERE id = %s",
            [posted],
            match="posted transaction never changes",
        )

    def test_a_posted_transaction_cannot_be_deleted(self, posted):
        refused(
            "DELETE FROM ledger_transaction WHERE id = %s",
            [posted],
            match="posted transaction is never deleted",
        )


class TestNoAccountBelowItsFloor:
    def test_a_raw_post_that_overdraws_an_account_is_refused(
        self, posted, wallet, clearing
    ):
        txn_id = new_transaction()
        add_leg(txn_id, wallet, -1001)
        add_leg(txn_id, clearing, 1001)
        with pytest.raises(DatabaseError, match="ledger_account_balance_above_floor"):
            post(txn_id)
        assert balance(wallet) == 1000

    def test_a_raw_post_down_to_exactly_the_floor_is_accepted(
        self, posted, wallet, clearing
    ):
        txn_id = new_transaction()
        add_leg(txn_id, wallet, -1000)
        add_leg(txn_id, clearing, 1000)
        post(txn_id)
        assert balance(wallet) == 0

    def test_time_credits_may_go_down_to_the_community_floor_and_no_further(
        self, open_account
    ):
        giver = open_account("member_hours", "HOUR", floor_minor=-1000)
        taker = open_account("member_hours", "HOUR", floor_minor=-1000)
        first = new_transaction()
        add_leg(first, giver, -1000)
        add_leg(first, taker, 1000)
        post(first)
        second = new_transaction()
        add_leg(second, giver, -1)
        add_leg(second, taker, 1)
        with pytest.raises(DatabaseError, match="ledger_account_balance_above_floor"):
            post(second)
        assert balance(giver) == -1000

    def test_a_balance_cannot_be_set_below_its_floor(self, wallet):
        # SQLite's CHECK refuses; PostgreSQL refuses any hand-set balance first.
        refused(
            "UPDATE ledger_account SET balance_minor = -1 WHERE id = %s",
            [wallet.pk],
            match="ledger_account_balance_above_floor|only by posting",
        )

    def test_a_floor_cannot_be_raised_above_the_balance(self, open_account):
        giver = open_account("member_hours", "HOUR", floor_minor=-1000)
        taker = open_account("member_hours", "HOUR", floor_minor=-1000)
        txn_id = new_transaction()
        add_leg(txn_id, giver, -500)
        add_leg(txn_id, taker, 500)
        post(txn_id)
        refused(
            "UPDATE ledger_account SET floor_minor = -100 WHERE id = %s",
            [giver.pk],
            match="ledger_account_balance_above_floor",
        )

    def test_a_floor_is_never_positive(self, wallet):
        refused(
            "UPDATE ledger_account SET floor_minor = 10 WHERE id = %s",
            [wallet.pk],
            # Both CHECKs are broken; engines name whichever they test first.
            match="ledger_account_floor_not_positive|ledger_account_balance_above",
        )

    def test_only_clearing_and_issuance_accounts_may_have_no_floor(self, now):
        refused(
            "INSERT INTO ledger_account (public_id, kind, owner_ref, unit, floor_minor,"
            " balance_minor, checksum, name, created_at)"
            " VALUES (%s, 'member_wallet', 'member:x', 'EUR', NULL, 0, '', '', %s)",
            [uuid.uuid4().hex, POSTED_AT],
            match="ledger_account_unbounded_only_clearing",
        )

    def test_an_account_cannot_open_with_a_balance(self):
        refused(
            "INSERT INTO ledger_account (public_id, kind, owner_ref, unit, floor_minor,"
            " balance_minor, checksum, name, created_at)"
            " VALUES (%s, 'member_wallet', 'member:x', 'EUR', 0, 100, '', '', %s)",
            [uuid.uuid4().hex, POSTED_AT],
            match="opens with a zero balance",
        )


class TestBalancesMoveOnlyByPosting:
    def test_a_balance_cannot_be_set_by_hand_even_within_its_floor(self, wallet):
        refused(
            "UPDATE ledger_account SET balance_minor = 500 WHERE id = %s",
            [wallet.pk],
            match="only by posting",
        )

    def test_a_balance_cannot_be_moved_by_the_amount_of_a_leg_not_yet_posted(
        self, wallet, clearing
    ):
        txn_id = new_transaction()
        add_leg(txn_id, clearing, -700)
        add_leg(txn_id, wallet, 700)
        refused(
            "UPDATE ledger_account SET balance_minor = 700 WHERE id = %s",
            [wallet.pk],
            match="only by posting",
        )

    def test_saving_a_stale_account_cannot_write_an_old_balance_back(
        self, wallet, fund
    ):
        stale = Account.objects.get(pk=wallet.pk)
        fund(wallet, 1000)
        stale.name = "Priya's wallet"

        with (
            pytest.raises(DatabaseError, match="only by posting"),
            transaction.atomic(),
        ):
            stale.save()
        assert balance(wallet) == 1000

    def test_an_account_may_be_renamed(self, wallet, fund):
        fund(wallet, 1000)
        sql("UPDATE ledger_account SET name = 'Savings' WHERE id = %s", [wallet.pk])
        assert balance(wallet) == 1000


class TestOneEffectPerKey:
    def test_an_idempotency_key_is_taken_once(self):
        new_transaction(key="charge:exchange-1")
        with pytest.raises(DatabaseError, match="idempotency_key"):
            new_transaction(key="charge:exchange-1")

    def test_an_account_is_opened_once_per_kind_owner_and_unit(self, wallet):
        refused(
            "INSERT INTO ledger_account (public_id, kind, owner_ref, unit, floor_minor,"
            " balance_minor, checksum, name, created_at)"
            " VALUES (%s, %s, %s, %s, 0, 0, '', '', %s)",
            [uuid.uuid4().hex, wallet.kind, wallet.owner_ref, wallet.unit, POSTED_AT],
            match="ledger_account|unique|UNIQUE",
        )
        assert Account.objects.filter(owner_ref=wallet.owner_ref).count() == 1

    def test_a_transaction_is_reversed_at_most_once(self, posted):
        first = new_transaction()
        sql(
            "UPDATE ledger_transaction SET reverses_id = %s WHERE id = %s",
            [posted, first],
        )
        second = new_transaction()
        refused(
            "UPDATE ledger_transaction SET reverses_id = %s WHERE id = %s",
            [posted, second],
            match="reverses_id",
        )
