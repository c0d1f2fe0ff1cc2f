"""Search and browse: ranking, filters, sorts, cursor pages, query counts, currencies."""

import base64
import datetime as dt
import itertools
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from selfwork.catalog import selectors, services
from selfwork.catalog.tests.payloads import MODES, assert_problem, hours, money
from selfwork.core.uploads import upload_create

_minutes = itertools.count(1)


@pytest.fixture
def make_listing(seller, community, now):
    """``make_listing(title, ...)`` publishes as ``seller``, a minute apart each."""

    def make(title="Fox portrait", *, price="10.00", currency="EUR", **kw):
        modes = kw.pop("modes", None) or [
            {"mode": "made_to_order", "price": money(price, currency)}
        ]
        return services.listing_create(
            owner=kw.pop("owner", seller),
            community=kw.pop("community", community),
            title=title,
            modes=modes,
            now=now + dt.timedelta(minutes=next(_minutes)),
            **kw,
        )

    return make


def ids(response):
    assert response.status_code == 200, response.content
    return [x["id"] for x in response.json()["items"]]


def public(*listings):
    return [str(x.public_id) for x in listings]


def cursor(data):
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


class TestTextSearch:
    def test_ranks_a_title_match_above_a_description_match(
        self, make_listing, anonymous_api
    ):
        in_description = make_listing(
            "Hand-bound notebook", description="Leather cover with a badger."
        )
        in_title = make_listing("Badger linocut", description="Printed by hand.")
        found = ids(anonymous_api.get("/listings", {"q": "badger"}))
        assert found == public(in_title, in_description)

    def test_ranks_a_tag_match_above_a_description_match(
        self, make_listing, anonymous_api
    ):
        in_description = make_listing("Notebook", description="A heron on the cover.")
        in_tags = make_listing("Linocut print", tags=["heron"])
        found = ids(anonymous_api.get("/listings", {"q": "heron"}))
        assert found == public(in_tags, in_description)

    def test_finds_words_by_their_beginning(self, make_listing, anonymous_api):
        portrait = make_listing("Pet portrait in oils")
        make_listing("Garden shears")
        assert ids(anonymous_api.get("/listings", {"q": "portr"})) == public(portrait)

    def test_needs_every_word(self, make_listing, anonymous_api):
        both = make_listing("Oil portrait of a cat")
        make_listing("Oil lamp")
        assert ids(anonymous_api.get("/listings", {"q": "oil portrait"})) == public(
            both
        )

    def test_matches_whatever_the_case(self, make_listing, anonymous_api):
        lamp = make_listing("Brass Lamp")
        assert ids(anonymous_api.get("/listings", {"q": "bRASS"})) == public(lamp)

    def test_matches_whatever_the_accents(self, make_listing, anonymous_api):
        cafe = make_listing("Café sign painting")
        assert ids(anonymous_api.get("/listings", {"q": "cafe"})) == public(cafe)
        assert ids(anonymous_api.get("/listings", {"q": "café"})) == public(cafe)

    @pytest.mark.parametrize(
        "q",
        [
            '"',
            "fox*",
            "fox OR NOT bar",
            "NEAR(fox)",
            "title:fox",
            "a & b | !c",
            "'; DROP TABLE catalog_listing; --",
            "(((",
            "fox_portrait",
            "🦊",
            "的",
            "-",
            "the",
        ],
    )
    def test_hostile_queries_answer_200(self, make_listing, anonymous_api, q):
        make_listing("Fox portrait")
        response = anonymous_api.get("/listings", {"q": q})
        assert response.status_code == 200, response.content

    def test_an_over_long_query_is_422(self, db, anonymous_api):
        assert_problem(anonymous_api.get("/listings", {"q": "x" * 201}), 422)


