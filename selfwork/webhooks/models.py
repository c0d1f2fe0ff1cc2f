"""Webhook endpoints and their deliveries, one per endpoint and event."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from selfwork.communities.models import Community
from selfwork.core.models import Event


class WebhookEndpoint(models.Model):
    """A URL that hears a community's events (its host's), or all of them (staff's).

    ``secret`` signs every delivery; after a rotation ``previous_secret`` signs
    beside it until ``previous_secret_expires_at``, so a receiver can switch
    without losing a message. An endpoint the schedule of retries gave up on is
    disabled (``disabled_at``) until its owner enables it again.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
    )
    community = models.ForeignKey(
        Community,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
    )
    url = models.CharField(max_length=2000)
    events = models.JSONField(default=list)
    secret = models.CharField(max_length=100)
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    # The last event recorded when it was registered: it hears only later ones.
    after_event_id = models.BigIntegerField(default=0)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self) -> str:
        return self.url

    @property
    def is_enabled(self) -> bool:
        return self.disabled_at is None


class WebhookDelivery(models.Model):
    """One event for one endpoint: the signed message, its attempts and its fate.

    ``body`` is rendered once, when the event is fanned out, so every attempt
    sends the same bytes under the same ``webhook-id``. ``next_attempt_at`` is
    also the lease of the worker sending it: pushed past the send before the
    request, so a worker that dies mid-send leaves it to be sent again.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed (gave up)"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=60)
    # Deliveries of one sequence (an exchange) go to an endpoint in event order.
    sequence = models.CharField(max_length=64, blank=True)
    body = models.TextField()
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event"], name="webhook_delivery_once"
            ),
            models.CheckConstraint(
                condition=~Q(status="succeeded") | Q(delivered_at__isnull=False),
                name="webhook_delivered_has_time",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="webhook_delivery_due",
            ),
            models.Index(fields=["endpoint", "sequence", "event"]),
            models.Index(fields=["endpoint", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.endpoint_id} ({self.status})"

    @property
    def message_id(self) -> str:
        """The ``webhook-id``: the same for every attempt, so receivers can drop repeats."""
        return f"msg_{self.public_id.hex}"
