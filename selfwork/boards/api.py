"""API: a community's board — posts, replies, votes, accepted answers, moderation.

``/communities/{slug}/posts`` lists (cursor pages, pinned first; ``kind``, ``q``)
and creates posts; ``/posts/{id}`` and its sub-resources act on one post;
``/replies/{id}/remove`` is the hosts' way to take a reply down.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from selfwork.boards import selectors, services
from selfwork.boards.models import Post, Reply
from selfwork.communities.selectors import community_get
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
from selfwork.core.openapi import UPLOAD_ID, markdown, plain
from selfwork.core.throttle import throttled

community_posts_router = Router(tags=["boards"])
posts_router = Router(tags=["boards"])
replies_router = Router(tags=["boards"])

KINDS = list(Post.Kind.values)


class PostOut(Schema):
    id: PublicId
    community: str
    kind: str = Field(json_schema_extra=documented(enum=KINDS))
    title: str
    body: str = Field(description="Markdown, as written.")
    author: str
    author_name: str
    images: list[str]
    status: str = Field(json_schema_extra=documented(enum=list(Post.Status.values)))
    moderation_reason: str = Field(
        description="Why a host hid or removed it; shown to its author and hosts."
    )
    pinned: bool
    locked: bool
    vote_count: int
    voted: bool = Field(description="Whether I voted for it.")
    reply_count: int
    accepted_reply: PublicId | None = Field(
        description="The id of the accepted answer."
    )
    unread: bool | None = Field(
        description="Whether it has news since I last read it (null when anonymous)."
    )
    created_at: Instant
    last_activity_at: Instant
    url: str


class PostPageOut(Schema):
    items: list[PostOut]
    next: str | None


class ReplyOut(Schema):
    id: PublicId
    post: PublicId
    author: str
    author_name: str
    body: str = Field(description="Markdown; empty once a host removed the reply.")
    status: str = Field(json_schema_extra=documented(enum=list(Reply.Status.values)))
    moderation_reason: str
    accepted: bool
    created_at: Instant


class ReplyPageOut(Schema):
    items: list[ReplyOut]
    next: str | None


def post_out(post: Post, *, viewer) -> dict[str, Any]:
    return {
        "id": str(post.public_id),
        "community": post.community.slug,
        "kind": post.kind,
        "title": post.title,
        "body": post.body,
        "author": post.author.username,
        "author_name": post.author.name,
        "images": [i.upload.url for i in post.images.all()],
        "status": post.status,
        "moderation_reason": post.moderation_reason,
        "pinned": post.pinned,
        "locked": post.locked,
        "vote_count": post.vote_count,
        "voted": bool(getattr(post, "voted", False)),
        "reply_count": post.reply_count,
        "accepted_reply": str(post.accepted_reply.public_id)
        if post.accepted_reply
        else None,
        "unread": selectors.post_unread(post, viewer=viewer),
        "created_at": post.created_at.isoformat(),
        "last_activity_at": post.last_activity_at.isoformat(),
        "url": f"/c/{post.community.slug}/board/{post.public_id}/",
    }


def _post_response(post: Post, *, viewer) -> dict[str, Any]:
    """The post as ``viewer`` sees it now, read afresh after a change."""
    fresh = selectors.post_get(public_id=post.public_id, viewer=viewer)
    return post_out(fresh, viewer=viewer)


def reply_out(reply: Reply, *, post: Post, accepted_id: int | None) -> dict[str, Any]:
    removed = reply.status == Reply.Status.REMOVED
    return {
        "id": str(reply.public_id),
        "post": str(post.public_id),
        "author": reply.author.username,
        "author_name": reply.author.name,
        "body": "" if removed else reply.body,
        "status": reply.status,
        "moderation_reason": reply.moderation_reason,
        "accepted": reply.pk == accepted_id,
        "created_at": reply.created_at.isoformat(),
    }


# --- A community's posts -------------------------------------------------------------


class PostQuery(QueryIn):
    kind: str | None = Field(
        None,
        max_length=20,
        json_schema_extra=documented(enum=["", *KINDS]),
        description="Posts of this kind; empty: every kind.",
    )
    q: str = Field("", max_length=200, description="Words to search the posts for.")
    cursor: Cursor = None
    limit: int = Field(24, ge=1, le=100)


class PostIn(BodyIn):
    kind: str = Field(max_length=20, json_schema_extra=documented(enum=KINDS))
    title: str = Field(
        max_length=1000,
        json_schema_extra=documented(**plain(max_length=services.TITLE_MAX)),
    )
    body: str = Field(
        "",
        max_length=40000,
        json_schema_extra=documented(**markdown(max_length=services.BODY_MAX)),
        description="Markdown. Mention a member of the community as @username.",
    )
    images: list[str] = Field(
        default_factory=list,
        max_length=20,
        json_schema_extra=documented(maxItems=services.MAX_IMAGES, items=UPLOAD_ID),
        description=f"Upload ids of images, at most {services.MAX_IMAGES}.",
    )


@community_posts_router.get("/{slug}/posts", response={200: PostPageOut, **PROBLEMS})
def posts_list(request: HttpRequest, slug: str, filters: Query[PostQuery]):
    """The community's board: pinned posts first, then the newest.

    ``q`` searches the posts' titles and text instead (best matches first).
    """
    viewer = request.user
    community = community_get(slug=slug, viewer=viewer)
    page = selectors.board_posts(
        community=community,
        viewer=viewer,
        query=selectors.BoardQuery(
            kind=filters.kind,
            q=filters.q,
            cursor=filters.cursor,
            limit=filters.limit,
        ),
    )
    return {
        "items": [post_out(p, viewer=viewer) for p in page.items],
        "next": page.next,
    }


@community_posts_router.post(
    "/{slug}/posts",
    response={201: PostOut, **PROBLEMS},
    auth=member_auth,
    throttle=throttled("board_posts"),
)
def post_create(request: HttpRequest, slug: str, payload: PostIn):
    """Post on the board: ``{"kind", "title", "body"}``; announcements are for hosts."""
    member = caller(request)
    community = community_get(slug=slug, viewer=member)
    post = services.post_create(
        community=community,
        author=member,
        kind=payload.kind,
        title=payload.title,
        body=payload.body,
        images=payload.images,
        now=now(),
    )
    return Status(201, _post_response(post, viewer=member))


# --- One post ---------------------------------------------------------------------------


@posts_router.get("/{post_id}", response={200: PostOut, **PROBLEMS})
def post_read(request: HttpRequest, post_id: PublicId):
    post = selectors.post_get(public_id=post_id, viewer=request.user)
    return post_out(post, viewer=request.user)


@posts_router.post(
    "/{post_id}/read", response={200: PostOut, **PROBLEMS}, auth=member_auth
)
def post_read_mark(request: HttpRequest, post_id: PublicId):
    """Mark the post and its replies read for me (the board's unread marker goes)."""
    member = caller(request)
    post = selectors.post_get(public_id=post_id, viewer=member)
    services.post_mark_read(post=post, member=member, now=now())
    return _post_response(post, viewer=member)


class ReplyQuery(QueryIn):
    cursor: Cursor = None
    limit: int = Field(50, ge=1, le=100)


class ReplyIn(BodyIn):
    body: str = Field(
        max_length=20000,
        json_schema_extra=documented(
            **markdown(max_length=services.REPLY_MAX, required=True)
        ),
        description="Markdown. Mention a member of the community as @username.",
    )


@posts_router.get("/{post_id}/replies", response={200: ReplyPageOut, **PROBLEMS})
def replies_list(request: HttpRequest, post_id: PublicId, filters: Query[ReplyQuery]):
    """The post's replies, oldest first; a removed reply keeps its place, without text."""
    post = selectors.post_get(public_id=post_id, viewer=request.user)
    rows, following = selectors.replies_page(
        post=post, cursor=filters.cursor, limit=filters.limit
    )
    accepted = post.accepted_reply_id
    return {
        "items": [reply_out(r, post=post, accepted_id=accepted) for r in rows],
        "next": following,
    }


@posts_router.post(
    "/{post_id}/replies",
    response={201: ReplyOut, **PROBLEMS},
    auth=member_auth,
    throttle=throttled("board_posts"),
)
def reply_create(request: HttpRequest, post_id: PublicId, payload: ReplyIn):
    """Reply to a post (``{"body"}``); a locked post refuses with ``post_locked``."""
    member = caller(request)
    post = selectors.post_get(public_id=post_id, viewer=member)
    reply = services.reply_create(
        post=post, author=member, body=payload.body, now=now()
    )
    return Status(201, reply_out(reply, post=post, accepted_id=None))


@posts_router.post(
    "/{post_id}/vote", response={200: PostOut, **PROBLEMS}, auth=member_auth
)
def post_vote(request: HttpRequest, post_id: PublicId):
    """Vote for the post; a second vote is ``409 already_voted``."""
    member = caller(request)
    post = selectors.post_get(public_id=post_id, viewer=member)
    services.post_vote(post=post, member=member, now=now())
    return _post_response(post, viewer=member)


@posts_router.delete(
    "/{post_id}/vote", response={200: PostOut, **PROBLEMS}, auth=member_auth
)
def post_unvote(request: HttpRequest, post_id: PublicId):
    """Take my vote back; without one it is ``409 not_voted``."""
    member = caller(request)
    post = selectors.post_get(public_id=post_id, viewer=member)
    services.post_unvote(post=post, member=member)
    return _post_response(post, viewer=member)


class AcceptIn(BodyIn):
    reply: str = Field(
        max_length=100,
        json_schema_extra=documented(format="uuid"),
        description="The id of a reply to this post.",
    )


@posts_router.post(
    "/{post_id}/accept", response={200: PostOut, **PROBLEMS}, auth=member_auth
)
def post_accept(request: HttpRequest, post_id: PublicId, payload: AcceptIn):
    """Mark a reply the accepted answer to my question (``{"reply": id}``)."""
    member = caller(request)
    post = selectors.post_get(public_id=post_id, viewer=member)
    reply = selectors.reply_get(public_id=payload.reply, viewer=member)
    services.post_accept(post=post, author=member, reply=reply, now=now())
    return _post_response(post, viewer=member)


# --- Moderation (hosts and moderators) ------------------------------------------------------


class ReasonIn(BodyIn):
    reason: str = Field(
        max_length=2000,
        json_schema_extra=documented(**plain(max_length=services.REASON_MAX)),
        description="Why; kept with the post and shown to its author.",
    )


@posts_router.post(
    "/{post_id}/pin",
    response={200: PostOut, **PROBLEMS},
    auth=member_auth,
    summary="Pin the post to the top of its board",
)
def post_pin(request: HttpRequest, post_id: PublicId):
    member = caller(request)
    post = selectors.post_get(public_id=post_id, viewer=member)
    services.post_pin(post=post, actor=member, pinned=True, now=now())
    return _post_response(post, viewer=member)


@posts_router.post(
    "/{post_id}/unpin",
    response={200: PostOut, **PROBLEMS},
    auth=member_auth,
    summary="Unpin the post",
)
def post_unpin(request: HttpRequest, post_id: PublicId):
    member = caller(request)
    post = selectors.post_get(public_id=post_id, viewer=member)
    services.post_pin(post=post, actor=member, pinned=False, now=now())
    return _post_response(post, viewer=member)


@posts_router.post(
    "/{post_id}/lock",
    response={200: PostOut, **PROBLEMS},
    auth=member_auth,
    summary="Lock the post against new replies",
)
def post_lock(request: HttpRequest, post_id: PublicId):
    member = caller(request)
    post = selectors.post_get(public_id=post_id, viewer=member)
    services.post_lock(post=post, actor=member, locked=True, now=now())
    return _post_response(post, viewer=member)


@posts_router.post(
    "/{post_id}/unlock",
    response={200: PostOut, **PROBLEMS},
    auth=member_auth,
    summary="Unlock the post",
)
def post_unlock(request: HttpRequest, post_id: PublicId):
    member = caller(request)
    post = selectors.post_get(public_id=post_id, viewer=member)
    services.post_lock(post=post, actor=member, locked=False, now=now())
    return _post_response(post, viewer=member)


@posts_router.post(
    "/{post_id}/hide",
    response={200: PostOut, **PROBLEMS},
    auth=member_auth,
    summary="Hide the post from the board, with a reason",
)
def post_hide(request: HttpRequest, post_id: PublicId, payload: ReasonIn):
    member = caller(request)
    post = selectors.post_get(public_id=post_id, viewer=member)
    services.post_hide(post=post, actor=member, reason=payload.reason, now=now())
    return _post_response(post, viewer=member)


@posts_router.post(
    "/{post_id}/unhide",
    response={200: PostOut, **PROBLEMS},
    auth=member_auth,
    summary="Show a hidden post again",
)
def post_unhide(request: HttpRequest, post_id: PublicId):
    member = caller(request)
    post = selectors.post_get(public_id=post_id, viewer=member)
    services.post_unhide(post=post, actor=member, now=now())
    return _post_response(post, viewer=member)


@posts_router.post(
    "/{post_id}/remove",
    response={200: PostOut, **PROBLEMS},
    auth=member_auth,
    summary="Remove the post for good, with a reason",
)
def post_remove(request: HttpRequest, post_id: PublicId, payload: ReasonIn):
    member = caller(request)
    post = selectors.post_get(public_id=post_id, viewer=member)
    services.post_remove(post=post, actor=member, reason=payload.reason, now=now())
    return _post_response(post, viewer=member)


@replies_router.post(
    "/{reply_id}/remove",
    response={200: ReplyOut, **PROBLEMS},
    auth=member_auth,
    summary="Remove a reply, with a reason (hosts and moderators)",
)
def reply_remove(request: HttpRequest, reply_id: PublicId, payload: ReasonIn):
    member = caller(request)
    reply = selectors.reply_get(public_id=reply_id, viewer=member)
    services.reply_remove(reply=reply, actor=member, reason=payload.reason, now=now())
    return reply_out(reply, post=reply.post, accepted_id=None)