class TestRankingTiers:
    """Relevance ranks the newest matches first, a tier at a time (decision 0033):
    here tiers of 2, 4, 8 … matches, so six listings make three tiers."""

    @pytest.fixture(autouse=True)
    def small_tiers(self, monkeypatch):
        monkeypatch.setattr(selectors, "_TIER", 2)

    @pytest.fixture
    def six(self, make_listing):
        # Oldest first. Even ones have "otter" in the title, odd ones only in
        # the description, so within a tier the title matches rank first.
        return [
            make_listing(f"Otter print {n}", description="Printed by hand.")
            if n % 2 == 0
            else make_listing(f"Linocut {n}", description="An otter by the river.")
            for n in range(6)
        ]

    def test_each_tier_is_ranked_and_newer_tiers_come_first(self, six, anonymous_api):
        # Tiers by newest: {5, 4}, {3, 2, 1, 0}; the title matches lead each.
        found = ids(anonymous_api.get("/listings", {"q": "otter", "limit": 10}))
        order = [six[n] for n in (4, 5, 2, 0, 3, 1)]
        assert found == public(*order)

    def test_pages_walk_every_tier_and_give_each_match_once(self, six, anonymous_api):
        seen, params = [], {"q": "otter", "limit": 1}
        for _ in range(10):
            body = anonymous_api.get("/listings", params).json()
            seen += [x["id"] for x in body["items"]]
            if not body["next"]:
                break
            params["cursor"] = body["next"]
        assert seen == public(*[six[n] for n in (4, 5, 2, 0, 3, 1)])

    def test_filters_that_keep_few_matches_read_older_tiers_to_fill_a_page(
        self, make_listing, anonymous_api
    ):
        rental = make_listing("Otter tent", modes=[MODES["rental"]])
        for n in range(9):
            make_listing(f"Otter print {n}")
        found = ids(
            anonymous_api.get("/listings", {"q": "otter", "mode": "rental"}),
        )
        assert found == public(rental)

    def test_a_page_reads_only_the_tiers_it_reaches(self, six, anonymous_api):
        def tiers_read(limit):
            with CaptureQueriesContext(connection) as read:
                ids(anonymous_api.get("/listings", {"q": "otter", "limit": limit}))
            return sum("count(*)" in q["sql"] for q in read.captured_queries)

        # A page of one needs two matches (one more tells whether there is a
        # next page): the newest tier holds them. Six need all three tiers.
        assert tiers_read(1) == 1
        assert tiers_read(6) == 3

    def test_words_that_match_nothing_cost_one_query(self, six, anonymous_api):
        with CaptureQueriesContext(connection) as read:
            assert ids(anonymous_api.get("/listings", {"q": "walrus"})) == []
        searched = [q for q in read.captured_queries if "catalog_listing" in q["sql"]]
        assert len(searched) == 1


@pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="PostgreSQL's way to the newest matches"
)
class TestNewestMatchesOnPostgreSQL:
    """PostgreSQL's full-text index gives matches in no order: a tier walks the
    newest listings first, then finds the rest by walking on or through the index,
    whichever the share of matches it saw makes cheaper. Either way the tiers,
    and so the ranking, are the same. Here a tier is 2 matches and the walk 3
    listings (for a tier and for a page), so every way is taken."""

    @pytest.fixture(autouse=True)
    def small_tiers(self, monkeypatch):
        monkeypatch.setattr(selectors, "_TIER", 2)
        monkeypatch.setattr(selectors, "_SAMPLE", 3)
        monkeypatch.setattr(selectors, "_PAGE_SAMPLE", 3)

    @pytest.fixture
    def market(self, make_listing):
        # Oldest first: six otters (title matches even, description odd), then
        # three listings of other things, so the newest three show no match.
        otters = [
            make_listing(f"Otter print {n}", description="Printed by hand.")
            if n % 2 == 0
            else make_listing(f"Linocut {n}", description="An otter by the river.")
            for n in range(6)
        ]
        for n in range(3):
            make_listing(f"Heron mug {n}")
        return otters

    @pytest.mark.parametrize(
        ("index_read_cost", "way"), [(0, "MATERIALIZED"), (10**9, "AS older")]
    )
    def test_walking_on_or_reading_the_index_finds_the_same_ranking(
        self, market, anonymous_api, monkeypatch, index_read_cost, way
    ):
        monkeypatch.setattr(selectors, "_INDEX_READ_COST", index_read_cost)
        with CaptureQueriesContext(connection) as read:
            found = ids(anonymous_api.get("/listings", {"q": "otter", "limit": 10}))
        assert found == public(*[market[n] for n in (4, 5, 2, 0, 3, 1)])
        assert any(way in q["sql"] for q in read.captured_queries)

    def test_a_walk_that_finds_fewer_than_the_share_promised_reads_the_rest(
        self, make_listing, monkeypatch
    ):
        monkeypatch.setattr(selectors, "_INDEX_READ_COST", 10**9)
        oldest = make_listing("Otter print, the first")
        for n in range(12):
            make_listing(f"Heron mug {n}")
        older, newer = make_listing("Otter print"), make_listing("Otter cup")
        make_listing("Heron cup")
        # The newest three hold two otters: walking on looks promising, but the
        # twelve listings its budget allows hold none; the index finds the last.
        with CaptureQueriesContext(connection) as read:
            tier = selectors._tier_at(
                selectors._text_match(["otter"]), selectors._TOP_ID, 4
            )
        assert tier is not None
        assert tier.ids == (newer.pk, older.pk, oldest.pk)
        assert tier.last
        sent = " ".join(q["sql"] for q in read.captured_queries)
        assert "AS older" in sent and "MATERIALIZED" in sent

    def test_no_match_among_the_newest_reads_the_rest_through_the_index(
        self, market, anonymous_api
    ):
        # The newest three hold no otter: walking on could cost any number of
        # listings, reading the index costs what the matches are.
        with CaptureQueriesContext(connection) as read:
            found = ids(anonymous_api.get("/listings", {"q": "otter", "limit": 1}))
        assert found == public(market[4])
        assert any("MATERIALIZED" in q["sql"] for q in read.captured_queries)
        assert not any("AS older" in q["sql"] for q in read.captured_queries)

    def test_pages_give_each_match_once_whichever_way(self, market, anonymous_api):
        seen, params = [], {"q": "otter", "limit": 1}
        for _ in range(10):
            body = anonymous_api.get("/listings", params).json()
            seen += [x["id"] for x in body["items"]]
            if not body["next"]:
                break
            params["cursor"] = body["next"]
        assert seen == public(*[market[n] for n in (4, 5, 2, 0, 3, 1)])

    def test_a_price_sort_reads_few_matches_through_the_index(
        self, market, make_listing, anonymous_api
    ):
        # No otter among the newest three: the otters are read through the
        # index, then sorted by price.
        with CaptureQueriesContext(connection) as read:
            found = ids(
                anonymous_api.get("/listings", {"q": "otter", "sort": "price_desc"})
            )
        assert sorted(found) == sorted(public(*market))
        assert any("MATERIALIZED" in q["sql"] for q in read.captured_queries)

    def test_a_price_sort_walks_its_index_for_common_words(
        self, market, make_listing, anonymous_api
    ):
        cheap = make_listing("Heron print", price="1.00")
        dear = make_listing("Heron print", price="99.00")
        with CaptureQueriesContext(connection) as read:
            found = ids(
                anonymous_api.get("/listings", {"q": "heron", "sort": "price_asc"})
            )
        assert found[0] == public(cheap)[0] and found[-1] == public(dear)[0]
        assert len(found) == 5
        assert not any("MATERIALIZED" in q["sql"] for q in read.captured_queries)

    def test_words_that_match_nothing_cost_two_statements_at_most(
        self, market, anonymous_api
    ):
        with CaptureQueriesContext(connection) as read:
            assert ids(anonymous_api.get("/listings", {"q": "walrus"})) == []
        searched = [q for q in read.captured_queries if "catalog_listing" in q["sql"]]
        assert len(searched) == 2  # the newest walked, then the index


