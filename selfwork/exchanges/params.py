"""The parameters a transition may take: the engine's one registry of them.

Each parameter is declared once, here: how a value is checked, how the API
describes it (its OpenAPI schema), how a web form asks for it, whether the
timeline shows it, and what taking a transition with it records besides the
event. The engine's validator, the transition service, the API schema and the
room's forms all read ``PARAMS``; adding a parameter touches only this module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext, gettext_noop
from pydantic import BaseModel, ConfigDict, Field

from selfwork.core.errors import InvalidInput
from selfwork.core.models import Upload
from selfwork.core.money import HOUR, Money
from selfwork.core.parse import int_parse, money_parse, upload_ids_parse
from selfwork.core.text import markdown_check, plain_check

if TYPE_CHECKING:
    import datetime as dt

    from selfwork.exchanges.models import Exchange

MAX_FILES = 20
MAX_PHOTOS = 10


class AmountIn(BaseModel):
    """An amount as the API takes it."""

    model_config = ConfigDict(extra="forbid")

    amount: str = Field(max_length=40, description='A decimal string, e.g. "12.50".')
    currency: str = Field(max_length=10, description="ISO 4217, upper case.")


@dataclass(frozen=True)
class ParamContext:
    """What checking a value may look at: who sends it, on which exchange."""

    actor: Any
    exchange: Exchange


@dataclass(frozen=True)
class Param:
    """One parameter of the engine's vocabulary."""

    name: str
    # For process authors (docs/processes.md) and the validator's messages.
    description: str
    # The API: the value's type and pydantic ``Field`` bounds (None is "not sent").
    schema: Any
    bounds: dict[str, Any]
    # Returns the clean value or raises InvalidInput naming the parameter.
    clean: Callable[[object, ParamContext], Any]
    # The web form: its label, help and the widget the form template draws.
    label: str
    widget: str = "text"
    help: str = ""
    # The timeline shows it under this label; "" keeps it out (ids, bookkeeping).
    shown_as: str = ""
    shown_key: str = ""
    # What the event keeps of the value (a card keeps only its last four digits).
    recorded: Callable[[Any], dict[str, Any]] | None = None
    # Run after the transition's actions with the clean value (None when not
    # sent): what taking a transition that takes this parameter records besides
    # the event.
    on_taken: Callable[[Exchange, Any, Any, dt.datetime], None] | None = None
    # Checks the clean values of the whole call when the transition takes this
    # parameter (whether or not it was sent).
    check_call: Callable[[dict[str, Any]], None] | None = None

    def record(self, value: Any) -> dict[str, Any]:
        return self.recorded(value) if self.recorded else {self.name: value}

    def api_field(self) -> tuple[Any, Any]:
        """The (annotation, default) pair of this parameter on the API's body."""
        return (
            self.schema | None,
            Field(None, description=self.description, **self.bounds),
        )


def _text(value: object) -> str:
    # The text checks refuse anything but text with their own clear message.
    return value  # type: ignore[return-value]


def _card(value: object, ctx: ParamContext) -> str:
    if not isinstance(value, str) or len(value) > 40:
        raise InvalidInput(
            gettext("card is a card number."), field="card", code="invalid_card"
        )
    return value


def _card_recorded(value: str) -> dict[str, Any]:
    return {"card_last4": value.replace(" ", "").replace("-", "")[-4:]}


def _percent(value: object, ctx: ParamContext) -> int:
    return int_parse(value, field="refund_percent", low=0, high=100)


def _files(value: object, ctx: ParamContext) -> list[Upload]:
    return upload_ids_parse(value, owner=ctx.actor, field="files", limit=MAX_FILES)


def _photos(value: object, ctx: ParamContext) -> list[Upload]:
    photos = upload_ids_parse(value, owner=ctx.actor, field="photos", limit=MAX_PHOTOS)
    if any(u.kind != Upload.Kind.IMAGE for u in photos):
        raise InvalidInput(
            gettext("photos are image uploads (POST /api/v1/uploads)."),
            field="photos",
            code="not_an_image_upload",
        )
    return photos


def _ids(value: list[Upload]) -> list[str]:
    return [str(u.public_id) for u in value]


def _delivery_record(
    exchange: Exchange, value: list[Upload] | None, params, now
) -> None:
    from selfwork.exchanges.models import Delivery

    number = Delivery.objects.filter(exchange=exchange).count() + 1
    delivery = Delivery.objects.create(
        exchange=exchange, number=number, note=params.get("note", ""), created_at=now
    )
    if value:  # a new delivery has no files yet: nothing to compare against
        delivery.files.set(value)


