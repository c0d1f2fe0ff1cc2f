"""The demo's money history: realistic, written through the services, audited clean."""

import datetime as dt
import random

import pytest
from django.db import transaction

from selfwork.communities.services import community_create
from selfwork.ledger.audit import ledger_audit
from selfwork.payments.audit import payments_audit_checks
from selfwork.payments.demo import payments_demo_seed
from selfwork.payments.models import Charge, Payout, Refund, Release
from selfwork.payments.selectors import payout_times

pytestmark = pytest.mark.django_db


@pytest.fixture
def markets(community, host, provider, buyer, stranger, make_member, member_of, now):
    riverside = community_create(
        creator=host,
        slug="riverside",
        name="Riverside Share",
        now=now,
        settings={
            "currency": "EUR",
            "fee_percent": "2",
            "treasury_share_percent": "100",
        },
    )
    for member in (provider, buyer, stranger, make_member("nina")):
        member_of(community, member)
        member_of(riverside, member)
    return [community, riverside]


def test_writes_a_history_that_passes_the_audit(markets, now):
    drawn = payments_demo_seed(
        now=now,
        rng=random.Random(7),
        communities=markets,
        settled_by_hand=("riverside",),
    )
    assert drawn == 49  # 48 and the cash payment waiting for its host
    report = ledger_audit(extra_checks=payments_audit_checks())
    assert report.ok, report.render()


def test_the_history_has_every_kind_of_money_event(markets, now):
    payments_demo_seed(
        now=now,
        rng=random.Random(7),
        communities=markets,
        settled_by_hand=("riverside",),
    )
    assert Release.objects.count() >= 20
    assert Release.objects.filter(fee_minor__gt=0).exists()
    assert Refund.objects.exists()
    assert Charge.objects.filter(status="refunded").exists()
    assert Charge.objects.filter(failure_code="card_declined").count() == 1
    assert Charge.objects.filter(gateway="manual", confirmed_by__isnull=False).exists()
    assert Charge.objects.filter(gateway="manual", status="pending").count() == 1
    assert Payout.objects.filter(status="paid", release__isnull=False).exists()
    assert Payout.objects.filter(status="paid", release__isnull=True).exists()
    assert Charge.objects.filter(reference="demo:1").exists()


def test_the_same_generator_draws_the_same_history(markets, now):
    def history(seed):
        with transaction.atomic():
            payments_demo_seed(
                now=now,
                rng=random.Random(seed),
                communities=markets,
                settled_by_hand=("riverside",),
                exchanges=12,
            )
            rows = list(
                Charge.objects.order_by("reference", "attempt").values_list(
                    "reference", "amount_minor", "status", "failure_code"
                )
            )
            transaction.set_rollback(True)
        return rows

    assert history(7) == history(7)
    assert history(7) != history(8)


def test_without_members_it_draws_nothing(community, now):
    assert (
        payments_demo_seed(now=now, rng=random.Random(1), communities=[community]) == 0
    )


def test_payouts_land_minutes_to_two_days_after_they_are_asked_for(markets, now):
    """The sandbox pays at once; a bank does not, and the demo's history says so."""
    payments_demo_seed(
        now=now,
        rng=random.Random(7),
        communities=markets,
        settled_by_hand=("riverside",),
    )
    waits = [
        paid_at - created_at
        for created_at, paid_at in Payout.objects.filter(status="paid").values_list(
            "created_at", "paid_at"
        )
    ]
    assert len(waits) >= 5
    assert all(dt.timedelta(0) < wait <= dt.timedelta(hours=50) for wait in waits)
    assert min(waits) < dt.timedelta(hours=1) < max(waits)
    # Every payout asked for before the demo's present has landed by then.
    assert not Payout.objects.exclude(status="paid").exists()
    assert max(Payout.objects.values_list("paid_at", flat=True)) <= now
    times = payout_times(since=now - dt.timedelta(days=90))
    assert times.count and times.median > 0
