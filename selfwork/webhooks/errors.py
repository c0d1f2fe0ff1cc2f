"""The anticipated failures of webhook endpoints, each with a stable ``code``."""

from selfwork.core.errors import InvalidInput, NotFound, NotPermitted, declare


class WebhookNotFound(NotFound):
    """No endpoint with that id is the caller's (others' are not revealed)."""

    code = "webhook_not_found"


class DeliveryNotFound(NotFound):
    """The endpoint has no delivery with that id."""

    code = "webhook_delivery_not_found"


class UnknownEvent(InvalidInput):
    """An event name that is not one of ``core.events.EVENT_KINDS``."""

    code = "unknown_event"


class WebhookUrlInvalid(InvalidInput):
    """The URL is not an absolute http or https URL with a host."""

    code = "webhook_url_invalid"


class WebhookUrlPrivate(InvalidInput):
    """The URL's host resolves to an address the server must not call (loopback,
    private, link-local, metadata …), unless SELFWORK_WEBHOOK_ALLOW_PRIVATE is set."""

    code = "webhook_url_private"


class WebhookCommunityRequired(NotPermitted):
    """Only staff may hear every community; a host's endpoint names theirs."""

    code = "webhook_community_required"


# Codes raised with a general class (``InvalidInput(..., code=…)``).
declare(
    __name__,
    ("too_many_webhooks", 422, "The owner has as many endpoints as allowed."),
)
