"""API: webhook endpoints (a community's host, or staff for all), their deliveries."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from selfwork.communities.selectors import community_get
from selfwork.core.api import (
    PROBLEMS,
    BodyIn,
    Cursor,
    Instant,
    PublicId,
    QueryIn,
    caller,
    documented,
    documented_not_null,
    member_auth,
    now,
)
from selfwork.core.events import EVENT_KINDS
from selfwork.core.idempotency import idempotency_withhold
from selfwork.core.pagination import offset_page
from selfwork.core.throttle import throttled
from selfwork.webhooks import selectors, services
from selfwork.webhooks.models import WebhookDelivery, WebhookEndpoint

router = Router(tags=["webhooks"], auth=member_auth)

SUBSCRIBABLE = [k for k in EVENT_KINDS if k != "ping"]
EVENTS = {
    "type": "array",
    "minItems": 1,
    "maxItems": len(SUBSCRIBABLE),
    "items": {"type": "string", "enum": SUBSCRIBABLE},
}
URL = {"type": "string", "format": "uri", "pattern": "^https?://", "maxLength": 2000}


class WebhookEndpointOut(Schema):
    id: PublicId
    url: str
    events: list[str]
    community: str | None = Field(
        description="The community whose events it hears; null: all (staff only)."
    )
    enabled: bool
    disabled_at: Instant | None
    previous_secret_expires_at: Instant | None = Field(
        description="Until then the secret before the last rotation signs too."
    )
    created_at: Instant
    updated_at: Instant


class WebhookEndpointWithSecretOut(WebhookEndpointOut):
    secret: str | None = Field(
        description="whsec_…: the signing secret, shown only in this response (null "
        "when it is replayed for an Idempotency-Key)."
    )


class WebhookEndpointPage(Schema):
    items: list[WebhookEndpointOut]
    next: str | None


class WebhookDeliveryOut(Schema):
    id: PublicId
    webhook_id: str = Field(
        description="The webhook-id header of every attempt: msg_ and 32 hex digits.",
        json_schema_extra={"pattern": "^msg_[0-9a-f]{32}$"},
    )
    event: str
    event_id: PublicId
    status: str = Field(
        json_schema_extra={"enum": list[Any](WebhookDelivery.Status.values)}
    )
    attempts: int
    response_code: int | None
    last_error: str
    created_at: Instant
    last_attempt_at: Instant | None
    next_attempt_at: Instant | None
    delivered_at: Instant | None


class WebhookDeliveryPage(Schema):
    items: list[WebhookDeliveryOut]
    next: str | None


class WebhookEndpointIn(BodyIn):
    url: str = Field(..., max_length=2000, json_schema_extra=documented(**URL))
    events: list[str] = Field(..., json_schema_extra=documented(**EVENTS))
    community: str | None = Field(
        None,
        max_length=50,
        json_schema_extra=documented_not_null(type="string"),
        description="The slug of a community you host; staff may leave it out "
        "to hear every community.",
    )


class WebhookEndpointUpdateIn(BodyIn):
    url: str | None = Field(
        None, max_length=2000, json_schema_extra=documented_not_null(**URL)
    )
    events: list[str] | None = Field(
        None, json_schema_extra=documented_not_null(**EVENTS)
    )
    enabled: bool | None = Field(
        None, json_schema_extra=documented_not_null(type="boolean")
    )


class PageQuery(QueryIn):
    cursor: Cursor = None
    limit: int = Field(25, ge=1, le=100)


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def endpoint_out(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "id": str(endpoint.public_id),
        "url": endpoint.url,
        "events": endpoint.events,
        "community": endpoint.community.slug if endpoint.community else None,
        "enabled": endpoint.is_enabled,
        "disabled_at": _iso(endpoint.disabled_at),
        "previous_secret_expires_at": _iso(endpoint.previous_secret_expires_at),
        "created_at": endpoint.created_at.isoformat(),
        "updated_at": endpoint.updated_at.isoformat(),
    }


def _with_secret(request: HttpRequest, endpoint: WebhookEndpoint) -> dict[str, Any]:
    # A replay of this POST (same Idempotency-Key) says it succeeded, without
    # the secret: it is shown once.
    idempotency_withhold(request, "secret")
    return {**endpoint_out(endpoint), "secret": endpoint.secret}


def delivery_out(delivery: WebhookDelivery) -> dict[str, Any]:
    pending = delivery.status == WebhookDelivery.Status.PENDING
    return {
        "id": str(delivery.public_id),
        "webhook_id": delivery.message_id,
        "event": delivery.kind,
        "event_id": str(delivery.event.public_id),
        "status": delivery.status,
        "attempts": delivery.attempts,
        "response_code": delivery.response_code,
        "last_error": delivery.last_error,
        "created_at": delivery.created_at.isoformat(),
        "last_attempt_at": _iso(delivery.last_attempt_at),
        "next_attempt_at": _iso(delivery.next_attempt_at) if pending else None,
        "delivered_at": _iso(delivery.delivered_at),
    }


@router.post("", response={201: WebhookEndpointWithSecretOut, **PROBLEMS})
def webhook_create(request: HttpRequest, payload: WebhookEndpointIn):
    """Register an endpoint; the answer holds its signing secret, shown only here."""
    member = caller(request)
    community = (
        community_get(slug=payload.community, viewer=member)
        if payload.community is not None
        else None
    )
    endpoint = services.endpoint_create(
        owner=member,
        url=payload.url,
        events=payload.events,
        community=community,
        now=now(),
    )
    return Status(201, _with_secret(request, endpoint))


@router.get("", response={200: WebhookEndpointPage, **PROBLEMS})
def webhook_list(request: HttpRequest, page: Query[PageQuery]):
    """Your endpoints, newest first."""
    rows, cursor = offset_page(
        selectors.endpoints_of(owner=caller(request)),
        cursor=page.cursor,
        limit=page.limit,
    )
    return {"items": [endpoint_out(e) for e in rows], "next": cursor}


@router.get(
    "/{endpoint_id}",
    response={200: WebhookEndpointOut, **PROBLEMS},
    url_name="webhook_read",
)
def webhook_read(request: HttpRequest, endpoint_id: PublicId):
    endpoint = selectors.endpoint_get_for_owner(
        public_id=endpoint_id, owner=caller(request)
    )
    return endpoint_out(endpoint)


@router.patch("/{endpoint_id}", response={200: WebhookEndpointOut, **PROBLEMS})
def webhook_update(
    request: HttpRequest, endpoint_id: PublicId, payload: WebhookEndpointUpdateIn
):
    """Change the URL or events, or enable an endpoint the retries disabled."""
    endpoint = selectors.endpoint_get_for_owner(
        public_id=endpoint_id, owner=caller(request)
    )
    services.endpoint_update(
        endpoint=endpoint, changes=payload.model_dump(exclude_unset=True), now=now()
    )
    return endpoint_out(endpoint)


@router.delete("/{endpoint_id}", response={204: None, **PROBLEMS})
def webhook_delete(request: HttpRequest, endpoint_id: PublicId):
    endpoint = selectors.endpoint_get_for_owner(
        public_id=endpoint_id, owner=caller(request)
    )
    services.endpoint_delete(endpoint=endpoint)
    return Status(204, None)


@router.post(
    "/{endpoint_id}/rotate", response={200: WebhookEndpointWithSecretOut, **PROBLEMS}
)
def webhook_rotate(request: HttpRequest, endpoint_id: PublicId):
    """A new signing secret; the old one keeps signing beside it for 24 hours."""
    endpoint = selectors.endpoint_get_for_owner(
        public_id=endpoint_id, owner=caller(request)
    )
    services.endpoint_rotate(endpoint=endpoint, now=now())
    return _with_secret(request, endpoint)


@router.post(
    "/{endpoint_id}/ping",
    response={202: WebhookDeliveryOut, **PROBLEMS},
    throttle=throttled("webhook_sends"),
)
def webhook_ping(request: HttpRequest, endpoint_id: PublicId):
    """Queue a ``ping`` event to this endpoint, to test it."""
    endpoint = selectors.endpoint_get_for_owner(
        public_id=endpoint_id, owner=caller(request)
    )
    delivery = services.endpoint_ping(endpoint=endpoint, now=now())
    return Status(202, delivery_out(delivery))


@router.get(
    "/{endpoint_id}/deliveries", response={200: WebhookDeliveryPage, **PROBLEMS}
)
def webhook_deliveries(
    request: HttpRequest, endpoint_id: PublicId, page: Query[PageQuery]
):
    """The endpoint's deliveries, newest first: status, attempts, last answer."""
    endpoint = selectors.endpoint_get_for_owner(
        public_id=endpoint_id, owner=caller(request)
    )
    rows, cursor = offset_page(
        selectors.deliveries_of(endpoint=endpoint).select_related("event"),
        cursor=page.cursor,
        limit=page.limit,
    )
    return {"items": [delivery_out(d) for d in rows], "next": cursor}


@router.post(
    "/{endpoint_id}/deliveries/{delivery_id}/retry",
    response={202: WebhookDeliveryOut, **PROBLEMS},
    throttle=throttled("webhook_sends"),
)
def webhook_delivery_retry(
    request: HttpRequest, endpoint_id: PublicId, delivery_id: PublicId
):
    """Send a delivery again soon, under the same webhook-id."""
    endpoint = selectors.endpoint_get_for_owner(
        public_id=endpoint_id, owner=caller(request)
    )
    delivery = selectors.delivery_get(endpoint=endpoint, public_id=delivery_id)
    delivery = services.delivery_retry(delivery=delivery, now=now())
    return Status(202, delivery_out(delivery))
