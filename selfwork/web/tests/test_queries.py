"""List pages cost a fixed number of queries, however many cards they show."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse


@pytest.fixture
def busy_market(community, host, provider, member_of, make_listing, png_bytes, now):
    """Listings with images, service packages and several modes, by two owners."""
    from selfwork.core.uploads import upload_create

    member_of(community, provider)

    def fill(count):
        for n in range(count):
            owner = provider if n % 2 else host
            image = upload_create(owner=owner, data=png_bytes(), now=now)
            make_listing(
                owner,
                community,
                title=f"Portrait {n}",
                images=[str(image.public_id)],
                modes=[
                    {
                        "mode": "service",
                        "packages": [
                            {
                                "name": name,
                                "price": {"amount": str(40 + i), "currency": "EUR"},
                                "delivery_days": 3,
                            }
                            for i, name in enumerate(["Sketch", "Colour"])
                        ],
                    },
                    {"mode": "rental", "price": {"amount": "5", "currency": "EUR"}},
                ],
            )

    return fill


def _queries(client, url, **extra) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **extra)
    assert response.status_code == 200
    return len(captured)


PAGES = [
    reverse("web:home"),
    reverse("web:search"),
    reverse("web:search") + "?q=portrait&community=guild&mode=service",
    reverse("web:community", args=["guild"]),
    reverse("web:profile", args=["priya"]),
]


class TestQueryCounts:
    @pytest.mark.parametrize("url", PAGES)
    def test_given_more_listings_when_a_list_page_renders_then_queries_do_not_grow(
        self, client, busy_market, url
    ):
        busy_market(2)
        few = _queries(client, url)
        busy_market(10)
        assert _queries(client, url) == few

    def test_given_a_busy_home_page_when_anyone_opens_it_then_it_takes_few_queries(
        self, client, busy_market, django_assert_max_num_queries
    ):
        busy_market(12)
        # rows, modes, packages, images, communities, exchange rates
        with django_assert_max_num_queries(6):
            client.get(reverse("web:home"))

    def test_given_a_busy_search_when_a_member_filters_then_it_takes_few_queries(
        self, login, provider, busy_market, django_assert_max_num_queries
    ):
        busy_market(12)
        client = login(provider)
        # 12 for the listings and the page, one for the board posts that match,
        # and one for the bell's unread count.
        with django_assert_max_num_queries(14):
            client.get(
                reverse("web:search"),
                {"q": "portrait", "community": "guild", "mode": "service"},
            )

    def test_given_a_busy_search_when_htmx_swaps_results_then_it_takes_few_queries(
        self, client, busy_market, django_assert_max_num_queries
    ):
        busy_market(12)
        # On SQLite the last word's terms are looked up too (catalog.terms).
        with django_assert_max_num_queries(7 if connection.vendor == "sqlite" else 6):
            client.get(reverse("web:search"), {"q": "portrait"}, HTTP_HX_REQUEST="true")

    def test_given_a_busy_dashboard_when_the_member_opens_it_then_queries_do_not_grow(
        self, login, provider, busy_market
    ):
        client = login(provider)
        busy_market(2)
        few = _queries(client, reverse("web:dashboard"))
        busy_market(10)
        assert _queries(client, reverse("web:dashboard")) == few


class TestRatingsCostNothing:
    """Cards show each listing's rating from its own row: no query per card."""

    @pytest.mark.parametrize(
        "url",
        [
            reverse("web:search"),
            reverse("web:search") + "?sort=rating",
            reverse("web:profile", args=["priya"]),
            "/api/v1/listings",
            "/api/v1/listings?sort=rating",
        ],
    )
    def test_given_rated_listings_when_search_renders_then_queries_are_unchanged(
        self, client, busy_market, url
    ):
        from selfwork.catalog.models import Listing
        from selfwork.catalog.services import listing_rating_add

        busy_market(6)
        unrated = _queries(client, url)
        for n, pk in enumerate(Listing.objects.values_list("pk", flat=True)):
            listing_rating_add(listing_id=pk, total=4 + n % 2, count=1)

        assert _queries(client, url) == unrated
        if not url.startswith("/api/"):
            page = client.get(url).content.decode()
            assert re.search(r"Rated [45]\.0 out of 5 in 1 review\.", page)
