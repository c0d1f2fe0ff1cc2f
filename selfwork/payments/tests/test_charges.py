"""Charging a customer into escrow: the sandbox's cards, the manual gateway, retries."""

import time

import pytest

from selfwork.core.errors import Conflict, InvalidInput, NotPermitted
from selfwork.core.money import Money
from selfwork.ledger.models import Account, Transaction
from selfwork.ledger.selectors import balances_for_owner
from selfwork.payments import services
from selfwork.payments.errors import (
    ChargeNotPending,
    PaymentDeclined,
    ReferenceSettled,
)
from selfwork.payments.gateways import (
    CARD_DECLINED,
    CARD_INSUFFICIENT_FUNDS,
    CARD_PROCESSING_ERROR,
    CARD_SUCCEEDS,
)
from selfwork.payments.models import Charge, SandboxOperation
from selfwork.payments.testing import eur, ledger_counts

pytestmark = pytest.mark.django_db


def escrow_of(reference):
    account = Account.objects.filter(
        kind="escrow", owner_ref=f"exchange:{reference}"
    ).first()
    return account.balance_minor if account else 0


class TestSandboxCharge:
    def test_a_good_card_moves_the_money_into_escrow(self, pay):
        charge = pay("100.00", ref="portrait-1")
        assert charge.status == "succeeded"
        assert escrow_of("portrait-1") == 10_000
        clearing = Account.objects.get(
            kind="gateway_clearing", owner_ref="gateway:sandbox", unit="EUR"
        )
        assert clearing.balance_minor == -10_000

    def test_the_charge_and_its_transaction_share_a_key_derived_from_the_reference(
        self, pay
    ):
        charge = pay("12.50", ref="portrait-1")
        assert charge.idempotency_key == "charge:portrait-1"
        txn = Transaction.objects.get(idempotency_key="charge:portrait-1")
        assert (txn.kind, txn.reference) == ("charge", "portrait-1")

    def test_records_only_the_last_four_digits_of_the_card(self, pay):
        charge = pay(card="4242 4242 4242 4242")
        assert charge.card_last4 == "4242"
        assert "4242424242424242" not in SandboxOperation.objects.get().request

    def test_charging_again_returns_the_same_charge_and_charges_once(self, pay):
        first = pay("40.00", ref="portrait-1")
        again = pay("40.00", ref="portrait-1")
        assert again.pk == first.pk
        assert escrow_of("portrait-1") == 4_000
        assert SandboxOperation.objects.count() == 1
        assert Transaction.objects.filter(kind="charge").count() == 1

    def test_charging_the_same_reference_for_another_amount_is_refused(self, pay):
        pay("40.00", ref="portrait-1")
        with pytest.raises(Conflict) as caught:
            pay("45.00", ref="portrait-1")
        assert caught.value.code == "already_charged"
        assert escrow_of("portrait-1") == 4_000

    def test_another_part_of_the_same_reference_is_a_second_charge(self, pay):
        pay("40.00", ref="portrait-1")
        second = pay("20.00", ref="portrait-1", part="milestone-2")
        assert second.idempotency_key == "charge:portrait-1:milestone-2"
        assert escrow_of("portrait-1") == 6_000

    @pytest.mark.parametrize(
        "card, code",
        [
            (CARD_DECLINED, "card_declined"),
            (CARD_INSUFFICIENT_FUNDS, "insufficient_funds"),
            (CARD_PROCESSING_ERROR, "processing_error"),
        ],
    )
    def test_a_declined_card_posts_nothing_and_says_why_with_a_402(
        self, pay, card, code
    ):
        before = ledger_counts()
        with pytest.raises(PaymentDeclined) as caught:
            pay(card=card, ref="portrait-1")
        problem = "processing_error" if code == "processing_error" else "card_declined"
        assert (caught.value.status, caught.value.code) == (402, problem)
        assert caught.value.extra["decline_code"] == code
        assert ledger_counts() == before
        charge = Charge.objects.get(reference="portrait-1")
        assert (charge.status, charge.failure_code) == ("failed", code)

    def test_only_a_processing_error_is_worth_retrying(self, pay):
        with pytest.raises(PaymentDeclined) as processing:
            pay(card=CARD_PROCESSING_ERROR)
        with pytest.raises(PaymentDeclined) as declined:
            pay(card=CARD_DECLINED)
        assert processing.value.extra["retryable"] is True
        assert declined.value.extra["retryable"] is False

    def test_a_processing_error_comes_after_a_delay(self, pay, settings):
        settings.SELFWORK_SANDBOX_PROCESSING_DELAY = 0.15
        started = time.monotonic()
        with pytest.raises(PaymentDeclined):
            pay(card=CARD_PROCESSING_ERROR)
        assert time.monotonic() - started >= 0.15

    def test_after_a_decline_another_card_is_a_new_attempt_with_its_own_key(self, pay):
        with pytest.raises(PaymentDeclined):
            pay("30.00", ref="portrait-1", card=CARD_DECLINED)
        charge = pay("30.00", ref="portrait-1", card=CARD_SUCCEEDS)
        assert (charge.attempt, charge.idempotency_key) == (
            2,
            "charge:portrait-1:attempt-2",
        )
        assert escrow_of("portrait-1") == 3_000

    @pytest.mark.parametrize(
        "card", ["4242 4242 4242 4241", "1234", "", None, "4242-4242-4242-424x"]
    )
    def test_a_mistyped_card_is_refused_before_anything_is_stored(self, pay, card):
        before = ledger_counts()
        with pytest.raises(InvalidInput) as caught:
            pay(card=card)
        assert caught.value.code == "invalid_card"
        assert ledger_counts() == before
        assert not Charge.objects.exists()
        assert not SandboxOperation.objects.exists()

    def test_another_luhn_valid_number_succeeds_in_the_sandbox(self, pay):
        assert pay(card="5555 5555 5555 4444").status == "succeeded"