def _note_or_files(clean: dict[str, Any]) -> None:
    if not clean.get("files") and not clean.get("note"):
        raise InvalidInput(
            gettext("A delivery needs a note or at least one file."),
            field="files",
            code="required",
        )


def _amount(value: object, ctx: ParamContext) -> Money:
    unit = ctx.exchange.currency
    if isinstance(value, AmountIn):
        value = value.model_dump()
    if not isinstance(value, dict) or set(value) - {"amount", "currency"}:
        raise InvalidInput(
            gettext('amount is {"amount": "12.50", "currency": "%(unit)s"}.')
            % {"unit": unit},
            field="amount",
            code="invalid_amount",
        )
    currency = value.get("currency", unit)
    if currency != unit:
        raise InvalidInput(
            gettext("This exchange is in %(unit)s; %(currency)s was given.")
            % {"unit": unit, "currency": str(currency)[:8]},
            field="amount.currency",
            code="currency_mismatch",
        )
    return money_parse(
        {"amount": str(value.get("amount", "")), "currency": unit},
        field="amount",
        hours=None,
        positive=True,
    )


def _money_recorded(value: Money) -> dict[str, Any]:
    return {"amount": value.as_dict()}


# The most hours one exchange moves (as ordering allows).
MAX_HOURS = 1000 * 100


def _hours(value: object, ctx: ParamContext) -> Money:
    from selfwork.communities.timebank import hours_amount_check

    if ctx.exchange.currency != HOUR:
        raise InvalidInput(
            gettext("Only an exchange in hours takes hours."),
            field="hours",
            code="not_in_hours",
        )
    if isinstance(value, AmountIn):
        value = value.model_dump()
    hours = hours_amount_check(value, field="hours")
    if hours.minor > MAX_HOURS:
        raise InvalidInput(
            gettext("One exchange moves at most %(value)s.")
            % {"value": Money(MAX_HOURS, HOUR)},
            field="hours",
            code="amount_too_large",
        )
    return hours


def _hours_recorded(value: Money) -> dict[str, Any]:
    return {"hours": value.as_dict()}


def _hours_agreed(exchange: Exchange, value: Money | None, params, now) -> None:
    """Make ``value`` the hours the exchange moves: its one line item and total."""
    if value is None:
        return
    from selfwork.exchanges.models import Exchange as ExchangeRow

    items = [
        {
            "label": (exchange.line_items[0]["label"] if exchange.line_items else "")
            or exchange.title,
            "unit_price_minor": value.minor,
            "quantity": 1,
        }
    ]
    ExchangeRow.objects.filter(pk=exchange.pk).update(
        total_minor=value.minor, line_items=items, updated_at=now
    )
    exchange.total_minor = value.minor
    exchange.line_items = items


