"""Writes on boards: posts, replies, votes, accepted answers, reads and moderation.

Who may do what:

- active members of a community post, reply and vote on its board; announcements
  are for its hosts alone, since they speak for the community;
- a question's author marks one reply to it the accepted answer;
- hosts and moderators pin, lock, hide (with a reason, undone by showing the post
  again) and remove (with a reason, for good) posts, and remove replies.

Each change that another request could race (a reply against a lock, two votes,
an answer against a removal) is decided by the database: a compare-and-set UPDATE
or a unique constraint, so nothing is stored when the request is refused.
"""

import datetime as dt
import re
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import DateTimeField, F, Value
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy

from selfwork.boards.errors import (
    AlreadyVoted,
    ModerationState,
    NotAQuestion,
    NotVoted,
    PostLocked,
    PostNotVisible,
)
from selfwork.boards.models import Mention, Post, PostImage, PostRead, Reply, Vote
from selfwork.communities.models import Community
from selfwork.communities.selectors import (
    active_members_named,
    member_can_moderate,
    member_is_host,
    member_required,
)
from selfwork.core.errors import InvalidInput, NotPermitted
from selfwork.core.i18n import interpolate_lazy
from selfwork.core.parse import upload_ids_parse
from selfwork.core.text import markdown_check, plain_check
from selfwork.notifications.models import Kind
from selfwork.notifications.services import notify_many

TITLE_MAX = 120
BODY_MAX = 10000
REPLY_MAX = 5000
REASON_MAX = 500
MAX_IMAGES = 6
# More names than this in one text is a mass mailing, not a conversation.
MAX_MENTIONS = 20
# "@ana-lima" but not "ana@example.org": the @ starts a word. Usernames are 3 to
# 30 lower-case letters, digits, "-" and "_" (accounts.services.USERNAME).
_MENTION = re.compile(r"(?<![\w@.])@([a-z0-9][a-z0-9_-]{1,28}[a-z0-9])(?![\w-])", re.I)


# --- Parsing -----------------------------------------------------------------------


def _kind_parse(value: Any) -> str:
    if not isinstance(value, str) or value not in Post.Kind.values:
        raise InvalidInput(
            gettext("kind is one of %(value)s.")
            % {"value": ", ".join(Post.Kind.values)},
            field="kind",
            code="unknown_kind",
        )
    return value


def _reason_parse(value: Any) -> str:
    return plain_check(value, field="reason", max_length=REASON_MAX)


def mentions_in(text: str) -> list[str]:
    """The usernames ``text`` mentions as ``@username``, each once, in order."""
    names = [m.group(1).lower() for m in _MENTION.finditer(text or "")]
    return list(dict.fromkeys(names))[:MAX_MENTIONS]


# --- Checks ------------------------------------------------------------------------


def _moderator_required(*, community: Community, actor) -> None:
    if not member_can_moderate(community=community, member=actor):
        raise NotPermitted(
            gettext("Only a host or moderator of the community may do that."),
            code="not_moderator",
        )


def _visible_required(post: Post) -> None:
    if not post.is_visible:
        raise PostNotVisible(
            gettext("This post is hidden or removed; it takes no changes.")
        )


def _post_path(post: Post) -> str:
    return reverse(
        "web:board_post",
        kwargs={"slug": post.community.slug, "public_id": post.public_id},
    )


def _mentions_notify(
    *, post: Post, reply: Reply | None, author, text: str, now: dt.datetime
) -> None:
    """Tell each member of the post's community named in ``text``, once.

    The unique constraints on ``Mention`` make "once" hold however the text is
    written; the author is never told about their own words.
    """
    names = [n for n in mentions_in(text) if n != author.username]
    if not names:
        return
    members = list(active_members_named(community=post.community, usernames=names))
    if not members:
        return
    Mention.objects.bulk_create(
        [Mention(post=post, reply=reply, member=m, created_at=now) for m in members]
    )
    if reply is None:
        title = gettext_lazy("%(name)s mentioned you in “%(title)s”.")
        body = gettext_lazy(
            "%(name)s mentioned you in the post “%(title)s” on the "
            "board of %(community)s."
        )
    else:
        title = gettext_lazy("%(name)s mentioned you in a reply to “%(title)s”.")
        body = gettext_lazy(
            "%(name)s mentioned you in a reply to the post “%(title)s” "
            "on the board of %(community)s."
        )
    values = {
        "name": author.name,
        "title": post.title,
        "community": post.community.name,
    }
    notify_many(
        members=members,
        kind=Kind.MENTION,
        title=interpolate_lazy(title, values),
        body=interpolate_lazy(body, values),
        link=_post_path(post),
        now=now,
    )