class TestWhichWayToTheNewestMatches:
    """What the newest listings show (here 2,000) decides, on PostgreSQL, whether a
    search walks on or reads the full-text index (decision 0035); a million
    listings are left to search."""

    @staticmethod
    def newest(matches: int, postings: int | None = None):
        return selectors._Newest(
            edge=1_000_000,
            walked=2000,
            matches=list(range(matches)),
            postings=matches if postings is None else postings,
        )

    def test_a_common_word_walks_on(self):
        assert self.newest(250).walking_beats_the_index(250, left=1_000_000)

    def test_a_word_none_of_the_newest_hold_reads_the_index(self):
        assert not self.newest(0).walking_beats_the_index(500, left=1_000_000)

    def test_a_word_in_one_listing_of_a_hundred_walks_on(self):
        # 48,000 listings walked cost less than 10,000 matches read one by one.
        assert self.newest(20).walking_beats_the_index(480, left=1_000_000)

    def test_a_word_in_one_listing_of_a_thousand_reads_the_index(self):
        assert not self.newest(2).walking_beats_the_index(480, left=1_000_000)

    def test_two_common_words_seldom_together_walk_for_their_postings(self):
        # Each word alone is common: the index would read all their matches.
        common_apart = self.newest(12, postings=250 + 140)
        assert common_apart.walking_beats_the_index(488, left=1_000_000)
        # The same share from rare words reads the index.
        assert not self.newest(12).walking_beats_the_index(488, left=1_000_000)

    def test_a_page_read_again_by_id_weighs_the_index_twice(self):
        newest = self.newest(3)
        assert not newest.walking_beats_the_index(26, left=1_000_000)
        assert newest.walking_beats_the_index(26, left=1_000_000, reads=2)


class TestFilters:
    def test_by_community(self, make_listing, host, now, seller, anonymous_api):
        from selfwork.communities.services import community_create, community_join

        other = community_create(creator=host, slug="makers", name="Makers", now=now)
        community_join(community=other, member=seller, now=now)
        there = make_listing("Fox mug", community=other)
        make_listing("Fox print")
        found = ids(anonymous_api.get("/listings", {"community": "makers"}))
        assert found == public(there)

    def test_by_mode(self, make_listing, anonymous_api):
        rental = make_listing("Drill", modes=[MODES["rental"]])
        make_listing("Sander", modes=[MODES["gift"]])
        assert ids(anonymous_api.get("/listings", {"mode": "rental"})) == public(rental)

    def test_by_category(self, make_listing, community, host, anonymous_api):
        from selfwork.communities.services import category_create

        category_create(community=community, actor=host, slug="covers", name="Covers")
        cover = make_listing("Book cover", category="covers")
        make_listing("Logo")
        assert ids(anonymous_api.get("/listings", {"category": "covers"})) == public(
            cover
        )

    def test_by_price_range_in_a_currency(self, make_listing, anonymous_api):
        make_listing("Cheap", price="5.00")
        middle = make_listing("Middle", price="15.00")
        edge = make_listing("Edge", price="20.00")
        make_listing("Dear", price="25.00")
        make_listing("Dollars", price="15.00", currency="USD")
        found = anonymous_api.get(
            "/listings",
            {"min_price": "10", "max_price": "20.00", "currency": "EUR"},
        )
        assert ids(found) == public(edge, middle)

    def test_by_currency_alone(self, make_listing, anonymous_api):
        dollars = make_listing("Dollars", price="15.00", currency="USD")
        make_listing("Euros")
        assert ids(anonymous_api.get("/listings", {"currency": "USD"})) == public(
            dollars
        )

    def test_by_country_and_city(self, make_listing, anonymous_api):
        lyon = make_listing("Lyon bike", city="Lyon", country="FR")
        make_listing("Paris bike", city="Paris", country="FR")
        make_listing("Pune bike")
        assert ids(
            anonymous_api.get("/listings", {"country": "fr", "city": "lyon"})
        ) == (public(lyon))
        assert len(ids(anonymous_api.get("/listings", {"country": "FR"}))) == 2

    def test_by_custom_fields_of_every_kind(
        self, make_listing, community, host, anonymous_api
    ):
        from selfwork.communities.services import listing_field_create

        for key, kind, choices in [
            ("style", "choice", ["ink", "oil"]),
            ("pages", "number", []),
            ("signed", "boolean", []),
            ("medium", "text", []),
        ]:
            listing_field_create(
                community=community,
                actor=host,
                key=key,
                label=key.title(),
                kind=kind,
                choices=choices,
            )
        ink = make_listing(
            "Ink",
            custom={"style": "ink", "pages": 12, "signed": True, "medium": "paper"},
        )
        oil = make_listing(
            "Oil",
            custom={"style": "oil", "pages": "7.5", "signed": "no", "medium": "canvas"},
        )
        make_listing("Plain")

        def search(**fields):
            params = {"community": "guild"}
            params.update({f"field.{k}": v for k, v in fields.items()})
            return ids(anonymous_api.get("/listings", params))

        assert search(style="ink") == public(ink)
        assert search(pages="12") == public(ink)
        assert search(pages="7.5") == public(oil)
        assert search(signed="yes") == public(ink)
        assert search(signed="false") == public(oil)
        assert search(medium="canvas") == public(oil)
        assert search(style="ink", signed="no") == []

    @pytest.mark.parametrize(
        ("params", "status", "code"),
        [
            ({"field.style": "ink"}, 422, "invalid_input"),
            ({"community": "guild", "field.colour": "red"}, 422, "unknown_field"),
            ({"community": "guild", "field.style": "acrylic"}, 422, "unknown_choice"),
            ({"community": "guild", "field.pages": "many"}, 422, "invalid_input"),
            ({"community": "guild", "field.pages": "NaN"}, 422, "invalid_input"),
            ({"community": "guild", "field.signed": "perhaps"}, 422, "invalid_input"),
            ({"community": "nowhere"}, 404, "community_not_found"),
            ({"mode": "auction"}, 422, "unknown_mode"),
            ({"min_price": "10"}, 422, "currency_required"),
            ({"min_price": "ten", "currency": "EUR"}, 422, "invalid_amount"),
            ({"max_price": "1e400", "currency": "EUR"}, 422, "invalid_amount"),
            ({"max_price": "0.001", "currency": "EUR"}, 422, "too_precise"),
            ({"min_price": "1", "currency": "XYZ"}, 422, "unknown_currency"),
            ({"currency": "eur"}, 422, "unknown_currency"),
            ({"sort": "cheapest"}, 422, "unknown_sort"),
            ({"limit": 101}, 422, "invalid_input"),
            ({"limit": 0}, 422, "invalid_input"),
            ({"limit": "lots"}, 422, "invalid_input"),
            ({"show_in": "XYZ"}, 422, "unknown_currency"),
        ],
    )
    def test_a_bad_filter_is_refused(self, community, host, params, status, code):
        from selfwork.communities.services import listing_field_create

        for key, kind, choices in [
            ("style", "choice", ["ink"]),
            ("pages", "number", []),
            ("signed", "boolean", []),
        ]:
            listing_field_create(
                community=community,
                actor=host,
                key=key,
                label=key,
                kind=kind,
                choices=choices,
            )
        from django.test import Client

        response = Client().get("/api/v1/listings", params)
        assert_problem(response, status, code)


