import datetime as dt

import pytest

from selfwork.core.errors import InvalidInput, SelfworkError
from selfwork.core.money import Money
from selfwork.ledger import services
from selfwork.ledger.errors import (
    AlreadyReversed,
    IdempotencyKeyReused,
    InsufficientFunds,
    UnbalancedTransaction,
)
from selfwork.ledger.models import Account, Leg, Transaction
from selfwork.ledger.selectors import account_balance
from selfwork.ledger.services import LegSpec

pytestmark = pytest.mark.django_db


@pytest.fixture
def wallet(open_account):
    return open_account("member_wallet", "EUR", owner_ref="member:priya")


@pytest.fixture
def escrow(open_account):
    return open_account("escrow", "EUR", owner_ref="exchange:portrait-1")


@pytest.fixture
def fees(open_account):
    return open_account("platform_fees", "EUR", owner_ref="platform")


def balances(*accounts):
    return [account_balance(account=account).minor for account in accounts]


def ledger_rows():
    return Transaction.objects.count(), Leg.objects.count()


class TestTransactionPost:
    def test_moves_each_accounts_balance_by_its_leg(
        self, escrow, wallet, fees, fund, key, now
    ):
        fund(escrow, 10_000)

        txn = services.transaction_post(
            kind="release",
            legs=[(escrow, -10_000), (wallet, 9_500), (fees, 500)],
            idempotency_key=key(),
            now=now,
            memo="Portrait of Bruno's dog",
            reference="exchange:portrait-1",
        )

        assert txn.state == Transaction.State.POSTED
        assert txn.posted_at == now
        assert len(txn.checksum) == 64
        assert balances(escrow, wallet, fees) == [0, 9_500, 500]
        assert sorted(txn.legs.values_list("amount_minor", flat=True)) == [
            -10_000,
            500,
            9_500,
        ]

    def test_takes_money_amounts_in_the_accounts_unit(self, wallet, gateway, key, now):
        services.transaction_post(
            kind="charge",
            legs=[
                (gateway("EUR"), Money(-1250, "EUR")),
                LegSpec(wallet, 1250, unit="EUR"),
            ],
            idempotency_key=key(),
            now=now,
        )
        assert balances(wallet) == [1250]

    def test_balances_each_unit_on_its_own_in_one_transaction(
        self, open_account, gateway, key, now
    ):
        eur = open_account("member_wallet", "EUR", owner_ref="member:hana")
        hours = open_account("member_hours", "HOUR", owner_ref="member:hana")
        issuance = open_account("hours_issuance", "HOUR", owner_ref="community:guild")

        services.transaction_post(
            kind="welcome",
            legs=[(gateway("EUR"), -500), (eur, 500), (issuance, -200), (hours, 200)],
            idempotency_key=key(),
            now=now,
        )

        assert balances(eur, hours, issuance) == [500, 200, -200]

    @pytest.mark.parametrize(
        ("legs", "code"),
        [
            ([], "too_few_legs"),
            ("wallet", "too_few_legs"),
            ([("wallet", 100)], "too_few_legs"),
            ([("wallet", 0), ("escrow", 0)], "zero_leg"),
            ([("wallet", 100), ("wallet", -100)], "duplicate_account"),
            ([("wallet", True), ("escrow", -1)], "invalid_amount"),
            ([("wallet", 1.5), ("escrow", -1.5)], "invalid_amount"),
            ([("wallet", 10**16), ("escrow", -(10**16))], "amount_too_large"),
            ([("wallet", Money(100, "JPY")), ("escrow", -100)], "unit_mismatch"),
            ([("wallet", 100, "extra")], "invalid_leg"),
            ([("wallet", 100), ("escrow", -99)], "unbalanced_transaction"),
        ],
    )
    def test_refuses_legs_that_are_not_a_transaction_and_posts_nothing(
        self, legs, code, wallet, escrow, key, now
    ):
        named = {"wallet": wallet, "escrow": escrow}
        if isinstance(legs, list):
            legs = [(named[leg[0]], *leg[1:]) for leg in legs]

        with pytest.raises(InvalidInput) as refused:
            services.transaction_post(
                kind="transfer", legs=legs, idempotency_key=key(), now=now
            )

        assert refused.value.code == code
        assert ledger_rows() == (0, 0)

    def test_refuses_an_unsaved_account(self, wallet, key, now):
        unsaved = Account(kind="escrow", owner_ref="exchange:x", unit="EUR")
        with pytest.raises(InvalidInput) as refused:
            services.transaction_post(
                kind="transfer",
                legs=[(wallet, 1), (unsaved, -1)],
                idempotency_key=key(),
                now=now,
            )
        assert refused.value.code == "invalid_leg"

    def test_says_which_units_are_off_when_unbalanced(
        self, wallet, escrow, gateway, open_account, key, now
    ):
        yen = open_account("member_wallet", "JPY")
        with pytest.raises(UnbalancedTransaction) as refused:
            services.transaction_post(
                kind="transfer",
                legs=[
                    (wallet, 100),
                    (escrow, -100),
                    (yen, 500),
                    (gateway("JPY"), -400),
                ],
                idempotency_key=key(),
                now=now,
            )
        assert "100 JPY" in refused.value.detail

    @pytest.mark.parametrize(
        ("field", "value", "code"),
        [
            ("kind", "", "invalid_kind"),
            ("kind", "Release Now", "invalid_kind"),
            ("idempotency_key", "", "invalid_idempotency_key"),
            ("idempotency_key", "k" * 256, "invalid_idempotency_key"),
            ("memo", "m" * 501, "invalid_memo"),
            ("reference", 42, "invalid_reference"),
        ],
    )
    def test_refuses_bad_descriptions(
        self, field, value, code, wallet, escrow, fund, key, now
    ):
        fund(escrow, 100)
        request = {
            "kind": "release",
            "legs": [(escrow, -100), (wallet, 100)],
            "idempotency_key": key(),
            "now": now,
        }
        request[field] = value
        with pytest.raises(SelfworkError) as refused:
            services.transaction_post(**request)
        assert refused.value.code == code

    def test_refuses_a_naive_time(self, wallet, escrow, key):
        with pytest.raises(ValueError):
            services.transaction_post(
                kind="transfer",
                legs=[(wallet, 1), (escrow, -1)],
                idempotency_key=key(),
                now=dt.datetime(2026, 11, 21, 9, 0),
            )

    def test_refuses_an_overdraft_and_posts_nothing(
        self, wallet, escrow, fund, key, now
    ):
        fund(wallet, 1_000)
        before = ledger_rows()

        with pytest.raises(InsufficientFunds) as refused:
            services.transaction_post(
                kind="transfer",
                legs=[(wallet, -1_001), (escrow, 1_001)],
                idempotency_key=key(),
                now=now,
            )

        assert refused.value.code == "insufficient_funds"
        assert refused.value.status == 409
        assert refused.value.extra["available"] == {
            "amount": "10.00",
            "currency": "EUR",
        }
        assert refused.value.extra["requested"] == {
            "amount": "10.01",
            "currency": "EUR",
        }
        assert refused.value.extra["account"] == str(wallet.public_id)
        assert ledger_rows() == before
        assert balances(wallet, escrow) == [1_000, 0]

    def test_the_same_key_may_be_used_after_a_refused_post(
        self, wallet, escrow, fund, key, now
    ):
        retry_key = key()
        with pytest.raises(InsufficientFunds):
            services.transaction_post(
                kind="transfer",
                legs=[(wallet, -100), (escrow, 100)],
                idempotency_key=retry_key,
                now=now,
            )
        fund(wallet, 100)

        services.transaction_post(
            kind="transfer",
            legs=[(wallet, -100), (escrow, 100)],
            idempotency_key=retry_key,
            now=now,
        )

        assert balances(wallet, escrow) == [0, 100]

    def test_time_credits_go_down_to_the_community_floor(self, open_account, key, now):
        giver = open_account("member_hours", "HOUR", floor_minor=-1_000)
        taker = open_account("member_hours", "HOUR", floor_minor=-1_000)

        services.transaction_post(
            kind="timebank",
            legs=[(giver, -1_000), (taker, 1_000)],
            idempotency_key=key(),
            now=now,
        )
        with pytest.raises(InsufficientFunds) as refused:
            services.transaction_post(
                kind="timebank",
                legs=[(giver, -50), (taker, 50)],
                idempotency_key=key(),
                now=now,
            )

        assert balances(giver, taker) == [-1_000, 1_000]
        assert refused.value.extra["available"] == {
            "amount": "0.00",
            "currency": "HOUR",
        }

    def test_a_retry_with_the_same_key_and_legs_returns_the_first_transaction(
        self, wallet, escrow, fund, now
    ):
        fund(escrow, 5_000)
        request = {
            "kind": "release",
            "legs": [(escrow, -5_000), (wallet, 5_000)],
            "idempotency_key": "release:exchange-1",
            "reference": "exchange:1",
            "now": now,
        }

        first = services.transaction_post(**request)
        again = services.transaction_post(
            **{**request, "legs": list(reversed(request["legs"]))}
        )

        assert again.pk == first.pk
        assert balances(escrow, wallet) == [0, 5_000]
        assert Transaction.objects.filter(kind="release").count() == 1

    @pytest.mark.parametrize(
        "change",
        [
            {"legs": "more"},
            {"kind": "refund"},
            {"reference": "exchange:2"},
        ],
    )
    def test_the_same_key_for_a_different_transaction_is_refused(
        self, change, wallet, escrow, fund, now
    ):
        fund(escrow, 5_000)
        request = {
            "kind": "release",
            "legs": [(escrow, -4_000), (wallet, 4_000)],
            "idempotency_key": "release:exchange-1",
            "reference": "exchange:1",
            "now": now,
        }
        services.transaction_post(**request)
        if change.get("legs") == "more":
            change = {"legs": [(escrow, -1_000), (wallet, 1_000)]}

        with pytest.raises(IdempotencyKeyReused) as refused:
            services.transaction_post(**{**request, **change})

        assert refused.value.code == "idempotency_key_reused"
        assert refused.value.status == 422
        assert balances(escrow, wallet) == [1_000, 4_000]

    def test_advances_the_hash_chain_of_every_account_it_touches(
        self, wallet, escrow, fund, key, now
    ):
        fund(wallet, 100)
        wallet.refresh_from_db()
        head = wallet.checksum

        services.transaction_post(
            kind="transfer",
            legs=[(wallet, -100), (escrow, 100)],
            idempotency_key=key(),
            now=now,
        )

        wallet.refresh_from_db()
        escrow.refresh_from_db()
        assert head and wallet.checksum not in ("", head)
        assert escrow.checksum != ""


