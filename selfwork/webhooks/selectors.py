"""Reads: a member's endpoints, an endpoint's deliveries."""

import uuid
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext

from selfwork.webhooks.errors import DeliveryNotFound, WebhookNotFound
from selfwork.webhooks.models import WebhookDelivery, WebhookEndpoint


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def endpoints_of(*, owner) -> QuerySet[WebhookEndpoint]:
    """Return ``owner``'s endpoints, newest first."""
    return (
        WebhookEndpoint.objects.filter(owner=owner)
        .select_related("community")
        .order_by("-created_at", "-pk")
    )


def endpoint_get_for_owner(*, public_id: Any, owner) -> WebhookEndpoint:
    """Return one of ``owner``'s endpoints.

    :raises WebhookNotFound: for anyone else's, as for one that never existed.
    """
    key = _uuid(public_id)
    endpoint = endpoints_of(owner=owner).filter(public_id=key).first() if key else None
    if endpoint is None:
        raise WebhookNotFound(gettext("No such webhook endpoint."))
    return endpoint


def deliveries_of(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """Return the endpoint's deliveries, newest first."""
    return WebhookDelivery.objects.filter(endpoint=endpoint).order_by(
        "-created_at", "-pk"
    )


def delivery_get(*, endpoint: WebhookEndpoint, public_id: Any) -> WebhookDelivery:
    """Return one of the endpoint's deliveries.

    :raises DeliveryNotFound: if it has none with that id.
    """
    key = _uuid(public_id)
    delivery = (
        deliveries_of(endpoint=endpoint).filter(public_id=key).first() if key else None
    )
    if delivery is None:
        raise DeliveryNotFound(gettext("No such delivery of this endpoint."))
    return delivery
