"""/metrics: the Prometheus text format, for a scraper the operator allowed.

Two kinds of numbers. Request counts and latencies are counted as requests are
answered (``core.observability``); under gunicorn each worker process writes
them to ``PROMETHEUS_MULTIPROC_DIR`` and the scrape adds them up
(prometheus_client's multiprocess mode). Everything else is read from the
database when scraped, with one aggregate query each, so any app server
answers the same and nothing is kept in memory between scrapes.

A scraper is allowed by a bearer token (``SELFWORK_METRICS_TOKEN``) or by its
address (``SELFWORK_METRICS_ALLOW``, loopback only by default).
"""

import hmac
import ipaddress
import os
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Count, Min, Q, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from selfwork.core.heartbeats import heartbeats_recent
from selfwork.core.models import Event
from selfwork.core.throttle import client_address
from selfwork.exchanges.models import Exchange, OutboxEvent, Timer
from selfwork.ledger.models import Leg
from selfwork.notifications.models import Notification
from selfwork.webhooks.models import WebhookDelivery

# Beyond this many heartbeat rows (workers restarted within a day), the oldest
# are left out of the scrape; readiness reads only the newest.
HEARTBEATS_SHOWN = 50


def _backlog(family: GaugeMetricFamily, age: GaugeMetricFamily, queue, rows, now):
    found = rows.aggregate(n=Count("pk"), oldest=Min("created_at"))
    family.add_metric([queue], found["n"])
    oldest = found["oldest"]
    age.add_metric([queue], (now - oldest).total_seconds() if oldest else 0.0)


class DatabaseCollector(Collector):
    """What the database says at the moment of the scrape."""

    def collect(self) -> Iterator[Metric]:
        now = timezone.now()
        exchanges = GaugeMetricFamily(
            "selfwork_exchanges",
            "Exchanges, by process and state.",
            labels=["process", "state"],
        )
        for row in (
            Exchange.objects.values("process_name", "state")
            .annotate(n=Count("pk"))
            .order_by("process_name", "state")
        ):
            exchanges.add_metric([row["process_name"], row["state"]], row["n"])
        yield exchanges

        moved = CounterMetricFamily(
            "selfwork_ledger_moved_minor",
            "Money moved through the ledger (the sum of its credit legs), in minor "
            "units of each currency (HOUR: hundredths of an hour).",
            labels=["currency"],
        )
        for unit, total in (
            Leg.objects.filter(amount_minor__gt=0)
            .values("unit")
            .annotate(total=Sum("amount_minor"))
            .order_by("unit")
            .values_list("unit", "total")
        ):
            moved.add_metric([unit], total or 0)
        yield moved

        backlog = GaugeMetricFamily(
            "selfwork_outbox_backlog",
            "Work waiting in each queue: events not yet fanned out to webhooks, "
            "exchange outbox rows, notification e-mails, webhook deliveries.",
            labels=["queue"],
        )
        oldest = GaugeMetricFamily(
            "selfwork_outbox_oldest_age_seconds",
            "Age of the oldest waiting item in each queue (0 when empty).",
            labels=["queue"],
        )
        _backlog(
            backlog, oldest, "events", Event.objects.filter(fanned_out_at=None), now
        )
        _backlog(backlog, oldest, "outbox", OutboxEvent.objects.filter(done=False), now)
        _backlog(
            backlog,
            oldest,
            "emails",
            Notification.objects.filter(email=Notification.Email.PENDING),
            now,
        )
        _backlog(
            backlog,
            oldest,
            "webhooks",
            WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING),
            now,
        )
        yield backlog
        yield oldest

        yield GaugeMetricFamily(
            "selfwork_timers_due",
            "Timers due now and not yet fired (a worker behind, or none running).",
            value=Timer.objects.filter(done=False, due_at__lte=now).count(),
        )

        heartbeat = GaugeMetricFamily(
            "selfwork_worker_heartbeat_age_seconds",
            "Seconds since each worker last went round its loop.",
            labels=["worker"],
        )
        for beat in heartbeats_recent()[:HEARTBEATS_SHOWN]:
            heartbeat.add_metric([beat.name], (now - beat.beat_at).total_seconds())
        yield heartbeat

        emails = Notification.objects.aggregate(
            failed=Count("pk", filter=Q(email=Notification.Email.FAILED)),
            retrying=Count(
                "pk",
                filter=Q(email=Notification.Email.PENDING, email_attempts__gt=0)
                & ~Q(email_error=""),
            ),
        )
        email_failures = GaugeMetricFamily(
            "selfwork_email_failures",
            "Notification e-mails given up on (failed: bounced or out of retries) "
            "and waiting for another try after an error (retrying).",
            labels=["state"],
        )
        email_failures.add_metric(["failed"], emails["failed"])
        email_failures.add_metric(["retrying"], emails["retrying"])
        yield email_failures

        deliveries = WebhookDelivery.objects.aggregate(
            failed=Count("pk", filter=Q(status=WebhookDelivery.Status.FAILED)),
            retrying=Count(
                "pk",
                filter=Q(status=WebhookDelivery.Status.PENDING, attempts__gt=0)
                & ~Q(last_error=""),
            ),
        )
        webhook_failures = GaugeMetricFamily(
            "selfwork_webhook_failures",
            "Webhook deliveries given up on (failed) and waiting for another try "
            "after an error (retrying).",
            labels=["state"],
        )
        webhook_failures.add_metric(["failed"], deliveries["failed"])
        webhook_failures.add_metric(["retrying"], deliveries["retrying"])
        yield webhook_failures


class _ThisProcess(Collector):
    """The default registry (this process's request counts) inside another one."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def metrics_registry() -> CollectorRegistry:
    """A registry for one scrape: request metrics from every worker process when
    gunicorn runs several (``PROMETHEUS_MULTIPROC_DIR``), else from this one; and
    the database's numbers."""
    registry = CollectorRegistry(auto_describe=False)
    if directory := os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry, path=directory)
    else:
        registry.register(_ThisProcess())
    registry.register(DatabaseCollector())
    return registry


def _address_allowed(request: HttpRequest) -> bool:
    # A request a proxy we do not trust forwarded comes from anyone: the
    # proxy's own (often loopback) address says nothing about the caller.
    address = client_address(request)
    remote = request.META.get("REMOTE_ADDR", "")
    if address is None or (
        "HTTP_X_FORWARDED_FOR" in request.META and address == remote
    ):
        return False
    ip = ipaddress.ip_address(address)
    for entry in settings.SELFWORK_METRICS_ALLOW:
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def _token_allowed(request: HttpRequest) -> bool:
    expected = settings.SELFWORK_METRICS_TOKEN
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return bool(
        expected
        and scheme.lower() == "bearer"
        and hmac.compare_digest(token.strip().encode(), expected.encode())
    )


def metrics(request: HttpRequest) -> HttpResponse:
    """The Prometheus text format, for an allowed scraper; 403 for anyone else."""
    if not (_token_allowed(request) or _address_allowed(request)):
        return JsonResponse(
            {
                "status": "forbidden",
                "detail": "Send the metrics token (Authorization: Bearer …) or "
                "scrape from an address in SELFWORK_METRICS_ALLOW.",
            },
            status=403,
        )
    return HttpResponse(
        generate_latest(metrics_registry()), content_type=CONTENT_TYPE_LATEST
    )
