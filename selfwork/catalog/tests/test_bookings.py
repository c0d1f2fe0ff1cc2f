"""Holding and releasing periods of a listing's calendar, and the rules they meet.

The clock stands at Saturday 21 November 2026, 09:00 UTC (the root ``now``).
"""

import datetime as dt
import zoneinfo

import pytest
from django.db import transaction

from selfwork.catalog import selectors, services
from selfwork.catalog.calendar import cancellation_refund_percent
from selfwork.catalog.errors import SlotTaken
from selfwork.catalog.models import Booking
from selfwork.core.errors import InvalidInput, NotFound

UTC = dt.UTC
DUBLIN = zoneinfo.ZoneInfo("Europe/Dublin")


def day(d, month=11, year=2026):
    return dt.date(year, month, d)


def at(d, hour=0, month=11, tz=UTC):
    return dt.datetime(2026, month, d, hour, tzinfo=tz)


def hold(listing, start, end, now, reference="exchange:1"):
    return services.booking_hold(
        listing=listing, start=start, end=end, reference=reference, now=now
    )


def code_of(call):
    with pytest.raises(InvalidInput) as caught:
        call()
    return caught.value.code


class TestBookingPeriodCheck:
    def test_two_days_from_plain_dates_are_two_units_between_utc_midnights(
        self, tent, now
    ):
        period = services.booking_period_check(
            listing=tent, start=day(24), end=day(26), now=now
        )
        assert (period.start, period.end) == (at(24), at(26))
        assert (period.unit, period.units) == ("day", 2)
        assert period.start.tzinfo is UTC

    def test_a_booking_today_is_allowed_for_daily_listings(self, tent, now):
        period = services.booking_period_check(
            listing=tent, start=day(21), end=day(22), now=now
        )
        assert period.units == 1

    @pytest.mark.parametrize(
        ("start", "end", "code"),
        [
            (day(26), day(24), "period_invalid"),
            (day(24), day(24), "period_invalid"),
            ("24 November", day(26), "period_invalid"),
            (dt.datetime(2026, 11, 24), day(26), "period_invalid"),
            (at(24, 10), at(26), "period_misaligned"),
            (day(20), day(22), "period_in_past"),
            (day(24), day(24, month=12, year=2027), "period_too_far_ahead"),
        ],
    )
    def test_a_bad_period_is_refused_with_its_code_and_nothing_is_held(
        self, tent, now, start, end, code
    ):
        assert code_of(lambda: hold(tent, start, end, now)) == code
        assert Booking.objects.count() == 0

    def test_a_period_shorter_than_the_minimum_is_too_short(self, tent, seller, now):
        services.availability_set(listing=tent, actor=seller, now=now, min_units=2)
        assert code_of(lambda: hold(tent, day(24), day(25), now)) == "period_too_short"

    def test_a_period_longer_than_the_maximum_is_too_long(self, tent, seller, now):
        services.availability_set(listing=tent, actor=seller, now=now, max_units=3)
        assert code_of(lambda: hold(tent, day(24), day(28), now)) == "period_too_long"
        assert hold(tent, day(24), day(27), now).status == "held"

    def test_advance_days_bound_how_far_ahead_it_may_be_booked(self, tent, seller, now):
        services.availability_set(listing=tent, actor=seller, now=now, advance_days=7)
        assert hold(tent, day(27), day(28), now)
        assert (
            code_of(lambda: hold(tent, day(28), day(29), now)) == "period_too_far_ahead"
        )

    def test_a_period_across_a_blocked_period_is_not_available(self, tent, seller, now):
        services.blocked_period_add(
            listing=tent, actor=seller, start=day(25), end=day(26), now=now
        )
        assert code_of(lambda: hold(tent, day(24), day(27), now)) == "not_available"
        assert hold(tent, day(26), day(27), now).status == "held"

    def test_a_listing_offered_only_as_a_gift_has_no_calendar(self, rent_out, now):
        gift = rent_out(modes=[{"mode": "gift"}])
        assert code_of(lambda: hold(gift, day(24), day(25), now)) == "not_bookable"

    def test_a_lend_listing_is_booked_by_the_day(self, rent_out, now):
        drill = rent_out(modes=[{"mode": "lend"}])
        assert hold(drill, day(24), day(25), now).end_at == at(25)
        assert code_of(lambda: hold(drill, at(24, 9), at(24, 10), now)) == (
            "period_misaligned"
        )