class TestSorts:
    @pytest.fixture
    def three(self, make_listing):
        middle = make_listing("Fox middle", price="20.00")
        cheap = make_listing("Fox cheap", price="5.00")
        dear = make_listing("Fox dear", price="90.00")
        return cheap, middle, dear

    def test_newest_first_by_default(self, three, anonymous_api):
        cheap, middle, dear = three
        assert ids(anonymous_api.get("/listings")) == public(dear, cheap, middle)

    def test_by_price_both_ways(self, three, anonymous_api):
        cheap, middle, dear = three
        assert ids(anonymous_api.get("/listings", {"sort": "price_asc"})) == public(
            cheap, middle, dear
        )
        assert ids(anonymous_api.get("/listings", {"sort": "price_desc"})) == public(
            dear, middle, cheap
        )

    def test_a_query_sorts_by_relevance_unless_told_otherwise(
        self, three, anonymous_api
    ):
        cheap, middle, dear = three
        by_price = anonymous_api.get("/listings", {"q": "fox", "sort": "price_asc"})
        assert ids(by_price) == public(cheap, middle, dear)


class TestCursorPages:
    @pytest.fixture
    def seven(self, make_listing):
        # Equal prices and equal words, so every sort has ties to break.
        prices = ["10.00", "10.00", "5.00", "10.00", "30.00", "5.00", "12.00"]
        listings = [
            make_listing(f"Fox print number {i}", price=p) for i, p in enumerate(prices)
        ]
        listings.append(make_listing("Gift fox", modes=[MODES["gift"]]))
        listings.append(
            make_listing("Fox hour", modes=[{"mode": "timebank", "hours": hours("1")}])
        )
        return listings

    @pytest.mark.parametrize("sort", ["relevance", "newest", "price_asc", "price_desc"])
    def test_walking_every_page_gives_each_listing_exactly_once(
        self, seven, anonymous_api, sort
    ):
        seen, next_cursor, pages = [], None, 0
        while True:
            params = {"q": "fox", "sort": sort, "limit": 2}
            if next_cursor:
                params["cursor"] = next_cursor
            response = anonymous_api.get("/listings", params)
            page = response.json()
            assert len(page["items"]) <= 2
            seen += ids(response)
            next_cursor = page["next"]
            pages += 1
            if next_cursor is None:
                break
            assert pages < 20
        assert sorted(seen) == sorted(public(*seven))
        assert len(seen) == len(set(seen))
        assert pages == 5

    def test_pages_follow_the_order_of_one_big_page(self, seven, anonymous_api):
        whole = ids(anonymous_api.get("/listings", {"sort": "price_desc"}))
        first = anonymous_api.get("/listings", {"sort": "price_desc", "limit": 4})
        rest = anonymous_api.get(
            "/listings",
            {"sort": "price_desc", "limit": 100, "cursor": first.json()["next"]},
        )
        assert ids(first) + ids(rest) == whole

    @pytest.mark.parametrize(
        ("sort", "bad"),
        [
            ("newest", "garbage!"),
            ("newest", "W10"),  # valid base64 of a JSON list
            ("newest", cursor({"t": "yesterday", "i": 1})),
            ("newest", cursor({"t": "2026-01-01T00:00:00+00:00"})),
            ("newest", cursor({"t": "9999-12-31T23:59:59-14:00", "i": 1})),
            ("newest", cursor({"t": "2026-01-01T00:00:00+00:00", "i": 10**30})),
            ("newest", cursor({"t": 5, "i": 1})),
            ("price_asc", cursor({"t": "2026-01-01T00:00:00+00:00", "i": 1})),
            ("price_asc", cursor({"p": 10**30, "i": 1})),
            ("price_desc", cursor({"p": 1, "i": -(10**30)})),
            ("price_desc", cursor({"p": "cheap", "i": 1})),
            ("relevance", cursor({"o": "abc"})),
            ("relevance", cursor({"o": -1})),
            ("relevance", cursor({"o": 10**30})),
            ("relevance", cursor({"o": [1]})),
        ],
    )
    def test_a_bad_cursor_is_422(self, seven, anonymous_api, sort, bad):
        response = anonymous_api.get(
            "/listings", {"q": "fox", "sort": sort, "cursor": bad}
        )
        assert_problem(response, 422, "invalid_cursor")


