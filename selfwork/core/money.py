"""Money and time credits as exact integer minor units.

A unit is an ISO 4217 currency code (with its real minor-unit exponent: JPY 0,
EUR 2, BHD 3) or ``HOUR`` for time credits, counted in hundredths of an hour.
Amounts arrive as decimal strings and are refused, never rounded, when they carry
more precision than their unit has.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

from babel.core import get_global
from babel.numbers import (
    format_currency,
    get_currency_precision,
    get_territory_currencies,
)
from django.utils.translation import gettext

from selfwork.core.errors import InvalidInput

HOUR = "HOUR"
# The largest amount we accept in any unit: far above any real price, far below
# what a 64-bit integer column holds.
MAX_MINOR = 10**15
_AMOUNT = re.compile(r"^-?[0-9]{1,16}(\.[0-9]{1,6})?$")


@cache
def currencies() -> frozenset[str]:
    """Return the ISO 4217 codes selfwork accepts: those legal tender somewhere today.

    The one list every money picker, form and API check reads. babel's
    ``list_currencies`` also holds historic codes (DEM, FRF), funds and metals
    (CLF, XAU); a code some territory uses as tender now is the active list.
    """
    today = dt.date.today()
    return frozenset(
        code
        for territory in get_global("territory_currencies")
        for code in get_territory_currencies(
            territory, start_date=today, end_date=today, tender=True
        )
    )


def unit_exponent(unit: str) -> int:
    """Return the number of decimal places of ``unit`` (``HOUR`` has two)."""
    if unit == HOUR:
        return 2
    return get_currency_precision(unit)


def unit_check(unit: str, *, field: str = "currency", allow_hours: bool = True) -> str:
    """Return ``unit`` if it is a known currency code (or ``HOUR``); raise otherwise."""
    if not isinstance(unit, str) or not unit:
        raise InvalidInput(
            gettext("A currency code is required."),
            field=field,
            code="unknown_currency",
        )
    if unit == HOUR and allow_hours:
        return unit
    if unit not in currencies():
        hint = (
            " Currency codes are upper case, like EUR."
            if unit.upper() in currencies()
            else ""
        )
        raise InvalidInput(
            gettext("'%(unit)s' is not a currency in use today (ISO 4217).%(hint)s")
            % {"unit": unit[:10], "hint": hint},
            field=field,
            code="unknown_currency",
        )
    return unit


@dataclass(frozen=True, order=True)
class Money:
    """An exact amount of one unit, in integer minor units."""

    minor: int
    unit: str

    @classmethod
    def parse(
        cls,
        amount: str | int | Decimal,
        unit: str,
        *,
        field: str = "amount",
        allow_hours: bool = True,
    ) -> Money:
        """Parse a decimal string such as ``"12.50"`` in ``unit``.

        :raises InvalidInput: for a non-number, NaN, infinity, exponent notation,
            thousands separators, too many decimals for the unit, or a value too large.
        """
        unit_check(unit, field=f"{field}.currency", allow_hours=allow_hours)
        text = str(amount).strip() if not isinstance(amount, str) else amount.strip()
        if isinstance(amount, bool) or not _AMOUNT.match(text):
            raise InvalidInput(
                gettext(
                    "'%(text)s' is not an amount; write a plain decimal such as "
                    '"12.50".'
                )
                % {"text": text[:20]},
                field=field,
                code="invalid_amount",
            )
        try:
            value = Decimal(text)
        except InvalidOperation as exc:  # pragma: no cover - the regex guards this
            raise InvalidInput(
                gettext("Not an amount."), field=field, code="invalid_amount"
            ) from exc
        exponent = unit_exponent(unit)
        scaled = value.scaleb(exponent)
        if scaled != scaled.to_integral_value():
            places = "no decimals" if exponent == 0 else f"at most {exponent} decimals"
            raise InvalidInput(
                gettext("%(unit)s amounts have %(places)s; '%(text)s' has more.")
                % {"unit": unit, "places": places, "text": text},
                field=field,
                code="too_precise",
            )
        minor = int(scaled)
        if abs(minor) > MAX_MINOR:
            raise InvalidInput(
                gettext("'%(text)s' is too large.") % {"text": text},
                field=field,
                code="amount_too_large",
            )
        return cls(minor, unit)

    @classmethod
    def zero(cls, unit: str) -> Money:
        return cls(0, unit)

    @property
    def exponent(self) -> int:
        return unit_exponent(self.unit)

    @property
    def decimal(self) -> Decimal:
        return Decimal(self.minor).scaleb(-self.exponent)

    @property
    def amount(self) -> str:
        """The amount as a decimal string with exactly the unit's decimals."""
        exponent = self.exponent
        if exponent == 0:
            return str(self.minor)
        return f"{self.decimal:.{exponent}f}"

    def as_dict(self) -> dict[str, str]:
        return {"amount": self.amount, "currency": self.unit}

    def format(self, locale: str = "en") -> str:
        """Human text: ``€12.50``, ``¥1,200``, ``1.50 h``."""
        if self.unit == HOUR:
            return (
                f"{self.decimal.normalize():f} h"
                if self.minor % 100
                else (f"{self.minor // 100} h")
            )
        return format_currency(self.decimal, self.unit, locale=locale)

    def __add__(self, other: Money) -> Money:
        self._same_unit(other)
        return Money(self.minor + other.minor, self.unit)

    def __sub__(self, other: Money) -> Money:
        self._same_unit(other)
        return Money(self.minor - other.minor, self.unit)

    def _same_unit(self, other: Money) -> None:
        if other.unit != self.unit:
            raise ValueError(f"cannot combine {self.unit} with {other.unit}")

    def __str__(self) -> str:
        return f"{self.amount} {self.unit}"


def convert(money: Money, rate: Decimal, unit: str) -> Money:
    """Convert at ``rate`` (units of ``unit`` per one unit of ``money``), half-up."""
    value = (money.decimal * rate).scaleb(unit_exponent(unit))
    return Money(int(value.to_integral_value(rounding=ROUND_HALF_UP)), unit)
