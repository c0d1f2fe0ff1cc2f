"""The conversation of an exchange."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext, gettext_lazy

from selfwork.core.errors import NotFound
from selfwork.core.i18n import interpolate_lazy
from selfwork.core.text import markdown_check
from selfwork.exchanges.actions import exchange_path
from selfwork.exchanges.models import Exchange, Message
from selfwork.exchanges.selectors import exchange_roles
from selfwork.exchanges.services.common import outbox_queue
from selfwork.notifications.models import Kind
from selfwork.notifications.services import notify


@transaction.atomic
def message_post(*, exchange: Exchange, author, body: str, now: dt.datetime) -> Message:
    """Post ``body`` (Markdown) to ``exchange``'s conversation.

    :raises NotFound: if ``author`` is no party or operator of the exchange.
    :raises InvalidInput: an empty or too long body, or raw HTML.
    """
    if not exchange_roles(exchange=exchange, member=author):
        raise NotFound(gettext("No such exchange."), code="exchange_not_found")
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
    for party in (exchange.customer, exchange.provider):
        if party.pk != author.pk:
            notify(
                member=party,
                kind=Kind.MESSAGE,
                title=interpolate_lazy(
                    gettext_lazy("%(name)s wrote to you about “%(title)s”."),
                    {"name": author.name, "title": exchange.title},
                ),
                body=plain_excerpt(body),
                link=exchange_path(exchange),
                now=now,
            )
    return message


def plain_excerpt(body: str, length: int = 280) -> str:
    """The start of a message, as plain text for a notification (never rendered as HTML)."""
    text = " ".join(body.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
