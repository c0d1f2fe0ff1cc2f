"""Template tags for pages of lower apps that link to a conversation.

The exchange room shows the conversation its parties had about the listing before
the exchange began. ``exchanges`` sits below ``conversations`` and may not import
it, so the room's template asks through this tag instead of its view.
"""

from django import template

from selfwork.conversations.models import Conversation
from selfwork.conversations.selectors import conversation_for_exchange

register = template.Library()


@register.simple_tag
def exchange_conversation(exchange) -> Conversation | None:
    """``{% exchange_conversation exchange as talk %}``: the parties' conversation
    about the exchange's listing, or ``None``."""
    return conversation_for_exchange(
        listing_id=exchange.listing_id,
        customer_id=exchange.customer_id,
        provider_id=exchange.provider_id,
    )
