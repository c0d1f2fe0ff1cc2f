"""``{% load briefs %}``: budgets, offer terms, and dashboard cards for other pages."""

from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from selfwork.briefs import selectors
from selfwork.briefs.models import Brief, Offer
from selfwork.core.errors import NotFound
from selfwork.core.formats import money_format
from selfwork.core.money import Money
from selfwork.exchanges.models import Exchange
from selfwork.exchanges.selectors import exchange_process, exchanges_list_for_member

register = template.Library()

DASHBOARD_ROWS = 8
_USES = {"personal": _("Personal use"), "commercial": _("Commercial use")}


@register.filter
def budget(brief: Brief) -> str:
    """``€150.00–€300.00`` (one amount when the range is a single price)."""
    low = Money(brief.budget_min_minor, brief.currency)
    high = Money(brief.budget_max_minor, brief.currency)
    return (
        money_format(low)
        if low == high
        else f"{money_format(low)}–{money_format(high)}"
    )


@register.filter
def offer_price(offer: Offer) -> Money:
    return Money(offer.price_minor, offer.brief.currency)


@register.filter
def minor_in(minor: int, currency: str) -> Money:
    """``{{ m.amount_minor|minor_in:brief.currency }}`` → a Money (for ``money``)."""
    return Money(int(minor), currency)


@register.filter
def orderable(modes) -> bool:
    """Whether any of a listing's modes can be ordered (service, made to order)."""
    return any(m.mode in ("service", "made_to_order") for m in modes)


@register.filter
def usage_rights(rights: dict[str, Any]) -> str:
    """``{"use": "commercial", "credit_required": true}`` → plain words."""
    if not isinstance(rights, dict) or not rights:
        return gettext("Personal use")
    text = str(_USES.get(rights.get("use", ""), _("Personal use")))
    if rights.get("credit_required"):
        return gettext("%(use)s, with credit") % {"use": text}
    return text


@register.filter
def offer_status_label(status: str) -> str:
    """An offer's status as people read it (``expired`` → ``Expired``)."""
    try:
        return str(Offer.Status(status).label)
    except ValueError:
        return status.capitalize()


@register.filter
def state_label(exchange: Exchange) -> str:
    """The exchange's state as its process names it (``Awaiting payment``)."""
    try:
        state = exchange_process(exchange=exchange).states.get(exchange.state)
    except NotFound:
        state = None
    return state.label if state else exchange.state.replace("_", " ").capitalize()


@register.simple_tag
def briefs_of(member) -> list[Brief]:
    """``{% briefs_of user as briefs %}``: the member's latest briefs."""
    if member is None or not member.is_authenticated:
        return []
    return list(selectors.briefs_of_author(author=member)[:DASHBOARD_ROWS])


@register.simple_tag
def offers_of(member) -> list[dict[str, Any]]:
    """``{% offers_of user as offers %}``: the member's latest offers with their status."""
    if member is None or not member.is_authenticated:
        return []
    now = timezone.now()
    return [
        {"offer": o, "status": selectors.offer_status(offer=o, now=now)}
        for o in selectors.offers_of_provider(provider=member)[:DASHBOARD_ROWS]
    ]


@register.simple_tag
def exchanges_of(member) -> list:
    """``{% exchanges_of user as exchanges %}``: the member's latest exchanges."""
    if member is None or not member.is_authenticated:
        return []
    return list(exchanges_list_for_member(member=member)[:DASHBOARD_ROWS])