def _activity(now: dt.datetime) -> Greatest:
    # Never back in time: a server whose clock lags the one that took the post
    # (or a reply) must not move the activity before it.
    return Greatest(F("last_activity_at"), Value(now, output_field=DateTimeField()))


def _read_mark(*, post: Post, member, now: dt.datetime) -> None:
    PostRead.objects.bulk_create(
        [PostRead(post=post, member=member, read_at=now)],
        update_conflicts=True,
        unique_fields=["post", "member"],
        update_fields=["read_at"],
    )


# --- Posts ---------------------------------------------------------------------------


@transaction.atomic
def post_create(
    *,
    community: Community,
    author,
    kind: Any,
    title: Any,
    body: Any = "",
    images: Any = None,
    now: dt.datetime,
) -> Post:
    """Post on the community's board.

    :raises NotPermitted: ``not_a_member`` unless ``author`` is an active member;
        ``hosts_only`` for an announcement by anyone but a host.
    :raises InvalidInput: ``unknown_kind``; ``required`` or ``too_long`` for the
        title; ``markup_not_allowed`` for raw HTML; ``unknown_upload`` for an
        image that is not one of the author's uploads.
    """
    member_required(community=community, member=author, doing="post on its board")
    kind = _kind_parse(kind)
    title = plain_check(title, field="title", max_length=TITLE_MAX)
    body = markdown_check(body or "", field="body", max_length=BODY_MAX)
    uploads = (
        upload_ids_parse(
            images,
            owner=author,
            field="images",
            limit=MAX_IMAGES,
            duplicates="merge",
        )
        if images
        else []
    )
    if kind == Post.Kind.ANNOUNCEMENT and not member_is_host(
        community=community, member=author
    ):
        raise NotPermitted(
            gettext("Only hosts post announcements; share it as an idea instead."),
            code="hosts_only",
        )
    post = Post.objects.create(
        community=community,
        author=author,
        kind=kind,
        title=title,
        body=body,
        created_at=now,
        last_activity_at=now,
    )
    PostImage.objects.bulk_create(
        [PostImage(post=post, upload=u, position=i) for i, u in enumerate(uploads)]
    )
    _read_mark(post=post, member=author, now=now)
    _mentions_notify(post=post, reply=None, author=author, text=body, now=now)
    return post


def post_mark_read(*, post: Post, member, now: dt.datetime) -> None:
    """Remember that ``member`` has read ``post`` and its replies as of ``now``."""
    if member is None or not member.is_authenticated:
        return
    _read_mark(post=post, member=member, now=now)


# --- Replies ---------------------------------------------------------------------------


@transaction.atomic
def reply_create(*, post: Post, author, body: Any, now: dt.datetime) -> Reply:
    """Reply to a post (one level: replies have no replies).

    :raises NotPermitted: ``not_a_member`` unless ``author`` is an active member.
    :raises InvalidInput: ``required``, ``too_long`` or ``markup_not_allowed``.
    :raises PostLocked: if a host locked the post.
    :raises PostNotVisible: if the post is hidden or removed.
    """
    member_required(community=post.community, member=author, doing="reply on its board")
    body = markdown_check(body, field="body", max_length=REPLY_MAX, required=True)
    # The compare-and-set decides against a host locking the post at this moment.
    taken = Post.objects.filter(
        pk=post.pk, locked=False, status=Post.Status.VISIBLE
    ).update(reply_count=F("reply_count") + 1, last_activity_at=_activity(now))
    if taken != 1:
        current = Post.objects.only("locked", "status").get(pk=post.pk)
        if current.status != Post.Status.VISIBLE:
            raise PostNotVisible(
                gettext("This post is hidden or removed; it takes no replies.")
            )
        raise PostLocked(gettext("This post is locked; it takes no more replies."))
    reply = Reply.objects.create(post=post, author=author, body=body, created_at=now)
    _read_mark(post=post, member=author, now=now)
    _mentions_notify(post=post, reply=reply, author=author, text=body, now=now)
    return reply


