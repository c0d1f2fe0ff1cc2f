"""Idempotency-Key on API POSTs: a retry replays, a reused key with a new body is refused.

Rows are counted through the API itself: the core may not import the apps above it.
"""

import datetime as dt

import pytest
from django.utils import timezone

from selfwork.core.models import IdempotencyRecord


def slugs(client):
    """The slugs of every community, as an outsider sees them (all are public here)."""
    response = client.get("/api/v1/communities", {"limit": 100})
    return sorted(c["slug"] for c in response.json()["items"])


def body(slug="riverside", name="Riverside Share", **settings):
    return {
        "name": name,
        "slug": slug,
        "currency": "EUR",
        "fee_percent": "5",
        **settings,
    }


KEY = {"Idempotency-Key": "create-riverside-1"}


class TestIdempotencyKey:
    def test_a_retry_replays_the_first_response_and_creates_one_row(
        self, host, api_as, client
    ):
        api = api_as(host)
        first = api.post("/communities", body(), headers=KEY)
        again = api.post("/communities", body(), headers=KEY)
        assert first.status_code == again.status_code == 201
        assert again.content == first.content
        assert again["Idempotent-Replayed"] == "true"
        assert not first.has_header("Idempotent-Replayed")
        assert again["Content-Type"] == first["Content-Type"]
        assert slugs(client) == ["riverside"]

    def test_the_same_key_with_a_different_body_is_422(self, host, api_as, client):
        api = api_as(host)
        api.post("/communities", body(), headers=KEY)
        response = api.post("/communities", body(slug="elsewhere"), headers=KEY)
        assert response.status_code == 422
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["code"] == "idempotency_key_reused"
        assert slugs(client) == ["riverside"]

    def test_the_same_key_on_another_path_is_422(self, host, api_as):
        api = api_as(host)
        api.post("/communities", body(), headers=KEY)
        response = api.post("/communities/riverside/leave", headers=KEY)
        assert response.json()["code"] == "idempotency_key_reused"

    def test_different_callers_use_the_same_key_independently(
        self, host, stranger, api_as, client
    ):
        mine = api_as(host).post("/communities", body(), headers=KEY)
        theirs = api_as(stranger).post(
            "/communities", body(slug="elsewhere"), headers=KEY
        )
        assert mine.status_code == theirs.status_code == 201
        assert theirs.json()["slug"] == "elsewhere"
        assert not theirs.has_header("Idempotent-Replayed")
        assert slugs(client) == ["elsewhere", "riverside"]

    def test_a_retry_with_a_fresh_token_of_the_same_member_replays(
        self, host, api_as, client
    ):
        first = api_as(host).post("/communities", body(), headers=KEY)
        again = api_as(host).post("/communities", body(), headers=KEY)
        assert again["Idempotent-Replayed"] == "true"
        assert again.content == first.content
        assert slugs(client) == ["riverside"]

    def test_a_refusal_is_replayed_too(self, host, api_as):
        api = api_as(host)
        first = api.post("/communities", body(slug="Not A Slug"), headers=KEY)
        again = api.post("/communities", body(slug="Not A Slug"), headers=KEY)
        assert first.status_code == again.status_code == 422
        assert again.content == first.content
        assert again["Idempotent-Replayed"] == "true"
        assert again["Content-Type"] == "application/problem+json"

    def test_a_replayed_refusal_is_not_recomputed(self, host, stranger, api_as, client):
        api_as(host).post("/communities", body(visibility="invite_only"))
        first = api_as(stranger).post("/communities/riverside/join", headers=KEY)
        assert first.json()["code"] == "invitation_required"
        api_as(host).post("/communities/riverside/invitations", {"username": "sam"})
        # Joining would now succeed; the retry still gets the first answer.
        again = api_as(stranger).post("/communities/riverside/join", headers=KEY)
        assert again.status_code == 403
        assert again["Idempotent-Replayed"] == "true"
        invited = api_as(host).get(
            "/communities/riverside/members", {"status": "invited"}
        )
        assert [m["username"] for m in invited.json()["items"]] == ["sam"]

    def test_without_a_key_every_post_acts(self, host, api_as, client):
        api = api_as(host)
        assert api.post("/communities", body()).status_code == 201
        assert api.post("/communities", body()).status_code == 409
        assert not IdempotencyRecord.objects.exists()
        assert slugs(client) == ["riverside"]

    @pytest.mark.parametrize("key", ["", "   ", "k" * 256])
    def test_a_malformed_key_is_400(self, host, api_as, client, key):
        response = api_as(host).post(
            "/communities", body(), headers={"Idempotency-Key": key}
        )
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_idempotency_key"
        assert slugs(client) == []

    def test_a_key_still_in_flight_is_409(self, host, api_as, now):
        api = api_as(host)
        api.post("/communities", body(), headers=KEY)
        IdempotencyRecord.objects.update(status_code=None, completed_at=None)
        response = api.post("/communities", body(), headers=KEY)
        assert response.status_code == 409
        assert response.json()["code"] == "idempotency_request_in_flight"

    def test_a_stale_claim_of_a_dead_request_is_released(self, host, api_as):
        api = api_as(host)
        api.post("/communities", body(slug="first-try"), headers=KEY)
        # As if the process died mid-request long ago: the claim never completed.
        IdempotencyRecord.objects.update(
            status_code=None,
            completed_at=None,
            created_at=timezone.now() - dt.timedelta(minutes=10),
        )
        response = api.post("/communities", body(slug="second-try"), headers=KEY)
        assert response.status_code == 201
        assert response.json()["slug"] == "second-try"

    def test_get_requests_ignore_the_key(self, community, anonymous_api):
        for _ in range(2):
            response = anonymous_api.get("/communities", headers=KEY)
            assert response.status_code == 200
            assert not response.has_header("Idempotent-Replayed")
        assert not IdempotencyRecord.objects.exists()

    def test_listing_creation_is_idempotent(self, host, api_as, client):
        api = api_as(host)
        api.post("/communities", body())
        listing = {
            "community": "riverside",
            "title": "Fox portrait",
            "modes": [{"mode": "gift"}],
        }
        first = api.post("/listings", listing, headers=KEY)
        again = api.post("/listings", listing, headers=KEY)
        assert first.status_code == 201
        assert first.json()["id"] == again.json()["id"]
        found = client.get("/api/v1/listings").json()["items"]
        assert [x["id"] for x in found] == [first.json()["id"]]
