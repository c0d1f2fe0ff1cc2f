"""Reads on listings: one search selector over SQLite FTS5 and PostgreSQL full text;
listing calendars and the bookings on them."""

import datetime as dt
import math
import re
import uuid
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import connection, connections, router
from django.db.models import (
    Count,
    Exists,
    Field,
    ForeignKey,
    Model,
    OuterRef,
    Q,
    QuerySet,
    TextField,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Upper
from django.db.models.lookups import Exact
from django.utils.translation import gettext

from selfwork.catalog.calendar import (
    AvailabilityRules,
    Interval,
    calendar_range,
    calendar_split,
    instant_parse,
    rules_of,
)
from selfwork.catalog.cards import COLUMNS as CARD_COLUMNS
from selfwork.catalog.cards import (
    WEB_COLUMNS,
    CardRow,
    CardView,
    card_rows_of,
    card_views_of,
    listing_prefetches,
)
from selfwork.catalog.errors import PeriodInvalid
from selfwork.catalog.models import (
    BlockedPeriod,
    Booking,
    Listing,
    ListingImage,
    ListingMode,
    ListingPackage,
)
from selfwork.catalog.services import listing_field_value
from selfwork.catalog.terms import prefix_terms
from selfwork.communities.models import Category, Community, ListingField, Mode
from selfwork.communities.selectors import (
    communities_moderated_by,
    in_visible_community,
)
from selfwork.core.compiled import CompiledRead, Slot, planned_for_values
from selfwork.core.errors import InvalidInput, NotFound
from selfwork.core.money import Money
from selfwork.core.pagination import cursor_decode as _cursor_decode
from selfwork.core.pagination import cursor_encode as _cursor_encode

SORTS = ("relevance", "newest", "price_asc", "price_desc", "rating")
MAX_LIMIT = 100
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class ListingQuery:
    """What a person searches for; every field optional."""

    q: str = ""
    community: str | None = None
    mode: str | None = None
    category: str | None = None
    min_price: str | None = None
    max_price: str | None = None
    currency: str | None = None
    country: str | None = None
    city: str | None = None
    owner: str | None = None
    custom: dict[str, str] = field(default_factory=dict)
    sort: str | None = None
    cursor: str | None = None
    limit: int = 24
    # Free for the whole period [available_from, available_to): a date (midnight
    # in the viewer's time zone, UTC for visitors) or a date and time with offset.
    available_from: str | None = None
    available_to: str | None = None


@dataclass
class ListingPage:
    items: list[Listing]
    next: str | None


def _rows(*, cards: bool) -> QuerySet[Listing]:
    return Listing.objects.select_related(
        "community", "owner", "owner__avatar", "category"
    ).prefetch_related(*listing_prefetches(to_attr=cards))


def _as_cards(rows: list[tuple]) -> list[Listing]:
    """The listings of ``rows`` (their ids), in order, with what a card shows."""
    ids = [row[0] for row in rows]
    found = Listing.objects.filter(id__in=ids).select_related(
        "community", "owner", "owner__avatar", "category"
    )
    by_id = {
        listing.id: listing
        for listing in found.prefetch_related(*listing_prefetches(to_attr=True))
    }
    return [by_id[i] for i in ids]


def _listing_rows() -> QuerySet[Listing]:
    """Listings with everything a page shows, in a constant number of queries."""
    return _rows(cards=False)


def _card_rows() -> QuerySet[Listing]:
    """Listings with everything a card shows, cheaply, in a constant number of queries."""
    return _rows(cards=True)


def _visible(rows: QuerySet[Listing], viewer) -> QuerySet[Listing]:
    return rows.filter(
        in_visible_community(viewer=viewer), status=Listing.Status.ACTIVE
    )


def listings_visible_to(*, viewer) -> QuerySet[Listing]:
    """Return the active listings ``viewer`` may see (private communities stay private),
    as cards (see ``Listing.mode_rows``)."""
    return _visible(_card_rows(), viewer)


def _listing_key(public_id: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(public_id))
    except ValueError as exc:
        raise NotFound(gettext("No such listing."), code="listing_not_found") from exc


def _one_visible(key: uuid.UUID | Slot, viewer) -> QuerySet[Listing]:
    # A promised gift stays on its page (marked promised) but leaves search.
    visible = Q(status__in=[Listing.Status.ACTIVE, Listing.Status.PROMISED])
    if viewer is not None and viewer.is_authenticated:
        visible |= Q(owner=viewer.pk)
    return Listing.objects.filter(
        visible, in_visible_community(viewer=viewer), public_id=key
    )


@dataclass(frozen=True)
class _SignedIn:
    """A signed-in viewer in a compiled read: who it is is bound at each call."""

    pk: Slot
    is_authenticated: bool = True


def _one_card(signed_in: bool) -> QuerySet[Listing]:
    viewer = _SignedIn(Slot("viewer", _MEMBER_ID)) if signed_in else None
    key = Slot("listing", Listing._meta.get_field("public_id"))
    return _one_visible(key, viewer)[:1].values_list(*CARD_COLUMNS)


# Every listing read asks this with the same shape: its SQL is written once.
_one_card_read = CompiledRead(Listing, _one_card)


def _one_listing(signed_in: bool) -> QuerySet[Listing]:
    viewer = _SignedIn(Slot("viewer", _MEMBER_ID)) if signed_in else None
    key = Slot("listing", Listing._meta.get_field("public_id"))
    return _one_visible(key, viewer).select_related(
        "community", "owner", "owner__avatar", "category"
    )[:1]


def _of_listing(
    model: type[Model], path: str = "listing_id"
) -> Callable[[Any], QuerySet]:
    """Rows of ``model`` belonging to the listing bound as ``listing``, in the
    order the listing's page shows them."""
    return lambda shape: model._default_manager.filter(
        **{path: Slot("listing", _column("id"))}
    )


# A listing and its modes, packages and images: four queries written once.
_one_listing_read = CompiledRead(Listing, _one_listing)
_modes_read = CompiledRead(
    ListingMode, lambda shape: _of_listing(ListingMode)(shape).order_by("pk")
)
_packages_read = CompiledRead(
    ListingPackage, _of_listing(ListingPackage, "mode__listing_id")
)
_images_read = CompiledRead(
    ListingImage,
    lambda shape: _of_listing(ListingImage)(shape).select_related("upload"),
)


def _prefetched(instance: Model, name: str, model: type[Model], rows: list) -> None:
    """Keep ``rows`` as ``instance``'s prefetched ``name``, as ``prefetch_related``
    keeps them (``instance.name.all()`` reads no more), each row pointing back."""
    back = instance._meta.get_field(name).field  # type: ignore[union-attr]
    for row in rows:
        back.set_cached_value(row, instance)
    kept: QuerySet = QuerySet(model=model)
    kept._result_cache = rows
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    cache[name] = kept


def listing_get(*, public_id: Any, viewer) -> Listing:
    """Return one listing for ``viewer``; its owner also sees it while hidden,
    given or swapped; everyone sees a promised gift. Its modes (with their
    packages) and images come with it, prefetched.

    :raises NotFound: if it does not exist or ``viewer`` may not see it.
    """
    signed_in = viewer is not None and viewer.is_authenticated
    found = _one_listing_read.objects(
        signed_in,
        listing=_listing_key(public_id),
        viewer=viewer.pk if signed_in else None,
    )
    if not found:
        raise NotFound(gettext("No such listing."), code="listing_not_found")
    listing = found[0]
    modes = _modes_read.objects(listing=listing.pk)
    packages: dict[int, list[ListingPackage]] = {mode.pk: [] for mode in modes}
    for package in _packages_read.objects(listing=listing.pk):
        packages[package.mode_id].append(package)
    for mode in modes:
        _prefetched(mode, "packages", ListingPackage, packages[mode.pk])
    _prefetched(listing, "modes", ListingMode, modes)
    _prefetched(
        listing, "images", ListingImage, _images_read.objects(listing=listing.pk)
    )
    return listing


def listing_card_get(*, public_id: Any, viewer) -> CardRow:
    """Return the card of the listing ``listing_get`` would return: one query.

    :raises NotFound: if it does not exist or ``viewer`` may not see it.
    """
    signed_in = viewer is not None and viewer.is_authenticated
    found = _one_card_read.rows(
        signed_in,
        listing=_listing_key(public_id),
        viewer=viewer.pk if signed_in else None,
    )
    if not found:
        raise NotFound("No such listing.", code="listing_not_found")
    return CardRow(*found[0])


def listing_status_of(*, listing_id: int) -> str | None:
    """Return listing ``listing_id``'s status as stored now, or None if it is gone."""
    return (
        Listing.objects.filter(pk=listing_id).values_list("status", flat=True).first()
    )


def listing_get_for_owner(*, public_id: Any, owner) -> Listing:
    """Return a listing ``owner`` owns (any status), or raise NotFound."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise NotFound(gettext("No such listing."), code="listing_not_found") from exc
    listing = _listing_rows().filter(public_id=key, owner=owner).first()
    if listing is None:
        raise NotFound(gettext("No such listing."), code="listing_not_found")
    return listing


def listing_get_for_moderation(*, public_id: Any, actor) -> Listing:
    """Return a listing ``actor`` owns or moderates, or raise NotFound."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise NotFound(gettext("No such listing."), code="listing_not_found") from exc
    moderated = communities_moderated_by(member=actor)
    listing = (
        _listing_rows()
        .filter(Q(owner=actor) | Q(community__in=moderated), public_id=key)
        .first()
    )
    if listing is None:
        raise NotFound(gettext("No such listing."), code="listing_not_found")
    return listing


def listings_of_owner(*, owner, viewer) -> QuerySet[Listing]:
    """Return ``owner``'s listings ``viewer`` may see, newest first (all, for the owner),
    as cards."""
    if viewer is not None and viewer.is_authenticated and viewer.pk == owner.pk:
        rows = _card_rows().filter(owner=owner)
    else:
        rows = listings_visible_to(viewer=viewer).filter(owner=owner)
    return rows.order_by("-created_at", "-pk")


def member_offers_commissions(*, member) -> bool:
    """Whether ``member`` offers work to order: an active listing with a service mode.

    Only then does their commission status (open, waitlist, closed) mean anything
    to others; a member who offers nothing shows none.
    """
    return Listing.objects.filter(
        owner=member, status=Listing.Status.ACTIVE, modes__mode=Mode.SERVICE
    ).exists()


def listings_offered_for_swap(*, owner, community) -> QuerySet[Listing]:
    """Return ``owner``'s active listings in ``community`` offered for swaps, A–Z."""
    if owner is None or not owner.is_authenticated:
        return Listing.objects.none()
    return (
        Listing.objects.filter(
            owner=owner,
            community=community,
            status=Listing.Status.ACTIVE,
            modes__mode=Mode.SWAP,
        )
        .distinct()
        .order_by("title", "pk")
    )


def search_terms(q: str) -> list[str]:
    """The words of a search box's text that full-text search matches: at most 12.

    Shared by every search over full text (listings, board posts), so one query
    finds the same words everywhere.
    """
    return [w.lower() for w in _WORD.findall(q)][:12]


def _fts_match(words: list[str]) -> str:
    """An FTS5 query: every word must match; the last as a prefix (search-as-you-type).

    A prefix that starts only a few of the index's terms is written as those
    terms (``catalog.terms``): the same matches, which FTS5 reads newest first
    where it gathers all of a prefix's before the first.
    """
    *whole, last = words
    phrases = [f'"{w}"' for w in whole]
    terms = prefix_terms(last)
    if terms is None:
        return " ".join([*phrases, f'"{last}"*'])
    either = " OR ".join('"{}"'.format(term.replace('"', '""')) for term in terms)
    return " AND ".join([*phrases, f"({either})"])


def _pg_tsquery(words: list[str]) -> str:
    return " & ".join(words[:-1] + [words[-1] + ":*"])


def _text_match(words: list[str]) -> str:
    """The full-text query of ``words`` in the database's own syntax."""
    return (
        _pg_tsquery(words) if connection.vendor == "postgresql" else _fts_match(words)
    )


def _text_filter(rows: QuerySet[Listing], match: str | Slot) -> QuerySet[Listing]:
    """Keep the rows matching ``match`` (for the keyset sorts, which need no rank).

    The matching ids are read from the full-text index once, as a list the
    database probes while it walks the sort's own index.
    """
    if connection.vendor == "postgresql":
        return rows.extra(  # noqa: S610 - fixed SQL; the search text is a parameter
            where=["search_vector @@ to_tsquery('selfwork_search', %s)"],
            params=[match],
        )
    return rows.filter(
        id__in=RawSQL(
            "SELECT rowid FROM catalog_listing_fts WHERE catalog_listing_fts MATCH %s",
            (match,),
        )
    )


# Relevance ranks the matches in tiers, newest first. The first tier holds the
# newest _TIER matches and each next one twice as many as the one before; a
# tier's matches are ranked among themselves. A page ranks only the tiers it
# reaches, so a common word costs the same at a million listings as at ten
# thousand (decision 0033).
_TIER = 500
_TOP_ID = 2**63 - 1


@dataclass(frozen=True)
class _Plan:
    """What decides a search's SQL. The values it compares with are bound apart
    (``core.compiled``), so each plan's SQL is written once per process."""

    signed_in: bool
    filters: tuple[str, ...] = ()
    # Custom field filters hold their values: such plans are not kept.
    custom: tuple[tuple[str, Any], ...] = ()
    sort: str = "newest"
    after: bool = False
    take: int = 0

    @property
    def kept(self) -> bool:
        return not self.custom


@dataclass(frozen=True)
class _Tier:
    """The next tier of matches: ids ``floor`` to ``top``; ``last`` when no
    older match is left after it. On PostgreSQL it holds its matches' ids."""

    floor: int
    top: int
    last: bool
    ids: tuple[int, ...] = ()


def _tier_at(match: str, top: int, size: int) -> _Tier | None:
    """The tier of the ``size`` newest matches of ``match`` with an id up to
    ``top``, or None when no match is left.

    The full-text index alone answers: SQLite's walks its matches newest first;
    PostgreSQL's is helped by the listings' own ids (``_pg_tier_at``).
    """
    # Raw SQL skips the router: ask it, so a replica answers searches too.
    with connections[router.db_for_read(Listing)].cursor() as cursor:
        if cursor.db.vendor == "postgresql":
            return _pg_tier_at(cursor, match, top, size)
        cursor.execute(
            "SELECT min(id), count(*) FROM ("
            "SELECT rowid AS id FROM catalog_listing_fts "
            "WHERE catalog_listing_fts MATCH %s "
            "AND rowid <= %s ORDER BY rowid DESC LIMIT %s) AS tier",
            (match, top, size),
        )
        floor, found = cursor.fetchone()
    if not found:
        return None
    return _Tier(floor=floor, top=top, last=found < size)


# PostgreSQL's full-text index hands a word's matches over in no order, so the
# newest matches are found one of two ways: by walking the newest listings and
# checking each (cheap when the words are common), or by reading every match
# through the index and sorting them (cheap when they are rare). Its planner
# cannot tell which from its statistics for a prefix; at 100,000 listings it
# walked the whole table for a word that matched nothing (36-66 ms). So the
# newest _SAMPLE listings are walked first, and the rest is found the cheaper
# way for the share of matches they showed (decision 0035).
_SAMPLE = 500
# What finding a match through the index costs, in listings checked while
# walking: the index reads each word's own matches (half a listing each), then
# every listing all the words match, each on a page of its own where a walk
# reads twenty listings a page. At 100,000 listings, all in memory, that read
# cost three listings walked; at a million, ten to twenty.
_POSTING_COST = 0.5
_INDEX_READ_COST = 10
# A keyset page needs a few dozen matches, not a tier's hundreds: fewer of
# the newest listings tell whether its words are too rare to walk for.
_PAGE_SAMPLE = 500
# The most matches a keyset page reads through the full-text index.
_FEW = 10_000
_PG_MATCH = "search_vector @@ to_tsquery('selfwork_search', %s)"


@dataclass(frozen=True)
class _Newest:
    """What the newest listings (up to some id) showed of a search's words."""

    edge: int | None  # the oldest listing looked at
    walked: int  # how many were looked at
    matches: list[int]  # the ids of those the words match, newest first
    postings: int  # how many matches each word has among them, summed

    def walking_beats_the_index(self, need: int, left: int, reads: int = 1) -> bool:
        """Whether walking on until ``need`` more matches turn up costs less
        than reading every match among ``left`` older listings through the
        index (each then read ``reads`` times)."""
        share = len(self.matches) / self.walked
        if not share:
            return False
        walking = need / share
        reading = (
            _POSTING_COST * self.postings / self.walked
            + reads * _INDEX_READ_COST * share
        ) * left
        return walking <= reading


def _newest_look(cursor, match: str, top: int, sample: int) -> _Newest:
    """Walk the newest ``sample`` listings up to ``top``, checking each for
    ``match`` and for each of its words."""
    terms = match.split(" & ")
    each = (
        " + ".join(f"count(*) FILTER (WHERE {_PG_MATCH})" for _ in terms)
        if len(terms) > 1
        else "0"
    )
    cursor.execute(
        *planned_for_values(
            cursor.db,
            "SELECT min(id), count(*), array_agg(id ORDER BY id DESC) "  # noqa: S608 - fixed SQL
            f"FILTER (WHERE {_PG_MATCH}), {each} FROM ("
            "SELECT id, search_vector FROM catalog_listing WHERE id <= %s "
            "ORDER BY id DESC LIMIT %s) AS newest",
            (match, *(terms if len(terms) > 1 else ()), top, sample),
        )
    )
    edge, walked, found, postings = cursor.fetchone()
    matches = list(found or ())
    return _Newest(edge, walked, matches, postings or len(matches))


def _pg_tier_at(cursor, match: str, top: int, size: int) -> _Tier | None:
    newest = _newest_look(cursor, match, top, _SAMPLE)
    ids = newest.matches[:size]
    if len(ids) < size and newest.walked == _SAMPLE:
        assert newest.edge is not None  # a full look saw listings
        below, need = newest.edge, size - len(ids)
        if newest.walking_beats_the_index(need, left=below - 1):
            # Walk the primary key down from where the look stopped, for at most
            # four times as many listings as the share says hold the rest; an
            # inner LIMIT is what makes PostgreSQL walk rather than sort.
            budget = math.ceil(4 * need * newest.walked / len(newest.matches))
            cursor.execute(
                *planned_for_values(
                    cursor.db,
                    "SELECT id FROM (SELECT id, search_vector FROM catalog_listing "  # noqa: S608 - fixed SQL
                    "WHERE id < %s ORDER BY id DESC LIMIT %s) AS older "
                    f"WHERE {_PG_MATCH} ORDER BY id DESC LIMIT %s",
                    (below, budget, match, need),
                )
            )
            found = [row[0] for row in cursor.fetchall()]
            ids += found
            # Fewer than the share promised: the rest through the index.
            below = found[-1] if found else below
            need = size - len(ids) if len(found) < need else 0
        if need:
            # A materialised CTE is planned without the LIMIT: through the index.
            cursor.execute(
                *planned_for_values(
                    cursor.db,
                    "WITH matches AS MATERIALIZED (SELECT id FROM catalog_listing "  # noqa: S608 - fixed SQL
                    f"WHERE {_PG_MATCH} AND id < %s) "
                    "SELECT id FROM matches ORDER BY id DESC LIMIT %s",
                    (match, below, need),
                )
            )
            ids += [row[0] for row in cursor.fetchall()]
    if not ids:
        return None
    return _Tier(floor=ids[-1], top=top, last=len(ids) < size, ids=tuple(ids))


def _few_matches(match: str, *, need: int) -> list[int] | None:
    """On PostgreSQL, the ids of every listing ``match`` finds when they are so
    few that reading them through the full-text index costs less than walking
    a sort's index until ``need`` of them turn up; otherwise None.

    A keyset page sorted by price or date with words walks its sort's index and
    checks each listing for the words: quick for a common word, the whole table
    for a rare one (165 ms at 100,000 listings). The newest listings show which.
    """
    with connections[router.db_for_read(Listing)].cursor() as cursor:
        if cursor.db.vendor != "postgresql":
            return None
        newest = _newest_look(cursor, match, _TOP_ID, _PAGE_SAMPLE)
        if newest.walked < _PAGE_SAMPLE:
            # Every listing was looked at: the matches are known.
            return newest.matches if len(newest.matches) <= _FEW else None
        assert newest.edge is not None
        # Each match is read through the index, then again by id.
        if newest.walking_beats_the_index(need, left=newest.edge, reads=2):
            return None
        cursor.execute(
            *planned_for_values(
                cursor.db,
                "WITH matches AS MATERIALIZED (SELECT id FROM catalog_listing "  # noqa: S608 - fixed SQL
                f"WHERE {_PG_MATCH}) SELECT id FROM matches LIMIT %s",
                (match, _FEW + 1),
            )
        )
        ids = [row[0] for row in cursor.fetchall()]
    # More than the newest listings let on: walk after all.
    return ids if len(ids) <= _FEW else None


def _ranked_ids(plan: _Plan, values: dict[str, Any], need: int) -> list[int]:
    """The ids of the best ``need`` of the listings ``plan`` finds matching
    ``values["words"]``: tier by tier, each tier's best first.

    The filters and the rank run in one query per tier, the rank only for the
    matches the filters keep; a tier that keeps too few for the page leads to
    the next, twice its size. Words that match nothing cost one query.
    """
    ids: list[int] = []
    top, size = _TOP_ID, _TIER
    while (tier := _tier_at(values["words"], top, size)) is not None:
        ids += [
            row[0]
            for row in _ranked_read.rows(
                replace(plan, take=need),
                keep=plan.kept,
                floor=tier.floor,
                top=tier.top,
                tier=_id_list(tier.ids),
                **values,
            )
        ]
        if len(ids) >= need or tier.last:
            break
        top, size = tier.floor - 1, size * 2
    return ids[:need]


def _id_list(ids: Iterable[int]) -> str:
    """A list of ids as one parameter: an array's text for PostgreSQL, JSON text
    for SQLite's json_each. Text costs the driver a few microseconds to send or
    write into SQL, where a list of 500 integers cost it almost a millisecond."""
    written = ",".join(map(str, map(int, ids)))
    return f"{{{written}}}" if connection.vendor == "postgresql" else f"[{written}]"


# A parameter passed to the database as it is (an array, JSON text).
_AS_IS = Field()


def _candidates_first(sql: str, params: list[Any], vendor: str) -> tuple[str, list]:
    """Read listings by the ids given, each looked up by primary key.

    SQLite has no statistics to tell it that a few hundred ids are fewer than a
    community's active listings, so it is told: the ids come first in a CROSS
    JOIN, which SQLite keeps as the outer loop. PostgreSQL reads them as an
    array and chooses by its statistics.
    """
    candidates = Slot("candidates", _AS_IS)
    head, rest = sql.split(' FROM "catalog_listing"', 1)
    if vendor == "postgresql":
        return (
            f"{head} FROM unnest(%s::bigint[]) AS candidate(value) "
            f'CROSS JOIN "catalog_listing"{rest}',
            [candidates, *params],
        )
    return (
        f'{head} FROM json_each(%s) AS candidate CROSS JOIN "catalog_listing"{rest}',
        [candidates, *params],
    )


@dataclass
class CardPage:
    items: list[CardRow]
    next: str | None


def listings_search(*, query: ListingQuery, viewer) -> ListingPage:
    """Search the listings ``viewer`` may see, ranked and filtered, one page at a time,
    as listings with everything a card shows.

    :raises InvalidInput: for a bad filter value, sort or cursor.
    """
    items, more = _search(query, viewer, read=_LISTINGS)
    return ListingPage(items, more)


def listing_cards_search(*, query: ListingQuery, viewer) -> CardPage:
    """Search as ``listings_search`` does, reading each listing's card (one query
    for the page, ``catalog.cards``).

    :raises InvalidInput: for a bad filter value, sort or cursor.
    """
    items, more = _search(query, viewer, read=_CARDS)
    return CardPage(items, more)


@dataclass
class CardViewPage:
    items: list[CardView]
    next: str | None


def listing_views_search(*, query: ListingQuery, viewer) -> CardViewPage:
    """Search as ``listings_search`` does, reading each listing's HTML card (one
    query for the page, ``catalog.cards``).

    :raises InvalidInput: for a bad filter value, sort or cursor.
    """
    items, more = _search(query, viewer, read=_WEB_CARDS)
    return CardViewPage(items, more)


def _mode_filter(rows: QuerySet[Listing], value) -> QuerySet[Listing]:
    mode = value("mode", ListingMode._meta.get_field("mode"))
    return rows.filter(
        Exists(ListingMode.objects.filter(listing=OuterRef("pk"), mode=mode))
    )


def _period_filter(rows: QuerySet[Listing], value) -> QuerySet[Listing]:
    """Rental and lend listings with no held booking and no blocked period in the way.

    Two NOT EXISTS on indexed (listing, start) columns. Rules such as opening
    hours or a maximum length are not applied here: the booking itself checks them.
    """
    start = value("start", Booking._meta.get_field("start_at"))
    end = value("end", Booking._meta.get_field("start_at"))
    return rows.filter(
        Exists(
            ListingMode.objects.filter(
                listing=OuterRef("pk"), mode__in=[Mode.RENTAL, Mode.LEND]
            )
        ),
        ~Exists(
            Booking.objects.filter(
                listing=OuterRef("pk"),
                status=Booking.Status.HELD,
                start_at__lt=end,
                held_end_at__gt=start,
            )
        ),
        ~Exists(
            BlockedPeriod.objects.filter(
                listing=OuterRef("pk"), start_at__lt=end, end_at__gt=start
            )
        ),
    )


_column = Listing._meta.get_field
_OWNER = Listing._meta.get_field("owner")
assert isinstance(_OWNER, ForeignKey)
# The member a listing's owner, and a viewer, are: by id, and by username.
_MEMBER_ID = _OWNER.target_field
_OWNER_USERNAME = _OWNER.related_model._meta.get_field("username")
_FILTERS: dict[str, Callable[[QuerySet[Listing], Callable], QuerySet[Listing]]] = {
    "community": lambda rows, value: rows.filter(
        community_id=value("community", Community._meta.pk)
    ),
    "mode": _mode_filter,
    # The slug's categories (one per community that has it), found first: on
    # PostgreSQL a join on the slug was planned anew at each call (about 2 ms),
    # a list of ids keeps one plan.
    "category": lambda rows, value: _among(
        rows, "category_id", value("category", _AS_IS)
    ),
    "country": lambda rows, value: rows.filter(
        country=value("country", _column("country"))
    ),
    # ``iexact`` would rewrite a slot as text: the same comparison, spelled out.
    "city": lambda rows, value: rows.filter(
        Exact(Upper("city"), Upper(value("city", _column("city"))))
    ),
    "owner": lambda rows, value: rows.filter(
        owner__username=value("owner", _OWNER_USERNAME)
    ),
    "period": _period_filter,
    "currency": lambda rows, value: rows.filter(
        price_unit=value("currency", _column("price_unit"))
    ),
    "min_price": lambda rows, value: rows.filter(
        sort_price__gte=value("min_price", _column("sort_price"))
    ),
    "max_price": lambda rows, value: rows.filter(
        sort_price__lte=value("max_price", _column("sort_price"))
    ),
    "words": lambda rows, value: _text_filter(rows, value("words", TextField())),
    # The few listings some words match, found first (``_few_matches``).
    "matches": lambda rows, value: _among(rows, "id", value("matches", _AS_IS)),
}


def _among(rows: QuerySet[Listing], column: str, ids: Slot) -> QuerySet[Listing]:
    """The ``rows`` whose ``column`` is one of ``ids`` (bound as ``_id_list``):
    one statement for any number of ids."""
    if connection.vendor == "postgresql":
        where = f'"catalog_listing"."{column}" = ANY(%s::bigint[])'
    else:
        where = f'"catalog_listing"."{column}" IN (SELECT value FROM json_each(%s))'
    return rows.extra(where=[where], params=[ids])  # noqa: S610 - fixed SQL


def _filtered(plan: _Plan, value: Callable[[str, Any], Any]) -> QuerySet[Listing]:
    """The listings ``plan`` finds, each value it compares with given by ``value``."""
    viewer = _SignedIn(value("viewer", _MEMBER_ID)) if plan.signed_in else None
    rows = _visible(Listing.objects.all(), viewer)
    for name in plan.filters:
        rows = _FILTERS[name](rows, value)
    for key, wanted in plan.custom:
        rows = rows.filter(**{f"custom__{key}": wanted})
    return rows


# What a page of one mode sorted by price compares on its mode rows.
_ON_MODE_ROWS = ("mode", "currency", "min_price", "max_price")
_mode_column = ListingMode._meta.get_field


def _in_mode_by_price(plan: _Plan) -> QuerySet[Listing]:
    """A keyset page of one mode's listings sorted by price, found through the
    copies of each listing's status and price its mode rows keep (decision 0036).

    PostgreSQL walks the mode rows' price index in order and looks each listing
    up by id; so does SQLite. Every comparison on the mode row sits in one
    ``filter`` so Django joins it once, and the ordering reuses that join.
    """
    rows = _filtered(
        replace(plan, filters=tuple(f for f in plan.filters if f not in _ON_MODE_ROWS)),
        Slot,
    )
    price = "modes__listing_sort_price"
    on_row = Q(
        modes__mode=Slot("mode", _mode_column("mode")),
        modes__listing_status=Listing.Status.ACTIVE,
    )
    if "currency" in plan.filters:
        on_row &= Q(
            modes__listing_price_unit=Slot(
                "currency", _mode_column("listing_price_unit")
            )
        )
    for name, lookup in (("min_price", "gte"), ("max_price", "lte")):
        if name in plan.filters:
            bound = Slot(name, _mode_column("listing_sort_price"))
            on_row &= Q(**{f"{price}__{lookup}": bound})
    ascending = plan.sort == "price_asc"
    if plan.after:
        at = Slot("after_price", _mode_column("listing_sort_price"))
        after = Slot("after_id", _column("id"))
        beyond = "gt" if ascending else "lt"
        # The first term alone bounds the walk of the index; the OR picks the page.
        on_row &= Q(**{f"{price}__{beyond}e": at}) & (
            Q(**{f"{price}__{beyond}": at})
            | Q(**{price: at, f"modes__listing_id__{beyond}": after})
        )
    rows = rows.filter(on_row)
    # Ordered by the mode row's columns, which its index holds in order.
    if ascending:
        return rows.order_by(price, "modes__listing_id")
    return rows.order_by(f"-{price}", "-modes__listing_id")


def _page_rows(shape: tuple[_Plan, tuple[str, ...]]) -> QuerySet[Listing]:
    """A keyset page of ``plan``'s listings, read as ``columns``."""
    plan, columns = shape
    if plan.sort in ("price_asc", "price_desc") and "mode" in plan.filters:
        return _in_mode_by_price(plan)[: plan.take].values_list(*columns)
    rows = _filtered(plan, Slot)
    at = Slot("after_at", _column("created_at"))
    key = Slot("after_key", _column("rating_key"))
    price = Slot("after_price", _column("sort_price"))
    after = Slot("after_id", _column("id"))
    if plan.sort == "newest":
        if plan.after:
            rows = rows.filter(Q(created_at__lt=at) | Q(created_at=at, id__lt=after))
        rows = rows.order_by("-created_at", "-id")
    elif plan.sort == "rating":
        # Best rated first (the mean, then how many ratings: ``rating_key``);
        # listings nobody has rated yet come last, newest id first.
        if plan.after:
            rows = rows.filter(Q(rating_key__lt=key) | Q(rating_key=key, id__lt=after))
        rows = rows.order_by("-rating_key", "-id")
    elif plan.sort == "price_asc":
        if plan.after:
            rows = rows.filter(
                Q(sort_price__gt=price) | Q(sort_price=price, id__gt=after)
            )
        rows = rows.order_by("sort_price", "id")
    else:
        if plan.after:
            rows = rows.filter(
                Q(sort_price__lt=price) | Q(sort_price=price, id__lt=after)
            )
        rows = rows.order_by("-sort_price", "-id")
    return rows[: plan.take].values_list(*columns)


def _ranked_rows(plan: _Plan) -> QuerySet[Listing]:
    """The ids of the ``plan.take`` best matches of one tier among the listings
    ``plan`` keeps.

    Each match of the tier is looked up by primary key (on PostgreSQL the
    tier's ids, on SQLite the index's matches from ``floor`` to ``top``) and
    only those kept are ranked. Ties order by newest id on both engines.
    """
    words = Slot("words", TextField())
    rows = _filtered(plan, Slot)
    if connection.vendor == "postgresql":
        matched = rows.extra(  # noqa: S610 - fixed SQL; the values are parameters
            select={
                "rank": "ts_rank_cd(search_vector, to_tsquery('selfwork_search', %s))"
            },
            select_params=[words],
            where=['"catalog_listing"."id" = ANY(%s::bigint[])'],
            params=[Slot("tier", _AS_IS)],
            order_by=["-rank", "-id"],
        )
    else:
        # bm25 is lower-is-better; the full-text table joins in by ``_fts_first``,
        # and FTS5 walks only the tier's ids.
        matched = rows.extra(  # noqa: S610 - fixed SQL; the words are a parameter
            select={"rank": "bm25(catalog_listing_fts, 10.0, 4.0, 1.0)"},
            where=[
                '"catalog_listing"."id" = catalog_listing_fts.rowid',
                "catalog_listing_fts MATCH %s",
                "catalog_listing_fts.rowid BETWEEN %s AND %s",
            ],
            params=[
                words,
                Slot("floor", _column("id")),
                Slot("top", _column("id")),
            ],
            order_by=["rank", "-id"],
        )
    return matched.values_list("id")[: plan.take]


def _fts_first(sql: str, params: list[Any], vendor: str) -> tuple[str, list]:
    """On SQLite, read the full-text index's matches first (the outer loop of a
    CROSS JOIN) and look each listing up by primary key."""
    if vendor == "postgresql":
        return sql, params
    head, rest = sql.split(' FROM "catalog_listing"', 1)
    return f'{head} FROM catalog_listing_fts CROSS JOIN "catalog_listing"{rest}', params


def _rows_by_id(columns: tuple[str, ...]) -> QuerySet[Listing]:
    return Listing.objects.extra(  # noqa: S610 - fixed SQL
        where=['"catalog_listing"."id" = candidate.value']
    ).values_list(*columns)


# A keyset page, and a ranked page read by id: SQL written once per plan.
# The words a search matches decide its best plan: it is planned for them.
_page_read = CompiledRead(
    Listing, _page_rows, per_values=lambda shape: "words" in shape[0].filters
)
_by_id_read = CompiledRead(Listing, _rows_by_id, rewrite=_candidates_first)
# On PostgreSQL the ranked tier is read by its ids, planned for them: kept
# for any ids, a plan guesses ten, and at 500 it read the tier once for each
# community (10 ms where a plan for the ids took 3-5).
_ranked_read = CompiledRead(
    Listing, _ranked_rows, rewrite=_fts_first, per_values=lambda plan: True
)


@dataclass(frozen=True)
class _Reader:
    """How a search reads its page: the columns of one query and what they make."""

    columns: tuple[str, ...]
    make: Callable[[list[tuple]], list[Any]]


_LISTINGS = _Reader(("id",), _as_cards)
_CARDS = _Reader(CARD_COLUMNS, card_rows_of)
_WEB_CARDS = _Reader(WEB_COLUMNS, card_views_of)


def _search(
    query: ListingQuery, viewer, *, read: _Reader
) -> tuple[list[Any], str | None]:
    """Search the listings ``viewer`` may see, ranked and filtered, one page at a time.

    Pages by keyset (newest, price) or by position (relevance), so deep pages of a
    busy marketplace stay as fast as the first. The request is checked and turned
    into a plan and its values; the plan's SQL is written once per process.

    :raises InvalidInput: for a bad filter value, sort or cursor.
    """
    limit = query.limit
    if (
        isinstance(limit, bool)
        or not isinstance(limit, int)
        or not 1 <= limit <= MAX_LIMIT
    ):
        raise InvalidInput(
            gettext("limit is from 1 to %(MAX_LIMIT)s.") % {"MAX_LIMIT": MAX_LIMIT},
            field="limit",
        )
    signed_in = viewer is not None and viewer.is_authenticated
    values: dict[str, Any] = {"viewer": viewer.pk if signed_in else None}
    filters: list[str] = []

    def keep(name: str, value: Any) -> None:
        filters.append(name)
        values[name] = value

    community = None
    if query.community:
        community = _community_visible(query.community, viewer)
        keep("community", community.pk)
    if query.mode:
        if query.mode not in Mode.values:
            raise InvalidInput(
                gettext("'%(mode)s' is not a mode; modes are %(value)s.")
                % {"mode": query.mode[:30], "value": ", ".join(Mode.values)},
                field="mode",
                code="unknown_mode",
            )
        keep("mode", query.mode)
    if query.category:
        keep(
            "category",
            _id_list([row[0] for row in _category_read.rows(slug=query.category)]),
        )
    if query.country:
        keep("country", query.country.upper()[:2])
    if query.city:
        keep("city", query.city[:80])
    if query.owner:
        keep("owner", query.owner[:30])
    custom = []
    if query.custom:
        if community is None:
            raise InvalidInput(
                gettext("Custom field filters need a community."), field="community"
            )
        fields = {
            f.key: f for f in ListingField.objects.filter(community_id=community.pk)
        }
        for key, value in query.custom.items():
            if key not in fields:
                raise InvalidInput(
                    gettext("%(name)s has no listing field '%(key)s'.")
                    % {"name": community.name, "key": key[:40]},
                    field=key,
                    code="unknown_field",
                )
            custom.append((key, listing_field_value(fields[key], value)))
    if query.available_from or query.available_to:
        values["start"], values["end"] = _period(query, viewer)
        filters.append("period")
    if query.min_price or query.max_price:
        if not query.currency:
            raise InvalidInput(
                gettext("A price range needs a currency, such as currency=EUR."),
                field="currency",
                code="currency_required",
            )
        keep("currency", query.currency)
        if query.min_price:
            low = Money.parse(query.min_price, query.currency, field="min_price")
            keep("min_price", low.minor)
        if query.max_price:
            high = Money.parse(query.max_price, query.currency, field="max_price")
            keep("max_price", high.minor)
    elif query.currency:
        Money.parse("0", query.currency, field="currency")
        keep("currency", query.currency)

    words = search_terms(query.q or "")
    sort = query.sort or ("relevance" if words else "newest")
    if sort not in SORTS:
        raise InvalidInput(
            gettext("sort is one of %(value)s.") % {"value": ", ".join(SORTS)},
            field="sort",
            code="unknown_sort",
        )
    if sort == "relevance" and not words:
        sort = "newest"
    if words and sort != "relevance":
        match = _text_match(words)
        few = _few_matches(match, need=limit + 1)
        if few is None:
            keep("words", match)
        else:
            keep("matches", _id_list(few))

    position = _cursor_decode(query.cursor)
    # Read the whole cursor before querying: a forged one must be a 422, never
    # a value the database cannot hold (a 500).
    try:
        offset = _cursor_int(position.get("o", 0), low=0, high=10_000)
        if position and sort == "newest":
            values["after_at"] = _cursor_time(position["t"])
            values["after_id"] = _cursor_int(position["i"])
        elif position and sort == "rating":
            values["after_key"] = _cursor_int(position["r"], low=0)
            values["after_id"] = _cursor_int(position["i"])
        elif position and sort != "relevance":
            values["after_price"] = _cursor_int(position["p"])
            values["after_id"] = _cursor_int(position["i"])
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise InvalidInput(
            gettext("The cursor is not one this server gave out."),
            field="cursor",
            code="invalid_cursor",
        ) from exc
    plan = _Plan(
        signed_in=signed_in,
        filters=tuple(filters),
        custom=tuple(custom),
        sort=sort,
        after=bool(position) and sort != "relevance",
        take=limit + 1,
    )
    if sort == "relevance":
        values["words"] = _text_match(words)
        ids = _ranked_ids(plan, values, need=offset + limit + 1)[offset:]
        place = {listing_id: n for n, listing_id in enumerate(ids)}
        # The ids passed the filters already: read them by primary key alone.
        if not ids or read.columns == ("id",):  # the ranked ids are all it reads
            found = read.make([(i,) for i in ids])
        else:
            found = read.make(_by_id_read.rows(read.columns, candidates=_id_list(ids)))
        found.sort(key=lambda r: place[r.id])
        more = len(found) > limit
        return found[:limit], _cursor_encode({"o": offset + limit}) if more else None
    page = read.make(_page_read.rows((plan, read.columns), keep=plan.kept, **values))
    more = len(page) > limit
    return page[:limit], _cursor_encode(
        _position(page[limit - 1], sort)
    ) if more else None


def _community_visible(slug: str, viewer) -> Community:
    """The community ``slug`` if ``viewer`` may see it (its pk and name).

    :raises NotFound: if there is none ``viewer`` may see.
    """
    signed_in = viewer is not None and viewer.is_authenticated
    found = _community_read.rows(
        signed_in, slug=slug, viewer=viewer.pk if signed_in else None
    )
    if not found:
        raise NotFound(
            gettext("No community '%(community)s'.") % {"community": slug[:50]},
            code="community_not_found",
        )
    pk, name = found[0]
    return Community(pk=pk, name=name, slug=slug)


def _visible_community(signed_in: bool) -> QuerySet[Community, tuple[int, str]]:
    viewer = _SignedIn(Slot("viewer", _MEMBER_ID)) if signed_in else None
    return Community.objects.filter(
        in_visible_community(viewer=viewer, through=""),
        slug=Slot("slug", Community._meta.get_field("slug")),
    ).values_list("pk", "name")[:1]


_community_read = CompiledRead(Community, _visible_community)
_category_read = CompiledRead(
    Category,
    lambda shape: (
        Category.objects.filter(slug=Slot("slug", Category._meta.get_field("slug")))
        .order_by()
        .values_list("pk")
    ),
)


def _cursor_int(value: Any, *, low: int = -(2**63), high: int = 2**63 - 1) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not low <= value <= high
    ):
        raise ValueError(f"not an integer from {low} to {high}")
    return value


