"""The gateways on their own: card checks, the sandbox's books, the manual gateway."""

import pytest

from selfwork.core.errors import Conflict, InvalidInput
from selfwork.payments.gateways import (
    CARD_DECLINED,
    CARD_SUCCEEDS,
    ManualGateway,
    SandboxGateway,
    account_number_clean,
    card_number_clean,
    gateway_get,
    luhn_valid,
)
from selfwork.payments.models import SandboxOperation
from selfwork.payments.testing import eur


class TestCardNumbers:
    @pytest.mark.parametrize(
        "number",
        [
            "4242424242424242",
            "4000000000000002",
            "4000000000009995",
            "4000000000000119",
        ],
    )
    def test_every_test_card_passes_luhn(self, number):
        assert luhn_valid(number)

    def test_a_changed_digit_fails_luhn(self):
        assert not luhn_valid("4242424242424241")

    def test_spaces_and_dashes_are_allowed(self):
        assert card_number_clean("4242-4242 4242-4242") == CARD_SUCCEEDS

    @pytest.mark.parametrize(
        "card",
        ["", "42", "4" * 20, "４２４２４２４２４２４２４２４２", 4242424242424242],
    )
    def test_anything_else_is_an_invalid_card(self, card):
        with pytest.raises(InvalidInput) as caught:
            card_number_clean(card)
        assert caught.value.code == "invalid_card"


class TestAccountNumbers:
    def test_canonical_form_is_upper_case_without_spaces(self):
        assert account_number_clean("nl91 abna 0417 1643 00") == "NL91ABNA0417164300"

    @pytest.mark.parametrize("number", ["1234567", "DE89-ÄÖ-1234", None, "x" * 35])
    def test_refuses_what_is_not_one(self, number):
        with pytest.raises(InvalidInput):
            account_number_clean(number)


@pytest.mark.django_db
class TestSandbox:
    def test_a_retried_key_gets_the_first_answer_and_is_booked_once(self):
        sandbox = SandboxGateway()
        first = sandbox.charge(
            card=CARD_SUCCEEDS, amount=eur("5.00"), idempotency_key="k"
        )
        again = sandbox.charge(
            card=CARD_SUCCEEDS, amount=eur("5.00"), idempotency_key="k"
        )
        assert again == first and first.ok
        assert SandboxOperation.objects.count() == 1

    def test_a_retried_decline_stays_declined(self):
        sandbox = SandboxGateway()
        first = sandbox.charge(
            card=CARD_DECLINED, amount=eur("5.00"), idempotency_key="k"
        )
        again = sandbox.charge(
            card=CARD_DECLINED, amount=eur("5.00"), idempotency_key="k"
        )
        assert (again.status, again.failure_code) == ("failed", "card_declined")
        assert again.ref == first.ref

    def test_a_key_reused_for_another_request_is_refused(self):
        sandbox = SandboxGateway()
        sandbox.charge(card=CARD_SUCCEEDS, amount=eur("5.00"), idempotency_key="k")
        with pytest.raises(Conflict) as caught:
            sandbox.charge(card=CARD_SUCCEEDS, amount=eur("6.00"), idempotency_key="k")
        assert caught.value.code == "gateway_key_reused"

    def test_refunds_only_a_charge_it_made(self):
        sandbox = SandboxGateway()
        refund = sandbox.refund(
            charge_ref="sb_charge_x", amount=eur("1.00"), idempotency_key="r"
        )
        assert (refund.status, refund.failure_code) == ("failed", "no_such_charge")

    def test_pays_out_at_once_except_to_a_closed_account(self):
        sandbox = SandboxGateway()
        paid = sandbox.payout(
            destination="acct_1234", amount=eur("1.00"), idempotency_key="p1"
        )
        refused = sandbox.payout(
            destination="acct_0002", amount=eur("1.00"), idempotency_key="p2"
        )
        assert paid.ok and not refused.ok
        assert refused.failure_code == "account_closed"


class TestManual:
    def test_a_charge_waits_for_the_host(self):
        result = ManualGateway().charge(
            card=None, amount=eur("5.00"), idempotency_key="k"
        )
        assert result.status == "pending"

    def test_names_the_same_record_for_the_same_key(self):
        manual = ManualGateway()
        assert manual.refund(
            charge_ref="m", amount=eur("1.00"), idempotency_key="k"
        ) == (manual.refund(charge_ref="m", amount=eur("1.00"), idempotency_key="k"))


def test_only_known_gateways_are_returned():
    assert gateway_get("sandbox").name == "sandbox"
    with pytest.raises(InvalidInput) as caught:
        gateway_get("selfwork.evil.Gateway")
    assert caught.value.code == "unknown_gateway"