class TestQueryCounts:
    @pytest.fixture
    def stock(self, make_listing, seller, now, png_bytes, community, host):
        """Listings with packages, images and a category: everything a card shows."""
        from selfwork.communities.services import category_create

        category_create(community=community, actor=host, slug="prints", name="Prints")
        image = upload_create(owner=seller, data=png_bytes(), now=now)

        def make(count):
            for i in range(count):
                make_listing(
                    f"Fox print {i}",
                    modes=[MODES["service"], MODES["rental"]],
                    images=[str(image.public_id)],
                    category="prints",
                    tags=["fox"],
                )

        return make

    def queries(self, run):
        with CaptureQueriesContext(connection) as captured:
            run()
        return len(captured.captured_queries)

    @pytest.mark.parametrize("q", ["", "fox"])
    def test_the_selector_uses_the_same_queries_for_5_or_25_results(
        self, stock, buyer, q
    ):
        def search():
            page = selectors.listings_search(
                query=selectors.ListingQuery(q=q, limit=100), viewer=buyer
            )
            for listing in page.items:
                listing.owner.avatar  # noqa: B018
                listing.community.slug  # noqa: B018
                listing.category  # noqa: B018
                # A page of cards: modes, packages and images as prefetched lists.
                for mode in listing.mode_rows:
                    list(mode.package_rows)
                for image in listing.image_rows:
                    image.upload.url  # noqa: B018
            return page

        stock(5)
        few = self.queries(search)
        stock(20)
        assert len(search().items) == 25
        assert self.queries(search) == few
        # On SQLite a search also looks its last word's terms up (catalog.terms).
        assert few <= (7 if q and connection.vendor == "sqlite" else 6)

    @pytest.mark.parametrize("params", [{}, {"q": "fox", "mode": "rental"}])
    def test_the_api_list_uses_the_same_queries_for_5_or_25_results(
        self, stock, buyer, api_as, params
    ):
        api = api_as(buyer)
        api.get("/members/me")  # the token's first use is recorded once

        def search():
            response = api.get("/listings", {"limit": 100, **params})
            assert response.status_code == 200
            return response

        stock(5)
        few = self.queries(search)
        stock(20)
        assert len(search().json()["items"]) == 25
        assert self.queries(search) == few

    def test_reading_one_listing_uses_a_handful_of_queries(
        self, stock, anonymous_api, django_assert_max_num_queries
    ):
        stock(1)
        listing_id = ids(anonymous_api.get("/listings"))[0]
        with django_assert_max_num_queries(7):
            assert anonymous_api.get(f"/listings/{listing_id}").status_code == 200


