"""The worker's two webhook jobs: fan events out to endpoints, and send deliveries.

Fanning out is database work only, one event per short transaction. Sending
follows docs/decisions/0016: a delivery is leased in one short transaction
(``next_attempt_at`` pushed past the request), POSTed with no transaction
open, and its result recorded in another, with a compare-and-set on the
attempt it leased. A worker that dies mid-send leaves the lease to lapse and
the delivery is sent again under the same ``webhook-id`` (at least once).
"""

import datetime as dt
import logging
import random
import time

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy

from selfwork.communities.selectors import member_is_host
from selfwork.core.i18n import interpolate_lazy
from selfwork.core.models import Event
from selfwork.notifications.models import Kind
from selfwork.notifications.services import notify
from selfwork.webhooks import transport
from selfwork.webhooks.models import WebhookDelivery, WebhookEndpoint
from selfwork.webhooks.services import delivery_body, endpoint_secrets
from selfwork.webhooks.signing import signed_headers

logger = logging.getLogger("selfwork.webhooks")

# The pause before each retry; with jitter, about three days in all, then the
# endpoint is disabled and its owner told.
RETRY_SCHEDULE = [
    dt.timedelta(seconds=5),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=5),
    dt.timedelta(hours=10),
    dt.timedelta(hours=10),
    dt.timedelta(hours=10),
    dt.timedelta(hours=10),
    dt.timedelta(hours=10),
    dt.timedelta(hours=10),
]
MAX_ATTEMPTS = len(RETRY_SCHEDULE) + 1
# Longer than a send can take (the 10 s timeout), short enough that a dead
# worker's delivery goes again soon.
LEASE = dt.timedelta(minutes=2)


def _locked(rows):
    if connection.features.has_select_for_update_skip_locked:
        return rows.select_for_update(skip_locked=True, of=("self",))
    return rows


def _endpoints_for(event: Event) -> list[WebhookEndpoint]:
    # A disabled endpoint still collects its deliveries: they wait, in order,
    # until its owner enables it again.
    rows = WebhookEndpoint.objects.select_related("owner").filter(
        Q(community__isnull=True) | Q(community_id=event.community_id),
        after_event_id__lt=event.pk,
    )
    # ``events`` is a short JSON list; SQLite cannot query into it, so filter here.
    return [
        e for e in rows.order_by("pk") if event.kind in e.events and _still_entitled(e)
    ]


def _still_entitled(endpoint: WebhookEndpoint) -> bool:
    # A host who stepped down hears no more of the community (the endpoint stays,
    # theirs to delete); staff hear everything.
    owner = endpoint.owner
    if owner.is_staff:
        return True
    if endpoint.community_id is None or not owner.is_active:
        return False
    return member_is_host(community=endpoint.community_id, member=owner)


def events_fan_out(*, now: dt.datetime, limit: int = 100) -> int:
    """Turn up to ``limit`` recorded events into deliveries; return how many events.

    Events are taken in the order they were recorded, each in its own
    transaction with a compare-and-set on ``fanned_out_at``, so an event is
    fanned out once however many workers run.
    """
    done = 0
    for _ in range(limit):
        with transaction.atomic():
            rows = Event.objects.filter(fanned_out_at__isnull=True).order_by("pk")
            event = _locked(rows).first()
            if event is None:
                break
            if (
                Event.objects.filter(pk=event.pk, fanned_out_at__isnull=True).update(
                    fanned_out_at=now
                )
                != 1
            ):
                continue
            # Imported once there is an event to render: it loads every API
            # module (about a second of start-up), which a worker that only
            # delivers, or finds nothing to do, never needs.
            from selfwork.webhooks.payloads import payload_data

            WebhookDelivery.objects.bulk_create(
                WebhookDelivery(
                    endpoint=endpoint,
                    event=event,
                    kind=event.kind,
                    sequence=event.sequence,
                    body=delivery_body(
                        event_id=str(event.public_id),
                        kind=event.kind,
                        at=event.created_at,
                        data=payload_data(event, viewer=endpoint.owner, at=now),
                        context=event.data,
                    ),
                    next_attempt_at=now,
                    created_at=now,
                )
                for endpoint in _endpoints_for(event)
            )
            done += 1
    return done


def _due(now: dt.datetime):
    earlier = WebhookDelivery.objects.filter(
        endpoint=OuterRef("endpoint"),
        sequence=OuterRef("sequence"),
        status=WebhookDelivery.Status.PENDING,
        event_id__lt=OuterRef("event_id"),
    )
    # Of one exchange's events, an endpoint gets the next only once the one
    # before it succeeded or was given up on.
    return WebhookDelivery.objects.filter(
        Q(sequence="") | ~Exists(earlier),
        status=WebhookDelivery.Status.PENDING,
        next_attempt_at__lte=now,
        endpoint__disabled_at__isnull=True,
    ).order_by("next_attempt_at", "pk")