class TestTransactionReverse:
    @pytest.fixture
    def release(self, escrow, wallet, fees, fund, key, now):
        fund(escrow, 10_000)
        return services.transaction_post(
            kind="release",
            legs=[(escrow, -10_000), (wallet, 9_500), (fees, 500)],
            idempotency_key=key(),
            now=now,
            reference="exchange:portrait-1",
        )

    def test_posts_every_leg_negated_and_restores_the_balances(
        self, release, escrow, wallet, fees, key, later
    ):
        reversal = services.transaction_reverse(
            transaction=release, idempotency_key=key(), now=later(5), memo="Mistake"
        )

        assert reversal.kind == "reversal"
        assert reversal.reverses_id == release.pk
        assert reversal.reference == "exchange:portrait-1"
        assert balances(escrow, wallet, fees) == [10_000, 0, 0]
        assert Transaction.objects.get(pk=release.pk).state == "posted"

    def test_a_retry_with_the_same_key_returns_the_same_reversal(
        self, release, escrow, later
    ):
        first = services.transaction_reverse(
            transaction=release, idempotency_key="reverse-1", now=later(5)
        )
        again = services.transaction_reverse(
            transaction=release, idempotency_key="reverse-1", now=later(6)
        )
        assert again.pk == first.pk
        assert balances(escrow) == [10_000]

    def test_a_transaction_is_reversed_once(self, release, key, later):
        services.transaction_reverse(
            transaction=release, idempotency_key=key(), now=later(5)
        )
        with pytest.raises(AlreadyReversed) as refused:
            services.transaction_reverse(
                transaction=release, idempotency_key=key(), now=later(6)
            )
        assert refused.value.code == "already_reversed"

    def test_cannot_take_back_what_has_been_spent(
        self, release, wallet, open_account, key, later
    ):
        payout = open_account("payout_clearing", "EUR", owner_ref="gateway:sandbox")
        services.transaction_post(
            kind="payout",
            legs=[(wallet, -9_500), (payout, 9_500)],
            idempotency_key=key(),
            now=later(1),
        )

        with pytest.raises(InsufficientFunds):
            services.transaction_reverse(
                transaction=release, idempotency_key=key(), now=later(5)
            )
        assert not Transaction.objects.filter(reverses=release).exists()