class TestViewerCurrency:
    def test_shows_the_price_in_the_currency_asked_for(self, make_listing, api_as):
        make_listing("Fox", price="10.00")
        item = api_as().get("/listings", {"show_in": "USD"}).json()["items"][0]
        assert item["price"] == money("10.00")
        assert item["price_in_viewer_currency"] == money("10.85", "USD")

    def test_uses_the_viewers_preferred_currency(self, make_listing, buyer, api_as):
        make_listing("Fox", price="10.00")
        buyer.preferred_currency = "GBP"
        buyer.save()
        item = api_as(buyer).get("/listings").json()["items"][0]
        assert item["price_in_viewer_currency"] == money("8.42", "GBP")
        listing = api_as(buyer).get(f"/listings/{item['id']}").json()
        assert listing["price_in_viewer_currency"] == money("8.42", "GBP")

    def test_converts_between_two_currencies_through_the_base(
        self, make_listing, anonymous_api
    ):
        make_listing("Fox", price="1085.00", currency="USD")
        item = anonymous_api.get("/listings", {"show_in": "GBP"}).json()["items"][0]
        assert item["price_in_viewer_currency"] == money("842.00", "GBP")

    def test_rounds_to_the_target_currencys_minor_unit(
        self, make_listing, anonymous_api
    ):
        make_listing("Fox", price="10.00")
        item = anonymous_api.get("/listings", {"show_in": "JPY"}).json()["items"][0]
        assert item["price_in_viewer_currency"]["currency"] == "JPY"
        assert "." not in item["price_in_viewer_currency"]["amount"]

    def test_time_credits_and_free_listings_have_no_converted_price(
        self, make_listing, anonymous_api
    ):
        make_listing("Hour", modes=[MODES["timebank"]])
        make_listing("Gift", modes=[MODES["gift"]])
        items = anonymous_api.get("/listings", {"show_in": "USD"}).json()["items"]
        assert [x["price_in_viewer_currency"] for x in items] == [None, None]


def rental(price, currency="EUR"):
    return {"mode": "rental", "price": money(price, currency), "unit": "day"}


