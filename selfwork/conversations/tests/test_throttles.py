"""Messages in conversations are throttled per sender, on the API and the web."""

import pytest

from selfwork.conversations.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_an_hour(settings):
    settings.SELFWORK_THROTTLES = {**settings.SELFWORK_THROTTLES, "messages": "2/hour"}


def test_the_third_message_in_an_hour_is_429_and_stores_nothing(
    two_an_hour, buyer, provider, api_as
):
    api = api_as(buyer)
    first = api.post("/conversations", {"to": "priya", "body": "Hi"})
    key = first.json()["id"]
    second = api.post(f"/conversations/{key}/messages", {"body": "Still me"})
    assert (first.status_code, second.status_code) == (201, 201)
    refused = api.post(f"/conversations/{key}/messages", {"body": "Hello?"})
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
    assert int(refused["Retry-After"]) > 0
    # The limit is the sender's own: the recipient still answers.
    answer = api_as(provider).post(f"/conversations/{key}/messages", {"body": "Hi!"})
    assert answer.status_code == 201
    assert Message.objects.count() == 3


def test_the_page_shows_the_refusal_with_429(two_an_hour, buyer, provider, browse_as):
    browser = browse_as(buyer)
    for body in ("One", "Two"):
        response = browser.post("/messages/new/", {"to": "priya", "body": body})
        assert response.status_code == 302
    refused = browser.post("/messages/new/", {"to": "priya", "body": "Three"})
    assert refused.status_code == 429
    assert "Too many messages for now" in refused.content.decode()
    assert Message.objects.count() == 2


def test_each_answer_says_how_many_messages_are_left(
    two_an_hour, buyer, provider, api_as
):
    api = api_as(buyer)
    first = api.post("/conversations", {"to": "priya", "body": "Hi"})
    assert (first["RateLimit-Limit"], first["RateLimit-Remaining"]) == ("2", "1")
    assert 0 < int(first["RateLimit-Reset"]) <= 3600
    key = first.json()["id"]
    second = api.post(f"/conversations/{key}/messages", {"body": "Still me"})
    assert second["RateLimit-Remaining"] == "0"
    refused = api.post(f"/conversations/{key}/messages", {"body": "Hello?"})
    assert refused.status_code == 429
    assert (refused["RateLimit-Limit"], refused["RateLimit-Remaining"]) == ("2", "0")
    assert refused["RateLimit-Reset"] == refused["Retry-After"]
    # A route without a limit sends no such headers.
    assert "RateLimit-Limit" not in api.get("/conversations")
