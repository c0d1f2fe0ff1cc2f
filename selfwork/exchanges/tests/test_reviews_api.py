"""The reviews API: shapes, status codes and who sees what."""

import pytest
from django.utils import timezone

from selfwork.exchanges import services
from selfwork.exchanges.services import reviews_publish_due
from selfwork.payments.gateways import CARD_SUCCEEDS

pytestmark = pytest.mark.django_db


def problem(response, status, code=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    if code is not None:
        assert body["code"] == code, body
    return body


@pytest.fixture
def ended(finish):
    """The commission, completed as of the wall clock (the API's time)."""
    return finish(timezone.now())


def reviews_path(exchange):
    return f"/exchanges/{exchange.public_id}/reviews"


def review(api, exchange, **body):
    return api.post(reviews_path(exchange), {"rating": 5, "text": "Great.", **body})


class TestWriting:
    def test_a_party_reviews_and_gets_201_with_the_review(self, api_as, ended, buyer):
        response = review(
            api_as(buyer), ended, rating=4, text="**Lovely**", communication=5
        )

        assert response.status_code == 201, response.content
        body = response.json()
        assert body["rating"] == 4
        assert body["text"] == "**Lovely**"
        assert body["communication"] == 5
        assert body["author_role"] == "customer"
        assert body["subject"]["username"] == "priya"
        assert body["published_at"] is None

    def test_a_second_review_by_the_same_party_is_409(self, api_as, ended, buyer):
        api = api_as(buyer)
        assert review(api, ended).status_code == 201
        problem(review(api, ended), 409, "already_reviewed")

    def test_a_stranger_gets_404(self, api_as, ended, stranger):
        problem(review(api_as(stranger), ended), 404)

    def test_before_the_exchange_ended_it_is_409(self, api_as, commission, buyer):
        problem(review(api_as(buyer), commission), 409, "reviews_not_open")

    def test_after_the_window_it_is_409(self, api_as, finish, buyer, now):
        long_ago = finish(timezone.now() - timezone.timedelta(days=15))
        problem(review(api_as(buyer), long_ago), 409, "reviews_closed")

    @pytest.mark.parametrize(
        "body",
        [
            {"rating": 0},
            {"rating": 6},
            {"rating": 2**70},
            {"rating": "five"},
            {"text": ""},
            {"text": "<img src=x onerror=alert(1)>"},
            {"quality": 9},
        ],
    )
    def test_bad_input_is_422_and_nothing_is_stored(self, api_as, ended, buyer, body):
        problem(review(api_as(buyer), ended, **body), 422)
        assert api_as(buyer).get(reviews_path(ended)).json()["items"] == []

    def test_the_provider_gives_no_sub_ratings(self, api_as, ended, provider):
        problem(review(api_as(provider), ended, on_time=5), 422)


class TestReading:
    def test_i_see_mine_and_theirs_only_once_published(
        self, api_as, ended, buyer, provider
    ):
        review(api_as(buyer), ended, rating=4)

        mine = api_as(buyer).get(reviews_path(ended)).json()
        theirs = api_as(provider).get(reviews_path(ended)).json()
        assert [r["rating"] for r in mine["items"]] == [4]
        assert mine["open"] is False
        assert theirs["items"] == []
        assert theirs["open"] is True

        review(api_as(provider), ended, rating=5)

        both = api_as(buyer).get(reviews_path(ended)).json()
        assert [r["rating"] for r in both["items"]] == [4, 5]
        assert all(r["published_at"] for r in both["items"])
        assert both["published_at"] is not None

    def test_a_stranger_cannot_read_them(self, api_as, ended, stranger):
        problem(api_as(stranger).get(reviews_path(ended)), 404)

    def test_member_reviews_are_published_ones_newest_first_in_pages(
        self, api_as, finish, buyer, provider, client
    ):
        older = finish(timezone.now() - timezone.timedelta(days=13))
        review(api_as(buyer), older, rating=2, text="Slow.")
        reviews_publish_due(now=timezone.now() + timezone.timedelta(days=2))

        response = client.get("/api/v1/members/priya/reviews?limit=1")
        assert response.status_code == 200
        body = response.json()
        assert [r["rating"] for r in body["items"]] == [2]
        assert body["next"] is None
        assert client.get("/api/v1/members/bruno/reviews").json()["items"] == []

    def test_pages_follow_the_cursor(
        self, api_as, finish, portrait, package, buyer, provider, client
    ):
        first_exchange = finish(timezone.now() - timezone.timedelta(days=5))
        review(api_as(buyer), first_exchange, rating=3)
        review(api_as(provider), first_exchange, rating=5)
        second_exchange = services.exchange_order(
            listing=portrait,
            customer=buyer,
            mode="service",
            package=package("Sketch"),
            now=timezone.now(),
        )
        for actor, name, params in [
            (buyer, "pay", {"card": CARD_SUCCEEDS}),
            (provider, "deliver", {"note": "Here."}),
            (buyer, "accept", {}),
        ]:
            second_exchange = services.exchange_transition(
                exchange=second_exchange,
                actor=actor,
                name=name,
                params=params,
                now=timezone.now(),
            )
        review(api_as(buyer), second_exchange, rating=4)
        review(api_as(provider), second_exchange, rating=5)

        first = client.get("/api/v1/members/priya/reviews?limit=1").json()
        second = client.get(
            f"/api/v1/members/priya/reviews?limit=1&cursor={first['next']}"
        ).json()
        assert [first["items"][0]["rating"], second["items"][0]["rating"]] == [4, 3]
        assert second["next"] is None

    def test_an_unknown_member_is_404(self, client):
        response = client.get("/api/v1/members/nobody/reviews")
        assert response.status_code == 404


@pytest.fixture
def published(api_as, ended, buyer, provider):
    mine = review(api_as(buyer), ended, rating=4).json()
    review(api_as(provider), ended, rating=5)
    return mine


class TestReplyAndHide:
    def test_the_reviewed_member_replies_once(self, api_as, published, provider):
        api = api_as(provider)
        response = api.post(f"/reviews/{published['id']}/reply", {"text": "Thanks!"})
        assert response.status_code == 200, response.content
        assert response.json()["reply"] == "Thanks!"
        again = api.post(f"/reviews/{published['id']}/reply", {"text": "More."})
        problem(again, 409, "already_replied")

    def test_the_author_cannot_reply_to_their_own(self, api_as, published, buyer):
        response = api_as(buyer).post(
            f"/reviews/{published['id']}/reply", {"text": "Me."}
        )
        problem(response, 403)

    def test_an_unpublished_review_is_404_to_anyone_but_its_author(
        self, api_as, ended, buyer, provider
    ):
        mine = review(api_as(buyer), ended).json()
        response = api_as(provider).post(f"/reviews/{mine['id']}/reply", {"text": "Hi"})
        problem(response, 404)

    def test_a_host_hides_with_a_reason_seen_by_the_parties(
        self, api_as, published, host, provider, client
    ):
        response = api_as(host).post(
            f"/reviews/{published['id']}/hide", {"reason": "Personal details."}
        )
        assert response.status_code == 200, response.content
        assert response.json()["hidden"] is True
        assert response.json()["hidden_reason"] == "Personal details."
        assert client.get("/api/v1/members/priya/reviews").json()["items"] == []
        (seen,) = [
            r
            for r in api_as(provider)
            .get(f"/exchanges/{published_exchange(api_as, provider)}/reviews")
            .json()["items"]
            if r["id"] == published["id"]
        ]
        assert seen["text"] is None
        assert seen["hidden_reason"] == "Personal details."

    def test_a_party_cannot_hide(self, api_as, published, provider):
        response = api_as(provider).post(
            f"/reviews/{published['id']}/hide", {"reason": "Unfair."}
        )
        problem(response, 403)

    def test_a_malformed_review_id_is_404(self, api_as, provider):
        problem(api_as(provider).post("/reviews/nope/reply", {"text": "x"}), 404)


def published_exchange(api_as, member):
    (exchange,) = api_as(member).get("/exchanges").json()["items"]
    return exchange["id"]


class TestProfile:
    def test_the_profile_carries_the_reputation(self, api_as, published, client):
        body = client.get("/api/v1/members/priya").json()

        figures = body["reputation"]
        assert figures["as_provider"] == {"mean": "4.0", "count": 1}
        assert figures["as_customer"] == {"mean": None, "count": 0}
        assert figures["completed_exchanges"] == 1
        assert figures["completion_rate"] == "1.00"
        assert figures["on_time_rate"] == "1.00"
        assert figures["repeat_customers"] == 0
        assert figures["median_first_response_seconds"] is None
        assert figures["median_first_response_note"]
        assert figures["badges"] == []
        assert body["username"] == "priya"

    def test_me_is_still_the_callers_own_profile(self, api_as, provider):
        assert api_as(provider).get("/members/me").json()["username"] == "priya"
