"""Reference exchange rates, for showing a price in the viewer's currency.

Rates are stored against one base (EUR); any pair is derived through it. The
package ships a reference table (``data/fx_rates.csv``) that ``selfwork fx import``
replaces with fresher figures.
"""

import csv
import datetime as dt
import io
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext

from selfwork.core.compiled import CompiledRead, Slot
from selfwork.core.errors import InvalidInput
from selfwork.core.generations import LISTINGS, generation_bump
from selfwork.core.models import FxRate
from selfwork.core.money import Money, convert, unit_check

BASE = "EUR"
REFERENCE_TABLE = Path(__file__).parent / "data" / "fx_rates.csv"


def fx_rates_parse(text: str) -> list[tuple[str, str, Decimal, dt.date]]:
    """Parse a CSV of ``base,quote,rate,published_on`` rows, refusing any bad row."""
    reader = csv.DictReader(io.StringIO(text))
    needed = {"base", "quote", "rate", "published_on"}
    if not reader.fieldnames or not needed <= set(reader.fieldnames):
        raise InvalidInput(
            gettext("The file needs the columns base, quote, rate, published_on."),
            code="bad_fx_file",
        )
    rows = []
    for number, row in enumerate(reader, start=2):
        base, quote = row["base"].strip(), row["quote"].strip()
        try:
            unit_check(base, allow_hours=False)
            unit_check(quote, allow_hours=False)
            rate = Decimal(row["rate"].strip())
            published_on = dt.date.fromisoformat(row["published_on"].strip())
        except (InvalidInput, InvalidOperation, ValueError) as exc:
            raise InvalidInput(
                gettext("Line %(number)s: %(exc)s") % {"number": number, "exc": exc},
                code="bad_fx_file",
            ) from exc
        if not rate.is_finite() or rate <= 0:
            raise InvalidInput(
                gettext("Line %(number)s: the rate must be positive.")
                % {"number": number},
                code="bad_fx_file",
            )
        if base != BASE:
            raise InvalidInput(
                gettext(
                    "Line %(number)s: rates are quoted against %(BASE)s; got "
                    "base %(base)s."
                )
                % {"number": number, "BASE": BASE, "base": base},
                code="bad_fx_file",
            )
        rows.append((base, quote, rate, published_on))
    if not rows:
        raise InvalidInput(gettext("The file has no rates."), code="bad_fx_file")
    return rows


@transaction.atomic
def fx_rates_import(*, text: str) -> int:
    """Replace the stored rates for every pair in ``text``; return how many were written."""
    rows = fx_rates_parse(text)
    for base, quote, rate, published_on in rows:
        FxRate.objects.update_or_create(
            base=base,
            quote=quote,
            defaults={"rate": rate, "published_on": published_on},
        )
    # Pages of listings show prices in the viewer's currency.
    generation_bump(LISTINGS)
    return len(rows)


# Most pages show prices in the viewer's currency: this SQL is written once.
_rates_read = CompiledRead(
    FxRate,
    lambda shape: FxRate.objects.filter(
        base=Slot("base", FxRate._meta.get_field("base"))
    ).values_list("quote", "rate"),
)


def fx_table() -> dict[str, Decimal]:
    """Return ``{currency: units per 1 EUR}`` for every stored rate (one query)."""
    table = {BASE: Decimal(1)}
    table.update(_rates_read.rows(base=BASE))
    return table


def fx_convert(money: Money, unit: str, table: dict[str, Decimal]) -> Money | None:
    """Return ``money`` in ``unit`` at reference rates, or None when a rate is missing."""
    if money.unit == unit:
        return money
    if money.unit not in table or unit not in table:
        return None
    return convert(money, table[unit] / table[money.unit], unit)
