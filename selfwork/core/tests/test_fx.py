import datetime as dt
from decimal import Decimal

import pytest

from selfwork.core.errors import InvalidInput
from selfwork.core.fx import fx_convert, fx_rates_import, fx_rates_parse, fx_table
from selfwork.core.models import FxRate
from selfwork.core.money import Money

TABLE = {"EUR": Decimal(1), "USD": Decimal("1.0850"), "JPY": Decimal("163.20")}


class TestFxConvert:
    def test_converts_from_the_base(self):
        assert fx_convert(Money(1000, "EUR"), "USD", TABLE) == Money(1085, "USD")

    def test_converts_between_two_quotes_through_the_base(self):
        assert fx_convert(Money(1085, "USD"), "JPY", TABLE) == Money(1632, "JPY")

    def test_rounds_half_up_to_the_target_minor_unit(self):
        # 0.01 EUR is 1.632 JPY: one yen.
        assert fx_convert(Money(1, "EUR"), "JPY", TABLE) == Money(2, "JPY")

    def test_returns_the_same_money_for_the_same_unit(self):
        assert fx_convert(Money(5, "USD"), "USD", TABLE) == Money(5, "USD")

    def test_returns_none_without_a_rate(self):
        assert fx_convert(Money(5, "USD"), "GBP", TABLE) is None
        assert fx_convert(Money(5, "CHF"), "EUR", TABLE) is None


HEADER = "base,quote,rate,published_on\n"


class TestFxImport:
    def test_the_shipped_reference_table_is_loaded(self, db):
        table = fx_table()
        assert table["EUR"] == 1
        assert table["USD"] == Decimal("1.085")

    def test_replaces_rates_and_adds_new_pairs(self, db):
        written = fx_rates_import(
            text=HEADER + "EUR,USD,1.2000,2026-12-01\nEUR,ISK,150.5,2026-12-01\n"
        )
        assert written == 2
        usd = FxRate.objects.get(base="EUR", quote="USD")
        assert usd.rate == Decimal("1.2")
        assert usd.published_on == dt.date(2026, 12, 1)
        assert fx_table()["ISK"] == Decimal("150.5")

    @pytest.mark.parametrize(
        "text",
        [
            "",
            "from,to,rate\nEUR,USD,1.1\n",
            HEADER,
            HEADER + "EUR,USD,abc,2026-12-01\n",
            HEADER + "EUR,USD,NaN,2026-12-01\n",
            HEADER + "EUR,USD,Infinity,2026-12-01\n",
            HEADER + "EUR,USD,-1.1,2026-12-01\n",
            HEADER + "EUR,USD,0,2026-12-01\n",
            HEADER + "EUR,XYZ,1.1,2026-12-01\n",
            HEADER + "EUR,usd,1.1,2026-12-01\n",
            HEADER + "USD,EUR,0.9,2026-12-01\n",
            HEADER + "EUR,USD,1.1,yesterday\n",
            HEADER + "EUR,HOUR,1,2026-12-01\n",
        ],
    )
    def test_refuses_a_bad_file(self, db, text):
        with pytest.raises(InvalidInput) as refused:
            fx_rates_import(text=text)
        assert refused.value.code == "bad_fx_file"

    def test_one_bad_row_leaves_every_rate_as_it_was(self, db):
        before = dict(fx_table())
        with pytest.raises(InvalidInput) as refused:
            fx_rates_import(
                text=HEADER + "EUR,USD,2.0,2026-12-01\nEUR,GBP,oops,2026-12-01\n"
            )
        assert "Line 3" in refused.value.detail
        assert fx_table() == before

    def test_parses_without_touching_the_database(self):
        rows = fx_rates_parse(HEADER + " EUR , USD , 1.1 , 2026-12-01 \n")
        assert rows == [("EUR", "USD", Decimal("1.1"), dt.date(2026, 12, 1))]