# --- Votes ---------------------------------------------------------------------------


@transaction.atomic
def post_vote(*, post: Post, member, now: dt.datetime) -> None:
    """Vote for a post: it counts once per member.

    :raises NotPermitted: ``not_a_member``; ``own_post`` for one's own post.
    :raises AlreadyVoted: if ``member`` voted for it before.
    :raises PostNotVisible: if the post is hidden or removed.
    """
    member_required(community=post.community, member=member, doing="vote")
    _visible_required(post)
    if post.author_id == member.pk:
        raise NotPermitted(
            gettext("You cannot vote for your own post."), code="own_post"
        )
    try:
        with transaction.atomic():
            Vote.objects.create(post=post, member=member, created_at=now)
    except IntegrityError as exc:
        raise AlreadyVoted(gettext("You have voted for this post already.")) from exc
    Post.objects.filter(pk=post.pk).update(vote_count=F("vote_count") + 1)


@transaction.atomic
def post_unvote(*, post: Post, member) -> None:
    """Take back one's vote for a post.

    :raises NotVoted: if ``member`` has no vote on it.
    """
    deleted, _ = Vote.objects.filter(post=post, member=member).delete()
    if deleted == 0:
        raise NotVoted(gettext("You have not voted for this post."))
    Post.objects.filter(pk=post.pk, vote_count__gt=0).update(
        vote_count=F("vote_count") - 1
    )


# --- Accepted answers ---------------------------------------------------------------------


@transaction.atomic
def post_accept(*, post: Post, author, reply: Reply, now: dt.datetime) -> None:
    """Mark ``reply`` the accepted answer to the question ``post`` (its author only).

    Accepting another reply later moves the mark to it.

    :raises NotPermitted: ``not_author`` for anyone but the post's author.
    :raises NotAQuestion: for a post that is not a question.
    :raises InvalidInput: ``reply_not_in_post`` for a reply to another post;
        ``reply_removed`` for a reply a host removed.
    :raises PostNotVisible: if the post is hidden or removed.
    """
    if post.author_id != getattr(author, "pk", None):
        raise NotPermitted(
            gettext("Only the author of the question marks its answer."),
            code="not_author",
        )
    if post.kind != Post.Kind.QUESTION:
        raise NotAQuestion(gettext("Only a question has an accepted answer."))
    if reply.post_id != post.pk:
        raise InvalidInput(
            gettext("That reply answers another post."),
            field="reply",
            code="reply_not_in_post",
        )
    _visible_required(post)
    # Decided against a host removing the reply (or the post) at this moment.
    if not Reply.objects.filter(pk=reply.pk, status=Reply.Status.VISIBLE).exists():
        raise InvalidInput(
            gettext("A host removed that reply."), field="reply", code="reply_removed"
        )
    if (
        Post.objects.filter(
            pk=post.pk, status=Post.Status.VISIBLE, kind=Post.Kind.QUESTION
        ).update(accepted_reply=reply, last_activity_at=_activity(now))
        != 1
    ):
        raise PostNotVisible(
            gettext("This post is hidden or removed; it takes no changes.")
        )
    post.accepted_reply = reply


# --- Moderation ---------------------------------------------------------------------------


def _moderate(post: Post, *, actor, now: dt.datetime, **changes: Any) -> None:
    Post.objects.filter(pk=post.pk).update(
        moderated_by=actor, moderated_at=now, **changes
    )
    for name, value in changes.items():
        setattr(post, name, value)


@transaction.atomic
def post_pin(*, post: Post, actor, pinned: bool, now: dt.datetime) -> None:
    """Pin a post to the top of its board, or unpin it (a host or moderator).

    :raises NotPermitted: ``not_moderator``.
    """
    _moderator_required(community=post.community, actor=actor)
    _moderate(post, actor=actor, now=now, pinned=pinned)


