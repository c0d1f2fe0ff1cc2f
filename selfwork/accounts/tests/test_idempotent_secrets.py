"""Idempotency-Key on the endpoints that hand out a token: the token is never kept."""

import datetime as dt

import pytest

from selfwork.accounts.models import ApiToken
from selfwork.core.idempotency import idempotency_records_purge
from selfwork.core.models import IdempotencyRecord

PASSWORD = "a long enough passphrase"
KEY = {"Idempotency-Key": "first-try"}


def stored_bodies():
    return [bytes(r.body) for r in IdempotencyRecord.objects.all()]


class TestSecretsAreNotStored:
    def test_a_sign_up_is_stored_and_replayed_without_its_token(
        self, db, anonymous_api, client
    ):
        signup = {"username": "olga", "email": "olga@example.com", "password": PASSWORD}
        first = anonymous_api.post("/auth/signup", signup, headers=KEY)
        token = first.json()["token"]
        assert token.startswith("sw_")
        assert not any(token.encode() in body for body in stored_bodies())
        again = anonymous_api.post("/auth/signup", signup, headers=KEY)
        assert again.status_code == 201
        assert again["Idempotent-Replayed"] == "true"
        assert again.json()["token"] is None
        assert again.json()["member"]["username"] == "olga"
        assert ApiToken.objects.count() == 1

    def test_a_token_is_stored_and_replayed_without_the_token(
        self, buyer, anonymous_api
    ):
        login = {"username": "bruno", "password": PASSWORD}
        first = anonymous_api.post("/auth/token", login, headers=KEY)
        token = first.json()["token"]
        assert not any(token.encode() in body for body in stored_bodies())
        again = anonymous_api.post("/auth/token", login, headers=KEY)
        assert again.status_code == 200
        assert again.json() == {"token": None}
        assert ApiToken.objects.filter(member=buyer).count() == 1

    def test_a_refused_log_in_is_replayed_as_it_was(self, buyer, anonymous_api):
        login = {"username": "bruno", "password": "wrong guess"}
        first = anonymous_api.post("/auth/token", login, headers=KEY)
        again = anonymous_api.post("/auth/token", login, headers=KEY)
        assert first.status_code == again.status_code == 401
        assert first.content == again.content


class TestPurge:
    @pytest.mark.parametrize(("hours", "left"), [(1, 1), (23, 1), (25, 0)])
    def test_records_are_kept_for_a_day(self, buyer, anonymous_api, hours, left):
        anonymous_api.post(
            "/auth/token", {"username": "bruno", "password": PASSWORD}, headers=KEY
        )
        created_at = IdempotencyRecord.objects.get().created_at
        later = created_at + dt.timedelta(hours=hours)
        assert idempotency_records_purge(now=later) == 1 - left
        assert IdempotencyRecord.objects.count() == left
