"""A listing's calendar: its rules, and the arithmetic of periods on it.

Every instant is stored and compared in UTC; the listing's time zone (its owner's,
UTC until the owner sets one) only says where its days and hours begin. A daily
period runs from one local midnight to another, so a stay across a change of the
clocks is still a whole number of days (and 49 or 47 hours long).

Pure functions, and ``rules_of``, the one read of a listing's availability row.
"""

import datetime as dt
import re
import zoneinfo
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

from selfwork.catalog.errors import (
    NotAvailable,
    NotBookable,
    PeriodInPast,
    PeriodInvalid,
    PeriodMisaligned,
    PeriodTooFarAhead,
    PeriodTooLong,
    PeriodTooShort,
)
from selfwork.catalog.models import (
    CancellationPolicy,
    Listing,
    ListingAvailability,
    ListingMode,
)
from selfwork.communities.models import Mode
from selfwork.core.errors import InvalidInput

HOUR = "hour"
DAY = "day"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_ADVANCE_DAYS = 365
MAX_ADVANCE_DAYS = 730
MAX_BUFFER_MINUTES = 7 * 24 * 60
MAX_UNITS = 10_000
TIME_ZONES = frozenset(zoneinfo.available_timezones())

Interval = tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True)
class OpeningHours:
    """One opening window on one weekday (0 = Monday), in minutes after midnight."""

    weekday: int
    opens: int
    closes: int

    def as_dict(self) -> dict[str, str]:
        return {
            "weekday": WEEKDAYS[self.weekday],
            "opens": _clock(self.opens),
            "closes": _clock(self.closes),
        }


@dataclass(frozen=True)
class AvailabilityRules:
    """What a listing's calendar allows; the defaults when the owner saved none."""

    unit: str
    time_zone: str
    opening_hours: tuple[OpeningHours, ...] = ()
    min_units: int = 1
    max_units: int | None = None
    buffer_minutes: int = 0
    advance_days: int = DEFAULT_ADVANCE_DAYS
    instant_booking: bool = False
    cancellation_policy: str = CancellationPolicy.MODERATE
    saved: bool = False

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def buffer(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.buffer_minutes)


@dataclass(frozen=True)
class BookingPeriod:
    """A checked period: aware UTC ``start`` and ``end``, and its length in units."""

    start: dt.datetime
    end: dt.datetime
    unit: str
    units: int


def listing_unit(listing: Listing) -> str | None:
    """The calendar's unit: the rental's (hour or day), else day for lending, else None."""
    modes = {m.mode: m for m in listing.modes.all()}
    if Mode.RENTAL in modes:
        return modes[Mode.RENTAL].rental_unit or ListingMode.RentalUnit.DAY
    if Mode.LEND in modes:
        return DAY
    return None


def rules_of(listing: Listing) -> AvailabilityRules:
    """Read ``listing``'s availability, or its defaults (the owner's time zone).

    :raises NotBookable: if the listing is offered neither for rent nor to lend.
    """
    unit = listing_unit(listing)
    if unit is None:
        raise NotBookable(
            gettext(
                "This listing is not offered for rent or to lend, so it has "
                "no calendar."
            )
        )
    row = ListingAvailability.objects.filter(listing=listing).first()
    owner_zone = listing.owner.time_zone if listing.owner.time_zone else "UTC"
    if row is None:
        return AvailabilityRules(unit=unit, time_zone=_known_zone(owner_zone))
    return AvailabilityRules(
        unit=unit,
        time_zone=_known_zone(row.time_zone or owner_zone),
        opening_hours=opening_hours_parse(row.opening_hours),
        min_units=row.min_units,
        max_units=row.max_units,
        buffer_minutes=row.buffer_minutes,
        advance_days=row.advance_days,
        instant_booking=row.instant_booking,
        cancellation_policy=row.cancellation_policy,
        saved=True,
    )


def _known_zone(name: str) -> str:
    return name if name in TIME_ZONES else "UTC"


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _minutes(value: Any, *, field: str) -> int:
    text = value if isinstance(value, str) else ""
    hours, _, minutes = text.partition(":")
    if (
        len(hours) != 2
        or len(minutes) != 2
        or not (hours + minutes).isdigit()
        or int(minutes) > 59
        or int(hours) * 60 + int(minutes) > 24 * 60
    ):
        raise InvalidInput(
            gettext("%(field)s is a time from 00:00 to 24:00.") % {"field": field},
            field=field,
        )
    return int(hours) * 60 + int(minutes)