@transaction.atomic
def post_lock(*, post: Post, actor, locked: bool, now: dt.datetime) -> None:
    """Lock a post against new replies, or unlock it (a host or moderator).

    :raises NotPermitted: ``not_moderator``.
    """
    _moderator_required(community=post.community, actor=actor)
    _moderate(post, actor=actor, now=now, locked=locked)


@transaction.atomic
def post_hide(*, post: Post, actor, reason: Any, now: dt.datetime) -> None:
    """Hide a post from the board; its author still sees it, with the reason.

    :raises NotPermitted: ``not_moderator``.
    :raises InvalidInput: for a missing or too long reason.
    :raises ModerationState: unless the post is visible.
    """
    _moderator_required(community=post.community, actor=actor)
    reason = _reason_parse(reason)
    if (
        Post.objects.filter(pk=post.pk, status=Post.Status.VISIBLE).update(
            status=Post.Status.HIDDEN,
            moderation_reason=reason,
            moderated_by=actor,
            moderated_at=now,
        )
        != 1
    ):
        raise ModerationState(gettext("Only a visible post can be hidden."))
    post.status, post.moderation_reason = Post.Status.HIDDEN, reason


@transaction.atomic
def post_unhide(*, post: Post, actor, now: dt.datetime) -> None:
    """Show a hidden post again (the reason it was hidden goes).

    :raises NotPermitted: ``not_moderator``.
    :raises ModerationState: unless the post is hidden.
    """
    _moderator_required(community=post.community, actor=actor)
    if (
        Post.objects.filter(pk=post.pk, status=Post.Status.HIDDEN).update(
            status=Post.Status.VISIBLE,
            moderation_reason="",
            moderated_by=actor,
            moderated_at=now,
        )
        != 1
    ):
        raise ModerationState(gettext("Only a hidden post can be shown again."))
    post.status, post.moderation_reason = Post.Status.VISIBLE, ""


@transaction.atomic
def post_remove(*, post: Post, actor, reason: Any, now: dt.datetime) -> None:
    """Remove a post for good: only hosts and moderators see it, with the reason.

    :raises NotPermitted: ``not_moderator``.
    :raises InvalidInput: for a missing or too long reason.
    :raises ModerationState: if it is removed already.
    """
    _moderator_required(community=post.community, actor=actor)
    reason = _reason_parse(reason)
    if (
        Post.objects.filter(pk=post.pk)
        .exclude(status=Post.Status.REMOVED)
        .update(
            status=Post.Status.REMOVED,
            pinned=False,
            moderation_reason=reason,
            moderated_by=actor,
            moderated_at=now,
        )
        != 1
    ):
        raise ModerationState(gettext("This post is removed already."))
    post.status, post.moderation_reason, post.pinned = (
        Post.Status.REMOVED,
        reason,
        False,
    )


@transaction.atomic
def reply_remove(*, reply: Reply, actor, reason: Any, now: dt.datetime) -> None:
    """Remove a reply: it stays in the thread as a note with the host's reason.

    A removed reply is no longer the accepted answer.

    :raises NotPermitted: ``not_moderator``.
    :raises InvalidInput: for a missing or too long reason.
    :raises ModerationState: if it is removed already.
    """
    post = reply.post
    _moderator_required(community=post.community, actor=actor)
    reason = _reason_parse(reason)
    if (
        Reply.objects.filter(pk=reply.pk, status=Reply.Status.VISIBLE).update(
            status=Reply.Status.REMOVED,
            moderation_reason=reason,
            moderated_by=actor,
            moderated_at=now,
        )
        != 1
    ):
        raise ModerationState(gettext("This reply is removed already."))
    Post.objects.filter(pk=post.pk, accepted_reply=reply).update(accepted_reply=None)
    Post.objects.filter(pk=post.pk, reply_count__gt=0).update(
        reply_count=F("reply_count") - 1
    )
    reply.status, reply.moderation_reason = Reply.Status.REMOVED, reason
