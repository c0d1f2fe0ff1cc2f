"""API: conversations between members, their messages, and blocks.

``/conversations`` lists mine (newest activity first) and starts one;
``/conversations/{id}`` and its ``messages`` and ``read`` act on one I am in;
``/blocks`` lists, adds and takes back the members I take no messages from.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from selfwork.accounts.services import USERNAME
from selfwork.conversations import selectors, services
from selfwork.conversations.models import Block, Message, Participant
from selfwork.core.api import (
    PROBLEMS,
    BodyIn,
    Cursor,
    Instant,
    PublicId,
    QueryIn,
    caller,
    documented,
    member_auth,
    now,
)
from selfwork.core.openapi import UPLOAD_ID, markdown
from selfwork.core.throttle import throttled

conversations_router = Router(tags=["conversations"])
blocks_router = Router(tags=["conversations"])


class ConversationOut(Schema):
    id: PublicId
    with_member: str = Field(description="The username of the other member.")
    with_name: str
    listing: PublicId | None = Field(description="The id of the listing it is about.")
    listing_title: str | None
    unread_count: int = Field(description="Messages to me I have not read yet.")
    created_at: Instant
    last_message_at: Instant
    url: str


class ConversationPageOut(Schema):
    items: list[ConversationOut]
    next: str | None


class ConversationMessageOut(Schema):
    id: PublicId
    conversation: PublicId
    sender: str
    sender_name: str
    body: str = Field(description="Markdown, as written.")
    images: list[str] = Field(description="Addresses of the attached images.")
    created_at: Instant


class ConversationMessagePageOut(Schema):
    items: list[ConversationMessageOut]
    next: str | None


class StartedOut(Schema):
    id: PublicId = Field(description="The conversation's id.")
    created: bool = Field(description="False when an existing one was reused.")
    conversation: ConversationOut
    message: ConversationMessageOut


class BlockOut(Schema):
    username: str
    name: str
    created_at: Instant


class BlockListOut(Schema):
    items: list[BlockOut]


def conversation_out(side: Participant, *, viewer) -> dict[str, Any]:
    conversation = side.conversation
    other = conversation.other(viewer)
    listing = conversation.listing
    return {
        "id": str(conversation.public_id),
        "with_member": other.username,
        "with_name": other.name,
        "listing": str(listing.public_id) if listing else None,
        "listing_title": listing.title if listing else None,
        "unread_count": side.unread_count,
        "created_at": conversation.created_at.isoformat(),
        "last_message_at": side.last_message_at.isoformat(),
        "url": services.conversation_path(conversation),
    }


def message_out(message: Message, *, conversation_id: str) -> dict[str, Any]:
    return {
        "id": str(message.public_id),
        "conversation": conversation_id,
        "sender": message.sender.username,
        "sender_name": message.sender.name,
        "body": message.body,
        "images": [i.upload.url for i in message.images.all()],
        "created_at": message.created_at.isoformat(),
    }


def _side(public_id: Any, member) -> Participant:
    return selectors.conversation_get(public_id=public_id, viewer=member)


# --- My conversations ----------------------------------------------------------------


class ConversationQuery(QueryIn):
    cursor: Cursor = None
    limit: int = Field(24, ge=1, le=100)


def _body_field() -> Any:
    """The message body, as every route that takes one declares it."""
    return Field(
        max_length=20000,
        json_schema_extra=documented(
            **markdown(max_length=services.BODY_MAX, required=True)
        ),
        description="Markdown; raw HTML is refused (`markup_not_allowed`).",
    )


class ConversationIn(BodyIn):
    to: str = Field(
        max_length=200,
        json_schema_extra=documented(pattern=USERNAME.pattern),
        description="The username of the member.",
    )
    listing: str | None = Field(
        None,
        max_length=100,
        json_schema_extra=documented(format="uuid"),
        description="The id of a listing one of us offers, to talk about it.",
    )
    body: str = _body_field()
    images: list[str] = Field(
        default_factory=list,
        max_length=20,
        json_schema_extra=documented(maxItems=services.MAX_IMAGES, items=UPLOAD_ID),
        description=f"Upload ids of images, at most {services.MAX_IMAGES}.",
    )


class ConversationMessageIn(BodyIn):
    body: str = _body_field()
    images: list[str] = Field(
        default_factory=list,
        max_length=20,
        json_schema_extra=documented(maxItems=services.MAX_IMAGES, items=UPLOAD_ID),
        description=f"Upload ids of images, at most {services.MAX_IMAGES}.",
    )


@conversations_router.get(
    "", response={200: ConversationPageOut, **PROBLEMS}, auth=member_auth
)
def conversations_list(request: HttpRequest, filters: Query[ConversationQuery]):
    """My conversations, newest activity first, each with my unread count."""
    member = caller(request)
    page = selectors.inbox_page(
        member=member, cursor=filters.cursor, limit=filters.limit
    )
    return {
        "items": [conversation_out(s, viewer=member) for s in page.items],
        "next": page.next,
    }


@conversations_router.post(
    "",
    response={200: StartedOut, 201: StartedOut, **PROBLEMS},
    auth=member_auth,
    throttle=throttled("messages"),
)
def conversation_start(request: HttpRequest, payload: ConversationIn):
    """Write to a member: ``{"to": username, "listing"?: id, "body"}``.

    201 with a new conversation; 200 when the one between us about the same
    listing (or about none) exists already and the message is added to it.
    """
    member = caller(request)
    started = services.conversation_start(
        sender=member,
        to=payload.to,
        listing=payload.listing,
        body=payload.body,
        images=payload.images,
        now=now(),
    )
    side = _side(started.conversation.public_id, member)
    fresh = selectors.messages_rows(conversation=side.conversation).get(
        pk=started.message.pk
    )
    conversation_id = str(side.conversation.public_id)
    result = {
        "id": conversation_id,
        "created": started.created,
        "conversation": conversation_out(side, viewer=member),
        "message": message_out(fresh, conversation_id=conversation_id),
    }
    return Status(201 if started.created else 200, result)


# --- One conversation -----------------------------------------------------------------


@conversations_router.get(
    "/{conversation_id}", response={200: ConversationOut, **PROBLEMS}, auth=member_auth
)
def conversation_read(request: HttpRequest, conversation_id: PublicId):
    member = caller(request)
    return conversation_out(_side(conversation_id, member), viewer=member)


class MessageQuery(QueryIn):
    cursor: Cursor = None
    limit: int = Field(50, ge=1, le=100)


@conversations_router.get(
    "/{conversation_id}/messages",
    response={200: ConversationMessagePageOut, **PROBLEMS},
    auth=member_auth,
)
def messages_list(
    request: HttpRequest, conversation_id: PublicId, filters: Query[MessageQuery]
):
    """The conversation's messages, oldest first (reading them does not mark them read)."""
    member = caller(request)
    side = _side(conversation_id, member)
    rows, following = selectors.messages_page(
        conversation=side.conversation, cursor=filters.cursor, limit=filters.limit
    )
    key = str(side.conversation.public_id)
    return {
        "items": [message_out(m, conversation_id=key) for m in rows],
        "next": following,
    }


