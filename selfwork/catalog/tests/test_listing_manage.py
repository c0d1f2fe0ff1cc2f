"""Reading, editing, hiding and deleting listings: only the right people, only valid edits."""

import pytest

from selfwork.catalog.models import Listing
from selfwork.catalog.tests.payloads import (
    MODES,
    assert_problem,
    money,
    row_counts,
)


class TestListingRead:
    def test_anyone_reads_an_active_listing_in_a_public_community(
        self, publish, anonymous_api
    ):
        listing = publish()
        response = anonymous_api.get(f"/listings/{listing['id']}")
        assert response.status_code == 200
        assert response.json()["title"] == "Watercolour fox portrait"

    @pytest.mark.parametrize(
        "listing_id",
        ["00000000-0000-0000-0000-000000000000", "not-a-uuid", "1", "%00"],
    )
    def test_an_unknown_id_is_404(self, db, anonymous_api, listing_id):
        assert_problem(
            anonymous_api.get(f"/listings/{listing_id}"), 404, "listing_not_found"
        )


class TestListingUpdate:
    def test_the_owner_edits_title_and_modes(self, publish, seller, api_as):
        listing = publish(modes=[MODES["made_to_order"], MODES["gift"]])
        response = api_as(seller).patch(
            f"/listings/{listing['id']}",
            {"title": "Ink fox portrait", "modes": [MODES["service"]]},
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["title"] == "Ink fox portrait"
        assert [m["mode"] for m in body["modes"]] == ["service"]
        assert body["price"] == money("40.00")
        assert row_counts() == {
            "Listing": 1,
            "ListingMode": 1,
            "ListingPackage": 2,
            "ListingImage": 0,
        }

    def test_an_edit_is_found_by_search_under_its_new_words(
        self, publish, seller, api_as, anonymous_api
    ):
        listing = publish()
        api_as(seller).patch(f"/listings/{listing['id']}", {"title": "Otter sketch"})
        gone = anonymous_api.get("/listings", {"q": "watercolour"}).json()["items"]
        assert gone == []
        found = anonymous_api.get("/listings", {"q": "otter"}).json()["items"]
        assert [x["id"] for x in found] == [listing["id"]]

    @pytest.mark.parametrize(
        "changes",
        [
            {"title": "New title", "modes": [{"mode": "auction"}]},
            {"title": "New title", "modes": [MODES["service"]], "images": ["nope"]},
            {"title": "<script>alert(1)</script>"},
            {"title": "New title", "status": "deleted"},
            {"title": "New title", "category": "murals"},
            {"description": "[x](javascript:alert(1))"},
            {"title": None},
        ],
    )
    def test_a_bad_edit_changes_nothing(self, publish, seller, api_as, changes):
        listing = publish()
        before = row_counts()
        stored = Listing.objects.values().get()
        response = api_as(seller).patch(f"/listings/{listing['id']}", changes)
        assert_problem(response, 422)
        assert row_counts() == before
        assert Listing.objects.values().get() == stored

    def test_a_stranger_gets_404_and_changes_nothing(self, publish, stranger, api_as):
        listing = publish()
        response = api_as(stranger).patch(
            f"/listings/{listing['id']}", {"title": "Mine now"}
        )
        assert_problem(response, 404, "listing_not_found")
        assert Listing.objects.get().title == "Watercolour fox portrait"

    def test_even_the_host_cannot_edit_someone_elses_listing(
        self, publish, host, api_as
    ):
        listing = publish()
        response = api_as(host).patch(f"/listings/{listing['id']}", {"title": "X"})
        assert_problem(response, 404)


class TestListingHide:
    def test_a_hidden_listing_is_invisible_to_others_but_visible_to_its_owner(
        self, publish, seller, stranger, api_as, anonymous_api
    ):
        listing = publish()
        path = f"/listings/{listing['id']}"
        hidden = api_as(seller).patch(path, {"status": "hidden"})
        assert hidden.json()["status"] == "hidden"
        assert_problem(api_as(stranger).get(path), 404)
        assert_problem(anonymous_api.get(path), 404)
        assert anonymous_api.get("/listings", {"q": "fox"}).json()["items"] == []
        assert api_as(seller).get(path).json()["status"] == "hidden"
        api_as(seller).patch(path, {"status": "active"})
        assert anonymous_api.get(path).status_code == 200


class TestListingDelete:
    def test_the_owner_deletes_it_with_its_modes_and_packages(
        self, publish, seller, api_as
    ):
        listing = publish(modes=[MODES["service"], MODES["gift"]])
        assert api_as(seller).delete(f"/listings/{listing['id']}").status_code == 204
        assert row_counts() == {
            "Listing": 0,
            "ListingMode": 0,
            "ListingPackage": 0,
            "ListingImage": 0,
        }
        assert api_as(seller).get(f"/listings/{listing['id']}").status_code == 404

    def test_a_deleted_listing_leaves_search(self, publish, seller, api_as):
        listing = publish()
        api_as(seller).delete(f"/listings/{listing['id']}")
        assert api_as(seller).get("/listings", {"q": "fox"}).json()["items"] == []

    def test_a_stranger_gets_404_and_deletes_nothing(
        self, publish, stranger, buyer, member_of, community, api_as
    ):
        listing = publish()
        member_of(community, buyer)
        for outsider in (stranger, buyer):
            response = api_as(outsider).delete(f"/listings/{listing['id']}")
            assert_problem(response, 404, "listing_not_found")
        assert Listing.objects.count() == 1

    def test_a_host_removes_a_listing_from_their_community(self, publish, host, api_as):
        listing = publish()
        assert api_as(host).delete(f"/listings/{listing['id']}").status_code == 204
        assert not Listing.objects.exists()

    def test_a_host_of_another_community_cannot(self, publish, stranger, api_as, now):
        from selfwork.communities.services import community_create

        community_create(creator=stranger, slug="elsewhere", name="Elsewhere", now=now)
        listing = publish()
        assert_problem(api_as(stranger).delete(f"/listings/{listing['id']}"), 404)
        assert Listing.objects.count() == 1


class TestPrivateCommunityListings:
    @pytest.fixture
    def secret_listing(self, publish, host, api_as):
        listing = publish()
        api_as(host).patch("/communities/guild", {"visibility": "private"})
        return listing

    def test_outsiders_cannot_read_or_find_them(
        self, secret_listing, stranger, api_as, anonymous_api
    ):
        for api in (api_as(stranger), anonymous_api):
            assert_problem(api.get(f"/listings/{secret_listing['id']}"), 404)
            assert api.get("/listings", {"q": "fox"}).json()["items"] == []
            assert api.get("/listings").json()["items"] == []
            assert_problem(api.get("/listings", {"community": "guild"}), 404)

    def test_members_read_and_find_them(self, secret_listing, host, api_as):
        api = api_as(host)
        assert api.get(f"/listings/{secret_listing['id']}").status_code == 200
        found = api.get("/listings", {"q": "fox", "community": "guild"}).json()
        assert [x["id"] for x in found["items"]] == [secret_listing["id"]]

    def test_outsiders_cannot_edit_or_delete_them(
        self, secret_listing, stranger, api_as
    ):
        path = f"/listings/{secret_listing['id']}"
        assert_problem(api_as(stranger).patch(path, {"title": "X"}), 404)
        assert_problem(api_as(stranger).delete(path), 404)
        assert Listing.objects.count() == 1
