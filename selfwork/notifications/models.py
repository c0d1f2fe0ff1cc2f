"""Notifications, a member's choices about them, and e-mails kept for the operator.

A notification that is to be e-mailed is its own outbox row: ``email`` says
where its e-mail stands and ``email_available_at`` when a worker may try (or,
leased, try again). The e-mail is sent after the transaction that wrote the
notification committed, outside any transaction (decision 0016).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Kind(models.TextChoices):
    """Everything a member may be told about, in the order the settings list it."""

    REQUESTED = "requested", _("New orders and booking requests")
    PAID = "paid", _("Payments")
    DELIVERED = "delivered", _("Deliveries")
    CHANGES_REQUESTED = "changes_requested", _("Requests for changes")
    ACCEPTED = "accepted", _("Accepted work and completed exchanges")
    PAID_OUT = "paid_out", _("Money paid out")
    REMINDER = "reminder", _("Reminders about exchanges")
    EXCHANGE = "exchange", _("Other steps of an exchange")
    MESSAGE = "message", _("New messages")
    REVIEW_PUBLISHED = "review_published", _("Published reviews")
    MENTION = "mention", _("Mentions on community boards")
    JOIN_REQUEST = "join_request", _("Requests to join a community you host")
    WEBHOOK_DISABLED = "webhook_disabled", _("Webhook endpoints that stopped receiving")


class Channel(models.TextChoices):
    """How a member wants one kind of notification."""

    EMAIL = "email", _("In the app and by e-mail")
    IN_APP = "in_app", _("In the app only")
    DIGEST = "digest", _("In the app and in a daily e-mail digest")
    OFF = "off", _("Not at all")


class EmailState(models.TextChoices):
    """Where a notification's e-mail stands."""

    NONE = "none", _("Not e-mailed")
    PENDING = "pending", _("Waiting to be sent")
    DIGEST = "digest", _("Waiting for the daily digest")
    SENT = "sent", pgettext_lazy("e-mail state", "Sent")
    FAILED = "failed", _("Given up")


class Notification(models.Model):
    """One thing one member is told about."""

    Email = EmailState

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    # A path on this site (``/exchanges/…``); e-mails make it absolute.
    link = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    email = models.CharField(
        max_length=10, choices=EmailState.choices, default=EmailState.NONE
    )
    email_available_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["member", "-created_at", "-id"], name="notif_member_newest"
            ),
            models.Index(
                fields=["member"],
                condition=Q(read_at__isnull=True),
                name="notif_member_unread",
            ),
            models.Index(
                fields=["email_available_at"],
                condition=Q(email="pending"),
                name="notif_email_pending",
            ),
            models.Index(
                fields=["member", "created_at"],
                condition=Q(email="digest"),
                name="notif_email_digest",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=Kind.values), name="notification_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(email__in=EmailState.values),
                name="notification_email_known",
            ),
            models.CheckConstraint(
                condition=~Q(email="pending") | Q(email_available_at__isnull=False),
                name="notification_pending_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Preference(models.Model):
    """A member's choice for one kind; without a row the kind's default holds."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "kind"], name="notification_preference_once"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values),
                name="notification_preference_channel_known",
            ),
        ]


class Digest(models.Model):
    """One daily digest e-mail: at most one per member per day, by constraint.

    The row is the claim: a worker that inserts it sends the digest; another
    one's insert fails on the constraint and it moves on.
    """

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    sent_on = models.DateField()
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "sent_on"], name="notification_digest_once_a_day"
            )
        ]


class StoredEmail(models.Model):
    """An e-mail kept instead of sent, where no SMTP server is configured (the demo)."""

    to = models.CharField(max_length=500)
    subject = models.CharField(max_length=500)
    body = models.TextField()
    headers = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.subject
