import pytest

from selfwork.core.errors import InvalidInput
from selfwork.core.money import Money


class TestMoneyParse:
    @pytest.mark.parametrize(
        ("amount", "unit", "minor"),
        [
            ("12.50", "EUR", 1250),
            ("12.5", "EUR", 1250),
            ("1200", "JPY", 1200),
            ("1.234", "BHD", 1234),
            ("1.50", "HOUR", 150),
            ("0", "EUR", 0),
        ],
    )
    def test_reads_decimal_strings_in_the_units_minor_units(self, amount, unit, minor):
        assert Money.parse(amount, unit) == Money(minor, unit)

    @pytest.mark.parametrize(
        ("amount", "unit", "code"),
        [
            ("0.001", "EUR", "too_precise"),
            ("1.5", "JPY", "too_precise"),
            ("NaN", "EUR", "invalid_amount"),
            ("Infinity", "EUR", "invalid_amount"),
            ("1e400", "EUR", "invalid_amount"),
            ("1,000", "EUR", "invalid_amount"),
            ("abc", "EUR", "invalid_amount"),
            ("", "EUR", "invalid_amount"),
            ("1", "eur", "unknown_currency"),
            ("1", "XYZ", "unknown_currency"),
            ("9999999999999999", "EUR", "amount_too_large"),
        ],
    )
    def test_refuses_what_is_not_an_exact_amount(self, amount, unit, code):
        with pytest.raises(InvalidInput) as refused:
            Money.parse(amount, unit)
        assert refused.value.code == code

    def test_prints_with_exactly_the_units_decimals(self):
        assert Money(5, "EUR").amount == "0.05"
        assert Money(1200, "JPY").amount == "1200"
        assert Money(-1234, "BHD").amount == "-1.234"


class TestMoneyParseDigits:
    @pytest.mark.parametrize("amount", ["١٠", "१०", "１０"])
    def test_refuses_digits_of_other_scripts(self, amount):
        with pytest.raises(InvalidInput) as refused:
            Money.parse(amount, "EUR")
        assert refused.value.code == "invalid_amount"
