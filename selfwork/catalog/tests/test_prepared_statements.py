"""PostgreSQL keeps the plans of the statements a process sends again, but plans
each search's matching for its words (``config.settings``, ``core.compiled.planned_for_values``).

A listing query's joins took PostgreSQL 1-15 ms to plan against under 1 ms to
run; a search's best plan depends on how many listings its words match.
"""

import re

import pytest
from django.db import connection

from selfwork.catalog.selectors import (
    ListingQuery,
    listing_cards_search,
    listing_get,
    listings_search,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        "connection.vendor != 'postgresql'", reason="PostgreSQL's prepared statements"
    ),
]


@pytest.fixture
def listings(community, provider, member_of, now):
    from selfwork.catalog.services import listing_create

    member_of(community, provider)
    return [
        listing_create(
            owner=provider,
            community=community,
            title=f"Portrait number {n}",
            description="Oil on canvas.",
            modes=[
                {"mode": "made_to_order", "price": {"amount": "40", "currency": "EUR"}}
            ],
            now=now,
        )
        for n in range(3)
    ]


def _sent(run) -> list[tuple[str, object]]:
    sent = []

    def record(execute, sql, params, many, context):
        sent.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        run()
    return sent


def _prepared() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return {row[0] for row in cursor.fetchall()}


def test_a_statement_sent_again_is_prepared_once_and_its_answers_stay_right(
    listings,
):
    assert connection.connection.prepare_threshold == 5
    for _ in range(6):
        for listing in listings:
            assert listing_get(public_id=listing.public_id, viewer=None) == listing
    listing_reads = [s for s in _prepared() if "catalog_listing" in s]
    assert listing_reads, "the listing read was not prepared"
    # Its values are apart from it: one statement serves every listing.
    assert all("$1" in s for s in listing_reads)


def test_a_prepared_statement_keeps_one_plan_for_every_value(listings):
    # Left to choose, PostgreSQL planned some statements at every call for
    # their values (30 ms against 1.2 for the kept plan, decision 0034).
    for _ in range(8):
        for listing in listings:
            listing_get(public_id=listing.public_id, viewer=None)
        listings_search(query=ListingQuery(mode="made_to_order"), viewer=None)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements"
        )
        kept = [row for row in cursor.fetchall() if "catalog_listing" in row[0]]
    assert len(kept) >= 2
    assert all(generic > 0 and custom == 0 for _, generic, custom in kept), kept


def test_a_search_finds_its_matches_with_a_plan_made_for_its_words(listings):
    query = ListingQuery(q="portrait oil")
    for _ in range(7):
        found = listing_cards_search(query=query, viewer=None).items
        assert sorted(c.id for c in found) == sorted(x.pk for x in listings)
    sent = _sent(lambda: listing_cards_search(query=query, viewer=None))
    # Finding the tier's matches (walking the newest listings, or through the
    # full-text index): planned for the words, written in.
    matching = [(sql, params) for sql, params in sent if "@@ to_tsquery" in sql]
    assert matching
    for sql, params in matching:
        assert params is None
        assert "'portrait & oil:*'" in sql
    # Ranking the tier reads its matches by id, planned for those ids: a plan
    # kept for any ids guesses ten and read a tier of 500 once per community.
    (ranked,) = [(sql, params) for sql, params in sent if "ts_rank_cd" in sql]
    assert ranked[1] is None
    ids = {int(i) for i in re.search(r"ANY\('\{([0-9,]+)\}'", ranked[0])[1].split(",")}
    assert ids == {x.pk for x in listings}
    # A search sent again may be prepared, with its words and ids in it: its
    # plan is still the one made for them.
    assert all(
        "$" not in s for s in _prepared() if "@@ to_tsquery" in s or "ts_rank_cd" in s
    )


def test_hostile_words_stay_text_when_written_in(listings):
    query = ListingQuery(q="portrait') ; DROP TABLE catalog_listing; --")
    assert listing_cards_search(query=query, viewer=None).items == []
    assert listing_cards_search(query=ListingQuery(q="portrait"), viewer=None).items
