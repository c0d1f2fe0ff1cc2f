"""Reporting periods: the last N days, counted in buckets of a day, week or month.

Selectors group rows with ``Trunc(field, bucket)`` in the database; the charts
need every bucket of the period, rows or not, so ``Period.starts`` lists them the
way the database truncates (weeks start on Monday, in the current time zone).
"""

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from django.utils import timezone

Bucket = Literal["day", "week", "month"]
BUCKETS: tuple[Bucket, ...] = ("day", "week", "month")

# The periods offered, in days, with the bucket that keeps a chart readable.
PERIODS: dict[int, Bucket] = {7: "day", 30: "day", 90: "week", 365: "month"}
DEFAULT_DAYS = 30


def bucket_of(moment: dt.datetime, bucket: Bucket) -> dt.date:
    """The first day of the bucket that holds ``moment``, in the current time zone."""
    day = timezone.localtime(moment).date()
    if bucket == "week":
        return day - dt.timedelta(days=day.weekday())
    if bucket == "month":
        return day.replace(day=1)
    return day


@dataclass(frozen=True)
class Period:
    """The last ``days`` days up to ``now``, in buckets of ``bucket``."""

    days: int
    bucket: Bucket
    now: dt.datetime

    @classmethod
    def last(cls, days: int, *, now: dt.datetime) -> "Period":
        """The period of the last ``days`` days (one of ``PERIODS``, else the default)."""
        if days not in PERIODS:
            days = DEFAULT_DAYS
        return cls(days=days, bucket=PERIODS[days], now=now)

    @property
    def since(self) -> dt.datetime:
        """The period's first moment: midnight, ``days - 1`` days before today."""
        today = timezone.localtime(self.now).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        return today - dt.timedelta(days=self.days - 1)

    def starts(self) -> list[dt.date]:
        """The first day of every bucket of the period, oldest first."""
        first = bucket_of(self.since, self.bucket)
        last = bucket_of(self.now, self.bucket)
        starts = []
        day = first
        while day <= last:
            starts.append(day)
            if self.bucket == "day":
                day += dt.timedelta(days=1)
            elif self.bucket == "week":
                day += dt.timedelta(days=7)
            else:
                day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return starts