class TestDaylightSaving:
    def test_two_days_in_dublin_across_the_october_change_are_49_hours(
        self, tent, seller
    ):
        # Given a tent in Dublin, where clocks go back on Sunday 25 October 2026
        services.availability_set(
            listing=tent,
            actor=seller,
            now=at(1, month=10),
            time_zone="Europe/Dublin",
        )
        # When it is held from Saturday 24 to Monday 26 October
        booking = hold(tent, day(24, 10), day(26, 10), now=at(1, month=10))
        # Then it runs from Dublin midnight (23:00 UTC, summer time) to Dublin
        # midnight (00:00 UTC, winter time): two days, 49 hours
        assert booking.start_at == dt.datetime(2026, 10, 23, 23, tzinfo=UTC)
        assert booking.end_at == dt.datetime(2026, 10, 26, 0, tzinfo=UTC)
        period = services.booking_period_check(
            listing=tent,
            start=dt.datetime(2026, 10, 26, tzinfo=DUBLIN),
            end=dt.datetime(2026, 10, 28, tzinfo=DUBLIN),
            now=at(1, month=10),
        )
        assert period.units == 2

    def test_utc_midnight_is_not_a_dublin_midnight_in_summer(self, tent, seller):
        services.availability_set(
            listing=tent, actor=seller, now=at(1, month=10), time_zone="Europe/Dublin"
        )
        assert (
            code_of(
                lambda: hold(
                    tent,
                    dt.datetime(2026, 10, 20, tzinfo=UTC),
                    dt.datetime(2026, 10, 22, tzinfo=UTC),
                    at(1, month=10),
                )
            )
            == "period_misaligned"
        )

    def test_the_busy_days_of_the_calendar_follow_dublin_midnights(self, tent, seller):
        services.availability_set(
            listing=tent, actor=seller, now=at(1, month=10), time_zone="Europe/Dublin"
        )
        hold(tent, day(24, 10), day(26, 10), now=at(1, month=10))
        busy, free = selectors.listing_calendar(
            listing=tent,
            start=dt.datetime(2026, 10, 20, tzinfo=UTC),
            end=dt.datetime(2026, 10, 30, tzinfo=UTC),
        )
        assert busy == [
            (
                dt.datetime(2026, 10, 23, 23, tzinfo=UTC),
                dt.datetime(2026, 10, 26, 0, tzinfo=UTC),
            )
        ]
        assert len(free) == 2


class TestOpeningHours:
    @pytest.fixture
    def weekdays_nine_to_five(self, kayak, seller, now):
        services.availability_set(
            listing=kayak,
            actor=seller,
            now=now,
            opening_hours=[
                {"weekday": d, "opens": "09:00", "closes": "17:00"}
                for d in ("mon", "tue", "wed", "thu", "fri")
            ],
        )
        return kayak

    def test_hours_inside_opening_hours_are_held(self, weekdays_nine_to_five, now):
        # Monday 23 November, 10:00 to 12:00 UTC
        booking = hold(weekdays_nine_to_five, at(23, 10), at(23, 12), now)
        assert (booking.start_at, booking.end_at) == (at(23, 10), at(23, 12))

    @pytest.mark.parametrize(
        ("start", "end"),
        [
            (at(23, 16), at(23, 18)),  # past closing
            (at(23, 8), at(23, 10)),  # before opening
            (at(22, 10), at(22, 12)),  # a Sunday
            (at(23, 16), at(24, 10)),  # through the night
        ],
    )
    def test_hours_outside_opening_hours_are_not_available(
        self, weekdays_nine_to_five, now, start, end
    ):
        assert code_of(lambda: hold(weekdays_nine_to_five, start, end, now)) == (
            "not_available"
        )

    def test_an_hourly_period_off_the_hour_is_misaligned(self, kayak, now):
        assert code_of(
            lambda: hold(kayak, at(23, 10) + dt.timedelta(minutes=30), at(23, 12), now)
        ) == ("period_misaligned")

    def test_an_hour_already_begun_is_in_the_past(self, kayak, now):
        assert code_of(lambda: hold(kayak, at(21, 8), at(21, 10), now)) == (
            "period_in_past"
        )

    def test_closed_hours_are_busy_on_the_calendar(self, weekdays_nine_to_five):
        busy, free = selectors.listing_calendar(
            listing=weekdays_nine_to_five, start=at(23), end=at(24)
        )
        assert free == [(at(23, 9), at(23, 17))]
        assert busy == [(at(23), at(23, 9)), (at(23, 17), at(24))]

    def test_opening_hours_are_refused_for_a_daily_listing(self, tent, seller, now):
        with pytest.raises(InvalidInput) as caught:
            services.availability_set(
                listing=tent,
                actor=seller,
                now=now,
                opening_hours=[{"weekday": "mon", "opens": "09:00", "closes": "17:00"}],
            )
        assert caught.value.field == "opening_hours"


