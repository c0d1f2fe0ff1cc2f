"""Writes on exchanges: start one, order from a listing, move it, talk in it, review it.

``exchange_transition`` (``services.transition``) is the one way an exchange
moves; ``exchange_start`` and ``exchange_order`` (``services.start``) create
exchanges; ``message_post`` (``services.messages``) writes to their conversation.
"""

from selfwork.exchanges.services.messages import message_post
from selfwork.exchanges.services.processes import process_bind
from selfwork.exchanges.services.reviews import (
    ReviewIn,
    review_can_hide,
    review_hide,
    review_reply,
    review_submit,
    reviews_publish_due,
)
from selfwork.exchanges.services.start import (
    TERMS_BY_MODE,
    Quote,
    exchange_order,
    exchange_quote,
    exchange_start,
)
from selfwork.exchanges.services.transition import (
    exchange_remind,
    exchange_transition,
)

__all__ = [
    "TERMS_BY_MODE",
    "Quote",
    "ReviewIn",
    "exchange_order",
    "exchange_quote",
    "exchange_remind",
    "exchange_start",
    "exchange_transition",
    "message_post",
    "process_bind",
    "review_can_hide",
    "review_hide",
    "review_reply",
    "review_submit",
    "reviews_publish_due",
]