def _cursor_time(value: Any) -> dt.datetime:
    at = dt.datetime.fromisoformat(value)
    if at.tzinfo is None:
        raise ValueError("a cursor time carries its offset")
    return at.astimezone(dt.UTC)  # OverflowError near the ends of the calendar


def _position(listing: Listing | CardRow | CardView, sort: str) -> dict[str, Any]:
    """Where a keyset page ends, as the cursor of the next."""
    if sort == "newest":
        return {"t": listing.created_at.isoformat(), "i": listing.id}
    if sort == "rating":
        return {"r": listing.rating_key, "i": listing.id}
    return {"p": listing.sort_price, "i": listing.id}


MAX_AVAILABLE_SPAN = dt.timedelta(days=366)


def _viewer_zone(viewer) -> zoneinfo.ZoneInfo:
    name = getattr(viewer, "time_zone", "") if viewer is not None else ""
    try:
        return zoneinfo.ZoneInfo(name) if name else zoneinfo.ZoneInfo("UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _period(query: ListingQuery, viewer) -> tuple[dt.datetime, dt.datetime]:
    """The period a search asks listings to be free in, checked."""
    if not (query.available_from and query.available_to):
        raise InvalidInput(
            gettext("available_from and available_to go together."),
            field="available_to" if query.available_from else "available_from",
            code="period_incomplete",
        )
    zone = _viewer_zone(viewer)
    start = instant_parse(query.available_from, zone=zone, field="available_from")
    end = instant_parse(query.available_to, zone=zone, field="available_to")
    if end <= start:
        raise PeriodInvalid(
            gettext("available_to must be after available_from."), field="available_to"
        )
    if end - start > MAX_AVAILABLE_SPAN:
        raise InvalidInput(
            gettext("The period is at most a year long."),
            field="available_to",
            code="range_too_long",
        )
    return start, end


def availability_get(*, listing: Listing) -> AvailabilityRules:
    """Return ``listing``'s calendar rules, or the defaults when none are saved.

    :raises NotBookable: if the listing is offered neither for rent nor to lend.
    """
    return rules_of(listing)


def listing_calendar(
    *,
    listing: Listing,
    start: dt.datetime,
    end: dt.datetime,
    rules: AvailabilityRules | None = None,
) -> tuple[list[Interval], list[Interval]]:
    """Split ``[start, end)`` of ``listing``'s calendar into (busy, free) periods.

    Busy: held bookings with their buffers, blocked periods and closed hours, each
    rounded out to whole units (a day partly taken cannot be booked). Free: the
    rest. Both sorted, merged, in UTC. Three queries (two when given the
    listing's ``rules``, as read by ``availability_get``).

    :raises NotBookable: if the listing is offered neither for rent nor to lend.
    """
    rules = rules if rules is not None else rules_of(listing)
    taken = list(
        Booking.objects.filter(
            listing=listing,
            status=Booking.Status.HELD,
            start_at__lt=end,
            held_end_at__gt=start,
        ).values_list("start_at", "held_end_at")
    ) + list(
        BlockedPeriod.objects.filter(
            listing=listing, start_at__lt=end, end_at__gt=start
        ).values_list("start_at", "end_at")
    )
    return calendar_split(rules, start=start, end=end, taken=taken)


def blocked_periods_of(*, listing: Listing) -> QuerySet[BlockedPeriod]:
    """Return ``listing``'s blocked periods, earliest first (for its owner)."""
    return BlockedPeriod.objects.filter(listing=listing).order_by("start_at", "pk")


def booking_for_reference(*, reference: str) -> Booking | None:
    """Return the held booking of ``reference`` (the latest), or None."""
    return (
        Booking.objects.filter(reference=reference, status=Booking.Status.HELD)
        .select_related("listing")
        .order_by("-created_at", "-pk")
        .first()
    )


@dataclass(frozen=True)
class CalendarView:
    """A listing's calendar over a range, as the API and the web pages show it."""

    rules: AvailabilityRules
    start: dt.datetime
    end: dt.datetime
    busy: list[Interval]
    free: list[Interval]
    # The owner's own blocked periods; None for everyone else.
    blocked: list[BlockedPeriod] | None


def calendar_view(
    *,
    listing: Listing,
    viewer,
    start: Any,
    end: Any,
    now: dt.datetime,
    rules: AvailabilityRules | None = None,
) -> CalendarView:
    """Return ``listing``'s rules, busy and free periods from ``start`` to ``end``.

    ``start``/``end`` are dates, aware datetimes or ISO text; missing, they mean
    today (in the listing's zone) and five weeks on. ``rules``, when the caller
    has read them (``availability_get``), are not read again.

    :raises NotBookable: if the listing is offered neither for rent nor to lend.
    :raises InvalidInput: ``period_invalid`` or ``range_too_long`` for a bad range.
    """
    rules = rules if rules is not None else rules_of(listing)
    begins, ends = calendar_range(rules, start=start, end=end, now=now)
    busy, free = listing_calendar(listing=listing, start=begins, end=ends, rules=rules)
    is_owner = viewer is not None and getattr(viewer, "pk", None) == listing.owner_id
    return CalendarView(
        rules=rules,
        start=begins,
        end=ends,
        busy=busy,
        free=free,
        blocked=list(blocked_periods_of(listing=listing)) if is_owner else None,
    )


def listings_by_mode(*, community=None) -> list[tuple[str, int]]:
    """Return how many active listings are offered in each mode, in the modes' order.

    A listing offered in two modes counts once in each.
    """
    modes = ListingMode.objects.filter(listing__status=Listing.Status.ACTIVE)
    if community is not None:
        modes = modes.filter(listing__community=community)
    counts = dict(modes.values("mode").annotate(n=Count("pk")).values_list("mode", "n"))
    return [(mode.value, counts.get(mode.value, 0)) for mode in Mode]