def _lease(now: dt.datetime) -> WebhookDelivery | None:
    with transaction.atomic():
        delivery = _locked(_due(now)).first()
        if delivery is None:
            return None
        leased = WebhookDelivery.objects.filter(
            pk=delivery.pk,
            status=WebhookDelivery.Status.PENDING,
            attempts=delivery.attempts,
        ).update(
            next_attempt_at=now + LEASE,
            attempts=F("attempts") + 1,
            last_attempt_at=now,
        )
        if leased != 1:
            return _lease(now)
    delivery.attempts += 1
    return WebhookDelivery.objects.select_related("endpoint__owner").get(pk=delivery.pk)


def _retry_after(attempts: int) -> dt.timedelta:
    pause = RETRY_SCHEDULE[attempts - 1]
    return pause * random.uniform(0.8, 1.2)


def _record(
    delivery: WebhookDelivery, answer: transport.Answer, *, now: dt.datetime
) -> None:
    mine = WebhookDelivery.objects.filter(
        pk=delivery.pk,
        status=WebhookDelivery.Status.PENDING,
        attempts=delivery.attempts,
    )
    if answer.ok:
        mine.update(
            status=WebhookDelivery.Status.SUCCEEDED,
            response_code=answer.status,
            last_error="",
            delivered_at=now,
        )
        return
    error = answer.error or f"The receiver answered {answer.status}."
    if delivery.attempts < MAX_ATTEMPTS:
        mine.update(
            response_code=answer.status,
            last_error=error[:300],
            next_attempt_at=now + _retry_after(delivery.attempts),
        )
        return
    with transaction.atomic():
        if not mine.update(
            status=WebhookDelivery.Status.FAILED,
            response_code=answer.status,
            last_error=error[:300],
        ):
            return
        _endpoint_disable(delivery.endpoint, now=now)


def _endpoint_disable(endpoint: WebhookEndpoint, *, now: dt.datetime) -> None:
    """Disable an endpoint the retries gave up on, and tell its owner once."""
    if not WebhookEndpoint.objects.filter(
        pk=endpoint.pk, disabled_at__isnull=True
    ).update(disabled_at=now, updated_at=now):
        return
    notify(
        member=endpoint.owner,
        kind=Kind.WEBHOOK_DISABLED,
        title=gettext_lazy("Your webhook endpoint is disabled"),
        body=interpolate_lazy(
            gettext_lazy(
                "For about three days %(url)s did not accept a delivery, so "
                "we stopped sending to it. Its deliveries wait: fix the receiver, "
                "then enable the endpoint again (PATCH it with enabled: true) and "
                "they are sent in order."
            ),
            {"url": endpoint.url},
        ),
        link=reverse("api:webhook_read", kwargs={"endpoint_id": endpoint.public_id}),
        now=now,
    )


def delivery_send(delivery: WebhookDelivery, *, now: dt.datetime) -> transport.Answer:
    """Sign and POST one leased delivery; never inside a transaction."""
    endpoint = delivery.endpoint
    # The wall clock, not ``now``: receivers refuse a timestamp far from theirs
    # (replay protection), whatever time the worker was told to run as.
    timestamp = int(time.time())
    headers = signed_headers(
        secrets_in_use=endpoint_secrets(endpoint=endpoint, now=now),
        message_id=delivery.message_id,
        timestamp=timestamp,
        body=delivery.body,
    )
    return transport.post(endpoint.url, body=delivery.body.encode(), headers=headers)


def deliveries_send(*, now: dt.datetime, limit: int = 100) -> int:
    """Send up to ``limit`` deliveries due at ``now``; return how many were attempted."""
    sent = 0
    for _ in range(limit):
        delivery = _lease(now)
        if delivery is None:
            break
        answer = delivery_send(delivery, now=now)
        # The endpoint's id, not its URL: a URL may carry the receiver's secret.
        logger.info(
            "webhook delivery attempted",
            extra={
                "endpoint": str(delivery.endpoint.public_id),
                "delivery": str(delivery.public_id),
                "event_kind": delivery.kind,
                "attempt": delivery.attempts,
                "ok": answer.ok,
                "response_status": answer.status,
                "error": (answer.error or "")[:200],
            },
        )
        _record(delivery, answer, now=now)
        sent += 1
    return sent


def webhooks_run(*, now: dt.datetime, limit: int = 100) -> int:
    """The worker's round: fan out what happened, then send what is due."""
    return events_fan_out(now=now, limit=limit) + deliveries_send(now=now, limit=limit)
