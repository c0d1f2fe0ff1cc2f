"""Reads on conversations.

A conversation exists only for its two members: anyone else gets 404, as if it
did not exist. A member's list is one query (their ``Participant`` rows with the
conversation, both members and the listing joined), a page of messages two (the
messages with their senders, and their images), however many there are.
"""

import dataclasses
import datetime as dt
import statistics
import uuid
from typing import Any

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Trunc
from django.utils import timezone
from django.utils.translation import gettext

from selfwork.catalog.models import Listing
from selfwork.conversations.models import (
    Block,
    Conversation,
    Message,
    MessageImage,
    Participant,
)
from selfwork.core.errors import InvalidInput, NotFound
from selfwork.core.pagination import cursor_decode, cursor_encode
from selfwork.core.periods import Bucket
from selfwork.exchanges.models import Exchange

MAX_LIMIT = 100


def _signed_in(viewer) -> bool:
    return viewer is not None and getattr(viewer, "is_authenticated", False)


def _invalid_cursor() -> InvalidInput:
    return InvalidInput(
        "The cursor is not one this server gave out.",
        field="cursor",
        code="invalid_cursor",
    )


def _limit_check(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(
            gettext("limit is from 1 to %(MAX_LIMIT)s.") % {"MAX_LIMIT": MAX_LIMIT},
            field="limit",
        )
    return limit


def _position(cursor: str | None) -> tuple[dt.datetime, int] | None:
    after = cursor_decode(cursor)
    if not after:
        return None
    try:
        at = dt.datetime.fromisoformat(str(after["t"]))
        pk = after["k"]
        if not isinstance(pk, int) or not 0 < pk < 2**62 or at.tzinfo is None:
            raise ValueError
    except (KeyError, TypeError, ValueError) as exc:
        raise _invalid_cursor() from exc
    return at, pk


@dataclasses.dataclass(frozen=True)
class InboxPage:
    items: list[Participant]
    next: str | None


def inbox_rows(*, member) -> QuerySet[Participant]:
    """Return ``member``'s side of each of their conversations, newest activity first."""
    return (
        Participant.objects.filter(member=member)
        .select_related(
            "conversation__first__avatar",
            "conversation__second__avatar",
            "conversation__listing",
        )
        .order_by("-last_message_at", "-id")
    )


def inbox_page(*, member, cursor: str | None, limit: int) -> InboxPage:
    """One page of ``member``'s conversations, newest activity first.

    Pages by keyset on ``(last_message_at, id)`` of the member's side, so a
    conversation that gets a new message while someone pages moves to the top
    instead of shifting the page.

    :raises InvalidInput: ``invalid_cursor`` for a cursor this server did not give.
    """
    limit = _limit_check(limit)
    rows = inbox_rows(member=member)
    if (after := _position(cursor)) is not None:
        at, pk = after
        rows = rows.filter(Q(last_message_at__lt=at) | Q(last_message_at=at, pk__lt=pk))
    page = list(rows[: limit + 1])
    if len(page) <= limit:
        return InboxPage(items=page, next=None)
    last = page[limit - 1]
    return InboxPage(
        items=page[:limit],
        next=cursor_encode({"t": last.last_message_at.isoformat(), "k": last.pk}),
    )


def conversation_get(*, public_id: Any, viewer) -> Participant:
    """Return ``viewer``'s side of the conversation, with the conversation joined.

    :raises NotFound: ``conversation_not_found`` unless ``viewer`` is one of its
        two members.
    """
    try:
        key = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise NotFound(
            gettext("No such conversation."), code="conversation_not_found"
        ) from exc
    if not _signed_in(viewer):
        raise NotFound(gettext("No such conversation."), code="conversation_not_found")
    side = inbox_rows(member=viewer).filter(conversation__public_id=key).first()
    if side is None:
        raise NotFound(gettext("No such conversation."), code="conversation_not_found")
    return side


def conversation_between(*, member, other, listing) -> Conversation | None:
    """Return the conversation between two members about ``listing`` (or none)."""
    first_id, second_id = sorted([member.pk, other.pk])
    return Conversation.objects.filter(
        first_id=first_id,
        second_id=second_id,
        listing=listing,
        about_listing=listing is not None,
    ).first()


def messages_rows(*, conversation: Conversation) -> QuerySet[Message]:
    """Return the conversation's messages, oldest first, senders and images loaded."""
    return (
        Message.objects.filter(conversation=conversation)
        .select_related("sender")
        .prefetch_related(
            Prefetch("images", queryset=MessageImage.objects.select_related("upload"))
        )
        .order_by("created_at", "id")
    )


def messages_page(
    *, conversation: Conversation, cursor: str | None, limit: int
) -> tuple[list[Message], str | None]:
    """One page of the conversation's messages, oldest first, and the next cursor.

    :raises InvalidInput: ``invalid_cursor`` for a cursor this server did not give.
    """
    limit = _limit_check(limit)
    rows = messages_rows(conversation=conversation)
    if (after := _position(cursor)) is not None:
        at, pk = after
        rows = rows.filter(Q(created_at__gt=at) | Q(created_at=at, pk__gt=pk))
    page = list(rows[: limit + 1])
    if len(page) <= limit:
        return page, None
    last = page[limit - 1]
    return page[:limit], cursor_encode({"t": last.created_at.isoformat(), "k": last.pk})


def messages_latest(*, conversation: Conversation, limit: int) -> list[Message]:
    """The conversation's newest ``limit`` messages, oldest of them first (a page)."""
    rows = messages_rows(conversation=conversation).order_by("-created_at", "-id")
    return list(reversed(list(rows[:limit])))


def unread_total(*, member) -> int:
    """How many messages ``member`` has not read, across their conversations."""
    if not _signed_in(member):
        return 0
    total = Participant.objects.filter(member=member, unread_count__gt=0).aggregate(
        n=Sum("unread_count")
    )["n"]
    return int(total or 0)


def block_exists(*, blocker, blocked) -> bool:
    """Whether ``blocker`` blocked ``blocked``."""
    return Block.objects.filter(blocker=blocker, blocked=blocked).exists()


def blocked_by(*, member) -> QuerySet[Block]:
    """Return the blocks ``member`` made, newest first, with the blocked member."""
    return (
        Block.objects.filter(blocker=member)
        .select_related("blocked")
        .order_by("-created_at", "-id")
    )


def conversation_for_exchange(
    *, listing_id: int | None, customer_id: int, provider_id: int
) -> Conversation | None:
    """The conversation the two parties of an exchange had about its listing.

    The exchange room links it; ``None`` when they never talked about it.
    """
    if listing_id is None:
        return None
    first_id, second_id = sorted([customer_id, provider_id])
    return Conversation.objects.filter(
        first_id=first_id, second_id=second_id, listing_id=listing_id
    ).first()


def first_response_waits(*, member) -> list[float]:
    """The minutes ``member`` took to answer, one figure per wait they answered.

    In each conversation, a message from the other member starts a wait that the
    member's next message ends; later messages from the other member before that
    reply belong to the same wait. A wait never answered counts nothing, as does a
    conversation the member started and nobody answered. Reputation reads these
    for the "median first-response time" (one query, the messages of the
    member's conversations in order).
    """
    rows = (
        Message.objects.filter(
            Q(conversation__first=member) | Q(conversation__second=member)
        )
        .order_by("conversation_id", "created_at", "id")
        .values_list("conversation_id", "sender_id", "created_at")
    )
    waits: list[float] = []
    current: int | None = None
    waiting_since: dt.datetime | None = None
    for conversation_id, sender_id, created_at in rows:
        if conversation_id != current:
            current, waiting_since = conversation_id, None
        if sender_id != member.pk:
            if waiting_since is None:
                waiting_since = created_at
        elif waiting_since is not None:
            waits.append((created_at - waiting_since).total_seconds() / 60)
            waiting_since = None
    return waits


def first_response_median(*, member) -> float | None:
    """Median minutes ``member`` takes to answer in conversations, or ``None``."""
    waits = first_response_waits(member=member)
    return float(statistics.median(waits)) if waits else None


def active_members_by_period(
    *, since: dt.datetime, bucket: Bucket, community=None
) -> dict[dt.date, int]:
    """Return how many members were active in each ``bucket`` since ``since``.

    Active: started an exchange (as either party), posted a listing or wrote a
    message. In one community, a message counts when its conversation is about
    one of the community's listings (a conversation about nothing belongs to no
    community). Buckets without activity are left out.
    """
    exchanges = Exchange.objects.filter(created_at__gte=since)
    listings = Listing.objects.filter(created_at__gte=since)
    messages = Message.objects.filter(created_at__gte=since)
    if community is not None:
        exchanges = exchanges.filter(community=community)
        listings = listings.filter(community=community)
        messages = messages.filter(conversation__listing__community=community)
    # (bucket, member) pairs, distinct in the database; a member active in
    # several ways is counted once by the set below.
    sources = (
        (exchanges, "created_at", "customer_id"),
        (exchanges, "created_at", "provider_id"),
        (listings, "created_at", "owner_id"),
        (messages, "created_at", "sender_id"),
    )
    pairs: set[tuple[dt.date, int]] = set()
    for queryset, moment, member in sources:
        for period, member_id in (
            queryset.annotate(period=Trunc(moment, bucket))
            .values_list("period", member)
            .distinct()
            .order_by()
        ):
            pairs.add((timezone.localtime(period).date(), member_id))
    counts: dict[dt.date, int] = {}
    for period, _member_id in pairs:
        counts[period] = counts.get(period, 0) + 1
    return counts
