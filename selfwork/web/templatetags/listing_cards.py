"""``{% listing_cards listings %}``: a page's listing cards, each in a list item."""

from typing import Any

from django import template
from django.utils.safestring import SafeString

from selfwork.web.cards import listing_cards_html

register = template.Library()


@register.simple_tag(takes_context=True)
def listing_cards(context, listings: Any, hide_community: bool = False) -> SafeString:
    """``{% listing_cards page.items hide_community=True %}``: card rows or listings."""
    return listing_cards_html(
        listings, request=context.get("request"), hide_community=hide_community
    )
