"""Money, hours, dates and relative times read the way each language writes them."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from selfwork.core.formats import (
    date_format,
    datetime_format,
    hours_format,
    money_format,
    relative_format,
)
from selfwork.core.money import Money

NBSP = "\u00a0"
NNBSP = "\u202f"  # CLDR's narrow no-break space: French thousands, English "PM"

MOMENT = dt.datetime(2026, 3, 14, 15, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("language", "eur", "brl"),
    [
        ("en", "€1,234.50", "R$1,234.50"),
        ("fr", f"1{NNBSP}234,50{NBSP}€", f"1{NNBSP}234,50{NBSP}R$"),
        ("de", f"1.234,50{NBSP}€", f"1.234,50{NBSP}R$"),
        ("pt-br", f"€{NBSP}1.234,50", f"R${NBSP}1.234,50"),
        ("es", f"1.234,50{NBSP}€", f"1.234,50{NBSP}BRL"),
    ],
)
def test_money_is_written_the_way_the_language_writes_it(language, eur, brl):
    with translation.override(language):
        assert money_format(Money(123450, "EUR")) == eur
        assert money_format(Money(123450, "BRL")) == brl


def test_money_keeps_the_currency_s_own_decimals():
    with translation.override("de"):
        assert money_format(Money(1200, "JPY")) == f"1.200{NBSP}¥"


@pytest.mark.parametrize(
    ("language", "whole", "fraction", "three"),
    [
        ("en", "1 hour", "1.5 hours", "3 hours"),
        ("fr", "1 heure", "1,5 heures", "3 heures"),
        ("de", "1 Stunde", "1,5 Stunden", "3 Stunden"),
        ("pt-br", "1 hora", "1,5 horas", "3 horas"),
        ("es", "1 hora", "1,5 horas", "3 horas"),
    ],
)
def test_hours_use_the_language_s_decimal_mark(language, whole, fraction, three):
    # The unit's word is the catalogue's; the number is the locale's.
    with translation.override(language):
        assert money_format(Money(100, "HOUR")) == whole
        assert money_format(Money(150, "HOUR")) == fraction
        assert hours_format(Decimal("3")) == three


@pytest.mark.parametrize(
    ("language", "date", "moment"),
    [
        ("en", "Mar 14, 2026", f"Mar 14, 2026, 4:30{NNBSP}PM"),
        ("fr", "14 mars 2026", "14 mars 2026, 16:30"),
        ("de", "14.03.2026", "14.03.2026, 16:30"),
        ("pt-br", "14 de mar. de 2026", "14 de mar. de 2026 16:30"),
        ("es", "14 mar 2026", "14 mar 2026, 16:30"),
    ],
)
def test_dates_are_in_the_language_and_the_active_time_zone(language, date, moment):
    with (
        translation.override(language),
        timezone.override(zoneinfo.ZoneInfo("Europe/Paris")),
    ):
        assert date_format(MOMENT) == date
        assert datetime_format(MOMENT) == moment


def test_a_late_evening_is_the_next_day_where_the_member_lives():
    late = dt.datetime(2026, 3, 14, 23, 30, tzinfo=dt.UTC)
    with (
        translation.override("en"),
        timezone.override(zoneinfo.ZoneInfo("Pacific/Auckland")),
    ):
        assert date_format(late) == "Mar 15, 2026"


@pytest.mark.parametrize(
    ("language", "ahead", "behind"),
    [
        ("en", "in 2 days", "3 hours ago"),
        ("fr", "dans 2 jours", "il y a 3 heures"),
        ("de", "in 2 Tagen", "vor 3 Stunden"),
        ("pt-br", "em 2 dias", "há 3 horas"),
        ("es", "dentro de 2 días", "hace 3 horas"),
    ],
)
def test_relative_times_are_translated(language, ahead, behind):
    with translation.override(language):
        assert relative_format(MOMENT + dt.timedelta(days=2), now=MOMENT) == ahead
        assert relative_format(MOMENT - dt.timedelta(hours=3), now=MOMENT) == behind
