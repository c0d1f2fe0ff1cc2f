"""Search reads listings through an index for every filter and sort it offers.

The database's own planner is asked (``EXPLAIN QUERY PLAN`` on SQLite, ``EXPLAIN``
on PostgreSQL) about the query each search really sends. A plan that reads the
whole listing table grows with the marketplace; at a million listings it is the
difference between milliseconds and seconds. PostgreSQL is asked with sequential
scans priced out (``enable_seqscan = off``): on a small table a sequential scan is
the right choice, so the question is whether an index path exists at all.
"""

import re

import pytest
from django.conf import settings
from django.db import connection

from selfwork.catalog.selectors import (
    ListingQuery,
    listing_cards_search,
    listings_search,
)

COMMON = ["portrait", "tent", "drill", "lesson"]
CURRENCIES = ["EUR", "GBP"]
READS_LISTINGS = re.compile(r'(FROM|JOIN) "?catalog_listing(_fts)?("|\s)')
SORT = re.compile(r"^\s*(->\s+)?Sort\s+\(")
LISTING_PRICE_INDEX = re.compile(r"(INDEX|using) listing_price(_any)? ")


@pytest.fixture
def market(community, host, provider, member_of, now):
    """Forty listings of two owners in several modes, prices, currencies and places."""
    import datetime as dt

    from selfwork.catalog.services import listing_create
    from selfwork.communities.services import category_create

    member_of(community, provider)
    category_create(community=community, actor=host, slug="art", name="Art")
    for n in range(40):
        currency = CURRENCIES[n % 2]
        price = {"amount": str(10 + n), "currency": currency}
        modes = [
            [{"mode": "made_to_order", "price": price}],
            [{"mode": "rental", "price": price, "unit": "day"}],
            [{"mode": "gift"}],
            [{"mode": "swap", "wants": "a lamp"}],
        ][n % 4]
        listing_create(
            owner=provider if n % 2 else host,
            community=community,
            title=f"{COMMON[n % 4].title()} number {n}",
            description=f"A {COMMON[(n + 1) % 4]} from the neighbourhood.",
            tags=[COMMON[n % 4], f"rare{n}"],
            category="art" if n % 3 else None,
            city=["Lyon", "Porto"][n % 2],
            country=["FR", "PT"][n % 2],
            modes=modes,
            now=now + dt.timedelta(minutes=n),
        )
    if connection.vendor == "postgresql":
        # Statistics, as autovacuum keeps them. SQLite has none unless someone
        # runs ANALYZE, which selfwork does not: its plans come from the schema.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


SEARCHES = {
    "relevance, one word": ListingQuery(q="portrait"),
    "relevance, prefix": ListingQuery(q="por"),
    "relevance, two words": ListingQuery(q="portrait number"),
    "relevance, rare word": ListingQuery(q="rare7"),
    "relevance with filters": ListingQuery(q="tent", community="guild", mode="rental"),
    "words, newest": ListingQuery(q="drill", sort="newest"),
    "words, price": ListingQuery(q="drill", sort="price_asc"),
    "newest": ListingQuery(),
    "newest in a community": ListingQuery(community="guild"),
    "newest in a mode": ListingQuery(mode="swap"),
    "newest in a category": ListingQuery(community="guild", category="art"),
    "newest in a country": ListingQuery(country="PT"),
    "newest in a city": ListingQuery(country="PT", city="porto"),
    "newest of an owner": ListingQuery(owner="priya"),
    "price ascending": ListingQuery(sort="price_asc"),
    "price descending": ListingQuery(sort="price_desc"),
    "filtered price sort": ListingQuery(
        mode="rental", currency="EUR", sort="price_asc"
    ),
    "filtered price sort, dearest first": ListingQuery(
        mode="rental", currency="GBP", sort="price_desc"
    ),
    "mode price sort, any currency": ListingQuery(
        mode="made_to_order", sort="price_asc"
    ),
    "mode price range": ListingQuery(
        mode="rental", currency="EUR", min_price="12", sort="price_desc"
    ),
    "price range": ListingQuery(
        currency="GBP", min_price="12", max_price="30", sort="price_asc"
    ),
    "rating": ListingQuery(sort="rating"),
}


def _listing_queries(query: ListingQuery) -> list[tuple[str, tuple]]:
    """The SQL and parameters of every query that reads listings for a page, as
    the API (cards) and the HTML pages (listings) search."""
    sent: list[tuple[str, tuple]] = []

    def record(execute, sql, params, many, context):
        if READS_LISTINGS.search(sql):
            sent.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        listings_search(query=query, viewer=None)
        listing_cards_search(query=query, viewer=None)
    return sent