PARAMS: dict[str, Param] = {
    p.name: p
    for p in (
        Param(
            name="card",
            description="a card number for the gateway (only its last four digits "
            "are kept)",
            schema=str,
            bounds={"max_length": 40},
            clean=_card,
            label=gettext_noop("Card number"),
            widget="card",
            shown_as=gettext_noop("Card ending"),
            shown_key="card_last4",
            recorded=_card_recorded,
        ),
        Param(
            name="note",
            description="a note to the other party (Markdown, up to 4000 characters)",
            schema=str,
            bounds={"max_length": 4000},
            clean=lambda v, ctx: markdown_check(
                _text(v), field="note", max_length=4000
            ),
            label=gettext_noop("Note"),
            widget="textarea",
            shown_as=gettext_noop("Note"),
        ),
        Param(
            name="files",
            description="upload ids of files delivered with the note (up to 20); "
            "a transition that takes files records a delivery",
            schema=list[str],
            bounds={"max_length": MAX_FILES},
            clean=_files,
            label=gettext_noop("Files"),
            widget="files",
            help=gettext_noop(
                "The finished work or a preview; only you, the customer and "
                "operators can download them."
            ),
            recorded=lambda v: {"files": _ids(v)},
            on_taken=_delivery_record,
            check_call=_note_or_files,
        ),
        Param(
            name="photos",
            description="upload ids of photos (up to 10), e.g. of an item's "
            "condition at handover or return",
            schema=list[str],
            bounds={"max_length": MAX_PHOTOS},
            clean=_photos,
            label=gettext_noop("Photos"),
            widget="photos",
            help=gettext_noop(
                "Photos of the item's condition, for both of you to keep."
            ),
            recorded=lambda v: {"photos": _ids(v)},
        ),
        Param(
            name="tracking",
            description="a parcel tracking note (up to 200 characters)",
            schema=str,
            bounds={"max_length": 200},
            clean=lambda v, ctx: plain_check(
                _text(v), field="tracking", max_length=200
            ),
            label=gettext_noop("Tracking"),
            shown_as=gettext_noop("Tracking"),
        ),
        Param(
            name="refund_percent",
            description="a whole percentage 0–100 of escrow refunded; the rest "
            "released",
            schema=int,
            bounds={"ge": 0, "le": 100},
            clean=_percent,
            label=gettext_noop("Refund to the customer (%)"),
            widget="percent",
            help=gettext_noop(
                "0 releases everything to the provider; 100 refunds everything."
            ),
            shown_as=gettext_noop("Refunded (%)"),
        ),
        Param(
            name="amount",
            description='an amount in the exchange\'s currency, {"amount": "12.50", '
            '"currency": "EUR"}',
            schema=AmountIn,
            bounds={},
            clean=_amount,
            label=gettext_noop("Amount"),
            widget="money",
            shown_as=gettext_noop("Amount"),
            recorded=_money_recorded,
        ),
        Param(
            name="hours",
            description='the hours the exchange moves, {"amount": "1.50", '
            '"currency": "HOUR"}: more than zero, in hundredths at most',
            schema=AmountIn,
            bounds={},
            clean=_hours,
            label=gettext_noop("Hours"),
            widget="money",
            help=gettext_noop(
                "The time the work takes, in hours (1.50 is an hour and a half)."
            ),
            shown_as=gettext_noop("Hours"),
            recorded=_hours_recorded,
            on_taken=_hours_agreed,
        ),
        Param(
            name="reason",
            description="why (up to 1000 characters)",
            schema=str,
            bounds={"max_length": 1000},
            clean=lambda v, ctx: plain_check(_text(v), field="reason", max_length=1000),
            label=gettext_noop("Reason"),
            widget="textarea",
            shown_as=gettext_noop("Reason"),
        ),
    )
}

# The widget each parameter's form field uses, as the room's template reads it.
WIDGETS = frozenset(p.widget for p in PARAMS.values())


def params_clean(
    *,
    transition: str,
    names: tuple[str, ...],
    required: tuple[str, ...],
    values: object,
    ctx: ParamContext,
) -> dict[str, Any]:
    """Check ``values`` against the parameters ``names``; return the clean ones.

    :raises InvalidInput: ``unknown_parameter``, ``required``, or the parameter's
        own complaint.
    """
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise InvalidInput(gettext("params is an object."), field="params")
    unknown = sorted(set(values) - set(names))
    if unknown:
        takes = ", ".join(names) or "no parameters"
        raise InvalidInput(
            gettext("%(transition)s takes %(takes)s; not '%(unknown)s'.")
            % {
                "transition": transition,
                "takes": takes,
                "unknown": str(unknown[0])[:30],
            },
            field=str(unknown[0])[:30],
            code="unknown_parameter",
        )
    clean: dict[str, Any] = {}
    for name, value in values.items():
        if value is not None:
            clean[name] = PARAMS[name].clean(value, ctx)
    for name in required:
        if clean.get(name) in (None, "", []):
            raise InvalidInput(
                gettext("%(transition)s needs %(name)s.")
                % {"transition": transition, "name": name},
                field=name,
                code="required",
            )
    for name in names:
        check = PARAMS[name].check_call
        if check is not None:
            check(clean)
    return clean


def params_recorded(clean: dict[str, Any]) -> dict[str, Any]:
    """What the event keeps of ``clean`` parameters (never a card number)."""
    recorded: dict[str, Any] = {}
    for name, value in clean.items():
        recorded.update(PARAMS[name].record(value))
    return recorded


def shown_params() -> dict[str, str]:
    """Recorded keys the timeline shows, with their labels."""
    return {
        param.shown_key or param.name: gettext(param.shown_as)
        for param in PARAMS.values()
        if param.shown_as
    }


__all__ = [
    "PARAMS",
    "Param",
    "ParamContext",
    "params_clean",
    "params_recorded",
    "shown_params",
]
