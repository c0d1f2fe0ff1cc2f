"""Gifts and swaps on the web: asking and proposing from the listing page, the
owner's list of requests, and the room's buttons drawn from the process."""

import pytest
from django.utils import timezone

from selfwork.catalog.models import Listing
from selfwork.catalog.services import listing_create
from selfwork.exchanges import services
from selfwork.exchanges.models import Exchange

pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    """The real time: these pages read the clock themselves."""
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def neighbours(community, provider, buyer, member_of):
    member_of(community, provider)
    member_of(community, buyer)


@pytest.fixture
def seedlings(neighbours, community, provider, now):
    return listing_create(
        owner=provider,
        community=community,
        title="Tomato seedlings",
        modes=[{"mode": "gift"}],
        now=now,
    )


@pytest.fixture
def book(neighbours, community, provider, now):
    return listing_create(
        owner=provider,
        community=community,
        title="Dune",
        modes=[{"mode": "swap", "wants": "A board game"}],
        now=now,
    )


@pytest.fixture
def game(neighbours, community, buyer, now):
    return listing_create(
        owner=buyer,
        community=community,
        title="Carcassonne",
        modes=[{"mode": "swap"}],
        now=now,
    )


def text(response) -> str:
    return response.content.decode()


def page_of(listing) -> str:
    return f"/listings/{listing.public_id}/"


class TestGiftPage:
    def test_a_neighbour_is_offered_to_ask_for_it_not_a_quote(
        self, seedlings, buyer, browse_as
    ):
        page = text(browse_as(buyer).get(page_of(seedlings)))
        assert f'action="/listings/{seedlings.public_id}/ask/"' in page
        assert "Ask for a quote" not in page

    def test_asking_with_a_message_opens_the_room_of_the_request(
        self, seedlings, buyer, browse_as
    ):
        response = browse_as(buyer).post(
            f"/listings/{seedlings.public_id}/ask/",
            {"message": "For my balcony, please."},
        )
        exchange = Exchange.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"/exchanges/{exchange.public_id}/"
        assert (exchange.process_name, exchange.customer) == ("gift", buyer)
        room = text(browse_as(buyer).get(response["Location"]))
        assert "For my balcony, please." in room
        assert "Withdraw my request" in room

    def test_asking_without_a_message_says_so_and_stores_nothing(
        self, seedlings, buyer, browse_as
    ):
        response = browse_as(buyer).post(
            f"/listings/{seedlings.public_id}/ask/", {"message": ""}
        )
        assert response.status_code == 422
        assert "field-invalid" in text(response)
        assert not Exchange.objects.exists()

    def test_asking_twice_shows_why_and_stores_nothing_more(
        self, seedlings, buyer, browse_as
    ):
        client = browse_as(buyer)
        client.post(f"/listings/{seedlings.public_id}/ask/", {"message": "Hi"})
        response = client.post(
            f"/listings/{seedlings.public_id}/ask/", {"message": "Hi"}
        )
        assert response.status_code == 409
        assert "open request for this listing already" in text(response)
        assert Exchange.objects.count() == 1

    def test_the_giver_sees_every_request_and_gives_from_its_room(
        self, seedlings, buyer, provider, make_member, member_of, community,
        browse_as, now,
    ):  # fmt: skip
        other = make_member("oskar")
        member_of(community, other)
        mine = services.exchange_order(
            listing=seedlings, customer=buyer, mode="gift", message="Me!", now=now
        )
        services.exchange_order(
            listing=seedlings, customer=other, mode="gift", message="Me too!", now=now
        )
        giver = browse_as(provider)
        page = text(giver.get(page_of(seedlings)))
        assert "Requests and proposals" in page
        assert "Me!" in page and "Me too!" in page
        assert "/ask/" not in page  # no form to ask for one's own gift
        room = f"/exchanges/{mine.public_id}/"
        response = giver.post(room, {"action": "transition", "name": "give"})
        assert response.status_code == 302
        assert Listing.objects.get(pk=seedlings.pk).status == "promised"
        states = dict(Exchange.objects.values_list("customer__username", "state"))
        assert states == {"bruno": "promised", "oskar": "not_chosen"}
        neighbour = text(browse_as(other).get(page_of(seedlings)))
        assert "This gift is promised to someone." in neighbour
        assert f'action="/listings/{seedlings.public_id}/ask/"' not in neighbour


