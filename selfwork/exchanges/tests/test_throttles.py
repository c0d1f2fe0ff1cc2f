"""Messages in an exchange are throttled per member and per address."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_an_hour(settings):
    settings.SELFWORK_THROTTLES = {**settings.SELFWORK_THROTTLES, "messages": "2/hour"}


def test_the_third_message_in_an_hour_is_429_and_stores_nothing(
    two_an_hour, commission, buyer, provider, api_as
):
    path = f"/exchanges/{commission.public_id}/messages"
    api = api_as(buyer)
    assert [api.post(path, {"body": "hi"}).status_code for _ in range(2)] == [201, 201]
    refused = api.post(path, {"body": "hi again"})
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "rate_limited"
    assert int(refused["Retry-After"]) > 0
    assert api_as(provider).post(path, {"body": "Hello!"}).status_code == 201
    assert commission.messages.count() == 3


def test_the_room_shows_the_refusal_with_429(two_an_hour, commission, buyer, browse_as):
    browser = browse_as(buyer)
    path = f"/exchanges/{commission.public_id}/"
    for _ in range(2):
        assert (
            browser.post(path, {"action": "message", "body": "hi"}).status_code == 302
        )
    refused = browser.post(path, {"action": "message", "body": "hi"})
    assert refused.status_code == 429
    assert b"Too many messages for now" in refused.content
