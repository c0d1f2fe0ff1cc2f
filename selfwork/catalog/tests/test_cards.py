"""Every write that changes what a listing card shows rewrites its card, and pages of
listings send from the cards exactly what the response schema would have sent."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from selfwork.catalog.cards import READ_TIME, card_item, listing_cards_rebuild
from selfwork.catalog.models import Listing, ListingCard
from selfwork.catalog.out import ListingOut, listing_out
from selfwork.catalog.services import (
    listing_create,
    listing_delete,
    listing_hide,
    listing_rating_add,
    listing_show,
    listing_status_move,
    listing_update,
)
from selfwork.catalog.tests.payloads import MODES, money
from selfwork.core.fx import fx_table


def _fresh(listing_id: int) -> dict:
    """The card's item as built from the listing's rows now."""
    from selfwork.catalog.cards import _listings

    return json.loads(card_item(_listings([listing_id]).get()))


def _stored(listing_id: int) -> dict:
    return json.loads(ListingCard.objects.get(listing_id=listing_id).item)


def _follows(listing: Listing) -> dict:
    """Then the stored card is what the listing's rows say now; return it."""
    stored = _stored(listing.pk)
    assert stored == _fresh(listing.pk)
    return stored


@pytest.fixture
def listing(seller, community, now):
    return listing_create(
        owner=seller,
        community=community,
        title="Pet portrait",
        description="In oils.",
        tags=["oil"],
        modes=[MODES["service"], MODES["made_to_order"]],
        now=now,
    )


class TestWritersKeepCardsCurrent:
    def test_given_a_new_listing_then_its_card_is_written_with_it(self, listing):
        card = _follows(listing)
        assert card["title"] == "Pet portrait"
        assert card["price"] == money("12.50")
        assert [m["mode"] for m in card["modes"]] == ["service", "made_to_order"]

    def test_given_an_edit_of_title_modes_and_prices_then_the_card_follows(
        self, listing, seller, now
    ):
        listing_update(
            listing=listing,
            actor=seller,
            now=now + dt.timedelta(hours=1),
            changes={
                "title": "Dog portrait",
                "modes": [{"mode": "made_to_order", "price": money("30.00")}],
                "tags": ["dog"],
            },
        )
        card = _follows(listing)
        assert card["title"] == "Dog portrait"
        assert card["price"] == money("30.00")
        assert card["tags"] == ["dog"]
        assert card["updated_at"] == (now + dt.timedelta(hours=1)).isoformat()

    def test_given_new_images_then_the_card_lists_them(
        self, listing, seller, now, png_bytes
    ):
        from selfwork.core.uploads import upload_create

        image = upload_create(owner=seller, data=png_bytes(), now=now)
        listing_update(
            listing=listing,
            actor=seller,
            now=now,
            changes={"images": [str(image.public_id)]},
        )
        assert _follows(listing)["images"] == [image.url]

    def test_given_a_hidden_then_shown_listing_then_the_card_says_so(
        self, listing, seller, now
    ):
        listing_hide(listing=listing, actor=seller, now=now)
        assert _follows(listing)["status"] == "hidden"
        listing_show(listing=listing, actor=seller, now=now)
        assert _follows(listing)["status"] == "active"

    def test_given_a_gift_promised_by_an_exchange_then_the_card_says_promised(
        self, seller, community, now
    ):
        gift = listing_create(
            owner=seller,
            community=community,
            title="Lamp",
            modes=[MODES["gift"]],
            now=now,
        )
        assert listing_status_move(
            listing_id=gift.pk, source=("active",), target="promised", now=now
        )
        assert _follows(gift)["status"] == "promised"

    def test_given_published_ratings_then_the_card_shows_their_mean(self, listing):
        listing_rating_add(listing_id=listing.pk, total=9, count=2)
        assert _follows(listing)["rating"] == {"mean": "4.5", "count": 2}

    def test_given_a_deleted_listing_then_its_card_goes_with_it(
        self, listing, seller, now
    ):
        listing_delete(listing=listing, actor=seller, now=now)
        assert not ListingCard.objects.filter(listing_id=listing.pk).exists()

    def test_given_missing_cards_when_rebuilt_then_every_listing_has_its_card(
        self, listing, seller, community, now
    ):
        ListingCard.objects.all().delete()
        written = list(listing_cards_rebuild(missing_only=True))
        assert written == [1]
        _follows(listing)


@pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="row locks (SQLite has one writer)"
)
def test_an_owners_edit_locks_the_listing_before_it_writes_a_mode(listing, seller, now):
    """An exchange moving a listing's status writes the listing, then its mode rows'
    copies; an edit writing the modes first and the listing second would deadlock
    with it on PostgreSQL. So the edit queues on the listing's row first."""
    with CaptureQueriesContext(connection) as edit:
        listing_update(
            listing=listing,
            actor=seller,
            now=now,
            changes={"modes": [{"mode": "made_to_order", "price": money("30.00")}]},
        )
    statements = [q["sql"] for q in edit.captured_queries]
    locks = [
        n
        for n, sql in enumerate(statements)
        if sql.endswith("FOR UPDATE") and 'FROM "catalog_listing"' in sql
    ]
    mode_writes = [
        n
        for n, sql in enumerate(statements)
        if sql.startswith(("INSERT", "UPDATE", "DELETE"))
        and '"catalog_listingmode"' in sql.split(" WHERE ")[0]
    ]
    assert locks and mode_writes
    assert locks[0] < mode_writes[0]


class TestPagesFromCards:
    def test_given_a_listing_then_the_list_item_is_what_the_schema_sends(
        self, listing, api_as, buyer, community, member_of
    ):
        member_of(community, buyer)
        buyer.preferred_currency = "GBP"
        buyer.save(update_fields=["preferred_currency"])
        client = api_as(buyer)
        expected = ListingOut.model_validate(
            listing_out(
                Listing.objects.get(pk=listing.pk),
                viewer_currency="GBP",
                rates=fx_table(),
            )
        ).model_dump(mode="json")
        listed = client.get("/listings").json()["items"]
        assert listed == [expected]
        assert client.get(f"/listings/{listing.public_id}").json() == expected

    def test_given_a_card_then_it_holds_only_the_public_item(self, listing):
        stored = set(_stored(listing.pk))
        assert stored == set(ListingOut.model_fields) - set(READ_TIME)

    def test_given_a_new_display_name_then_pages_show_it_without_a_card_write(
        self, listing, seller, anonymous_api
    ):
        from selfwork.accounts.services import member_update

        before = ListingCard.objects.get(listing_id=listing.pk).item
        member_update(member=seller, changes={"display_name": "Priya the Painter"})
        (item,) = anonymous_api.get("/listings").json()["items"]
        assert item["owner_name"] == "Priya the Painter"
        assert ListingCard.objects.get(listing_id=listing.pk).item == before

    def test_given_more_listings_then_the_list_api_takes_the_same_queries(
        self, seller, community, now, anonymous_api
    ):
        def create(n):
            listing_create(
                owner=seller,
                community=community,
                title=f"Portrait {n}",
                modes=[MODES["service"], MODES["rental"]],
                now=now + dt.timedelta(minutes=n),
            )

        def count(url):
            with CaptureQueriesContext(connection) as captured:
                assert anonymous_api.get(url).status_code == 200
            return len(captured)

        create(0)
        urls = ["/listings", "/listings?q=portrait", "/listings?sort=price_asc"]
        few = [count(url) for url in urls]
        for n in range(1, 12):
            create(n)
        assert [count(url) for url in urls] == few
        # The page itself is read in one query; relevance asks the full-text
        # index for its best matches first.
        assert few[0] <= 4, few


class TestCachedPages:
    def test_given_a_visitor_when_a_page_is_asked_again_then_the_cache_answers(
        self, listing, anonymous_api
    ):
        first = anonymous_api.get("/listings?q=portrait")
        again = anonymous_api.get("/listings?q=portrait")
        assert (first["X-Cache"], again["X-Cache"]) == ("miss", "hit")
        assert again.json() == first.json()

    def test_given_a_cached_page_when_a_card_changes_then_the_next_read_shows_it(
        self, listing, seller, now, anonymous_api
    ):
        anonymous_api.get("/listings")
        listing_update(
            listing=listing, actor=seller, now=now, changes={"title": "Cat portrait"}
        )
        response = anonymous_api.get("/listings")
        assert response["X-Cache"] == "miss"
        assert response.json()["items"][0]["title"] == "Cat portrait"

    def test_given_a_cached_page_when_the_owner_renames_then_the_next_read_shows_it(
        self, listing, seller, anonymous_api
    ):
        from selfwork.accounts.services import member_update

        anonymous_api.get("/listings")
        member_update(member=seller, changes={"display_name": "Priya P."})
        (item,) = anonymous_api.get("/listings").json()["items"]
        assert item["owner_name"] == "Priya P."

    def test_given_a_cached_page_when_a_community_turns_private_then_visitors_lose_it(
        self, listing, community, host, anonymous_api
    ):
        from selfwork.communities.services import community_update

        assert anonymous_api.get("/listings").json()["items"]
        community_update(
            community=community, actor=host, changes={"visibility": "private"}
        )
        assert anonymous_api.get("/listings").json()["items"] == []

    def test_given_a_member_then_their_pages_are_never_cached(
        self, listing, api_as, seller
    ):
        client = api_as(seller)
        client.get("/listings")
        assert "X-Cache" not in client.get("/listings")
