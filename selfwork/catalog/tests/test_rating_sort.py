"""Search sorts by rating: best mean first, then the most ratings; unrated last."""

import pytest

from selfwork.catalog.models import Listing, rating_key_of
from selfwork.catalog.services import listing_create, listing_rating_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def rated(community, provider, member_of, now):
    """Five listings: 4.5 over 2, 5.0 over 1, 5.0 over 3, 3.0 over 1, unrated."""
    member_of(community, provider)
    sums = {"A": (9, 2), "B": (5, 1), "C": (15, 3), "D": (3, 1), "E": (0, 0)}
    for title, (total, count) in sums.items():
        listing = listing_create(
            owner=provider,
            community=community,
            title=title,
            modes=[{"mode": "gift"}],
            now=now,
        )
        if count:
            listing_rating_add(listing_id=listing.pk, total=total, count=count)
    return sums


def test_the_key_orders_by_mean_then_count():
    assert rating_key_of(15, 3) > rating_key_of(5, 1) > rating_key_of(9, 2)
    assert rating_key_of(3, 1) > rating_key_of(0, 0) == 0


def test_listings_sort_by_rating_page_by_page(client, rated):
    seen, cursor = [], ""
    while True:
        body = client.get(f"/api/v1/listings?sort=rating&limit=2{cursor}").json()
        seen += [
            (i["title"], i["rating"]["mean"], i["rating"]["count"])
            for i in body["items"]
        ]
        if body["next"] is None:
            break
        cursor = f"&cursor={body['next']}"
    assert seen == [
        ("C", "5.0", 3),
        ("B", "5.0", 1),
        ("A", "4.5", 2),
        ("D", "3.0", 1),
        ("E", None, 0),
    ]


def test_taking_a_rating_away_re_keys_the_listing(rated):
    listing = Listing.objects.get(title="C")
    listing_rating_add(listing_id=listing.pk, total=-5, count=-1)
    listing.refresh_from_db()
    assert (listing.rating_sum, listing.rating_count) == (10, 2)
    assert listing.rating_key == rating_key_of(10, 2)


@pytest.mark.parametrize(
    "cursor", ["eyJyIjogLTEsICJpIjogMX0", "eyJyIjogIngiLCAiaSI6IDF9", "eyJpIjogMX0"]
)
def test_a_forged_rating_cursor_is_422(client, rated, cursor):
    response = client.get(f"/api/v1/listings?sort=rating&cursor={cursor}")
    assert response.status_code == 422
