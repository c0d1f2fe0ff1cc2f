"""Racing accepts over real HTTP requests, each thread on its own connection.

These tests commit (``transaction=True``): PostgreSQL serialises the accepts on the
brief's row lock, SQLite with IMMEDIATE transactions. Exactly one commission starts.
"""

import json
import threading
from collections import Counter

import pytest
from django.db import connections
from django.test import Client
from django.utils import timezone

from selfwork.accounts.services import api_token_create
from selfwork.briefs.models import Brief, Offer
from selfwork.exchanges.models import Exchange

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def now():
    """The real time: these pages and endpoints read the clock themselves."""
    return timezone.now().replace(microsecond=0)


def race(count, work):
    """Run ``work(i)`` in ``count`` threads released at once; return each result."""
    start = threading.Barrier(count)
    results = [None] * count

    def run(i):
        try:
            start.wait()
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - reported by the assertions
            results[i] = repr(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


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
