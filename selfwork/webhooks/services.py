"""Writes: register, change, rotate and remove endpoints; ping; retry a delivery.

Sending is the worker's (``webhooks.tasks``): nothing here calls a receiver.
"""

import datetime as dt
import json
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext

from selfwork.communities.models import Community
from selfwork.communities.selectors import host_required
from selfwork.core.errors import InvalidInput
from selfwork.core.events import EVENT_KINDS, event_record
from selfwork.core.models import Event
from selfwork.webhooks.errors import UnknownEvent, WebhookCommunityRequired
from selfwork.webhooks.models import WebhookDelivery, WebhookEndpoint
from selfwork.webhooks.signing import secret_new
from selfwork.webhooks.transport import url_check

# After a rotation the old secret signs beside the new one for this long.
ROTATION_OVERLAP = dt.timedelta(hours=24)
MAX_ENDPOINTS_PER_OWNER = 20


def _events_parse(raw: Any) -> list[str]:
    if not isinstance(raw, list) or not raw or len(raw) > len(EVENT_KINDS):
        raise InvalidInput(
            gettext("events must be a list of one or more event names."), field="events"
        )
    events: list[str] = []
    for name in raw:
        if not isinstance(name, str) or name not in EVENT_KINDS or name == "ping":
            shown = str(name)[:60]
            raise UnknownEvent(
                gettext(
                    "'%(shown)s' is not an event; see the list in docs/webhooks.md."
                )
                % {"shown": shown},
                field="events",
            )
        if name not in events:
            events.append(name)
    return events


@transaction.atomic
def endpoint_create(
    *,
    owner,
    url: Any,
    events: Any,
    community: Community | None,
    now: dt.datetime,
) -> WebhookEndpoint:
    """Register ``url`` to hear ``events`` of ``community`` (its host), or of all
    communities (staff only, with no community).

    :raises WebhookCommunityRequired: (403) if a member who is not staff names none.
    :raises NotPermitted: if ``owner`` does not host ``community``.
    :raises InvalidInput: for a bad url or event name; nothing is stored.
    """
    if community is None and not owner.is_staff:
        raise WebhookCommunityRequired(
            gettext("Name the community whose events this endpoint hears."),
            field="community",
        )
    if community is not None and not owner.is_staff:
        host_required(community=community, member=owner)
    chosen = _events_parse(events)
    url_check(url)
    if WebhookEndpoint.objects.filter(owner=owner).count() >= MAX_ENDPOINTS_PER_OWNER:
        raise InvalidInput(
            gettext(
                "You have %(MAX_ENDPOINTS_PER_OWNER)s endpoints already; "
                "delete one first."
            )
            % {"MAX_ENDPOINTS_PER_OWNER": MAX_ENDPOINTS_PER_OWNER},
            code="too_many_webhooks",
        )
    return WebhookEndpoint.objects.create(
        owner=owner,
        community=community,
        url=url,
        events=chosen,
        secret=secret_new(),
        after_event_id=Event.objects.aggregate(last=Max("pk"))["last"] or 0,
        created_at=now,
        updated_at=now,
    )


@transaction.atomic
def endpoint_update(
    *, endpoint: WebhookEndpoint, changes: dict[str, Any], now: dt.datetime
) -> WebhookEndpoint:
    """Change an endpoint's ``url``, ``events`` or ``enabled``; enabling one the
    retries gave up on sends what waits for it, in order."""
    if "url" in changes:
        url_check(changes["url"])
        endpoint.url = changes["url"]
    if "events" in changes:
        endpoint.events = _events_parse(changes["events"])
    if "enabled" in changes:
        enabled = changes["enabled"]
        if not isinstance(enabled, bool):
            raise InvalidInput(
                gettext("enabled must be true or false."), field="enabled"
            )
        if enabled:
            endpoint.disabled_at = None
        elif endpoint.disabled_at is None:
            endpoint.disabled_at = now
    endpoint.updated_at = now
    endpoint.save()
    return endpoint


def endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """Remove an endpoint and its deliveries."""
    endpoint.delete()


@transaction.atomic
def endpoint_rotate(*, endpoint: WebhookEndpoint, now: dt.datetime) -> WebhookEndpoint:
    """Give ``endpoint`` a new secret; the current one keeps signing beside it for
    24 hours (a rotation within them drops the oldest)."""
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = now + ROTATION_OVERLAP
    endpoint.secret = secret_new()
    endpoint.updated_at = now
    endpoint.save()
    return endpoint


def endpoint_secrets(*, endpoint: WebhookEndpoint, now: dt.datetime) -> list[str]:
    """The secrets that sign a message sent at ``now``: the current one, and the
    previous one while its 24 hours last."""
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires is not None and now < expires:
        return [endpoint.secret, endpoint.previous_secret]
    return [endpoint.secret]


def delivery_body(
    *, event_id: str, kind: str, at: dt.datetime, data: Any, context: dict
) -> str:
    """The JSON a receiver gets: the event's type, time, the object as the API
    shows it (``data``), and what the event adds (``context``)."""
    return json.dumps(
        {
            "id": event_id,
            "type": kind,
            "timestamp": at.isoformat().replace("+00:00", "Z"),
            "data": data,
            "context": context,
        },
        separators=(",", ":"),
        sort_keys=True,
    )


@transaction.atomic
def endpoint_ping(*, endpoint: WebhookEndpoint, now: dt.datetime) -> WebhookDelivery:
    """Queue a ``ping`` to this endpoint alone, to test it."""
    event = event_record(
        kind="ping", subject=str(endpoint.public_id), community_id=None, now=now
    )
    # Addressed to one endpoint: nothing for the fan-out to do.
    type(event).objects.filter(pk=event.pk).update(fanned_out_at=now)
    return WebhookDelivery.objects.create(
        endpoint=endpoint,
        event=event,
        kind="ping",
        body=delivery_body(
            event_id=str(event.public_id),
            kind="ping",
            at=now,
            data={"endpoint": str(endpoint.public_id)},
            context={},
        ),
        next_attempt_at=now,
        created_at=now,
    )


@transaction.atomic
def delivery_retry(*, delivery: WebhookDelivery, now: dt.datetime) -> WebhookDelivery:
    """Send a delivery again now, under the same ``webhook-id``, with a fresh
    schedule of retries. A pending one is brought forward."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.PENDING,
        attempts=0,
        next_attempt_at=now,
        delivered_at=None,
    )
    delivery.refresh_from_db()
    return delivery
