"""SQLite: a search's last word, a prefix, is searched as the few terms it starts,
and finds exactly what FTS5's own prefix query finds (``catalog.terms``)."""

import datetime as dt
import itertools

import pytest
from django.db import connection

from selfwork.catalog import selectors, services
from selfwork.catalog.models import SearchTerm
from selfwork.catalog.terms import MAX_TERMS, prefix_terms, tokens_of
from selfwork.catalog.tests.payloads import money

pytestmark = pytest.mark.skipif(
    "connection.vendor != 'sqlite'", reason="SQLite's full-text index"
)

_minutes = itertools.count(1)


@pytest.fixture
def publish(seller, community, now):
    def make(title, description=""):
        return services.listing_create(
            owner=seller,
            community=community,
            title=title,
            description=description,
            modes=[{"mode": "made_to_order", "price": money("10.00")}],
            now=now + dt.timedelta(minutes=next(_minutes)),
        )

    return make


def _found(q: str) -> set[int]:
    page = selectors.listings_search(
        query=selectors.ListingQuery(q=q, limit=100), viewer=None
    )
    return {listing.pk for listing in page.items}


def _fts_prefix(q: str) -> set[int]:
    """What FTS5's own prefix query matches: every word, the last as a prefix."""
    *whole, last = selectors.search_terms(q)
    match = " ".join([*(f'"{w}"' for w in whole), f'"{last}"*'])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rowid FROM catalog_listing_fts WHERE catalog_listing_fts MATCH %s",
            [match],
        )
        return {rowid for (rowid,) in cursor.fetchall()}


@pytest.fixture
def shelf(publish):
    return [
        publish("Fox portrait", "Oils on canvas."),
        publish("Portraiture lessons", "Weekly, for beginners."),
        publish("Portraits of pets", "Cats and dogs."),
        publish("Oak table", "Agreed price, collected only."),
        publish("Portal frame repair"),
        publish("Port wine rack", "Oak and iron."),
    ]


class TestSameMatchesAsThePrefix:
    @pytest.mark.parametrize(
        "q",
        [
            "portrait",
            "portraits",
            "portrai",
            "portr",
            "port",
            "po",
            "fox portrai",
            "oak",
            "oak ta",
            "agre",
            "agreed",
            "zebra",
        ],
    )
    def test_given_listings_then_a_search_finds_what_fts5s_prefix_finds(self, shelf, q):
        assert _found(q) == _fts_prefix(q)

    def test_the_few_terms_of_a_long_prefix_are_searched_as_words(self, shelf):
        assert prefix_terms("portrai") == ["portrait", "portraitur"]
        assert _found("portrai") == {shelf[0].pk, shelf[1].pk, shelf[2].pk}

    def test_given_an_edit_brings_a_new_word_then_its_prefix_finds_it(
        self, shelf, seller, now
    ):
        services.listing_update(
            listing=shelf[4],
            actor=seller,
            now=now,
            changes={"title": "Portraitist for hire"},
        )
        assert "portraitist" in prefix_terms("portrait")
        assert shelf[4].pk in _found("portrait")
        assert _found("portrait") == _fts_prefix("portrait")


class TestWhenFts5MatchesThePrefixItself:
    def test_a_prefix_of_more_terms_than_the_most_is_left_to_fts5(self, publish):
        for n in range(MAX_TERMS + 1):
            publish(f"Lamp{n}")
        assert prefix_terms("lamp") is None
        assert _found("lamp") == _fts_prefix("lamp")
        assert len(_found("lamp")) == MAX_TERMS + 1

    def test_a_term_the_stemmer_would_stem_again_is_left_to_fts5(self, shelf):
        # "agreed" is kept as "agre", which the query's stemmer makes "agr".
        assert tokens_of(["agreed"]) == ["agre"]
        assert tokens_of(["agre"]) == ["agr"]
        assert prefix_terms("agre") is None
        assert _found("agre") == {shelf[3].pk}

    def test_a_word_with_no_term_is_left_to_fts5(self, shelf):
        assert prefix_terms("zebra") is None
        assert _found("zebra") == set()


class TestTheTermsTable:
    def test_every_term_of_the_index_is_kept(self, shelf):
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE VIRTUAL TABLE temp.index_terms "
                "USING fts5vocab(main, catalog_listing_fts, row)"
            )
            cursor.execute("SELECT term FROM temp.index_terms")
            indexed = {term for (term,) in cursor.fetchall()}
            cursor.execute("DROP TABLE temp.index_terms")
        assert indexed
        assert indexed <= set(SearchTerm.objects.values_list("term", flat=True))

    def test_the_migration_fills_it_from_the_index(self, shelf):
        from importlib import import_module

        from django.apps import apps

        class Editor:  # what the migration uses of a schema editor
            connection = connection

            def execute(self, sql):
                with connection.cursor() as cursor:
                    cursor.execute(sql)

        migration = import_module("selfwork.catalog.migrations.0014_search_terms")
        kept = set(SearchTerm.objects.values_list("term", flat=True))
        SearchTerm.objects.all().delete()
        migration.forwards(apps, Editor())
        assert set(SearchTerm.objects.values_list("term", flat=True)) == kept

    def test_a_prefix_seeks_the_terms_by_their_key(self, shelf):
        with connection.cursor() as cursor:
            cursor.execute(
                "EXPLAIN QUERY PLAN SELECT term FROM catalog_searchterm "
                "WHERE term >= %s AND term < %s ORDER BY term LIMIT 9",
                ["portrait", "portrait\U0010ffff"],
            )
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
        assert "SEARCH" in plan and "SCAN" not in plan
