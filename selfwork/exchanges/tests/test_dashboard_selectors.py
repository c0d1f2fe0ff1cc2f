"""The dashboard's exchange numbers: started and completed by process, states now."""

import datetime as dt

import pytest

from selfwork.catalog.selectors import listings_by_mode
from selfwork.exchanges import selectors

pytestmark = pytest.mark.django_db


class TestCountsByProcess:
    def test_counts_started_and_completed_per_day_and_process(
        self, finish, purchase, now
    ):
        tomorrow = now + dt.timedelta(days=1)
        finish(tomorrow)

        rows = selectors.counts_by_process(
            since=now - dt.timedelta(days=6), bucket="day"
        )

        assert [(r.process_name, r.period, r.started, r.completed) for r in rows] == [
            ("commission", now.date(), 1, 0),
            ("commission", tomorrow.date(), 0, 1),
            ("purchase", now.date(), 1, 0),
        ]

    def test_leaves_out_exchanges_started_before_the_period(self, commission, now):
        rows = selectors.counts_by_process(
            since=now + dt.timedelta(days=1), bucket="day"
        )

        assert rows == []

    def test_narrows_to_one_community(self, commission, host, now):
        from selfwork.communities.services import community_create

        other = community_create(
            creator=host, slug="other", name="Other", now=now, settings={}
        )

        assert (
            selectors.counts_by_process(
                since=now - dt.timedelta(days=1), bucket="month", community=other
            )
            == []
        )


class TestStatesNow:
    def test_counts_exchanges_by_state(self, finish, purchase, guild, now):
        finish(now)

        assert selectors.states_now() == [("awaiting_payment", 1), ("completed", 1)]
        assert selectors.states_now(community=guild) == selectors.states_now()


class TestListingsByMode:
    def test_counts_active_listings_in_each_mode(self, portrait, bag, drill, guild):
        counts = dict(listings_by_mode(community=guild))

        assert counts["service"] == 1
        assert counts["made_to_order"] == 1
        assert counts["rental"] == 1
        assert counts["gift"] == 0
