"""Gifts and swaps through the API: the contract's bodies, codes and lists."""

import pytest

from selfwork.catalog.services import listing_create
from selfwork.exchanges.models import Exchange

pytestmark = pytest.mark.django_db


@pytest.fixture
def neighbours(community, provider, buyer, member_of):
    member_of(community, provider)
    member_of(community, buyer)


@pytest.fixture
def listing_of(neighbours, community, now):
    def make(owner, title, *modes):
        return listing_create(
            owner=owner,
            community=community,
            title=title,
            modes=[{"mode": m} for m in modes or ("swap",)],
            now=now,
        )

    return make


def problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()["code"]


class TestSwap:
    def test_propose_accept_and_confirm_both_sides(
        self, api_as, listing_of, provider, buyer
    ):
        book = listing_of(provider, "Dune")
        game = listing_of(buyer, "Carcassonne")
        created = api_as(buyer).post(
            "/exchanges",
            {"listing": str(book.public_id), "mode": "swap",
             "offered_listing": str(game.public_id)},
        )  # fmt: skip
        assert created.status_code == 201, created.content
        body = created.json()
        assert (body["process"], body["state"]) == ("swap", "proposed")
        assert body["offered_listing"] == str(game.public_id)
        assert body["total"] == {"amount": "0.00", "currency": "EUR"}
        url = f"/exchanges/{body['id']}/transitions"
        assert api_as(provider).post(url, {"name": "accept"}).json()["state"] == (
            "agreed"
        )
        after = api_as(buyer).post(url, {"name": "confirm"}).json()
        assert (after["state"], after["transitions"]) == ("handing_over", ["call_off"])
        again = api_as(buyer).post(url, {"name": "confirm"})
        assert problem(again, 409) == "already_confirmed"
        done = api_as(provider).post(url, {"name": "confirm"}).json()
        assert done["state"] == "completed"

    @pytest.mark.parametrize(
        "offered, status, code",
        [
            ("theirs", 422, "not_your_listing"),
            ("gift", 422, "swap_not_offered"),
            ("missing", 422, "required"),
        ],
    )
    def test_a_bad_offer_is_refused_and_nothing_stored(
        self, api_as, listing_of, provider, buyer, offered, status, code
    ):
        book = listing_of(provider, "Dune")
        choices = {
            "theirs": listing_of(provider, "Lamp"),
            "gift": listing_of(buyer, "Fern", "gift"),
            "missing": None,
        }
        body = {"listing": str(book.public_id), "mode": "swap"}
        if choices[offered] is not None:
            body["offered_listing"] = str(choices[offered].public_id)
        assert problem(api_as(buyer).post("/exchanges", body), status) == code
        assert not Exchange.objects.exists()

    def test_a_stranger_cannot_see_nor_move_a_proposal(
        self, api_as, listing_of, provider, buyer, stranger
    ):
        book = listing_of(provider, "Dune")
        game = listing_of(buyer, "Carcassonne")
        created = api_as(buyer).post(
            "/exchanges",
            {"listing": str(book.public_id), "mode": "swap",
             "offered_listing": str(game.public_id)},
        ).json()  # fmt: skip
        url = f"/exchanges/{created['id']}/transitions"
        assert problem(api_as(stranger).post(url, {"name": "withdraw"}), 404) == (
            "exchange_not_found"
        )
        assert problem(api_as(buyer).post(url, {"name": "accept"}), 403)


class TestGift:
    def test_ask_with_a_message_and_the_giver_lists_the_requests(
        self, api_as, listing_of, provider, buyer
    ):
        seedlings = listing_of(provider, "Seedlings", "gift")
        created = api_as(buyer).post(
            "/exchanges",
            {"listing": str(seedlings.public_id), "mode": "gift",
             "message": "For my balcony"},
        )  # fmt: skip
        assert created.status_code == 201, created.content
        assert created.json()["state"] == "requested"
        again = api_as(buyer).post(
            "/exchanges",
            {"listing": str(seedlings.public_id), "mode": "gift", "message": "Hi"},
        )
        assert problem(again, 409) == "already_requested"
        listed = api_as(provider).get(f"/exchanges?listing={seedlings.public_id}")
        assert [i["message"] for i in listed.json()["items"]] == ["For my balcony"]

    def test_a_gift_takes_no_listing_in_return(
        self, api_as, listing_of, provider, buyer
    ):
        seedlings = listing_of(provider, "Seedlings", "gift")
        game = listing_of(buyer, "Carcassonne")
        response = api_as(buyer).post(
            "/exchanges",
            {"listing": str(seedlings.public_id), "mode": "gift", "message": "Hi",
             "offered_listing": str(game.public_id)},
        )  # fmt: skip
        assert problem(response, 422) == "unknown_parameter"
        assert not Exchange.objects.exists()