@conversations_router.post(
    "/{conversation_id}/messages",
    response={201: ConversationMessageOut, **PROBLEMS},
    auth=member_auth,
    throttle=throttled("messages"),
)
def message_send(
    request: HttpRequest, conversation_id: PublicId, payload: ConversationMessageIn
):
    """Write in the conversation: ``{"body"}``; a block refuses with ``403 blocked``."""
    member = caller(request)
    side = _side(conversation_id, member)
    message = services.message_send(
        conversation=side.conversation,
        sender=member,
        body=payload.body,
        images=payload.images,
        now=now(),
    )
    fresh = selectors.messages_rows(conversation=side.conversation).get(pk=message.pk)
    return Status(
        201, message_out(fresh, conversation_id=str(side.conversation.public_id))
    )


@conversations_router.post(
    "/{conversation_id}/read",
    response={200: ConversationOut, **PROBLEMS},
    auth=member_auth,
)
def conversation_mark_read(request: HttpRequest, conversation_id: PublicId):
    """Mark every message in the conversation read for me."""
    member = caller(request)
    side = _side(conversation_id, member)
    services.conversation_mark_read(
        conversation=side.conversation, member=member, now=now()
    )
    return conversation_out(_side(conversation_id, member), viewer=member)


# --- Blocks ------------------------------------------------------------------------------


class BlockIn(BodyIn):
    username: str = Field(
        max_length=200,
        json_schema_extra=documented(pattern=USERNAME.pattern),
        description="The member to block.",
    )


def block_out(block: Block) -> dict[str, Any]:
    return {
        "username": block.blocked.username,
        "name": block.blocked.name,
        "created_at": block.created_at.isoformat(),
    }


@blocks_router.get("", response={200: BlockListOut, **PROBLEMS}, auth=member_auth)
def blocks_list(request: HttpRequest):
    """The members I blocked, newest first."""
    member = caller(request)
    return {"items": [block_out(b) for b in selectors.blocked_by(member=member)]}


@blocks_router.post("", response={201: BlockOut, **PROBLEMS}, auth=member_auth)
def member_block(request: HttpRequest, payload: BlockIn):
    """Block a member (``{"username"}``): they can no longer write to me."""
    member = caller(request)
    block = services.member_block(blocker=member, username=payload.username, now=now())
    return Status(201, block_out(block))


@blocks_router.delete("/{username}", response={204: None, **PROBLEMS}, auth=member_auth)
def member_unblock(request: HttpRequest, username: str):
    """Take back my block: the member may write to me again."""
    member = caller(request)
    services.member_unblock(blocker=member, username=username)
    return Status(204, None)
