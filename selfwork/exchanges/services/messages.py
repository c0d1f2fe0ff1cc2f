"""The conversation of an exchange."""

import datetime as dt

from django.db import transaction

from selfwork.core.errors import NotFound
from selfwork.core.text import markdown_check
from selfwork.exchanges.models import Exchange, Message
from selfwork.exchanges.selectors import exchange_roles
from selfwork.exchanges.services.common import outbox_queue


@transaction.atomic
def message_post(*, exchange: Exchange, author, body: str, now: dt.datetime) -> Message:
    """Post ``body`` (Markdown) to ``exchange``'s conversation.

    :raises NotFound: if ``author`` is no party or operator of the exchange.
    :raises InvalidInput: an empty or too long body, or raw HTML.
    """
    if not exchange_roles(exchange=exchange, member=author):
        raise NotFound("No such exchange.", code="exchange_not_found")
    body = markdown_check(body, field="body", max_length=5000, required=True)
    message = Message.objects.create(
        exchange=exchange, author=author, body=body, created_at=now
    )
    outbox_queue(
        "exchange.message",
        exchange=exchange,
        now=now,
        message=str(message.public_id),
        author=str(author.public_id),
    )
    return message
