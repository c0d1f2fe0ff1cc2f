"""Parsing what interfaces receive: upload ids, amounts of money, bounded integers.

Services are handed JSON-shaped values (from the API, or from a web form that
builds the same shape) and turn them into typed ones here, so that one kind of
value is refused the same way everywhere: an ``InvalidInput`` naming the field.
"""

import uuid
from typing import Literal

from django.utils.translation import gettext

from selfwork.core.errors import InvalidInput
from selfwork.core.models import Upload
from selfwork.core.money import HOUR, Money, unit_check


def upload_ids_parse(
    value: object,
    *,
    owner,
    field: str,
    limit: int,
    duplicates: Literal["refuse", "merge", "keep"] = "refuse",
) -> list[Upload]:
    """Return ``owner``'s uploads named by ``value``, a list of upload ids, in order.

    ``duplicates`` says what an id named twice does: ``refuse`` it, ``merge`` it
    into its first place, or ``keep`` both places.

    :raises InvalidInput: when ``value`` is not a list of at most ``limit`` ids,
        names an id twice (``refuse``), or ``unknown_upload`` for an id that is
        not one of ``owner``'s uploads.
    """
    if not isinstance(value, list) or len(value) > limit:
        raise InvalidInput(
            gettext("%(field)s is a list of at most %(limit)s upload ids.")
            % {"field": field, "limit": limit},
            field=field,
        )
    keys = []
    for item in value:
        try:
            keys.append(uuid.UUID(str(item)))
        except ValueError as exc:
            raise InvalidInput(
                gettext("'%(item)s' is not an upload id.") % {"item": str(item)[:40]},
                field=field,
                code="unknown_upload",
            ) from exc
    if len(set(keys)) != len(keys):
        if duplicates == "refuse":
            raise InvalidInput(
                gettext("%(field)s names an upload twice.") % {"field": field},
                field=field,
            )
        if duplicates == "merge":
            keys = list(dict.fromkeys(keys))
    uploads = {
        u.public_id: u for u in Upload.objects.filter(public_id__in=keys, owner=owner)
    }
    missing = [str(k) for k in keys if k not in uploads]
    if missing:
        raise InvalidInput(
            gettext("%(field)s: no upload '%(missing)s' of yours.")
            % {"field": field, "missing": missing[0]},
            field=field,
            code="unknown_upload",
        )
    return [uploads[k] for k in keys]


def money_parse(
    value: object,
    *,
    field: str,
    hours: bool | None = False,
    positive: bool = False,
) -> Money:
    """Parse ``{"amount": "12.50", "currency": "EUR"}`` (or pass a ``Money`` through).

    ``hours`` False takes a currency only (``HOUR`` is an unknown currency here),
    True takes ``HOUR`` only, None either. ``positive`` refuses zero and less.

    :raises InvalidInput: ``invalid_money`` for anything but such an object, with
        these two members and no other (or a currency where hours are wanted),
        ``invalid_amount``, ``too_precise``, ``amount_too_large`` or
        ``unknown_currency`` from ``Money.parse``, and ``amount_not_positive``.
    """
    if isinstance(value, Money):
        money = value
        unit_check(
            money.unit, field=f"{field}.currency", allow_hours=hours is not False
        )
        if hours and money.unit != HOUR:
            raise InvalidInput(
                gettext("%(field)s is counted in HOUR.") % {"field": field},
                field=field,
                code="invalid_money",
            )
    else:
        if not isinstance(value, dict) or set(value) != {"amount", "currency"}:
            raise InvalidInput(
                gettext(
                    '%(field)s is an object like {"amount": "12.50", "currency": '
                    '"EUR"}.'
                )
                % {"field": field},
                field=field,
                code="invalid_money",
            )
        amount, currency = value["amount"], value["currency"]
        if isinstance(amount, str) and not amount.isascii():
            # Digits of other scripts ("١٠") are digits to Python's Decimal and
            # regex \d; an amount is written in ASCII.
            raise InvalidInput(
                gettext('Write the amount in plain digits, such as "12.50".'),
                field=field,
                code="invalid_amount",
            )
        if hours and currency != HOUR:
            raise InvalidInput(
                gettext("%(field)s is counted in HOUR.") % {"field": field},
                field=field,
                code="invalid_money",
            )
        money = Money.parse(
            amount, currency, field=field, allow_hours=hours is not False
        )
    if positive and money.minor <= 0:
        raise InvalidInput(
            gettext("%(field)s must be more than zero.") % {"field": field},
            field=field,
            code="amount_not_positive",
        )
    return money


def int_parse(
    value: object,
    *,
    field: str,
    low: int,
    high: int,
    code: str | None = None,
    range_code: str | None = None,
) -> int:
    """Return ``value`` if it is a whole number from ``low`` to ``high``.

    ``True`` is no number, nor is ``"5"``: the caller sends numbers as numbers.

    :raises InvalidInput: with ``code`` (default ``invalid_input``) for anything
        but an integer, and ``range_code`` (default ``code``) for one out of range.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(
            gettext("%(field)s is a whole number from %(low)s to %(high)s.")
            % {"field": field, "low": low, "high": high},
            field=field,
            code=code,
        )
    if not low <= value <= high:
        raise InvalidInput(
            gettext("%(field)s is %(value)s; it must be from %(low)s to %(high)s.")
            % {"field": field, "value": value, "low": low, "high": high},
            field=field,
            code=range_code or code,
        )
    return value