def _plan(sql: str, params: tuple) -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return [row[3] for row in cursor.fetchall()]
        # Priced out, not forbidden: a plan that still has one has no other way.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        return [row[0] for row in cursor.fetchall()]


def _full_scans(plan: list[str], *, by_words: bool) -> list[str]:
    """The lines of ``plan`` that read every listing (or every active one)."""
    if connection.vendor == "sqlite":
        # "SCAN catalog_listing" reads every row; "SEARCH … USING INDEX" does not.
        # The full-text table is scanned through its own index (``VIRTUAL TABLE``).
        # Without words, a sort of its own means the page's order comes from no
        # index: every listing that passes the filters is read to find the first.
        return [
            line
            for line in plan
            if line.startswith("SCAN catalog_listing ")
            or (line == "USE TEMP B-TREE FOR ORDER BY" and not by_words)
        ]
    return [
        line
        for line in plan
        if "Seq Scan on catalog_listing " in line + " "
        or (SORT.match(line) and not by_words)
    ]


class TestSearchPlans:
    @pytest.mark.parametrize("name", list(SEARCHES))
    def test_given_a_market_when_anyone_searches_then_no_plan_reads_every_listing(
        self, market, name
    ):
        query = SEARCHES[name]
        sent = _listing_queries(query)
        # Relevance: where the newest tier of matches ends (the full-text index
        # alone), one query ranking the tier's matches the filters keep, then
        # the page (cards) or the listings of those ids (models). Otherwise one
        # query reads the page of cards; models read the page's ids, then those
        # (none for an empty page).
        expected = {6} if query.q and not query.sort else {2, 3}
        if query.q and query.sort and connection.vendor == "postgresql":
            # Each of the two reads first asks the newest listings how common
            # the words are, and may then read their few matches through the
            # full-text index (``selectors._few_matches``).
            expected = {4, 5, 6, 7}
        assert len(sent) in expected, sent
        for sql, params in sent:
            plan = _plan(sql, params)
            # Matches found through the full-text index are sorted, however few.
            assert not _full_scans(plan, by_words=bool(query.q)), "\n".join(plan)


def _listings_read_not_by_key(plan: list[str]) -> list[str]:
    """The lines of a SQLite ``plan`` that read listings by anything but their
    primary key."""
    return [
        line
        for line in plan
        if re.match(r"(SEARCH|SCAN) catalog_listing ", line)
        and "INTEGER PRIMARY KEY" not in line
    ]


RANKED = [name for name, query in SEARCHES.items() if query.q and not query.sort]


# SQLite only: it has no statistics, so the query tells it (a CROSS JOIN).
# PostgreSQL chooses by its statistics, and on this test's forty listings
# reading every active one is rightly the cheaper plan.
@pytest.mark.skipif(
    "sqlite" not in settings.DATABASES["default"]["ENGINE"],
    reason="PostgreSQL plans by its statistics",
)
class TestRankedSearchPlans:
    @pytest.mark.parametrize("name", RANKED)
    def test_given_a_market_when_words_are_ranked_then_listings_are_read_by_key(
        self, market, name
    ):
        # The full-text index picks the best matches; the filters then look
        # each one up, never walking a community's or a status's listings.
        for sql, params in _listing_queries(SEARCHES[name]):
            if "catalog_listing_fts" in sql or "ts_rank_cd" in sql:
                continue  # the full-text index's own query, checked above
            plan = _plan(sql, params)
            assert not _listings_read_not_by_key(plan), "\n".join(plan)


MODE_PRICED = [
    name
    for name, query in SEARCHES.items()
    if query.mode and "price" in (query.sort or "")
]


class TestModePriceSortPlans:
    @pytest.mark.parametrize("name", MODE_PRICED)
    def test_given_a_market_when_one_mode_is_sorted_by_price_then_its_mode_index_is_walked(
        self, market, name
    ):
        # The page follows the mode rows' price index (decision 0036): no sort,
        # and no walk of the listings' own price index checking each one's modes.
        query = SEARCHES[name]
        index = "listing_mode_price_any" if not query.currency else "listing_mode_price"
        (page, *_) = _listing_queries(query)
        plan = _plan(*page)
        assert any(f"{index} " in line + " " for line in plan), "\n".join(plan)
        assert not any(
            LISTING_PRICE_INDEX.search(line)
            or SORT.match(line)
            or "TEMP B-TREE" in line
            for line in plan
        ), "\n".join(plan)
