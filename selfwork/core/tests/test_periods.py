"""Reporting periods: the last N days in buckets, as the database truncates them."""

import datetime as dt

from selfwork.core.periods import Period, bucket_of

# A Wednesday afternoon.
NOW = dt.datetime(2026, 12, 2, 15, 30, tzinfo=dt.UTC)


class TestBucketOf:
    def test_a_week_starts_on_monday_and_a_month_on_the_first(self):
        assert bucket_of(NOW, "day") == dt.date(2026, 12, 2)
        assert bucket_of(NOW, "week") == dt.date(2026, 11, 30)
        assert bucket_of(NOW, "month") == dt.date(2026, 12, 1)


class TestPeriod:
    def test_seven_days_are_seven_days_from_midnight(self):
        period = Period.last(7, now=NOW)

        assert period.bucket == "day"
        assert period.since == dt.datetime(2026, 11, 26, tzinfo=dt.UTC)
        assert period.starts() == [dt.date(2026, 11, d) for d in range(26, 31)] + [
            dt.date(2026, 12, 1),
            dt.date(2026, 12, 2),
        ]

    def test_ninety_days_go_by_week(self):
        starts = Period.last(90, now=NOW).starts()

        assert starts[0] == dt.date(2026, 8, 31)  # the Monday of 4 September
        assert starts[-1] == dt.date(2026, 11, 30)
        assert all(b - a == dt.timedelta(days=7) for a, b in zip(starts, starts[1:]))

    def test_a_year_goes_by_month_across_the_new_year(self):
        starts = Period.last(365, now=dt.datetime(2027, 1, 10, tzinfo=dt.UTC)).starts()

        assert starts[0] == dt.date(2026, 1, 1)
        assert starts[-2:] == [dt.date(2026, 12, 1), dt.date(2027, 1, 1)]
        assert len(starts) == 13

    def test_an_unknown_length_is_thirty_days(self):
        period = Period.last(12, now=NOW)

        assert (period.days, period.bucket) == (30, "day")
        assert len(period.starts()) == 30
