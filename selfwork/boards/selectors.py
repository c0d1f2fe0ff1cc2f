"""Reads on boards.

A board is visible wherever its community is (private communities stay private:
404 for outsiders). Within it, a visible post is for everyone who sees the
community; a hidden one for its author and the community's hosts and moderators;
a removed one for the hosts and moderators alone.

Every list is read in a constant number of queries: the viewer's vote and last
read come as annotations, images as one prefetch.
"""

import dataclasses
import datetime as dt
import uuid
from typing import Any

from django.db import connection, connections, router
from django.db.models import (
    BooleanField,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext

from selfwork.boards.models import Post, PostImage, PostRead, Reply, Vote
from selfwork.catalog.selectors import search_terms
from selfwork.communities.models import Community
from selfwork.communities.selectors import (
    communities_moderated_by,
    in_visible_community,
    member_can_moderate,
)
from selfwork.core.compiled import planned_for_values
from selfwork.core.errors import InvalidInput, NotFound
from selfwork.core.pagination import cursor_decode, cursor_encode

MAX_LIMIT = 100
# Relevance has no index to page by: it pages by position, this far at most.
MAX_SEARCH_OFFSET = 10_000


def _signed_in(viewer) -> bool:
    return viewer is not None and getattr(viewer, "is_authenticated", False)


def _uuid(value: Any, *, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise NotFound(
            gettext("No such %(what)s.") % {"what": what}, code=f"{what}_not_found"
        ) from exc


def _invalid_cursor() -> InvalidInput:
    return InvalidInput(
        "The cursor is not one this server gave out.",
        field="cursor",
        code="invalid_cursor",
    )


def viewer_moderates(*, community: Community, viewer) -> bool:
    """Whether ``viewer`` is an active host or moderator of ``community``."""
    return member_can_moderate(community=community, member=viewer)


def _post_rows(*, viewer) -> QuerySet[Post]:
    """Posts with what a card or a page shows, the viewer's vote and last read."""
    rows = Post.objects.select_related(
        "community", "author", "author__avatar", "accepted_reply"
    ).prefetch_related(
        Prefetch(
            "images",
            queryset=PostImage.objects.select_related("upload").order_by(
                "position", "pk"
            ),
        )
    )
    if not _signed_in(viewer):
        return rows.annotate(
            voted=Value(False, output_field=BooleanField()),
            read_at=Value(None, output_field=Post._meta.get_field("created_at")),
        )
    return rows.annotate(
        voted=Exists(Vote.objects.filter(post=OuterRef("pk"), member=viewer)),
        read_at=Subquery(
            PostRead.objects.filter(post=OuterRef("pk"), member=viewer).values(
                "read_at"
            )[:1]
        ),
    )


def _seen_by(viewer) -> Q:
    """The posts ``viewer`` may read among those of communities they may see."""
    seen = Q(status=Post.Status.VISIBLE)
    if _signed_in(viewer):
        seen |= Q(status=Post.Status.HIDDEN, author=viewer)
        seen |= Q(community__in=communities_moderated_by(member=viewer))
    return seen


def posts_visible_to(*, viewer) -> QuerySet[Post]:
    """Return every post ``viewer`` may read, in any community, unordered."""
    return _post_rows(viewer=viewer).filter(
        _seen_by(viewer), in_visible_community(viewer=viewer)
    )


@dataclasses.dataclass(frozen=True)
class BoardQuery:
    """What a board list is asked for: a kind, words to search, a page."""

    kind: str | None = None
    q: str = ""
    cursor: str | None = None
    limit: int = 24


@dataclasses.dataclass(frozen=True)
class PostPage:
    items: list[Post]
    next: str | None


def _fts_query(words: list[str]) -> str:
    """FTS5: every word must match; the last as a prefix, as listings search does."""
    return " ".join(f'"{w}"' for w in words[:-1]) + f' "{words[-1]}"*'


def _pg_tsquery(words: list[str]) -> str:
    return " & ".join(words[:-1] + [words[-1] + ":*"])


def _text_match(rows: QuerySet[Post], words: list[str]) -> QuerySet[Post]:
    """Filter by full text and annotate ``rank`` (higher is better) on either engine."""
    if connection.vendor == "postgresql":
        tsquery = _pg_tsquery(words)
        return rows.filter(
            id__in=RawSQL(
                "SELECT id FROM boards_post "
                "WHERE search_vector @@ to_tsquery('selfwork_search', %s)",
                (tsquery,),
            )
        ).annotate(
            rank=RawSQL(
                "ts_rank_cd(boards_post.search_vector, "
                "to_tsquery('selfwork_search', %s))",
                (tsquery,),
            )
        )
    # One join, so bm25 is computed for the row FTS5 stands on (a rank in a
    # correlated subquery re-ran the MATCH for every matching post).
    return rows.extra(  # noqa: S610 - fixed SQL; the search text is a parameter
        tables=["boards_post_fts"],
        where=["boards_post_fts.rowid = boards_post.id", "boards_post_fts MATCH %s"],
        params=[_fts_query(words)],
        # bm25 is lower-is-better; negate it so both engines sort rank descending.
        select={"rank": "-bm25(boards_post_fts, 10.0, 1.0)"},
    )


def _ranked_sql(words: list[str], size: int) -> tuple[str, tuple]:
    """SQL for the ids of the ``size`` best matches of ``words``, best first,
    ties newest id first: the full-text index alone ranks them."""
    if connection.vendor == "postgresql":
        tsquery = _pg_tsquery(words)
        return (
            "SELECT id FROM boards_post "
            "WHERE search_vector @@ to_tsquery('selfwork_search', %s) "
            "ORDER BY ts_rank_cd(search_vector, to_tsquery('selfwork_search', %s)) "
            "DESC, id DESC LIMIT %s",
            (tsquery, tsquery, size),
        )
    # bm25 is lower-is-better.
    return (
        "SELECT rowid FROM boards_post_fts "
        "WHERE boards_post_fts MATCH %s "
        "ORDER BY bm25(boards_post_fts, 10.0, 1.0), rowid DESC LIMIT %s",
        (_fts_query(words), size),
    )


# The search page shows a few posts: the full-text index is asked for this many
# of its best matches at first, four times as many each round that the
# viewer's visibility leaves too few of them.
SEARCH_CANDIDATES = 50


def _limit_check(limit: Any) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise InvalidInput(
            gettext("limit is from 1 to %(MAX_LIMIT)s.") % {"MAX_LIMIT": MAX_LIMIT},
            field="limit",
        )
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(
            gettext("limit is from 1 to %(MAX_LIMIT)s.") % {"MAX_LIMIT": MAX_LIMIT},
            field="limit",
        )
    return limit


def _kind_check(kind: str | None) -> str | None:
    if kind in (None, ""):
        return None
    if kind not in Post.Kind.values:
        raise InvalidInput(
            gettext("kind is one of %(value)s.")
            % {"value": ", ".join(Post.Kind.values)},
            field="kind",
            code="unknown_kind",
        )
    return kind


def board_posts(*, community: Community, viewer, query: BoardQuery) -> PostPage:
    """One page of the community's board as ``viewer`` sees it.

    Without words: pinned posts first, then the newest, paged by keyset on
    ``(pinned, created_at, id)`` so new posts never shift a page. With words
    (``q``): the best matches first, paged by position.

    :raises InvalidInput: for an unknown kind (``unknown_kind``), a limit out of
        range or a cursor this server did not give out (``invalid_cursor``).
    """
    limit = _limit_check(query.limit)
    rows = _post_rows(viewer=viewer).filter(_seen_by(viewer), community=community)
    # Removed posts stay out of the list even for moderators; they open by link.
    rows = rows.exclude(status=Post.Status.REMOVED)
    kind = _kind_check(query.kind)
    if kind is not None:
        rows = rows.filter(kind=kind)
    words = search_terms(query.q or "")
    after = cursor_decode(query.cursor)
    if words:
        offset = after.get("o", 0)
        if set(after) - {"o"} or not isinstance(offset, int):
            raise _invalid_cursor()
        if not 0 <= offset <= MAX_SEARCH_OFFSET:
            raise _invalid_cursor()
        # ``rank`` is a raw SQL annotation, which the type stubs cannot see.
        ranked = _text_match(rows, words).order_by(  # type: ignore[misc]
            "-rank", "-created_at", "-id"
        )
        page = list(ranked[offset : offset + limit + 1])
        more = len(page) > limit
        return PostPage(
            page[:limit], cursor_encode({"o": offset + limit}) if more else None
        )
    if after:
        try:
            pinned = after["p"]
            at = dt.datetime.fromisoformat(str(after["t"]))
            pk = after["k"]
            if not isinstance(pinned, bool) or not isinstance(pk, int):
                raise TypeError
            if at.tzinfo is None or not 0 < pk < 2**62:
                raise ValueError
        except (KeyError, TypeError, ValueError) as exc:
            raise _invalid_cursor() from exc
        following = Q(pinned=pinned) & (
            Q(created_at__lt=at) | Q(created_at=at, pk__lt=pk)
        )
        if pinned:
            # Past the last pinned post come all the others.
            following |= Q(pinned=False)
        rows = rows.filter(following)
    page = list(rows.order_by("-pinned", "-created_at", "-pk")[: limit + 1])
    if len(page) <= limit:
        return PostPage(page, None)
    last = page[limit - 1]
    return PostPage(
        page[:limit],
        cursor_encode(
            {"p": last.pinned, "t": last.created_at.isoformat(), "k": last.pk}
        ),
    )


def posts_search(
    *, viewer, q: str, community: Community | None = None, limit: int = 6
) -> list[Post]:
    """The posts ``viewer`` may read that best match ``q``, in every community
    or in ``community``, best first (ties newest id first).

    For the search page, beside the listings: removed posts never show there.
    Ranking stops early, as listings' does (decision 0029): the full-text index
    alone ranks a bounded set of its best matches, the viewer's filters keep
    those they may read, and only the page's posts are read whole. A search
    that matches no post costs that one query.
    """
    words = search_terms(q or "")
    if not words:
        return []
    limit = _limit_check(limit)
    rows = None
    size = max(limit * 4, SEARCH_CANDIDATES)
    while True:
        sql, params = _ranked_sql(words, size)
        # Raw SQL skips the router: ask it, so a replica answers searches too.
        with connections[router.db_for_read(Post)].cursor() as cursor:
            cursor.execute(*planned_for_values(cursor.db, sql, params))
            candidates = [row[0] for row in cursor.fetchall()]
        if not candidates:
            return []
        if rows is None:
            # Built only once a post matches: most searches match none.
            rows = posts_visible_to(viewer=viewer).exclude(status=Post.Status.REMOVED)
            if community is not None:
                rows = rows.filter(community=community)
        kept = set(rows.filter(id__in=candidates).values_list("id", flat=True))
        best = [pk for pk in candidates if pk in kept]
        if len(best) >= limit or len(candidates) < size:
            break
        size *= 4
    best = best[:limit]
    if not best:
        return []
    posts = {post.pk: post for post in rows.filter(id__in=best)}
    return [posts[pk] for pk in best if pk in posts]


def post_get(*, public_id: Any, viewer) -> Post:
    """Return one post ``viewer`` may read.

    :raises NotFound: ``post_not_found`` if it does not exist, its community is
        hidden from ``viewer``, or it is hidden or removed and ``viewer`` may not
        see that.
    """
    key = _uuid(public_id, what="post")
    post = posts_visible_to(viewer=viewer).filter(public_id=key).first()
    if post is None:
        raise NotFound(gettext("No such post."), code="post_not_found")
    return post


def replies_of(*, post: Post) -> QuerySet[Reply]:
    """Return the post's replies, oldest first (removed ones stay, as a note)."""
    return (
        Reply.objects.filter(post=post)
        .select_related("author", "author__avatar")
        .order_by("created_at", "pk")
    )


def replies_page(
    *, post: Post, cursor: str | None, limit: int
) -> tuple[list[Reply], str | None]:
    """One page of the post's replies, oldest first, and the cursor of the next.

    :raises InvalidInput: ``invalid_cursor`` for a cursor this server did not give.
    """
    limit = _limit_check(limit)
    rows = replies_of(post=post)
    after = cursor_decode(cursor)
    if after:
        try:
            at = dt.datetime.fromisoformat(str(after["t"]))
            pk = after["k"]
            if not isinstance(pk, int) or not 0 < pk < 2**62 or at.tzinfo is None:
                raise ValueError
        except (KeyError, TypeError, ValueError) as exc:
            raise _invalid_cursor() from exc
        rows = rows.filter(Q(created_at__gt=at) | Q(created_at=at, pk__gt=pk))
    page = list(rows[: limit + 1])
    if len(page) <= limit:
        return page, None
    last = page[limit - 1]
    return page[:limit], cursor_encode({"t": last.created_at.isoformat(), "k": last.pk})


def reply_get(*, public_id: Any, viewer) -> Reply:
    """Return one reply on a post ``viewer`` may read.

    :raises NotFound: ``reply_not_found`` otherwise.
    """
    key = _uuid(public_id, what="reply")
    reply = (
        Reply.objects.filter(
            public_id=key,
            post__in=posts_visible_to(viewer=viewer).values("pk"),
        )
        .select_related("post", "post__community", "author")
        .first()
    )
    if reply is None:
        raise NotFound(gettext("No such reply."), code="reply_not_found")
    return reply


def post_unread(post: Post, *, viewer) -> bool | None:
    """Whether ``post`` (read through this module for ``viewer``) has news for them.

    None for an anonymous viewer, who has no reads to compare with.
    """
    if not _signed_in(viewer):
        return None
    read_at = getattr(post, "read_at", None)
    return read_at is None or post.last_activity_at > read_at
