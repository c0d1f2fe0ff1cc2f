"""The document's patterns say exactly what the services accept (core.openapi)."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from selfwork.core.errors import InvalidInput
from selfwork.core.money import Money
from selfwork.core.openapi import PLAIN, PLAIN_REQUIRED, amount_pattern
from selfwork.core.text import plain_check

# Texts and amounts made of the characters the rules are about.
TEXT = st.text(alphabet="<</a!?b \x00\x01\n\t\r\x7fé", max_size=8)
AMOUNT = st.text(alphabet="0000000001.-", max_size=20) | st.builds(
    lambda zeros, tail: "1" + "0" * zeros + tail,
    st.integers(10, 16),
    st.sampled_from(["", ".0", ".00", "0.1"]),
)


def _accepted(check, *args, **kwargs) -> bool:
    try:
        check(*args, **kwargs)
    except InvalidInput:
        return False
    return True


class TestPlainText:
    @given(text=TEXT)
    @settings(max_examples=500)
    @pytest.mark.parametrize("required", [True, False])
    def test_the_pattern_matches_what_plain_check_takes(self, text, required):
        pattern = PLAIN_REQUIRED if required else PLAIN
        assert bool(re.fullmatch(pattern, text)) == _accepted(
            plain_check, text, field="x", max_length=100, required=required
        )


class TestAmounts:
    @given(text=AMOUNT)
    @settings(max_examples=500)
    @pytest.mark.parametrize("unit", ["JPY", "EUR", "BHD"])
    def test_the_pattern_matches_what_money_parse_takes(self, text, unit):
        accepted = _accepted(Money.parse, text, unit)
        exponent = {"JPY": 0, "EUR": 2, "BHD": 3}[unit]
        assert bool(re.fullmatch(amount_pattern(exponent), text)) == accepted
        positive = accepted and Money.parse(text, unit).minor > 0
        assert (
            bool(re.fullmatch(amount_pattern(exponent, sign="positive"), text))
            == positive
        )
