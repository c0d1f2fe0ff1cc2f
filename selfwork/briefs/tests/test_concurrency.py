"""Racing accepts over real HTTP requests, each thread on its own connection.

These tests commit (``transaction=True``): PostgreSQL serialises the accepts on the
brief's row lock, SQLite with IMMEDIATE transactions. Exactly one commission starts.
"""

import json
from collections import Counter

import pytest
from django.test import Client
from django.utils import timezone

from selfwork.accounts.services import api_token_create
from selfwork.briefs.models import Brief, Offer
from selfwork.core.testing import race
from selfwork.exchanges.models import Exchange

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def now():
    """The real time: these pages and endpoints read the clock themselves."""
    return timezone.now().replace(microsecond=0)


def accept_over_http(token, offer):
    response = Client().post(
        f"/api/v1/offers/{offer.public_id}/accept",
        "{}",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    return response.status_code, json.loads(response.content).get("code")


def test_two_racing_accepts_of_two_offers_start_one_commission(
    brief, make_offer, other_provider, buyer, now
):
    offers = [make_offer(), make_offer(provider=other_provider)]
    token = api_token_create(member=buyer, now=now)
    results = race(2, lambda i: accept_over_http(token, offers[i]))
    assert Counter(status for status, _ in results) == {201: 1, 409: 1}, results
    assert Exchange.objects.count() == 1
    assert Offer.objects.filter(status="accepted").count() == 1
    assert Brief.objects.get().status == "closed"


def test_the_same_offer_accepted_three_times_at_once_starts_one_commission(
    offer, buyer, now
):
    token = api_token_create(member=buyer, now=now)
    results = race(3, lambda i: accept_over_http(token, offer))
    assert Counter(status for status, _ in results) == {201: 1, 409: 2}, results
    assert Exchange.objects.count() == 1
    offer.refresh_from_db()
    assert offer.exchange_public_id == Exchange.objects.get().public_id
