"""The dashboard's money numbers: released volume and fees per period, payout times."""

import datetime as dt

import pytest

from selfwork.communities.services import community_create
from selfwork.core.money import Money
from selfwork.payments import selectors, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def release(pay, provider, community):
    """``release(amount, unit, at, community)``: paid by card, then released at ``at``."""

    def run(amount, unit="EUR", at=None, where=None):
        where = where or community
        charge = pay(amount, unit=unit, at=at, community=where)
        return services.escrow_release(
            reference=charge.reference, provider=provider, community=where, now=at
        )

    return run


@pytest.fixture
def other_community(host, now):
    return community_create(
        creator=host,
        slug="makers",
        name="Makers",
        now=now,
        settings={"currency": "EUR", "fee_percent": "10"},
    )


class TestVolumeByPeriod:
    def test_sums_each_currency_apart_per_day(self, release, now):
        yesterday = now - dt.timedelta(days=1)
        release("100.00", at=yesterday)
        release("50.00", at=now)
        release("20.00", at=now)
        release("30.00", unit="USD", at=now)

        rows = selectors.volume_by_period(
            since=now - dt.timedelta(days=6), bucket="day"
        )

        assert [(r.period, r.volume, r.fees, r.releases) for r in rows] == [
            (
                yesterday.date(),
                Money.parse("100.00", "EUR"),
                Money.parse("5.00", "EUR"),
                1,
            ),
            (now.date(), Money.parse("70.00", "EUR"), Money.parse("3.50", "EUR"), 2),
            (now.date(), Money.parse("30.00", "USD"), Money.parse("1.50", "USD"), 1),
        ]

    def test_leaves_out_releases_before_the_period(self, release, now):
        release("100.00", at=now - dt.timedelta(days=40))
        release("10.00", at=now)

        rows = selectors.volume_by_period(
            since=now - dt.timedelta(days=29), bucket="month"
        )

        assert [(r.period, r.volume) for r in rows] == [
            (now.date().replace(day=1), Money.parse("10.00", "EUR"))
        ]

    def test_narrows_to_one_community(self, release, community, other_community, now):
        release("100.00", at=now)
        release("40.00", at=now, where=other_community)

        rows = selectors.volume_by_period(
            since=now - dt.timedelta(days=6), bucket="week", community=other_community
        )

        assert [(r.volume, r.fees) for r in rows] == [
            (Money.parse("40.00", "EUR"), Money.parse("4.00", "EUR"))
        ]


class TestPayoutTimes:
    def test_counts_automatic_payouts_from_their_release(
        self, release, provider, bank_account, now
    ):
        services.payout_preference_set(member=provider, auto_payout=True, now=now)
        release("10.00", at=now)
        release("20.00", at=now)

        times = selectors.payout_times(since=now - dt.timedelta(days=6))

        assert times.count == 2
        assert times.median == 0
        assert times.p90 == 0

    def test_is_empty_without_payouts(self, release, now):
        release("10.00", at=now)

        times = selectors.payout_times(since=now - dt.timedelta(days=6))

        assert (times.count, times.median, times.p90, times.longest) == (
            0,
            None,
            None,
            None,
        )


class TestPayoutTimesOf:
    def test_summarises_waits_in_any_order(self):
        times = selectors.payout_times_of([3600.0, 60.0, 7200.0, 120.0])

        assert times.count == 4
        assert times.median == 1860.0
        assert times.p90 == pytest.approx(6120.0)  # 3600 + 0.7 × (7200 − 3600)
        assert times.longest == 7200.0

    def test_one_wait_is_every_measure(self):
        times = selectors.payout_times_of([90.0])

        assert (times.median, times.p90, times.longest) == (90.0, 90.0, 90.0)
