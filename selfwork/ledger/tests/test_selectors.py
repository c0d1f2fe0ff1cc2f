import pytest

from selfwork.core.money import Money
from selfwork.ledger import selectors
from selfwork.ledger.services import transaction_post

pytestmark = pytest.mark.django_db

PRIYA = "member:00000000-0000-0000-0000-000000000001"


class TestAccountBalance:
    def test_reads_the_stored_balance_not_the_instances_copy(self, realistic_ledger):
        wallet = realistic_ledger["priya_eur"]
        assert wallet.balance_minor == 0  # opened before the fixture posted

        assert selectors.account_balance(account=wallet) == Money(1_400, "EUR")


class TestBalancesForOwner:
    def test_lists_every_account_of_the_owner_by_unit_then_kind(
        self, realistic_ledger, django_assert_num_queries
    ):
        with django_assert_num_queries(1):
            balances = selectors.balances_for_owner(owner_ref=PRIYA)

        assert [(b.unit, b.kind, b.balance) for b in balances] == [
            ("EUR", "member_wallet", Money(1_400, "EUR")),
            ("HOUR", "member_hours", Money(-1_000, "HOUR")),
            ("JPY", "member_wallet", Money(9_500, "JPY")),
        ]

    def test_available_is_what_lies_above_the_floor(self, realistic_ledger):
        hours = next(
            b for b in selectors.balances_for_owner(owner_ref=PRIYA) if b.unit == "HOUR"
        )

        assert hours.floor == Money(-1_000, "HOUR")
        assert hours.available == Money(0, "HOUR")

    def test_an_unbounded_account_has_no_available_figure(self, realistic_ledger):
        (clearing, *_) = selectors.balances_for_owner(owner_ref="gateway:sandbox")

        assert clearing.floor is None
        assert clearing.available is None

    def test_an_owner_without_accounts_has_none(self, db):
        assert selectors.balances_for_owner(owner_ref="member:nobody") == []


class TestEntriesForAccount:
    def test_lists_posted_legs_newest_first_with_their_transactions(
        self, realistic_ledger, django_assert_num_queries
    ):
        with django_assert_num_queries(1):
            entries = list(
                selectors.entries_for_account(account=realistic_ledger["priya_eur"])
            )

        assert [(e.transaction.kind, e.amount_minor) for e in entries] == [
            ("payout", -10_000),
            ("release", 11_400),
        ]

    def test_pages_by_keyset_without_overlap(self, open_account, fund, now):
        wallet = open_account("member_wallet", "EUR")
        for minor in range(1, 8):
            fund(wallet, minor)

        first = list(selectors.entries_for_account(account=wallet)[:3])
        second = list(
            selectors.entries_for_account(account=wallet, before_id=first[-1].id)[:3]
        )
        fund(wallet, 100)  # a post landing between pages never shifts them
        third = list(
            selectors.entries_for_account(account=wallet, before_id=second[-1].id)[:3]
        )

        amounts = [e.amount_minor for e in (*first, *second, *third)]
        assert amounts == [7, 6, 5, 4, 3, 2, 1]


class TestAccountList:
    def test_narrows_by_owner_prefix_kind_and_unit(self, realistic_ledger):
        members = selectors.account_list(owner_ref_prefix="member:")
        eur_fees = selectors.account_list(kind="platform_fees", unit="EUR")

        assert members.count() == 6
        assert list(members) == sorted(
            members, key=lambda a: (a.owner_ref, a.kind, a.unit)
        )
        assert list(eur_fees) == [realistic_ledger["fees_eur"]]


class TestTransactionsForReference:
    def test_lists_the_posted_transactions_of_a_reference_with_their_legs(
        self, open_account, fund, key, now, django_assert_num_queries
    ):
        escrow = open_account("escrow", "EUR", owner_ref="exchange:1")
        wallet = open_account("member_wallet", "EUR")
        fund(escrow, 1_000)
        transaction_post(
            kind="release",
            legs=[(escrow, -1_000), (wallet, 1_000)],
            idempotency_key=key(),
            now=now,
            reference="exchange:1",
        )

        with django_assert_num_queries(3):
            found = list(selectors.transactions_for_reference(reference="exchange:1"))
            legs = [[leg.account.kind for leg in t.legs.all()] for t in found]

        assert [t.kind for t in found] == ["release"]
        assert sorted(legs[0]) == ["escrow", "member_wallet"]
