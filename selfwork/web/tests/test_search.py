"""Explore: words and filters, htmx partials, polite errors, cursor pages."""

import pytest
from django.urls import reverse

from selfwork.communities.services import category_create, listing_field_create
from selfwork.web.tests.conftest import page_text

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def shop(community, host, provider, member_of, make_listing):
    """Three listings in the guild: a fox, a drill for rent, a free gift."""
    member_of(community, provider)
    category_create(community=community, actor=host, slug="portraits", name="Portraits")
    listing_field_create(
        community=community,
        actor=host,
        key="style",
        label="Style",
        kind="choice",
        choices=["Ink", "Oil"],
    )
    return {
        "fox": make_listing(
            provider,
            community,
            title="Fox portrait",
            category="portraits",
            custom={"style": "Ink"},
            country="NZ",
            city="Wellington",
        ),
        "drill": make_listing(
            provider,
            community,
            title="Cordless drill",
            modes=[
                {
                    "mode": "rental",
                    "price": {"amount": "6", "currency": "EUR"},
                    "unit": "day",
                }
            ],
        ),
        "seeds": make_listing(
            host, community, title="Tomato seedlings", modes=[{"mode": "gift"}]
        ),
    }


def _titles(response) -> set[str]:
    html = page_text(response)
    return {
        t for t in ("Fox portrait", "Cordless drill", "Tomato seedlings") if t in html
    }


def search(client, **params):
    return client.get(reverse("web:search"), params)


class TestSearch:
    def test_given_listings_when_searching_by_a_word_then_only_matches_show(
        self, client, shop
    ):
        assert _titles(search(client, q="fox")) == {"Fox portrait"}
        assert _titles(search(client, q="dri")) == {"Cordless drill"}

    def test_given_no_words_when_searching_then_every_listing_shows(self, client, shop):
        response = search(client)
        assert response.status_code == 200
        assert _titles(response) == {
            "Fox portrait",
            "Cordless drill",
            "Tomato seedlings",
        }

    @pytest.mark.parametrize(
        "params, expected",
        [
            ({"mode": "rental"}, {"Cordless drill"}),
            ({"mode": "gift"}, {"Tomato seedlings"}),
            ({"community": "guild", "category": "portraits"}, {"Fox portrait"}),
            ({"community": "guild", "field.style": "Ink"}, {"Fox portrait"}),
            ({"min_price": "10", "currency": "EUR"}, {"Fox portrait"}),
            ({"max_price": "10", "currency": "EUR"}, {"Cordless drill"}),
            (
                {"country": "nz", "city": "wellington"},
                {"Fox portrait", "Tomato seedlings"},
            ),
            ({"country": "IN"}, {"Cordless drill"}),
        ],
    )
    def test_given_filters_when_searching_then_only_matches_show(
        self, client, shop, params, expected
    ):
        assert _titles(search(client, **params)) == expected

    def test_given_price_sorts_when_searching_then_the_order_follows(
        self, client, shop
    ):
        html = page_text(search(client, sort="price_desc", currency="EUR"))
        assert html.index("Fox portrait") < html.index("Cordless drill")
        html = page_text(search(client, sort="price_asc", currency="EUR"))
        assert html.index("Cordless drill") < html.index("Fox portrait")

    def test_given_a_community_when_chosen_then_its_categories_and_fields_become_filters(
        self, client, shop
    ):
        html = page_text(search(client, community="guild"))
        assert 'name="category"' in html and 'name="field.style"' in html
        assert 'name="field.style"' not in page_text(search(client))

    def test_given_a_price_range_without_currency_when_searching_then_it_says_so_politely(
        self, client, shop
    ):
        response = search(client, min_price="10")
        assert response.status_code == 200
        assert "A price range needs a currency" in page_text(response)
        assert _titles(response) == set()

    def test_given_a_bad_amount_when_searching_then_it_says_so_politely(
        self, client, shop
    ):
        response = search(client, min_price="ten", currency="EUR")
        assert response.status_code == 200
        assert "is not an amount" in page_text(response)

    def test_given_a_private_community_when_an_outsider_filters_by_it_then_nothing_leaks(
        self, client, private_community, host, make_listing
    ):
        make_listing(host, private_community, title="Secret fox")
        assert "Secret fox" not in page_text(search(client, q="fox"))
        response = search(client, community="back-room")
        assert response.status_code == 200
        assert "No community" in page_text(response)
        assert "Secret fox" not in page_text(response)