class TestAccountGetOrCreate:
    def test_opens_an_account_once_per_kind_owner_and_unit(self, now):
        first = services.account_get_or_create(
            kind="member_wallet", owner_ref="member:priya", unit="EUR", now=now
        )
        again = services.account_get_or_create(
            kind="member_wallet",
            owner_ref="member:priya",
            unit="EUR",
            now=now,
            floor_minor=-500,
        )
        other_unit = services.account_get_or_create(
            kind="member_wallet", owner_ref="member:priya", unit="JPY", now=now
        )

        assert again.pk == first.pk
        assert again.floor_minor == 0
        assert other_unit.pk != first.pk
        assert (first.balance_minor, first.checksum, first.created_at) == (0, "", now)

    def test_clearing_accounts_may_be_unbounded(self, now):
        clearing = services.account_get_or_create(
            kind="gateway_clearing",
            owner_ref="gateway:sandbox",
            unit="BHD",
            floor_minor=None,
            now=now,
        )
        assert clearing.floor_minor is None

    @pytest.mark.parametrize(
        ("request_", "code"),
        [
            ({"kind": "savings"}, "unknown_account_kind"),
            ({"owner_ref": ""}, "invalid_owner_ref"),
            ({"owner_ref": "member priya"}, "invalid_owner_ref"),
            ({"unit": "eur"}, "unknown_currency"),
            ({"unit": "XYZ"}, "unknown_currency"),
            ({"floor_minor": 100}, "invalid_floor"),
            ({"floor_minor": None}, "floor_required"),
            ({"floor_minor": "0"}, "invalid_floor"),
        ],
    )
    def test_refuses_what_is_not_an_account(self, request_, code, now):
        request = {
            "kind": "member_wallet",
            "owner_ref": "member:priya",
            "unit": "EUR",
            "now": now,
            **request_,
        }
        with pytest.raises(InvalidInput) as refused:
            services.account_get_or_create(**request)
        assert refused.value.code == code
        assert Account.objects.count() == 0


class TestAccountFloorSet:
    def test_lowers_a_time_credit_floor(self, open_account):
        hours = open_account("member_hours", "HOUR", floor_minor=-1_000)
        assert services.account_floor_set(
            account=hours, floor_minor=-2_000
        ).floor_minor == (-2_000)

    def test_refuses_a_floor_above_the_balance(self, open_account, key, now):
        giver = open_account("member_hours", "HOUR", floor_minor=-1_000)
        taker = open_account("member_hours", "HOUR", floor_minor=-1_000)
        services.transaction_post(
            kind="timebank",
            legs=[(giver, -800), (taker, 800)],
            idempotency_key=key(),
            now=now,
        )

        with pytest.raises(InvalidInput) as refused:
            services.account_floor_set(account=giver, floor_minor=-500)

        assert refused.value.code == "floor_above_balance"
        giver.refresh_from_db()
        assert giver.floor_minor == -1_000
