"""Offers are throttled per provider and per address."""

import pytest

from selfwork.briefs.models import Offer


def money(amount, currency="EUR"):
    return {"amount": amount, "currency": currency}


OFFER = {"price": money("240.00"), "delivery_days": 10, "message": "Happy to."}


@pytest.fixture
def one_an_hour(settings):
    settings.SELFWORK_THROTTLES = {**settings.SELFWORK_THROTTLES, "offers": "1/hour"}


def test_the_second_offer_in_an_hour_is_429(one_an_hour, make_brief, provider, api_as):
    api = api_as(provider)
    first, second = make_brief(), make_brief(title="Another cover")
    assert api.post(f"/briefs/{first.public_id}/offers", OFFER).status_code == 201
    refused = api.post(f"/briefs/{second.public_id}/offers", OFFER)
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert int(refused["Retry-After"]) > 0
    assert Offer.objects.count() == 1


def test_the_brief_page_refuses_with_429_and_a_message(
    one_an_hour, make_brief, provider, browse_as
):
    browser = browse_as(provider)
    form = {
        "action": "offer",
        "price": "240.00",
        "delivery_days": "10",
        "revisions": "2",
        "message": "Hi",
        "use": "personal",
        "expires_in_days": "14",
    }
    first, second = make_brief(), make_brief(title="Another cover")
    assert browser.post(f"/briefs/{first.public_id}/", form).status_code == 302
    response = browser.post(f"/briefs/{second.public_id}/", form)
    assert response.status_code == 429
    assert b"Too many offers for now" in response.content
    assert Offer.objects.count() == 1