class TestOneModeSortedByPrice:
    """A page of one mode sorted by price reads copies of each listing's status
    and price kept on its mode rows (decision 0036): every write keeps them true."""

    @pytest.fixture
    def rentals(self, make_listing):
        return {
            "tent": make_listing("Tent", modes=[rental("20.00")]),
            "kayak": make_listing("Kayak", modes=[rental("45.00")]),
            # Its "from" price is its cheapest mode's: the rental.
            "drill": make_listing("Drill", modes=[rental("8.00"), MODES["swap"]]),
            "lamp": make_listing("Lamp", modes=[rental("12.00", "GBP")]),
            # Not for rent: never on a rental page, however cheap.
            "vase": make_listing("Vase", price="3.00"),
        }

    @staticmethod
    def rentals_by(api, sort, **params):
        return ids(api.get("/listings", {"mode": "rental", "sort": sort, **params}))

    def test_sorted_both_ways_in_one_currency_and_across_them(
        self, rentals, anonymous_api
    ):
        r = rentals
        cheapest_first = self.rentals_by(anonymous_api, "price_asc", currency="EUR")
        assert cheapest_first == public(r["drill"], r["tent"], r["kayak"])
        dearest_first = self.rentals_by(anonymous_api, "price_desc", currency="EUR")
        assert dearest_first == public(r["kayak"], r["tent"], r["drill"])
        assert self.rentals_by(anonymous_api, "price_asc") == public(
            r["drill"], r["lamp"], r["tent"], r["kayak"]
        )
        assert self.rentals_by(
            anonymous_api, "price_desc", currency="EUR", min_price="10", max_price="30"
        ) == public(r["tent"])

    @pytest.mark.parametrize("sort", ["price_asc", "price_desc"])
    def test_pages_of_one_follow_the_order_of_one_big_page(
        self, rentals, make_listing, anonymous_api, sort
    ):
        # Ties at one price are broken by id, the same way on every page.
        make_listing("Second tent", modes=[rental("20.00")])
        make_listing("Third tent", modes=[rental("20.00")])
        whole = self.rentals_by(anonymous_api, sort, currency="EUR")
        assert len(whole) == 5
        seen, params = [], {"currency": "EUR", "limit": 1}
        while True:
            page = anonymous_api.get(
                "/listings", {"mode": "rental", "sort": sort, **params}
            )
            seen += ids(page)
            if not page.json()["next"]:
                break
            params["cursor"] = page.json()["next"]
        assert seen == whole

    def test_a_new_price_moves_the_listing(self, rentals, seller, now, anonymous_api):
        r = rentals
        services.listing_update(
            listing=r["kayak"],
            actor=seller,
            changes={"modes": [rental("5.00")]},
            now=now,
        )
        assert self.rentals_by(anonymous_api, "price_asc", currency="EUR") == public(
            r["kayak"], r["drill"], r["tent"]
        )
        # Priced in another currency, it leaves the EUR page for the GBP one.
        services.listing_update(
            listing=r["kayak"],
            actor=seller,
            changes={"modes": [rental("50.00", "GBP")]},
            now=now,
        )
        assert self.rentals_by(anonymous_api, "price_desc", currency="GBP") == public(
            r["kayak"], r["lamp"]
        )
        assert str(r["kayak"].public_id) not in self.rentals_by(
            anonymous_api, "price_desc", currency="EUR"
        )

    def test_a_listing_hidden_or_taken_leaves_and_one_shown_again_comes_back(
        self, rentals, seller, now, anonymous_api
    ):
        r = rentals
        services.listing_hide(listing=r["tent"], actor=seller, now=now)
        services.listing_status_move(
            listing_id=r["kayak"].pk,
            source=services.OWNER_STATUSES,
            target="promised",
            now=now,
        )
        assert self.rentals_by(anonymous_api, "price_asc", currency="EUR") == public(
            r["drill"]
        )
        services.listing_update(
            listing=r["tent"], actor=seller, changes={"status": "active"}, now=now
        )
        assert self.rentals_by(anonymous_api, "price_asc", currency="EUR") == public(
            r["drill"], r["tent"]
        )

    def test_a_listing_no_longer_for_rent_leaves_the_rental_pages(
        self, rentals, seller, now, anonymous_api
    ):
        r = rentals
        services.listing_update(
            listing=r["drill"],
            actor=seller,
            changes={"modes": [MODES["swap"]]},
            now=now,
        )
        assert self.rentals_by(anonymous_api, "price_asc", currency="EUR") == public(
            r["tent"], r["kayak"]
        )
        services.listing_update(
            listing=r["vase"],
            actor=seller,
            changes={"modes": [rental("1.00")]},
            now=now,
        )
        assert self.rentals_by(anonymous_api, "price_asc", currency="EUR") == public(
            r["vase"], r["tent"], r["kayak"]
        )

    def test_every_mode_row_copies_its_listing_and_a_rebuild_repairs_them(
        self, rentals, seller, now
    ):
        from selfwork.catalog.cards import listing_cards_rebuild
        from selfwork.catalog.models import ListingMode

        services.listing_hide(listing=rentals["lamp"], actor=seller, now=now)

        def copies_wrong():
            return [
                m.pk
                for m in ListingMode.objects.select_related("listing")
                if (m.listing_status, m.listing_price_unit, m.listing_sort_price)
                != (m.listing.status, m.listing.price_unit, m.listing.sort_price)
            ]

        assert ListingMode.objects.count() == 6
        assert copies_wrong() == []
        ListingMode.objects.update(listing_sort_price=0, listing_status="active")
        assert copies_wrong()
        assert list(listing_cards_rebuild())[-1] == 5
        assert copies_wrong() == []