class TestChargeRefusals:
    @pytest.mark.parametrize("amount", ["0", "-1.00"])
    def test_refuses_amounts_that_are_not_positive(self, pay, amount):
        with pytest.raises(InvalidInput) as caught:
            pay(amount)
        assert caught.value.code == "amount_not_positive"
        assert not Charge.objects.exists()

    def test_refuses_time_credits(self, pay):
        with pytest.raises(InvalidInput) as caught:
            pay("1.00", unit="HOUR")
        assert caught.value.code == "unknown_currency"

    def test_refuses_a_payment_in_another_currency_than_the_reference_holds(self, pay):
        pay("40.00", ref="portrait-1")
        with pytest.raises(InvalidInput) as caught:
            pay("40.00", ref="portrait-1", part="extra", unit="USD")
        assert caught.value.code == "currency_mismatch"
        assert escrow_of("portrait-1") == 4_000

    @pytest.mark.parametrize(
        "reference", [" ", "has space", "x" * 91, "../escrow", "é", None, 7, "-lead"]
    )
    def test_refuses_references_that_cannot_name_an_escrow(self, pay, reference):
        with pytest.raises(InvalidInput) as caught:
            pay(ref=reference)
        assert caught.value.code == "invalid_reference"

    def test_refuses_a_customer_paying_themselves(self, pay, provider):
        with pytest.raises(InvalidInput) as caught:
            pay(customer=provider)
        assert caught.value.code == "self_payment"

    def test_refuses_a_new_charge_on_a_settled_reference(
        self, pay, provider, community, now
    ):
        charge = pay("40.00", ref="portrait-1")
        services.escrow_release(
            reference="portrait-1", provider=provider, community=community, now=now
        )
        with pytest.raises(ReferenceSettled):
            pay("10.00", ref=charge.reference, part="tip")


@pytest.fixture
def manual(community, host, now):
    services.payment_settings_set(
        community=community, actor=host, gateway="manual", now=now
    )
    return community


class TestManualCharge:
    def test_is_pending_and_posts_nothing_until_the_host_confirms(self, pay, manual):
        before = ledger_counts()
        charge = pay("25.00", ref="drill-1", card=None)
        assert (charge.status, charge.gateway) == ("pending", "manual")
        assert ledger_counts() == before

    def test_the_hosts_confirmation_credits_escrow(self, pay, manual, host, later):
        charge = pay("25.00", ref="drill-1", card=None)
        confirmed = services.manual_charge_confirm(
            charge=charge, host=host, now=later()
        )
        assert confirmed.status == "succeeded"
        assert confirmed.confirmed_by == host
        assert escrow_of("drill-1") == 2_500
        assert balances_for_owner(owner_ref="gateway:manual")[0].balance == eur(
            "-25.00"
        )

    def test_only_a_host_of_the_community_may_confirm(
        self, pay, manual, provider, stranger, member_of, now
    ):
        member_of(manual, stranger)
        charge = pay("25.00", card=None)
        for someone in (provider, stranger):
            with pytest.raises(NotPermitted):
                services.manual_charge_confirm(charge=charge, host=someone, now=now)
        assert Charge.objects.get(pk=charge.pk).status == "pending"

    def test_confirming_twice_credits_once(self, pay, manual, host, now):
        charge = pay("25.00", ref="drill-1", card=None)
        services.manual_charge_confirm(charge=charge, host=host, now=now)
        with pytest.raises(ChargeNotPending):
            services.manual_charge_confirm(charge=charge, host=host, now=now)
        assert escrow_of("drill-1") == 2_500

    def test_a_cancelled_charge_can_no_longer_be_confirmed(
        self, pay, manual, host, now
    ):
        charge = pay("25.00", card=None)
        cancelled = services.manual_charge_cancel(charge=charge, host=host, now=now)
        assert (cancelled.status, cancelled.failure_code) == ("failed", "cancelled")
        with pytest.raises(ChargeNotPending):
            services.manual_charge_confirm(charge=charge, host=host, now=now)

    def test_only_a_host_chooses_the_gateway(self, community, provider, now):
        with pytest.raises(NotPermitted):
            services.payment_settings_set(
                community=community, actor=provider, gateway="manual", now=now
            )

    def test_an_unknown_gateway_is_refused(self, community, host, now):
        with pytest.raises(InvalidInput) as caught:
            services.payment_settings_set(
                community=community, actor=host, gateway="stripe", now=now
            )
        assert caught.value.code == "unknown_gateway"


def test_money_of_a_charge_is_exact_in_a_currency_without_decimals(pay):
    charge = pay("1200", unit="JPY")
    assert Money(charge.amount_minor, charge.currency) == Money(1200, "JPY")
