"""Payouts from a wallet to a bank account: same day, once, never more than held."""

import pytest

from selfwork.core.errors import InvalidInput, NotFound
from selfwork.ledger.errors import InsufficientFunds
from selfwork.ledger.models import Account, Transaction
from selfwork.payments import services
from selfwork.payments.errors import NoPayoutDestination
from selfwork.payments.models import Payout, PayoutDestination, SandboxOperation
from selfwork.payments.selectors import wallet_balances
from selfwork.payments.testing import eur, ledger_counts

pytestmark = pytest.mark.django_db


def wallet_of(member):
    return Account.objects.get(
        kind="member_wallet", owner_ref=f"member:{member.public_id}", unit="EUR"
    ).balance_minor


class TestPayoutDestination:
    def test_keeps_only_a_masked_account_number(self, bank_account):
        assert bank_account.masked == "•••• 3000"
        stored = PayoutDestination.objects.filter(pk=bank_account.pk).values()[0]
        assert not any("DE8937040044" in str(value) for value in stored.values())

    @pytest.mark.parametrize(
        "number", ["", "123", "DE89 <script>", "x" * 40, "DE89\x003704004405"]
    )
    def test_refuses_what_is_not_an_account_number(self, provider, number, now):
        with pytest.raises(InvalidInput) as caught:
            services.payout_destination_add(
                member=provider, label="Bank", account_number=number, now=now
            )
        assert caught.value.code == "invalid_account_number"

    def test_refuses_markup_in_the_label(self, provider, now):
        with pytest.raises(InvalidInput):
            services.payout_destination_add(
                member=provider,
                label="<b>Bank</b>",
                account_number="NL91ABNA0417164300",
                now=now,
            )


class TestPayoutCreate:
    def test_pays_out_at_once_from_the_wallet(self, funded, provider, now):
        funded("100.00")
        payout = services.payout_create(member=provider, amount=eur("60.00"), now=now)
        assert (payout.status, payout.paid_at) == ("paid", now)
        assert wallet_of(provider) == 4_000
        clearing = Account.objects.get(kind="payout_clearing", unit="EUR")
        assert clearing.balance_minor == 6_000

    def test_the_gateway_call_and_the_posting_share_the_payouts_key(
        self, funded, provider, now
    ):
        funded("100.00")
        payout = services.payout_create(member=provider, amount=eur("60.00"), now=now)
        assert payout.idempotency_key == f"payout:{payout.public_id}"
        assert SandboxOperation.objects.get(operation="payout").idempotency_key == (
            payout.idempotency_key
        )
        assert Transaction.objects.filter(
            idempotency_key=payout.idempotency_key
        ).count()

    def test_shows_as_paid_out_in_the_wallet(self, funded, provider, now):
        funded("100.00")
        services.payout_create(member=provider, amount=eur("60.00"), now=now)
        (balance,) = wallet_balances(member=provider)
        assert (balance.available, balance.paid_out) == (eur("40.00"), eur("60.00"))

    def test_more_than_the_wallet_holds_is_refused_and_nothing_is_posted(
        self, funded, provider, now
    ):
        funded("100.00")
        before = ledger_counts()
        with pytest.raises(InsufficientFunds) as caught:
            services.payout_create(member=provider, amount=eur("100.01"), now=now)
        assert caught.value.status == 409
        assert ledger_counts() == before
        assert not Payout.objects.exists()
        assert wallet_of(provider) == 10_000

    def test_a_currency_the_member_holds_nothing_in_is_insufficient(
        self, funded, provider, money, now
    ):
        funded("100.00")
        with pytest.raises(InsufficientFunds):
            services.payout_create(
                member=provider, amount=money("1.00", "USD"), now=now
            )
        assert not Account.objects.filter(unit="USD").exists()

    def test_needs_a_destination(self, buyer, now):
        with pytest.raises(NoPayoutDestination):
            services.payout_create(member=buyer, amount=eur("1.00"), now=now)

    def test_refuses_another_members_destination(
        self, funded, buyer, provider, bank_account, now
    ):
        funded("10.00")
        services.payout_destination_add(
            member=buyer, label="Mine", account_number="NL91ABNA0417164300", now=now
        )
        with pytest.raises(NotFound):
            services.payout_create(
                member=buyer, amount=eur("1.00"), destination=bank_account, now=now
            )

    def test_a_closed_bank_account_fails_the_payout_and_returns_the_money(
        self, funded, provider, now
    ):
        funded("100.00")
        closed = services.payout_destination_add(
            member=provider,
            label="Old account",
            account_number="GB00 0000 0000 0000 0002",
            now=now,
        )
        payout = services.payout_create(
            member=provider, amount=eur("60.00"), destination=closed, now=now
        )
        assert (payout.status, payout.failure_code) == ("failed", "account_closed")
        assert wallet_of(provider) == 10_000
        assert Transaction.objects.filter(
            idempotency_key=f"payout-failed:{payout.public_id}", kind="reversal"
        ).exists()

    @pytest.mark.parametrize("amount", ["0", "-5.00"])
    def test_refuses_amounts_that_are_not_positive(self, funded, provider, now, amount):
        funded("10.00")
        with pytest.raises(InvalidInput) as caught:
            services.payout_create(member=provider, amount=eur(amount), now=now)
        assert caught.value.code == "amount_not_positive"


class TestPayoutPreference:
    def test_needs_a_destination_to_turn_on(self, buyer, now):
        with pytest.raises(NoPayoutDestination):
            services.payout_preference_set(member=buyer, auto_payout=True, now=now)

    def test_turns_on_and_off(self, provider, bank_account, now):
        assert services.payout_preference_set(
            member=provider, auto_payout=True, now=now
        ).auto_payout
        assert not services.payout_preference_set(
            member=provider, auto_payout=False, now=now
        ).auto_payout
