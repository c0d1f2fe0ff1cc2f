"""Rate limits: one atomic counter per bucket, shared by every app server.

Each limit is a *bucket* (a scope and who it counts: a member, an address, an
account) with a number of hits allowed per window. A hit is one upsert that adds
one and returns the new count, so of N concurrent requests exactly the first
``limit`` see a count within the limit, on PostgreSQL (the row lock of ``ON
CONFLICT DO UPDATE``) and SQLite (one writer) alike. Callers hit *before* the
work they limit, so a limit of 5 password checks is 5 password checks however
many requests race (see docs/decisions/0010-…).

Web views call ``throttle_check`` inside the ``try`` that already shows a
service's error; API routes take ``throttle=throttled("scope")``, django-ninja's
own hook, counted here instead of in ninja's per-process cache.
"""

import dataclasses
import datetime as dt
import ipaddress
import math
import threading
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from ninja.throttling import BaseThrottle

from selfwork.core.errors import RateLimited
from selfwork.core.models import RateCounter

# An address shared by several members (an office, a café) gets this many times
# a member's allowance, so one busy neighbour does not block the others.
ADDRESS_FACTOR = 4

# What each scope counts, for the message people read.
SCOPE_LABELS = {
    "signup": "sign-ups from your address",
    "password_reset": "password-reset e-mails",
    "token": "new API tokens",
    "uploads": "uploads",
    "messages": "messages",
    "offers": "offers",
    "board_posts": "board posts",
    "webhook_sends": "webhook pings and retries",
}

_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


@dataclasses.dataclass(frozen=True)
class Rate:
    limit: int
    seconds: int


def rate_parse(text: str) -> Rate:
    """``"10/hour"`` → ``Rate(10, 3600)``; periods: second, minute, hour, day."""
    count, _, period = text.partition("/")
    period = period.strip().lower().removesuffix("s")
    if period not in _PERIODS or not count.strip().isdigit():
        raise ValueError(f"A rate is 'N/second|minute|hour|day', not '{text}'.")
    return Rate(int(count), _PERIODS[period])


def scope_rate(scope: str) -> Rate:
    """The rate of ``scope`` from ``settings.SELFWORK_THROTTLES``."""
    return rate_parse(settings.SELFWORK_THROTTLES[scope])


@dataclasses.dataclass(frozen=True)
class Verdict:
    allowed: bool
    hits: int
    retry_after: int
    limit: int = 0

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.hits)


# One statement adds the hit and starts a new window when the old one is over;
# the values on the right are the row's before the update, on both engines.
_HIT_SQL = """
INSERT INTO core_ratecounter (bucket, hits, reset_at) VALUES (%s, 1, %s)
ON CONFLICT (bucket) DO UPDATE SET
    hits = CASE WHEN core_ratecounter.reset_at <= %s
                THEN 1 ELSE core_ratecounter.hits + 1 END,
    reset_at = CASE WHEN core_ratecounter.reset_at <= %s
                    THEN excluded.reset_at ELSE core_ratecounter.reset_at END
RETURNING hits, reset_at
"""


def _epoch(now: dt.datetime) -> int:
    return math.floor(now.timestamp())


def rate_hit(*, bucket: str, limit: int, seconds: int, now: dt.datetime) -> Verdict:
    """Count one hit on ``bucket``; allowed while the window's hits stay within ``limit``.

    A refused hit still counts, so hammering a closed bucket never reopens it
    early; the window ends ``seconds`` after its first hit.
    """
    at = _epoch(now)
    with connection.cursor() as cursor:
        cursor.execute(_HIT_SQL, [bucket[:200], at + seconds, at, at])
        hits, reset_at = cursor.fetchone()
    return Verdict(
        allowed=hits <= limit,
        hits=hits,
        retry_after=max(1, int(reset_at) - at),
        limit=limit,
    )


def rate_refund(*, bucket: str) -> None:
    """Give back one hit, for work that was counted and then did not happen."""
    RateCounter.objects.filter(bucket=bucket[:200], hits__gt=0).update(
        hits=F("hits") - 1
    )


def rate_clear(*, bucket: str) -> None:
    """Forget ``bucket``'s count (a member proved who they are)."""
    RateCounter.objects.filter(bucket=bucket[:200]).delete()


def rate_counters_purge(*, now: dt.datetime) -> int:
    """Delete the counters whose window is over; return how many."""
    return RateCounter.objects.filter(reset_at__lte=_epoch(now)).delete()[0]


def rate_hit_all(
    *, buckets: list[tuple[str, int]], seconds: int, now: dt.datetime
) -> Verdict:
    """Hit every ``(bucket, limit)``; on the first refusal, give back the others' hits.

    :returns: the refusing verdict, or the allowed one with the fewest hits left.
    """
    taken: list[str] = []
    tightest: Verdict | None = None
    for bucket, limit in buckets:
        verdict = rate_hit(bucket=bucket, limit=limit, seconds=seconds, now=now)
        if not verdict.allowed:
            for earlier in taken:
                rate_refund(bucket=earlier)
            return verdict
        taken.append(bucket)
        if tightest is None or verdict.remaining < tightest.remaining:
            tightest = verdict
    return tightest or Verdict(allowed=True, hits=0, retry_after=0)


def wait_text(seconds: int) -> str:
    """``75`` → ``"2 minutes"``: how long to wait, rounded up, for people."""
    if seconds <= 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    if minutes <= 90:
        return f"{minutes} minutes"
    return f"{math.ceil(minutes / 60)} hours"


# --- Who is asking ---------------------------------------------------------------


