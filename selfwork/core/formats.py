"""Money, hours, dates and relative times in the reader's language and time zone.

Formats come from CLDR through babel, in the locale of the active language
(``translation.override`` for an e-mail, the request's language for a page);
dates and times are shown in the active time zone (the member's, per request).
Ledger memos and API amounts never go through here: they stay language-neutral.
"""

import datetime as dt
import functools
from decimal import Decimal

from babel import Locale
from babel.dates import format_date, format_time, format_timedelta
from babel.numbers import format_currency, format_decimal
from django.utils import timezone, translation
from django.utils.translation import ngettext

from selfwork.core.money import HOUR, Money


def babel_locale(language: str | None = None) -> str:
    """The babel locale of ``language`` (the active one by default): ``pt_BR``."""
    return translation.to_locale(language or translation.get_language() or "en")


@functools.cache
def _parsed(locale: str) -> Locale:
    # Given a name, babel parses it again at each of the several look-ups one
    # amount or date makes: about half the cost of formatting it.
    return Locale.parse(locale)


def money_format(money: Money, *, locale: str | None = None) -> str:
    """``€1,234.50`` (en), ``1 234,50 €`` (fr), ``R$ 1.234,50`` (pt-BR); hours in words."""
    where = locale or babel_locale()
    if money.unit == HOUR:
        return hours_format(money.decimal, locale=where)
    return _currency_text(money.minor, money.unit, where)


@functools.lru_cache(maxsize=8192)
def _currency_text(minor: int, unit: str, locale: str) -> str:
    # A page of cards formats the same few prices again and again; babel takes
    # about 0.1 ms for each.
    return format_currency(Money(minor, unit).decimal, unit, locale=_parsed(locale))


def hours_format(hours: Decimal, *, locale: str | None = None) -> str:
    """``1.5 hours`` (en), ``1,5 Stunden`` (de), ``1 hour``."""
    where = locale or babel_locale()
    number = format_decimal(hours.normalize(), locale=_parsed(where))
    # gettext's plural forms count whole things: a fraction of an hour reads as
    # the plural in every language the site speaks ("0.5 hours", "1,5 Stunden").
    count = int(hours) if hours == hours.to_integral_value() else 2
    return ngettext("%(hours)s hour", "%(hours)s hours", count) % {"hours": number}


def _aware(value: dt.datetime) -> dt.datetime:
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return timezone.localtime(value)


def date_format(value: dt.date | dt.datetime, *, locale: str | None = None) -> str:
    """``Mar 14, 2026`` (en), ``14 mars 2026`` (fr); a datetime in the active zone."""
    if isinstance(value, dt.datetime):
        value = _aware(value).date()
    return format_date(value, format="medium", locale=_parsed(locale or babel_locale()))


def datetime_format(value: dt.datetime, *, locale: str | None = None) -> str:
    """``Mar 14, 2026, 4:30 PM`` (en), ``14.03.2026, 16:30`` (de), in the active zone."""
    where = _parsed(locale or babel_locale())
    local = _aware(value)
    # The locale's own way of joining a date and a time ("{1}, {0}", "{1} {0}").
    pattern = where.datetime_formats["medium"]
    return str(pattern).format(
        format_time(local, format="short", locale=where),
        format_date(local.date(), format="medium", locale=where),
    )


def relative_format(
    value: dt.datetime, *, now: dt.datetime | None = None, locale: str | None = None
) -> str:
    """``in 2 days``, ``3 hours ago`` (en); ``dans 2 jours``, ``vor 3 Stunden``."""
    delta = _aware(value) - _aware(now or timezone.now())
    return format_timedelta(
        delta, add_direction=True, threshold=1, locale=_parsed(locale or babel_locale())
    )