def opening_hours_parse(raw: Any) -> tuple[OpeningHours, ...]:
    """Check ``[{"weekday": "mon", "opens": "09:00", "closes": "17:00"}, ...]``."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or len(raw) > 7 * 4:
        raise InvalidInput(
            gettext("opening_hours is a list of at most 28 windows."),
            field="opening_hours",
        )
    windows = []
    for i, item in enumerate(raw):
        at = f"opening_hours[{i}]"
        if not isinstance(item, dict) or set(item) != {"weekday", "opens", "closes"}:
            raise InvalidInput(
                gettext(
                    '%(at)s is {"weekday": "mon", "opens": "09:00", "closes": "17:00"}.'
                )
                % {"at": at},
                field=at,
            )
        if item["weekday"] not in WEEKDAYS:
            raise InvalidInput(
                gettext("%(at)s.weekday is one of %(value)s.")
                % {"at": at, "value": ", ".join(WEEKDAYS)},
                field=f"{at}.weekday",
            )
        opens = _minutes(item["opens"], field=f"{at}.opens")
        closes = _minutes(item["closes"], field=f"{at}.closes")
        if closes <= opens:
            raise InvalidInput(
                gettext("%(at)s closes after it opens.") % {"at": at},
                field=f"{at}.closes",
            )
        windows.append(OpeningHours(WEEKDAYS.index(item["weekday"]), opens, closes))
    return tuple(sorted(windows, key=lambda w: (w.weekday, w.opens)))


# The ISO 8601 text ``instant_parse`` takes: a date, or a date and a time (to the
# minute, second or microsecond) with its offset from UTC ("Z" or ±hh:mm). The API
# documents the same pattern, so a client knows exactly what is accepted.
_DAY = "[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
_TIME = (
    "T(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\\.[0-9]{1,6})?)?"
    "(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
)
_RFC3339_TIME = (
    "T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{1,6})?"
    "(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
)
ISO_INSTANT = f"^{_DAY}(?:{_TIME})?$"
_ISO_INSTANT = re.compile(ISO_INSTANT)


def instant_schema(*, empty: bool = False, null: bool = False) -> dict[str, Any]:
    """The OpenAPI schema of what ``instant_parse`` takes from text.

    A ``date`` branch and a ``date-time`` branch (RFC 3339: with seconds and an
    offset), so that a generated client offers both a date and a datetime. A
    time written without its seconds is taken too, but not promised.
    ``empty``: "" too (a form's blank filter); ``null``: null.
    """
    branches: list[dict[str, Any]] = [
        {"type": "string", "format": "date", "pattern": f"^{_DAY}$"},
        {
            "type": "string",
            "format": "date-time",
            "pattern": f"^{_DAY}{_RFC3339_TIME}$",
        },
    ]
    if empty:
        branches.append({"const": ""})
    if null:
        branches.append({"type": "null"})
    return {"anyOf": branches}


def instant_parse(value: Any, *, zone: zoneinfo.ZoneInfo, field: str) -> dt.datetime:
    """A ``date`` (local midnight), an aware ``datetime``, or ISO text of either → UTC."""
    if isinstance(value, str):
        if not _ISO_INSTANT.match(value):
            raise PeriodInvalid(
                gettext(
                    "%(field)s is a date (2026-12-24) or a date and time with "
                    "its offset (2026-12-24T10:00:00+00:00)."
                )
                % {"field": field},
                field=field,
            )
        try:
            value = (
                dt.date.fromisoformat(value)
                if len(value) == 10
                else dt.datetime.fromisoformat(value)
            )
        except ValueError as exc:
            raise PeriodInvalid(
                gettext(
                    "%(field)s is a date (2026-12-24) or a date and time with "
                    "its offset (2026-12-24T10:00:00+00:00)."
                )
                % {"field": field},
                field=field,
            ) from exc
    try:
        if isinstance(value, dt.datetime):
            if value.tzinfo is None or value.utcoffset() is None:
                raise PeriodInvalid(
                    gettext("%(field)s needs its offset from UTC, such as +00:00.")
                    % {"field": field},
                    field=field,
                )
            return value.astimezone(dt.UTC)
        if isinstance(value, dt.date):
            return dt.datetime.combine(value, dt.time(0), tzinfo=zone).astimezone(
                dt.UTC
            )
    except OverflowError as exc:
        raise PeriodInvalid(
            gettext("%(field)s is out of range.") % {"field": field}, field=field
        ) from exc
    raise PeriodInvalid(
        gettext("%(field)s is a date or a date and time.") % {"field": field},
        field=field,
    )


def _local_midnight(day: dt.date, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=zone).astimezone(dt.UTC)


def _is_boundary(at: dt.datetime, unit: str, zone: zoneinfo.ZoneInfo) -> bool:
    local = at.astimezone(zone)
    if local.minute or local.second or local.microsecond:
        return False
    return unit == HOUR or local.hour == 0


def period_check(
    rules: AvailabilityRules,
    *,
    start: Any,
    end: Any,
    now: dt.datetime,
    blocked: Callable[[dt.datetime, dt.datetime], Sequence[Interval]] | None = None,
) -> BookingPeriod:
    """Check a period against ``rules``; ``blocked(start, end)`` reads the blocked
    periods it meets (called last, once the period itself is sound).

    The order of the checks is the order of the codes a caller sees: the period
    itself, its alignment, the past, its length, the horizon, then availability.
    """
    zone = rules.zone
    start_at = instant_parse(start, zone=zone, field="start")
    end_at = instant_parse(end, zone=zone, field="end")
    if end_at <= start_at:
        raise PeriodInvalid(
            gettext("The period must end after it starts."), field="end"
        )
    for name, at in (("start", start_at), ("end", end_at)):
        if not _is_boundary(at, rules.unit, zone):
            raise PeriodMisaligned(
                f"{name} must be a midnight in {rules.time_zone}, or a plain date."
                if rules.unit == DAY
                else f"{name} must be on the hour in {rules.time_zone}.",
                field=name,
            )
    today = now.astimezone(zone).date()
    if rules.unit == DAY:
        units = (end_at.astimezone(zone).date() - start_at.astimezone(zone).date()).days
        in_past = start_at.astimezone(zone).date() < today
        too_far = end_at.astimezone(zone).date() > today + dt.timedelta(
            days=rules.advance_days
        )
    else:
        units = int((end_at - start_at).total_seconds()) // 3600
        in_past = start_at < now
        too_far = end_at > now + dt.timedelta(days=rules.advance_days)
    if in_past:
        raise PeriodInPast(gettext("The period starts in the past."), field="start")
    if units < rules.min_units:
        raise PeriodTooShort(
            gettext("The period is at least %(min_units)s %(unit)s(s) long.")
            % {"min_units": rules.min_units, "unit": rules.unit},
            field="end",
        )
    if rules.max_units is not None and units > rules.max_units:
        raise PeriodTooLong(
            gettext("The period is at most %(max_units)s %(unit)s(s) long.")
            % {"max_units": rules.max_units, "unit": rules.unit},
            field="end",
        )
    if too_far:
        raise PeriodTooFarAhead(
            gettext("This listing can be booked at most %(advance_days)s days ahead.")
            % {"advance_days": rules.advance_days},
            field="end",
        )
    if rules.unit == HOUR and rules.opening_hours:
        for i in range(units):
            if not _within_opening_hours(
                start_at + dt.timedelta(hours=i), rules.opening_hours, zone
            ):
                raise NotAvailable(
                    gettext("The period is outside the listing's opening hours."),
                    field="start",
                )
    if blocked is not None and any(
        s < end_at and start_at < e for s, e in blocked(start_at, end_at)
    ):
        raise NotAvailable(
            gettext("The owner has blocked part of the period."), field="start"
        )
    return BookingPeriod(start=start_at, end=end_at, unit=rules.unit, units=units)


def _within_opening_hours(
    hour_start: dt.datetime,
    windows: Iterable[OpeningHours],
    zone: zoneinfo.ZoneInfo,
) -> bool:
    local = hour_start.astimezone(zone)
    begins = local.hour * 60 + local.minute
    return any(
        w.weekday == local.weekday() and w.opens <= begins and begins + 60 <= w.closes
        for w in windows
    )


def closed_hours(
    rules: AvailabilityRules, *, start: dt.datetime, end: dt.datetime
) -> list[Interval]:
    """The times outside opening hours between ``start`` and ``end`` (hourly only)."""
    if rules.unit != HOUR or not rules.opening_hours:
        return []
    zone = rules.zone
    closed: list[Interval] = []
    day = start.astimezone(zone).date()
    last = end.astimezone(zone).date()
    while day <= last:
        midnight, next_midnight = (
            _local_midnight(day, zone),
            _local_midnight(day + dt.timedelta(days=1), zone),
        )
        cursor = midnight
        for w in rules.opening_hours:
            if w.weekday != day.weekday():
                continue
            opens = _at_minute(day, w.opens, zone)
            if opens > cursor:
                closed.append((cursor, opens))
            cursor = max(cursor, _at_minute(day, w.closes, zone))
        if cursor < next_midnight:
            closed.append((cursor, next_midnight))
        day += dt.timedelta(days=1)
    return closed


def _at_minute(day: dt.date, minute: int, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    if minute >= 24 * 60:
        return _local_midnight(day + dt.timedelta(days=1), zone)
    clock = dt.time(minute // 60, minute % 60)
    return dt.datetime.combine(day, clock, tzinfo=zone).astimezone(dt.UTC)


def _floor(at: dt.datetime, unit: str, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    local = at.astimezone(zone)
    if unit == DAY:
        return _local_midnight(local.date(), zone)
    return local.replace(minute=0, second=0, microsecond=0).astimezone(dt.UTC)


def _ceil(at: dt.datetime, unit: str, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    floor = _floor(at, unit, zone)
    if floor == at:
        return at
    if unit == DAY:
        return _local_midnight(
            floor.astimezone(zone).date() + dt.timedelta(days=1), zone
        )
    return floor + dt.timedelta(hours=1)


def intervals_merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sort and join overlapping or touching intervals."""
    merged: list[Interval] = []
    for s, e in sorted(intervals):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def calendar_split(
    rules: AvailabilityRules,
    *,
    start: dt.datetime,
    end: dt.datetime,
    taken: Iterable[Interval],
) -> tuple[list[Interval], list[Interval]]:
    """Split ``[start, end)`` into busy and free, each rounded out to whole units.

    ``taken`` are held bookings (with their buffers) and blocked periods; closed
    hours are added here. A unit partly taken cannot be booked, so it is busy.
    """
    zone = rules.zone
    rough = list(taken) + closed_hours(rules, start=start, end=end)
    busy = [
        (max(_floor(s, rules.unit, zone), start), min(_ceil(e, rules.unit, zone), end))
        for s, e in rough
        if s < end and start < e
    ]
    busy = intervals_merge(b for b in busy if b[0] < b[1])
    free: list[Interval] = []
    cursor = start
    for s, e in busy:
        if s > cursor:
            free.append((cursor, s))
        cursor = max(cursor, e)
    if cursor < end:
        free.append((cursor, end))
    return busy, free


def cancellation_refund_percent(
    *, policy: str, start: dt.datetime, now: dt.datetime
) -> int:
    """The share of the price refunded when a booking starting at ``start`` is
    cancelled at ``now``: flexible (full until 24 h before), moderate (full until 5
    days before, then half), strict (half until 7 days before, then none)."""
    ahead = start - now
    if policy == CancellationPolicy.FLEXIBLE:
        return 100 if ahead >= dt.timedelta(hours=24) else 0
    if policy == CancellationPolicy.STRICT:
        return 50 if ahead >= dt.timedelta(days=7) else 0
    return 100 if ahead >= dt.timedelta(days=5) else 50


MAX_CALENDAR_SPAN = dt.timedelta(days=366)
DEFAULT_CALENDAR_SPAN = dt.timedelta(days=35)


def calendar_range(
    rules: AvailabilityRules, *, start: Any, end: Any, now: dt.datetime
) -> Interval:
    """The range a calendar is asked for: from today (local midnight) for five weeks
    unless given; at most a year long.

    :raises InvalidInput: ``period_invalid`` or ``range_too_long``.
    """
    zone = rules.zone
    begins = (
        _local_midnight(now.astimezone(zone).date(), zone)
        if start in (None, "")
        else instant_parse(start, zone=zone, field="from")
    )
    if end in (None, ""):
        try:
            ends = begins + DEFAULT_CALENDAR_SPAN
        except OverflowError as exc:
            raise PeriodInvalid(gettext("from is out of range."), field="from") from exc
    else:
        ends = instant_parse(end, zone=zone, field="to")
    if ends <= begins:
        raise PeriodInvalid(gettext("to must be after from."), field="to")
    if ends - begins > MAX_CALENDAR_SPAN:
        raise InvalidInput(
            gettext("A calendar covers at most a year at a time."),
            field="to",
            code="range_too_long",
        )
    return begins, ends
