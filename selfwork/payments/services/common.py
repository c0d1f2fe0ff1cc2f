"""What the payment services share: decline texts, amount and member checks,
idempotency keys.
"""

from django.utils.translation import gettext

from selfwork.core.errors import InvalidInput
from selfwork.core.money import MAX_MINOR, Money, unit_check

DECLINE_DETAIL = {
    "card_declined": "The card was declined.",
    "insufficient_funds": "The card has insufficient funds.",
    "processing_error": "The card processor had an error; try again in a moment.",
}


def _amount_check(amount: object, *, field: str = "amount") -> Money:
    """Return ``amount`` if it is a positive amount of a real currency."""
    if not isinstance(amount, Money) or isinstance(amount.minor, bool):
        raise InvalidInput(
            gettext("An amount is {amount, currency}."),
            field=field,
            code="invalid_amount",
        )
    unit_check(amount.unit, field=f"{field}.currency", allow_hours=False)
    if not isinstance(amount.minor, int):
        raise InvalidInput(
            gettext("An amount is whole minor units."),
            field=field,
            code="invalid_amount",
        )
    if amount.minor <= 0:
        raise InvalidInput(
            gettext("The amount must be more than zero."),
            field=field,
            code="amount_not_positive",
        )
    if amount.minor > MAX_MINOR:
        raise InvalidInput(
            gettext("The amount is too large."), field=field, code="amount_too_large"
        )
    return amount


def _key(prefix: str, reference: str, part: str) -> str:
    return f"{prefix}:{reference}" + (f":{part}" if part else "")


def _member_check(member: object, *, field: str) -> None:
    if getattr(member, "pk", None) is None or not getattr(
        member, "is_authenticated", False
    ):
        raise InvalidInput(
            gettext("%(field)s must be a member.") % {"field": field}, field=field
        )


def _currency_mismatch(expected: str, got: str, *, field: str) -> InvalidInput:
    return InvalidInput(
        f"This is paid in {expected}; {got} was given.",
        field=field,
        code="currency_mismatch",
        expected=expected,
    )
