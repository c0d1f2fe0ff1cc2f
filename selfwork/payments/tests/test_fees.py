"""The fee split is pure arithmetic: no database, exact to the minor unit."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from selfwork.core.money import Money
from selfwork.payments.fees import (
    MAX_FEE_HUNDREDTHS,
    FeePolicy,
    customer_fee_of,
    fee_split,
    percent_hundredths,
    percent_of,
    refund_share,
    share_of,
)


def policy(percent="5", minimum=0, treasury="0", customer="0"):
    return FeePolicy(
        fee_hundredths=percent_hundredths(percent),
        minimum_minor=minimum,
        treasury_share_hundredths=percent_hundredths(treasury),
        customer_fee_hundredths=percent_hundredths(customer),
    )


class TestPercentOf:
    def test_five_percent_of_100_euros_is_5_euros(self):
        assert percent_of(10_000, 500) == 500

    def test_half_a_cent_rounds_up(self):
        # 5% of 0.10 EUR is 0.5 cent → 1 cent.
        assert percent_of(10, 500) == 1

    def test_just_under_half_a_cent_rounds_down(self):
        # 5% of 0.09 EUR is 0.45 cent → 0 cents.
        assert percent_of(9, 500) == 0

    def test_two_decimal_percentages_are_exact(self):
        # 2.75% of 123.45 = 3.394875 → 3.39
        assert percent_of(12_345, 275) == 339

    def test_refuses_negative_amounts(self):
        with pytest.raises(ValueError):
            percent_of(-1, 500)


class TestPercentHundredths:
    @pytest.mark.parametrize(
        "text, hundredths", [("5", 500), ("5.25", 525), ("0", 0), ("100", 10_000)]
    )
    def test_reads_percentages_with_up_to_two_decimals(self, text, hundredths):
        assert percent_hundredths(text) == hundredths

    @pytest.mark.parametrize("text", ["5.125", "-1", "100.01", "NaN", "Infinity"])
    def test_refuses_anything_else(self, text):
        with pytest.raises(ValueError):
            percent_hundredths(text)


class TestFeeSplit:
    def test_takes_the_percentage_from_the_gross(self):
        split = fee_split(Money(10_000, "EUR"), policy("5"))
        assert (split.fee.minor, split.net.minor) == (500, 9_500)

    def test_the_minimum_fee_applies_to_small_amounts(self):
        split = fee_split(Money(300, "EUR"), policy("6", minimum=50))
        assert (split.fee.minor, split.net.minor) == (50, 250)

    def test_a_minimum_fee_never_takes_more_than_half_the_price(self):
        split = fee_split(Money(30, "EUR"), policy("6", minimum=50))
        assert (split.fee.minor, split.net.minor) == (15, 15)

    def test_a_huge_minimum_fee_still_leaves_the_provider_half(self):
        split = fee_split(Money(10_000, "EUR"), policy("50", minimum=100_000_000))
        assert (split.fee.minor, split.net.minor) == (5_000, 5_000)

    def test_the_customer_fee_is_income_and_not_the_providers(self):
        # 100.00 price + 3 % customer fee; 5 % provider fee; treasury takes half.
        split = fee_split(
            Money(10_300, "EUR"), policy("5", treasury="50"), customer_fee_minor=300
        )
        assert (split.fee.minor, split.customer_fee.minor) == (500, 300)
        assert split.net.minor == 9_500
        assert (split.treasury.minor, split.platform.minor) == (400, 400)

    def test_refuses_a_customer_fee_larger_than_the_gross(self):
        with pytest.raises(ValueError):
            fee_split(Money(100, "EUR"), policy(), customer_fee_minor=101)

    def test_the_treasury_takes_its_share_of_the_fee_rounded_half_up(self):
        # 8% of 12.35 = 0.988 → 0.99; a quarter of 0.99 = 0.2475 → 0.25.
        split = fee_split(Money(1_235, "USD"), policy("8", treasury="25"))
        assert split.fee.minor == 99
        assert (split.treasury.minor, split.platform.minor) == (25, 74)

    def test_all_to_the_treasury(self):
        split = fee_split(Money(1_000, "EUR"), policy("2", treasury="100"))
        assert (split.platform.minor, split.treasury.minor) == (0, 20)

    def test_a_currency_without_decimals_rounds_to_whole_units(self):
        # 5% of ¥1,010 = ¥50.5 → ¥51.
        split = fee_split(Money(1_010, "JPY"), policy("5"))
        assert split.fee == Money(51, "JPY")

    def test_keeps_the_unit(self):
        split = fee_split(Money(1_000, "BHD"), policy("5"))
        assert {m.unit for m in (split.fee, split.net, split.treasury)} == {"BHD"}

    def test_refuses_a_negative_gross(self):
        with pytest.raises(ValueError):
            fee_split(Money(-1, "EUR"), policy())


class TestPolicyBounds:
    @pytest.mark.parametrize("field", ["fee_hundredths", "customer_fee_hundredths"])
    def test_a_fee_above_half_is_refused(self, field):
        values = {
            "fee_hundredths": 0,
            "minimum_minor": 0,
            "treasury_share_hundredths": 0,
            "customer_fee_hundredths": 0,
            field: MAX_FEE_HUNDREDTHS + 1,
        }
        with pytest.raises(ValueError):
            FeePolicy(**values)


class TestCustomerFee:
    def test_is_the_percentage_of_the_price(self):
        assert customer_fee_of(10_000, policy(customer="2.5")) == 250

    def test_rounds_half_up(self):
        # 2.5 % of 0.10 = 0.25 cent → 0.
        assert customer_fee_of(10, policy(customer="2.5")) == 0
        # 5 % of 0.10 = 0.5 cent → 1.
        assert customer_fee_of(10, policy(customer="5")) == 1


class TestShareOf:
    def test_the_whole_takes_all_of_it(self):
        assert share_of(333, whole_minor=333, of_minor=7) == 7

    def test_a_part_takes_its_proportion_rounded_half_up(self):
        # 40 % of a 3.00 fee held in 103.00 of escrow.
        assert share_of(4_120, whole_minor=10_300, of_minor=300) == 120

    def test_refuses_a_part_larger_than_the_whole(self):
        with pytest.raises(ValueError):
            share_of(11, whole_minor=10, of_minor=1)


percentages = st.integers(min_value=0, max_value=10_000)
fee_percentages = st.integers(min_value=0, max_value=MAX_FEE_HUNDREDTHS)


@given(
    price=st.integers(min_value=0, max_value=10**15),
    fee=fee_percentages,
    customer=fee_percentages,
    minimum=st.integers(min_value=0, max_value=10**9),
    share=percentages,
)
def test_every_split_is_exact_and_never_negative(price, fee, customer, minimum, share):
    policy = FeePolicy(
        fee_hundredths=fee,
        minimum_minor=minimum,
        treasury_share_hundredths=share,
        customer_fee_hundredths=customer,
    )
    customer_fee = customer_fee_of(price, policy)
    gross = price + customer_fee
    split = fee_split(Money(gross, "EUR"), policy, customer_fee_minor=customer_fee)
    assert split.net.minor + split.fee.minor + split.customer_fee.minor == gross
    assert split.platform.minor + split.treasury.minor == (
        split.fee.minor + split.customer_fee.minor
    )
    assert min(split.fee.minor, split.net.minor) >= 0
    assert min(split.platform.minor, split.treasury.minor) >= 0
    assert 2 * split.fee.minor <= price + 1  # at most half the price, rounded


@given(
    gross=st.integers(min_value=0, max_value=10**12),
    fee=percentages,
)
def test_the_fee_is_the_percentage_rounded_half_up(gross, fee):
    fee = fee // 2  # fees are bounded at 50 %
    exact = Decimal(gross) * Decimal(fee) / Decimal(10_000)
    split = fee_split(
        Money(gross, "EUR"),
        FeePolicy(fee_hundredths=fee, minimum_minor=0, treasury_share_hundredths=0),
    )
    assert split.fee.minor == int(exact.quantize(Decimal(1), rounding="ROUND_HALF_UP"))


class TestRefundShare:
    def test_is_the_percentage_of_what_escrow_holds(self):
        assert refund_share(12000, 50) == 6000
        assert refund_share(12000, 0) == 0
        assert refund_share(12000, 100) == 12000

    def test_rounds_down_so_the_odd_cent_stays_with_the_provider(self):
        assert refund_share(101, 50) == 50

    @pytest.mark.parametrize("held, percent", [(-1, 50), (100, 101), (100, -1)])
    def test_refuses_what_is_not_a_share(self, held, percent):
        with pytest.raises(ValueError):
            refund_share(held, percent)
