"""Fifty holds racing for overlapping periods of one listing, on real threads.

These tests commit (``transaction=True``): each thread has its own connection, and
the database alone decides — PostgreSQL's exclusion constraint, SQLite's trigger
under its single writer.
"""

import datetime as dt
from collections import Counter

import pytest
from django.db import transaction

from selfwork.catalog import services
from selfwork.catalog.models import Booking
from selfwork.core.errors import SelfworkError
from selfwork.core.testing import race

pytestmark = pytest.mark.django_db(transaction=True)


def _outcome(exc):
    return exc.code if isinstance(exc, SelfworkError) else repr(exc)


def test_of_50_overlapping_holds_exactly_one_succeeds(tent, now):
    # Given 50 requests for overlapping periods, each of two or three days
    def hold(i):
        start = dt.date(2026, 12, 1) + dt.timedelta(days=i % 2)
        services.booking_hold(
            listing=tent,
            start=start,
            end=start + dt.timedelta(days=2 + i % 2),
            reference=f"exchange:{i}",
            now=now,
        )
        return "held"

    # When they run at once
    outcomes = Counter(race(50, hold, on_error=_outcome))
    # Then exactly one holds the tent and the rest are told the slot is taken
    assert outcomes == {"held": 1, "slot_taken": 49}
    assert Booking.objects.filter(listing=tent, status="held").count() == 1


def test_holds_racing_inside_callers_transactions_still_leave_one(kayak, now):
    # The exchange engine holds inside its own transaction, then does more work.
    start = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)

    def hold_in_exchange(i):
        with transaction.atomic():
            services.booking_hold(
                listing=kayak,
                start=start + dt.timedelta(hours=i % 3),
                end=start + dt.timedelta(hours=3),
                reference=f"exchange:{i}",
                now=now,
            )
        return "held"

    outcomes = Counter(race(50, hold_in_exchange, on_error=_outcome))
    assert outcomes == {"held": 1, "slot_taken": 49}


def test_holds_of_periods_that_do_not_overlap_all_succeed(tent, now):
    def hold(i):
        start = dt.date(2026, 12, 1) + dt.timedelta(days=i)
        services.booking_hold(
            listing=tent,
            start=start,
            end=start + dt.timedelta(days=1),
            reference=f"exchange:{i}",
            now=now,
        )
        return "held"

    assert Counter(race(20, hold, on_error=_outcome)) == {"held": 20}
