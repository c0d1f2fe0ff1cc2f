"""The briefs and offers API: shapes, who sees what, and bad input refused with codes."""

import datetime as dt

import pytest
from django.utils import timezone

from selfwork.briefs.models import Brief, Counter, Offer
from selfwork.briefs.tests.conftest import money
from selfwork.exchanges.models import Exchange


@pytest.fixture
def now():
    """The real time: these pages and endpoints read the clock themselves."""
    return timezone.now().replace(microsecond=0)


DEADLINE = (timezone.now() + dt.timedelta(days=60)).date().isoformat()


def brief_body(**changes):
    return {
        "community": "guild",
        "title": "A cover for my poetry book",
        "description": "Ink and watercolour, 6×9 inches.",
        "budget": {"min": money("150.00"), "max": money("300.00")},
        **changes,
    }


def offer_body(**changes):
    return {
        "price": money("240.00"),
        "delivery_days": 10,
        "message": "Happy to.",
        **changes,
    }


@pytest.fixture
def customer_api(api_as, buyer, guild):
    return api_as(buyer)


@pytest.fixture
def provider_api(api_as, provider, guild):
    return api_as(provider)


@pytest.fixture
def posted(customer_api):
    response = customer_api.post("/briefs", brief_body(deadline=DEADLINE))
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def offered(posted, provider_api):
    response = provider_api.post(f"/briefs/{posted['id']}/offers", offer_body())
    assert response.status_code == 201, response.content
    return response.json()