class TestSwapPage:
    def test_a_neighbour_chooses_one_of_their_swap_listings(
        self, book, game, buyer, browse_as
    ):
        page = text(browse_as(buyer).get(page_of(book)))
        assert f'action="/listings/{book.public_id}/swap/"' in page
        assert f'value="{game.public_id}"' in page
        assert "Ask for a quote" not in page

    def test_without_a_swap_listing_the_page_says_how_to_get_one(
        self, book, make_member, member_of, community, browse_as
    ):
        newcomer = make_member("nina")
        member_of(community, newcomer)
        page = text(browse_as(newcomer).get(f"/listings/{book.public_id}/swap/"))
        assert "list something of yours in" in page

    def test_proposing_opens_the_room_with_what_is_offered(
        self, book, game, buyer, provider, browse_as
    ):
        response = browse_as(buyer).post(
            f"/listings/{book.public_id}/swap/",
            {"offered_listing": str(game.public_id), "message": "Fair?"},
        )
        assert response.status_code == 302
        exchange = Exchange.objects.get()
        assert exchange.offered_listing == game
        room = text(browse_as(provider).get(response["Location"]))
        assert "Offered in return" in room and "Carcassonne" in room
        assert "Accept the swap" in room

    def test_offering_a_listing_not_in_the_list_is_refused(
        self, book, game, buyer, provider, browse_as
    ):
        response = browse_as(buyer).post(
            f"/listings/{book.public_id}/swap/",
            {"offered_listing": str(book.public_id)},
        )
        assert response.status_code == 422
        assert not Exchange.objects.exists()

    def test_a_listing_without_the_mode_has_no_such_page(
        self, seedlings, buyer, browse_as
    ):
        response = browse_as(buyer).get(f"/listings/{seedlings.public_id}/swap/")
        assert response.status_code == 404


class TestRequestsSelector:
    def test_reads_the_requests_in_a_constant_number_of_queries(
        self, seedlings, provider, make_member, member_of, community, now,
        django_assert_num_queries,
    ):  # fmt: skip
        from selfwork.exchanges.selectors import listing_requests_for_owner

        def ask(count):
            for _ in range(count):
                asker = make_member()
                member_of(community, asker)
                services.exchange_order(
                    listing=seedlings, customer=asker, mode="gift", message="Hi",
                    now=now,
                )  # fmt: skip

        ask(2)
        # The exchanges, open and ended. The process version they pinned was read
        # when they started, and a process keeps the versions it has read.
        with django_assert_num_queries(2):
            assert (
                len(listing_requests_for_owner(listing=seedlings, owner=provider)) == 2
            )
        ask(3)
        with django_assert_num_queries(2):
            assert (
                len(listing_requests_for_owner(listing=seedlings, owner=provider)) == 5
            )

    def test_shows_nothing_to_anyone_but_the_owner(self, seedlings, buyer, now):
        from selfwork.exchanges.selectors import listing_requests_for_owner

        services.exchange_order(
            listing=seedlings, customer=buyer, mode="gift", message="Hi", now=now
        )
        assert listing_requests_for_owner(listing=seedlings, owner=buyer) == []


@pytest.mark.parametrize(
    "name, label", [("swap", "Handing over"), ("gift", "Not collected")]
)
def test_each_process_has_its_page_with_its_graph(client, name, label):
    page = client.get(f"/processes/{name}/")
    assert page.status_code == 200
    assert label in text(page)
    assert "<svg" in text(page)
