"""Reads on briefs and offers.

A brief is visible wherever its community is (private communities stay private:
404 for outsiders). Offers are between two people: the brief's author sees every
offer on it, a provider only their own, anyone else none.
"""

import datetime as dt
import uuid
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext

from selfwork.briefs.models import Brief, BriefAttachment, Counter, Offer
from selfwork.communities.models import Community
from selfwork.communities.selectors import (
    in_visible_community,
    member_is_active_member,
)
from selfwork.core.errors import InvalidInput, NotFound
from selfwork.core.pagination import cursor_decode, cursor_encode

MAX_LIMIT = 100


def _uuid(value: Any, *, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise NotFound(
            gettext("No such %(what)s.") % {"what": what}, code=f"{what}_not_found"
        ) from exc


def _brief_rows() -> QuerySet[Brief]:
    """Briefs with what a card or a page shows, in a constant number of queries."""
    return (
        Brief.objects.select_related("community", "author", "author__avatar")
        .prefetch_related(
            Prefetch(
                "attachments",
                queryset=BriefAttachment.objects.select_related("upload").order_by(
                    "position", "pk"
                ),
            )
        )
        .annotate(
            offer_count=Count(
                "offers",
                filter=Q(offers__status__in=[*Offer.LIVE, Offer.Status.ACCEPTED]),
            )
        )
    )


def briefs_visible_to(*, viewer) -> QuerySet[Brief]:
    """Return every brief ``viewer`` may read (any status), newest first."""
    return (
        _brief_rows()
        .filter(in_visible_community(viewer=viewer))
        .order_by("-created_at", "-pk")
    )


def briefs_open(
    *, viewer, community: Community | None = None, now: dt.datetime | None = None
) -> QuerySet[Brief]:
    """Return the open briefs ``viewer`` may see, newest first, optionally of one community.

    With ``now``, briefs whose deadline has passed are left out.
    """
    rows = briefs_visible_to(viewer=viewer).filter(status=Brief.Status.OPEN)
    if community is not None:
        rows = rows.filter(community=community)
    if now is not None:
        rows = rows.filter(Q(deadline_on__isnull=True) | Q(deadline_on__gte=now.date()))
    return rows


def briefs_of_author(*, author) -> QuerySet[Brief]:
    """Return the briefs ``author`` posted, any status, newest first."""
    return _brief_rows().filter(author=author).order_by("-created_at", "-pk")


def brief_get(*, public_id: Any, viewer) -> Brief:
    """Return one brief ``viewer`` may see.

    :raises NotFound: if it does not exist or its community is hidden from ``viewer``.
    """
    key = _uuid(public_id, what="brief")
    brief = briefs_visible_to(viewer=viewer).filter(public_id=key).first()
    if brief is None:
        raise NotFound(gettext("No such brief."), code="brief_not_found")
    return brief


def brief_get_for_author(*, public_id: Any, author) -> Brief:
    """Return a brief ``author`` posted, or raise NotFound."""
    key = _uuid(public_id, what="brief")
    brief = _brief_rows().filter(public_id=key, author=author).first()
    if brief is None:
        raise NotFound(gettext("No such brief."), code="brief_not_found")
    return brief


def page_keyset(
    rows: QuerySet, *, cursor: str | None, limit: int
) -> tuple[list, str | None]:
    """One page of ``rows`` ordered by ``-created_at, -pk``, and the next cursor."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(
            gettext("limit is from 1 to %(MAX_LIMIT)s.") % {"MAX_LIMIT": MAX_LIMIT},
            field="limit",
            code="out_of_range",
        )
    after = cursor_decode(cursor)
    if after:
        try:
            at = dt.datetime.fromisoformat(str(after["t"]))
            pk = int(after["k"])
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInput(
                gettext("The cursor is not one this server gave out."),
                field="cursor",
                code="invalid_cursor",
            ) from exc
        rows = rows.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=pk))
    page = list(rows[: limit + 1])
    if len(page) <= limit:
        return page, None
    last = page[limit - 1]
    return page[:limit], cursor_encode({"t": last.created_at.isoformat(), "k": last.pk})


def _offer_rows() -> QuerySet[Offer]:
    return Offer.objects.select_related(
        "brief",
        "brief__community",
        "brief__author",
        "provider",
        "provider__avatar",
    ).prefetch_related(
        Prefetch(
            "counters",
            queryset=Counter.objects.order_by("-created_at", "-pk"),
        )
    )


def offers_for_brief(*, brief: Brief, viewer) -> QuerySet[Offer]:
    """Return the offers on ``brief`` that ``viewer`` may see, newest first.

    The author sees all of them; a provider sees their own; anyone else none.
    """
    rows = _offer_rows().filter(brief=brief).order_by("-created_at", "-pk")
    if viewer is None or not viewer.is_authenticated:
        return rows.none()
    if brief.author_id == viewer.pk:
        return rows
    return rows.filter(provider=viewer)


def offers_of_provider(*, provider) -> QuerySet[Offer]:
    """Return the offers ``provider`` made, newest first, with their briefs."""
    return _offer_rows().filter(provider=provider).order_by("-created_at", "-pk")


def offer_get_for_party(*, public_id: Any, member) -> Offer:
    """Return an offer ``member`` made or received.

    :raises NotFound: for anyone but the provider and the brief's author.
    """
    key = _uuid(public_id, what="offer")
    if member is None or not member.is_authenticated:
        raise NotFound(gettext("No such offer."), code="offer_not_found")
    offer = (
        _offer_rows()
        .filter(Q(provider=member) | Q(brief__author=member), public_id=key)
        .first()
    )
    if offer is None:
        raise NotFound(gettext("No such offer."), code="offer_not_found")
    return offer


def counter_open(*, offer: Offer) -> Counter | None:
    """Return the offer's open counter-proposal (from the prefetch), or None."""
    return next(
        (c for c in offer.counters.all() if c.status == Counter.Status.OPEN), None
    )


def offer_status(*, offer: Offer, now: dt.datetime) -> str:
    """The offer's status as people see it: a live offer past its expiry is expired."""
    if offer.is_live and offer.expires_at <= now:
        return Offer.Status.EXPIRED
    return offer.status


def can_offer(*, brief: Brief, member) -> bool:
    """Whether ``member`` may make an offer on ``brief`` now (for showing the form)."""
    if member is None or not member.is_authenticated:
        return False
    if not brief.is_open or brief.author_id == member.pk:
        return False
    return member_is_active_member(community=brief.community_id, member=member)