def assert_problem(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == code


class TestBriefs:
    def test_posting_answers_201_with_the_brief(self, posted):
        assert posted["title"] == "A cover for my poetry book"
        assert posted["budget"] == {
            "min": {"amount": "150.00", "currency": "EUR"},
            "max": {"amount": "300.00", "currency": "EUR"},
        }
        assert posted["deadline"] == DEADLINE
        assert posted["status"] == "open"
        assert posted["community"] == "guild"
        assert posted["offer_count"] == 0
        assert posted["url"] == f"/briefs/{posted['id']}/"

    @pytest.mark.parametrize(
        "changes, status, code",
        [
            (
                {"budget": {"min": money("400"), "max": money("300")}},
                422,
                "budget_range",
            ),
            (
                {"budget": {"min": money("100"), "max": money("300", "GBP")}},
                422,
                "currency_mismatch",
            ),
            (
                {"budget": {"min": money("100.001"), "max": money("300")}},
                422,
                "too_precise",
            ),
            ({"deadline": "2020-01-01"}, 422, "deadline_past"),
            ({"deadline": "soon"}, 422, "invalid_date"),
            ({"budget": {"min": money("100")}}, 422, "invalid_input"),
            ({"title": 5}, 422, "invalid_input"),
            ({"community": "nowhere"}, 404, "community_not_found"),
        ],
    )
    def test_bad_input_is_refused_with_a_code_and_nothing_stored(
        self, customer_api, changes, status, code
    ):
        response = customer_api.post("/briefs", brief_body(**changes))
        assert_problem(response, status, code)
        assert not Brief.objects.exists()

    def test_a_body_that_is_not_an_object_is_refused(self, customer_api):
        assert customer_api.post("/briefs", [1, 2]).status_code == 422

    def test_posting_needs_a_token(self, anonymous_api, guild):
        assert_problem(
            anonymous_api.post("/briefs", brief_body()), 401, "not_authenticated"
        )

    def test_outsiders_cannot_post_in_the_community(self, api_as, stranger, guild):
        response = api_as(stranger).post("/briefs", brief_body())
        assert_problem(response, 403, "not_a_member")

    def test_the_board_lists_open_briefs_newest_first_in_pages(
        self, customer_api, anonymous_api
    ):
        ids = [
            customer_api.post("/briefs", brief_body(title=f"Brief {i}")).json()["id"]
            for i in range(3)
        ]
        first = anonymous_api.get("/briefs", {"limit": 2}).json()
        assert [b["id"] for b in first["items"]] == ids[::-1][:2]
        second = anonymous_api.get(
            "/briefs", {"limit": 2, "cursor": first["next"]}
        ).json()
        assert [b["id"] for b in second["items"]] == [ids[0]]
        assert second["next"] is None

    def test_a_forged_cursor_is_refused(self, anonymous_api, guild):
        assert_problem(
            anonymous_api.get("/briefs", {"cursor": "bm9wZQ"}), 422, "invalid_cursor"
        )

    def test_the_board_filters_by_community(self, customer_api, anonymous_api, posted):
        assert (
            len(anonymous_api.get("/briefs", {"community": "guild"}).json()["items"])
            == 1
        )
        assert_problem(
            anonymous_api.get("/briefs", {"community": "nowhere"}),
            404,
            "community_not_found",
        )

    def test_mine_lists_my_briefs_in_any_status(self, customer_api, posted):
        customer_api.post(f"/briefs/{posted['id']}/close")
        assert customer_api.get("/briefs").json()["items"] == []
        mine = customer_api.get("/briefs", {"mine": "true"}).json()["items"]
        assert [(b["id"], b["status"]) for b in mine] == [(posted["id"], "closed")]

    def test_reading_one_brief(self, anonymous_api, posted):
        assert anonymous_api.get(f"/briefs/{posted['id']}").json()["id"] == posted["id"]
        assert_problem(anonymous_api.get("/briefs/not-a-uuid"), 404, "brief_not_found")

    def test_cancelling_declines_the_offers(self, customer_api, offered, posted):
        response = customer_api.post(f"/briefs/{posted['id']}/cancel")
        assert response.json()["status"] == "cancelled"
        assert (
            customer_api.get(f"/offers/{offered['id']}").json()["status"] == "declined"
        )
        again = customer_api.post(f"/briefs/{posted['id']}/cancel")
        assert_problem(again, 409, "brief_closed")

    def test_only_the_author_closes_a_brief(self, provider_api, posted):
        assert_problem(
            provider_api.post(f"/briefs/{posted['id']}/close"), 404, "brief_not_found"
        )


class TestPrivateCommunities:
    @pytest.fixture
    def hidden_brief(self, host, buyer, member_of, api_as, now):
        from selfwork.communities.services import community_create, community_invite

        back_room = community_create(
            creator=host,
            slug="back-room",
            name="The Back Room",
            now=now,
            settings={"visibility": "private"},
        )
        community_invite(community=back_room, actor=host, member=buyer, now=now)
        member_of(back_room, buyer)
        response = api_as(buyer).post("/briefs", brief_body(community="back-room"))
        assert response.status_code == 201, response.content
        return response.json()

    def test_outsiders_get_404_and_do_not_see_it_listed(
        self, hidden_brief, api_as, stranger, anonymous_api
    ):
        for client in (api_as(stranger), anonymous_api):
            assert client.get(f"/briefs/{hidden_brief['id']}").status_code == 404
            assert client.get("/briefs").json()["items"] == []
        response = api_as(stranger).post(
            f"/briefs/{hidden_brief['id']}/offers", offer_body()
        )
        assert_problem(response, 404, "brief_not_found")


class TestOffers:
    def test_making_an_offer_answers_201_with_it(self, offered, posted, provider):
        assert offered["brief"] == posted["id"]
        assert offered["provider"] == provider.username
        assert offered["price"] == {"amount": "240.00", "currency": "EUR"}
        assert offered["status"] == "open"
        assert offered["usage_rights"] == {"use": "personal", "credit_required": False}
        assert offered["counter"] is None and offered["exchange"] is None

    def test_terms_in_full(self, posted, provider_api):
        response = provider_api.post(
            f"/briefs/{posted['id']}/offers",
            offer_body(
                milestones=[
                    {"title": "Sketch", "amount": money("40.00")},
                    {"title": "Final", "amount": money("200.00")},
                ],
                usage_rights={"use": "commercial", "credit_required": True},
                expires_in_days=3,
            ),
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert [m["amount"]["amount"] for m in body["milestones"]] == [
            "40.00",
            "200.00",
        ]
        assert body["usage_rights"] == {"use": "commercial", "credit_required": True}

    @pytest.mark.parametrize(
        "changes, code",
        [
            ({"price": money("240.00", "USD")}, "currency_mismatch"),
            ({"price": money("240.001")}, "too_precise"),
            ({"delivery_days": 0}, "invalid_input"),
            ({"delivery_days": 2**70}, "invalid_input"),
            ({"delivery_days": "10"}, "invalid_input"),
            (
                {"milestones": [{"title": "All", "amount": money("100.00")}]},
                "milestones_total",
            ),
            ({"usage_rights": {"use": "resale"}}, "invalid_usage_rights"),
            ({"expires_in_days": 0}, "invalid_input"),
        ],
    )
    def test_bad_terms_are_refused_and_nothing_stored(
        self, posted, provider_api, changes, code
    ):
        response = provider_api.post(
            f"/briefs/{posted['id']}/offers", offer_body(**changes)
        )
        assert_problem(response, 422, code)
        assert not Offer.objects.exists()

    def test_a_second_live_offer_is_a_conflict(self, offered, posted, provider_api):
        response = provider_api.post(f"/briefs/{posted['id']}/offers", offer_body())
        assert_problem(response, 409, "offer_exists")

    def test_the_author_cannot_offer(self, posted, customer_api):
        response = customer_api.post(f"/briefs/{posted['id']}/offers", offer_body())
        assert_problem(response, 403, "own_brief")

    def test_the_author_sees_every_offer_and_a_provider_their_own(
        self, offered, posted, customer_api, provider_api, api_as, other_provider
    ):
        rival = api_as(other_provider)
        rival.post(f"/briefs/{posted['id']}/offers", offer_body(price=money("200")))
        everyone = customer_api.get(f"/briefs/{posted['id']}/offers").json()["items"]
        assert len(everyone) == 2
        own = provider_api.get(f"/briefs/{posted['id']}/offers").json()["items"]
        assert [o["id"] for o in own] == [offered["id"]]
        assert provider_api.get("/offers").json()["items"][0]["id"] == offered["id"]

    def test_strangers_see_no_offers_and_cannot_read_one(
        self, offered, posted, api_as, stranger
    ):
        client = api_as(stranger)
        assert client.get(f"/briefs/{posted['id']}/offers").json()["items"] == []
        assert_problem(client.get(f"/offers/{offered['id']}"), 404, "offer_not_found")
        assert_problem(
            client.post(f"/offers/{offered['id']}/accept"), 404, "offer_not_found"
        )


class TestAcceptCounterWithdraw:
    def test_accepting_answers_201_with_the_exchanges_id(
        self, offered, posted, customer_api, anonymous_api
    ):
        response = customer_api.post(f"/offers/{offered['id']}/accept")
        assert response.status_code == 201, response.content
        body = response.json()
        exchange = Exchange.objects.get()
        assert body["id"] == str(exchange.public_id)
        assert (body["process"], body["state"]) == ("commission", "awaiting_payment")
        assert (
            customer_api.get(f"/offers/{offered['id']}").json()["exchange"]
            == body["id"]
        )
        assert anonymous_api.get(f"/briefs/{posted['id']}").json()["status"] == "closed"

    def test_the_provider_cannot_accept_their_own_offer(self, offered, provider_api):
        assert_problem(
            provider_api.post(f"/offers/{offered['id']}/accept"), 403, "not_author"
        )
        assert not Exchange.objects.exists()

    def test_accepting_twice_is_a_conflict(self, offered, customer_api):
        customer_api.post(f"/offers/{offered['id']}/accept")
        response = customer_api.post(f"/offers/{offered['id']}/accept")
        assert_problem(response, 409, "brief_closed")
        assert Exchange.objects.count() == 1

    def test_an_idempotent_retry_returns_the_same_exchange(self, offered, customer_api):
        key = {"Idempotency-Key": "accept-1"}
        first = customer_api.post(f"/offers/{offered['id']}/accept", headers=key)
        again = customer_api.post(f"/offers/{offered['id']}/accept", headers=key)
        assert again.status_code == 201
        assert again.json()["id"] == first.json()["id"]
        assert Exchange.objects.count() == 1

    def test_counter_then_the_provider_accepts_it(
        self, offered, customer_api, provider_api
    ):
        response = customer_api.post(
            f"/offers/{offered['id']}/counter",
            {"price": money("200.00"), "delivery_days": 14, "message": "Could you?"},
        )
        assert response.status_code == 201, response.content
        assert response.json()["status"] == "open"
        waiting = provider_api.get(f"/offers/{offered['id']}").json()
        assert waiting["status"] == "countered"
        assert waiting["counter"]["price"]["amount"] == "200.00"
        accepted = provider_api.post(f"/offers/{offered['id']}/counter/accept")
        assert accepted.status_code == 200
        body = accepted.json()
        assert (body["price"]["amount"], body["delivery_days"], body["revision"]) == (
            "200.00",
            14,
            2,
        )

    def test_a_bad_counter_is_refused(self, offered, customer_api, provider_api):
        assert_problem(
            customer_api.post(
                f"/offers/{offered['id']}/counter", {"price": money("1", "USD")}
            ),
            422,
            "currency_mismatch",
        )
        assert_problem(
            provider_api.post(
                f"/offers/{offered['id']}/counter", {"price": money("1")}
            ),
            403,
            "not_author",
        )
        assert_problem(
            provider_api.post(f"/offers/{offered['id']}/counter/accept"),
            409,
            "counter_not_open",
        )
        assert not Counter.objects.exists()

    def test_withdraw_and_decline(self, offered, provider_api, customer_api):
        assert_problem(
            customer_api.post(f"/offers/{offered['id']}/withdraw"), 403, "not_provider"
        )
        response = provider_api.post(f"/offers/{offered['id']}/withdraw")
        assert response.json()["status"] == "withdrawn"
        assert_problem(
            customer_api.post(f"/offers/{offered['id']}/decline"), 409, "offer_not_open"
        )