def _ip(text: Any) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(str(text).strip())
    except ValueError:
        return None


def _trusted_proxy(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    for entry in settings.SELFWORK_TRUSTED_PROXIES:
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def client_address(request: HttpRequest) -> str | None:
    """The address of the client, reading ``X-Forwarded-For`` only from our proxies.

    The header is a list each proxy appends its peer to, so it is read from the
    right: the first hop that is not one of ``SELFWORK_TRUSTED_PROXIES`` is the
    client. Anything left of it was written by the client and is ignored; a
    request that does not come from a trusted proxy is its own address.
    """
    remote = _ip(request.META.get("REMOTE_ADDR"))
    if remote is None:
        return None
    if not _trusted_proxy(remote):
        return str(remote)
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed([h for h in hops if h.strip()]):
        ip = _ip(hop)
        if ip is None:
            break
        remote = ip
        if not _trusted_proxy(ip):
            break
    return str(remote)


def address_bucket(address: str | None) -> str | None:
    """The part of an address that identifies a client: all of IPv4, an IPv6 /64.

    One IPv6 subscriber holds a whole /64; counting single addresses would hand
    them 2**64 allowances.
    """
    ip = _ip(address) if address else None
    if ip is None:
        return None
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


# --- Throttles for the web and the API ----------------------------------------------


def throttle_buckets(
    *, scope: str, member_id: int | None, address: str | None, subject: str = ""
) -> list[tuple[str, int]]:
    """The buckets of one request in ``scope``: per member, subject and address."""
    limit = scope_rate(scope).limit
    buckets = []
    if member_id is not None:
        buckets.append((f"{scope}:member:{member_id}", limit))
    if subject:
        buckets.append((f"{scope}:subject:{subject.lower()[:150]}", limit))
    if network := address_bucket(address):
        shared = limit * ADDRESS_FACTOR if buckets else limit
        buckets.append((f"{scope}:address:{network}", shared))
    return buckets


def throttle_verdict(
    *, request: HttpRequest, scope: str, now: dt.datetime, subject: str = ""
) -> Verdict:
    """Count one request in ``scope`` by its member, ``subject`` and address."""
    user = getattr(request, "user", None)
    member_id = user.pk if user is not None and user.is_authenticated else None
    return rate_hit_all(
        buckets=throttle_buckets(
            scope=scope,
            member_id=member_id,
            address=client_address(request),
            subject=subject,
        ),
        seconds=scope_rate(scope).seconds,
        now=now,
    )


def throttle_refused(scope: str, retry_after: int) -> RateLimited:
    """The error of a refused request in ``scope``."""
    what = SCOPE_LABELS.get(scope, "requests")
    return RateLimited(
        f"Too many {what} for now. Try again in {wait_text(retry_after)}.",
        retry_after=retry_after,
    )


def throttle_count(
    *, scope: str, member_id: int | None, address: str | None, now: dt.datetime
) -> None:
    """Count one action in ``scope`` by a member (and address) known to the caller.

    :raises RateLimited: when a limit is reached.
    """
    verdict = rate_hit_all(
        buckets=throttle_buckets(scope=scope, member_id=member_id, address=address),
        seconds=scope_rate(scope).seconds,
        now=now,
    )
    if not verdict.allowed:
        raise throttle_refused(scope, verdict.retry_after)


def throttle_check(
    *, request: HttpRequest, scope: str, now: dt.datetime, subject: str = ""
) -> None:
    """Count one request in ``scope``.

    :raises RateLimited: (429, with ``retry_after``) when a limit is reached.
    """
    verdict = throttle_verdict(request=request, scope=scope, now=now, subject=subject)
    if not verdict.allowed:
        raise throttle_refused(scope, verdict.retry_after)


# Where a refused API request keeps its ``RateLimited``, for the problem response.
REFUSAL = "_selfwork_throttle_refusal"
# Where a throttled API request keeps its verdict, for the rate-limit headers.
VERDICT = "_selfwork_throttle_verdict"


def rate_limit_headers(request: HttpRequest, response: Any) -> None:
    """``RateLimit-Limit``, ``-Remaining`` and ``-Reset`` (seconds) of a throttled route.

    The figures are those of the request's tightest bucket (member, subject or
    address), as the IETF rate-limit header fields draft names them.
    """
    verdict: Verdict | None = getattr(request, VERDICT, None)
    if verdict is None or not verdict.limit:
        return
    response["RateLimit-Limit"] = str(verdict.limit)
    response["RateLimit-Remaining"] = str(verdict.remaining)
    response["RateLimit-Reset"] = str(verdict.retry_after)


class Throttle(BaseThrottle):
    """django-ninja's throttle hook, counted in the database by ``throttle_verdict``.

    ninja asks ``wait()`` right after ``allow_request()`` on the same thread; the
    wait is kept per thread because one instance serves every request.
    """

    def __init__(self, scope: str) -> None:
        scope_rate(scope)  # an unknown scope fails at import, not on a request
        self.scope = scope
        self._local = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        verdict = throttle_verdict(
            request=request, scope=self.scope, now=timezone.now()
        )
        self._local.wait = None if verdict.allowed else verdict.retry_after
        setattr(request, VERDICT, verdict)
        if not verdict.allowed:
            setattr(request, REFUSAL, throttle_refused(self.scope, verdict.retry_after))
        return verdict.allowed

    def wait(self) -> float | None:
        return getattr(self._local, "wait", None)


def throttled(scope: str) -> Throttle:
    """``@router.post(..., throttle=throttled("offers"))``: limit a route."""
    return Throttle(scope)
