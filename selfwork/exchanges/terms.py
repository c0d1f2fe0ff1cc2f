"""What an exchange copies when it starts: line items, money, delivery and rights.

Later edits of the listing or offer an exchange came from never change a running
exchange, so everything it settles by is copied here first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext

from selfwork.core.errors import InvalidInput
from selfwork.core.money import MAX_MINOR, Money

USES = ("personal", "commercial")


@dataclass(frozen=True)
class LineItem:
    """One priced line: a package, an option's surcharge, a personalisation."""

    label: str
    unit_price: Money
    quantity: int = 1

    @property
    def amount(self) -> Money:
        return Money(self.unit_price.minor * self.quantity, self.unit_price.unit)

    def as_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "unit_price_minor": self.unit_price.minor,
            "quantity": self.quantity,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], unit: str) -> LineItem:
        return cls(
            label=data["label"],
            unit_price=Money(int(data["unit_price_minor"]), unit),
            quantity=int(data["quantity"]),
        )


@dataclass(frozen=True)
class Milestone:
    """A part of the work funded and released on its own."""

    title: str
    amount: Money

    def as_json(self) -> dict[str, Any]:
        return {"title": self.title, "amount_minor": self.amount.minor}

    @classmethod
    def from_json(cls, data: dict[str, Any], unit: str) -> Milestone:
        return cls(title=data["title"], amount=Money(int(data["amount_minor"]), unit))


@dataclass(frozen=True)
class Terms:
    """What an exchange copies at its start; later edits of listings or offers never change it."""

    line_items: list[LineItem]
    currency: str
    delivery_days: int | None = None
    revisions: int = 0
    # {"use": "personal" | "commercial", "credit_required": bool}
    usage_rights: dict = field(default_factory=dict)
    milestones: list[Milestone] = field(default_factory=list)
    requirements: str = ""
    # A period booked on the listing's calendar, [start, end), aware UTC.
    booking_start: dt.datetime | None = None
    booking_end: dt.datetime | None = None
    # Held on the customer's card for the booking, in ``currency``.
    deposit: Money | None = None
    cancellation_policy: str = ""
    instant_booking: bool = False
    # The customer's own listing offered in return (a swap).
    offered_listing: Any = None

    @property
    def total(self) -> Money:
        total = Money.zero(self.currency)
        for item in self.line_items:
            total = total + item.amount
        return total


def terms_check(terms: Terms) -> Terms:
    """Return ``terms`` if an exchange can run on them; raise naming the first fault.

    :raises InvalidInput: no line items, mixed currencies, a total that is not
        positive, milestones that do not add up to the total, bad delivery days,
        revisions or usage rights.
    """
    if not isinstance(terms, Terms):
        raise InvalidInput(gettext("Terms are required."), field="terms")
    if not terms.line_items:
        raise InvalidInput(
            gettext("An exchange needs at least one line item."), field="terms"
        )
    for i, item in enumerate(terms.line_items):
        where = f"line_items[{i}]"
        if item.unit_price.unit != terms.currency:
            raise InvalidInput(
                gettext("%(where)s is in %(unit)s; the exchange is in %(currency)s.")
                % {
                    "where": where,
                    "unit": item.unit_price.unit,
                    "currency": terms.currency,
                },
                field=where,
                code="currency_mismatch",
            )
        if not isinstance(item.quantity, int) or not 1 <= item.quantity <= 1000:
            raise InvalidInput(
                gettext("%(where)s: quantity is 1 to 1000.") % {"where": where},
                field=where,
            )
        if item.unit_price.minor < 0:
            raise InvalidInput(
                gettext("%(where)s: a price is never negative.") % {"where": where},
                field=where,
            )
        if not item.label or len(item.label) > 200:
            raise InvalidInput(
                gettext("%(where)s: a label of 1 to 200 characters.")
                % {"where": where},
                field=where,
            )
    total = terms.total
    if total.minor < 0 or total.minor > MAX_MINOR:
        raise InvalidInput(
            gettext("The total is zero or more, within bounds."),
            field="terms",
            code="invalid_amount",
        )
    if (terms.booking_start is None) != (terms.booking_end is None) or (
        terms.booking_start is not None
        and terms.booking_end is not None
        and terms.booking_end <= terms.booking_start
    ):
        raise InvalidInput(
            gettext("A booking has a start before its end."),
            field="end",
            code="period_invalid",
        )
    if terms.deposit is not None and (
        terms.deposit.unit != terms.currency or terms.deposit.minor < 0
    ):
        raise InvalidInput(
            gettext("A deposit is an amount in %(currency)s.")
            % {"currency": terms.currency},
            field="deposit",
            code="invalid_amount",
        )
    if terms.delivery_days is not None and not (
        isinstance(terms.delivery_days, int) and 1 <= terms.delivery_days <= 365
    ):
        raise InvalidInput(gettext("delivery_days is 1 to 365."), field="delivery_days")
    if not isinstance(terms.revisions, int) or not 0 <= terms.revisions <= 50:
        raise InvalidInput(gettext("revisions is 0 to 50."), field="revisions")
    rights = terms.usage_rights
    if rights and (
        not isinstance(rights, dict)
        or set(rights) - {"use", "credit_required"}
        or rights.get("use") not in USES
        or not isinstance(rights.get("credit_required", False), bool)
    ):
        raise InvalidInput(
            gettext(
                'usage_rights is {"use": "personal" | "commercial", '
                '"credit_required": true | false}.'
            ),
            field="usage_rights",
        )
    if terms.milestones:
        if len(terms.milestones) > 10:
            raise InvalidInput(gettext("At most 10 milestones."), field="milestones")
        for i, milestone in enumerate(terms.milestones):
            if milestone.amount.unit != terms.currency or milestone.amount.minor <= 0:
                raise InvalidInput(
                    gettext("milestones[%(i)s] is a positive amount in %(currency)s.")
                    % {"i": i, "currency": terms.currency},
                    field=f"milestones[{i}]",
                )
            if not milestone.title or len(milestone.title) > 120:
                raise InvalidInput(
                    gettext("milestones[%(i)s] needs a title of up to 120 characters.")
                    % {"i": i},
                    field=f"milestones[{i}]",
                )
        funded = sum(m.amount.minor for m in terms.milestones)
        if funded != total.minor:
            raise InvalidInput(
                gettext("The milestones add up to %(value)s; the total is %(total)s.")
                % {"value": Money(funded, terms.currency), "total": total},
                field="milestones",
                code="milestones_mismatch",
            )
    if not isinstance(terms.requirements, str) or len(terms.requirements) > 10000:
        raise InvalidInput(
            gettext("requirements is text of up to 10000 characters."),
            field="requirements",
        )
    return terms