class TestHtmx:
    def test_given_an_htmx_request_when_searching_then_only_the_results_come_back(
        self, client, shop
    ):
        response = client.get(reverse("web:search"), {"q": "fox"}, **HTMX)
        html = page_text(response)
        assert response.status_code == 200
        assert "<html" not in html and "<form" not in html
        assert "Fox portrait" in html and "Cordless drill" not in html
        assert "HX-Request" in response["Vary"]

    def test_given_the_community_changes_when_htmx_asks_then_its_filters_come_out_of_band(
        self, client, shop
    ):
        response = client.get(
            reverse("web:search"),
            {"community": "guild", "category": "stale"},
            HTTP_HX_CURRENT_URL="http://testserver/search/",
            **HTMX,
        )
        html = page_text(response)
        assert 'id="community-filters"' in html and 'hx-swap-oob="true"' in html
        assert 'name="field.style"' in html
        # The old community's category was dropped, not applied to the new one.
        assert _titles(response) == {
            "Fox portrait",
            "Cordless drill",
            "Tomato seedlings",
        }

    def test_given_the_same_community_when_htmx_asks_then_no_filters_are_sent(
        self, client, shop
    ):
        response = client.get(
            reverse("web:search"),
            {"community": "guild", "category": "portraits"},
            HTTP_HX_CURRENT_URL="http://testserver/search/?community=guild",
            **HTMX,
        )
        assert "hx-swap-oob" not in page_text(response)
        assert _titles(response) == {"Fox portrait"}

    def test_given_a_history_restore_when_htmx_asks_then_the_whole_page_comes_back(
        self, client, shop
    ):
        response = client.get(
            reverse("web:search"), HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX
        )
        assert "<html" in page_text(response)


class TestPages:
    def test_given_more_listings_than_a_page_when_following_more_then_the_rest_come(
        self, client, community, host, make_listing
    ):
        for n in range(26):
            make_listing(host, community, title=f"Print number {n:02d}")
        first = page_text(search(client))
        assert first.count("Print number") == 24
        assert 'id="more-results"' in first
        more_url = first.split('hx-get="', 2)[-1].split('"', 1)[0].replace("&amp;", "&")
        more = client.get(more_url, HTTP_HX_TARGET="more-results", **HTMX)
        html = page_text(more)
        assert html.lstrip().startswith("<li>")
        assert html.count("Print number") == 2
        assert 'id="more-results"' not in html

    def test_given_a_cursor_without_js_when_following_more_then_the_next_page_renders(
        self, client, community, host, make_listing
    ):
        for n in range(26):
            make_listing(host, community, title=f"Print number {n:02d}")
        first = page_text(search(client))
        href = (
            first.split('id="more-results">', 1)[1]
            .split('href="', 1)[1]
            .split('"', 1)[0]
        )
        response = client.get(href.replace("&amp;", "&"))
        assert "<html" in page_text(response)
        assert page_text(response).count("Print number") == 2

    def test_given_a_forged_cursor_when_searching_then_it_says_so_politely(
        self, client, shop
    ):
        response = search(client, cursor="not-a-cursor")
        assert response.status_code == 200
        assert "cursor is not one this server gave out" in page_text(response)


class TestOddInput:
    @pytest.mark.parametrize(
        "params",
        [
            {"mode": "teleport"},
            {"sort": "random"},
            {"field.style": "Ink"},
            {"community": "guild", "field.nope": "1"},
            {"currency": "ZZZ"},
            {"min_price": "5", "max_price": "1e9", "currency": "EUR"},
            {"q": "x" * 5000},
            {"q": '"*) OR NEAR(fox'},
            {"community": "g" * 300},
            {"cursor": "eyJ0IjogIm5vdC1hLWRhdGUiLCAiaSI6IDF9", "sort": "newest"},
        ],
    )
    def test_given_odd_filters_when_searching_then_the_page_still_answers(
        self, client, shop, params
    ):
        assert search(client, **params).status_code == 200
        htmx = client.get(reverse("web:search"), params, **HTMX)
        assert htmx.status_code == 200