class TestHoldAndRelease:
    def test_an_overlapping_period_is_slot_taken(self, tent, now):
        hold(tent, day(24), day(27), now, reference="exchange:a")
        with pytest.raises(SlotTaken) as caught:
            hold(tent, day(26), day(28), now, reference="exchange:b")
        assert (caught.value.status, caught.value.code) == (409, "slot_taken")
        assert Booking.objects.count() == 1

    def test_back_to_back_periods_do_not_overlap(self, tent, now):
        hold(tent, day(24), day(26), now, reference="exchange:a")
        hold(tent, day(26), day(28), now, reference="exchange:b")
        assert Booking.objects.filter(status="held").count() == 2

    def test_the_buffer_keeps_the_next_booking_away(self, kayak, seller, now):
        # Given a kayak that needs 90 minutes between hires
        services.availability_set(
            listing=kayak, actor=seller, now=now, buffer_minutes=90
        )
        first = hold(kayak, at(23, 10), at(23, 12), now, reference="exchange:a")
        assert first.held_end_at == at(23, 13) + dt.timedelta(minutes=30)
        # Then the next hire cannot start at 12:00 or 13:00, only at 14:00
        for start in (at(23, 12), at(23, 13)):
            with pytest.raises(SlotTaken):
                hold(kayak, start, start + dt.timedelta(hours=1), now, "exchange:b")
        assert hold(kayak, at(23, 14), at(23, 15), now, "exchange:b")
        # And a hire before it must end 90 minutes before it starts
        with pytest.raises(SlotTaken):
            hold(kayak, at(23, 8), at(23, 9), now, "exchange:c")

    def test_a_released_booking_frees_its_period(self, tent, now):
        hold(tent, day(24), day(27), now, reference="exchange:a")
        assert services.booking_release(reference="exchange:a", now=now) == 1
        assert hold(tent, day(24), day(27), now, reference="exchange:b")
        booking = Booking.objects.get(reference="exchange:a")
        assert (booking.status, booking.released_at) == ("released", now)

    def test_release_is_idempotent(self, tent, now):
        hold(tent, day(24), day(27), now, reference="exchange:a")
        services.booking_release(reference="exchange:a", now=now)
        assert services.booking_release(reference="exchange:a", now=now) == 0
        assert services.booking_release(reference="exchange:none", now=now) == 0

    def test_a_refused_hold_inside_a_callers_transaction_leaves_it_usable(
        self, tent, now
    ):
        hold(tent, day(24), day(27), now, reference="exchange:a")
        with transaction.atomic():
            with pytest.raises(SlotTaken):
                hold(tent, day(25), day(26), now, reference="exchange:b")
            # The caller goes on in the same transaction and commits.
            hold(tent, day(27), day(28), now, reference="exchange:b")
        assert list(
            Booking.objects.order_by("start_at").values_list("reference", flat=True)
        ) == ["exchange:a", "exchange:b"]

    def test_booking_for_reference_finds_the_held_booking(self, tent, now):
        booking = hold(tent, day(24), day(27), now, reference="exchange:a")
        assert selectors.booking_for_reference(reference="exchange:a") == booking
        services.booking_release(reference="exchange:a", now=now)
        assert selectors.booking_for_reference(reference="exchange:a") is None

    @pytest.mark.parametrize("reference", ["", "x" * 91])
    def test_a_reference_is_1_to_90_characters(self, tent, now, reference):
        with pytest.raises(InvalidInput):
            hold(tent, day(24), day(25), now, reference=reference)


class TestAvailabilitySet:
    def test_defaults_when_nothing_is_saved(self, tent, seller):
        rules = selectors.availability_get(listing=tent)
        assert (rules.unit, rules.time_zone, rules.saved) == ("day", "UTC", False)
        assert (rules.min_units, rules.max_units, rules.advance_days) == (1, None, 365)
        assert rules.cancellation_policy == "moderate"
        assert rules.instant_booking is False

    def test_the_default_time_zone_is_the_owners(self, tent, seller):
        seller.time_zone = "Pacific/Auckland"
        seller.save()
        assert selectors.availability_get(listing=tent).time_zone == "Pacific/Auckland"

    def test_only_the_owner_sets_it(self, tent, stranger, now):
        with pytest.raises(NotFound):
            services.availability_set(
                listing=tent, actor=stranger, now=now, instant_booking=True
            )
        assert selectors.availability_get(listing=tent).saved is False

    @pytest.mark.parametrize(
        "changes",
        [
            {"time_zone": "Mars/Olympus"},
            {"min_units": 0},
            {"min_units": 3, "max_units": 2},
            {"buffer_minutes": -1},
            {"advance_days": 0},
            {"cancellation_policy": "lenient"},
            {"instant_booking": "yes"},
            {"blocked": [{"start": "2026-11-25", "end": "2026-11-24"}]},
        ],
    )
    def test_bad_settings_are_refused_and_nothing_is_stored(
        self, tent, seller, now, changes
    ):
        with pytest.raises(InvalidInput):
            services.availability_set(listing=tent, actor=seller, now=now, **changes)
        assert selectors.availability_get(listing=tent).saved is False


class TestCancellationPolicy:
    @pytest.mark.parametrize(
        ("policy", "hours_ahead", "percent"),
        [
            ("flexible", 25, 100),
            ("flexible", 23, 0),
            ("moderate", 5 * 24, 100),
            ("moderate", 5 * 24 - 1, 50),
            ("strict", 7 * 24, 50),
            ("strict", 7 * 24 - 1, 0),
        ],
    )
    def test_the_refund_depends_on_how_long_before_the_start(
        self, now, policy, hours_ahead, percent
    ):
        start = now + dt.timedelta(hours=hours_ahead)
        assert (
            cancellation_refund_percent(policy=policy, start=start, now=now) == percent
        )
