"""Briefs, the offers that answer them, and customers' counter-proposals.

Money is stored as integer minor units beside the brief's currency; an offer and
its counters are always in the brief's currency, so they carry no unit of their own
that could disagree with it.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Brief(models.Model):
    """A customer's request for custom work, open to offers in one community."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open to offers")
        CLOSED = "closed", pgettext_lazy("brief status", "Closed")
        CANCELLED = "cancelled", pgettext_lazy("brief status", "Cancelled")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="briefs"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="briefs"
    )
    title = models.CharField(max_length=120)
    description = models.TextField(max_length=10000)
    currency = models.CharField(max_length=3)
    budget_min_minor = models.BigIntegerField()
    budget_max_minor = models.BigIntegerField()
    deadline_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "closed", "cancelled"]),
                name="brief_status_known",
            ),
            models.CheckConstraint(
                condition=Q(budget_min_minor__gt=0)
                & Q(budget_max_minor__gte=F("budget_min_minor")),
                name="brief_budget_range",
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | (~Q(status="open") & Q(closed_at__isnull=False)),
                name="brief_closed_at_when_closed",
            ),
        ]
        indexes = [
            models.Index(
                fields=["status", "-created_at", "-id"], name="brief_open_newest"
            ),
            models.Index(
                fields=["community", "status", "-created_at"], name="brief_community"
            ),
            models.Index(fields=["author", "-created_at"], name="brief_author"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class BriefAttachment(models.Model):
    """An image the author attached to a brief (a sketch, a reference photo)."""

    brief = models.ForeignKey(
        Brief, on_delete=models.CASCADE, related_name="attachments"
    )
    upload = models.ForeignKey(
        "core.Upload", on_delete=models.CASCADE, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["brief", "upload"], name="brief_attachment_once"
            ),
        ]


class Offer(models.Model):
    """A provider's answer to a brief: price, delivery time, terms, expiry.

    A provider has at most one live (open or countered) offer per brief, and a
    brief at most one accepted offer; both are unique constraints, so two racing
    requests cannot get round them.
    """

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("offer status", "Open")
        COUNTERED = "countered", pgettext_lazy("offer status", "Countered")
        ACCEPTED = "accepted", pgettext_lazy("offer status", "Accepted")
        WITHDRAWN = "withdrawn", pgettext_lazy("offer status", "Withdrawn")
        DECLINED = "declined", pgettext_lazy("offer status", "Declined")
        EXPIRED = "expired", pgettext_lazy("offer status", "Expired")

    LIVE = ("open", "countered")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    brief = models.ForeignKey(Brief, on_delete=models.CASCADE, related_name="offers")
    provider = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="offers"
    )
    price_minor = models.BigIntegerField()
    delivery_days = models.PositiveSmallIntegerField()
    revisions = models.PositiveSmallIntegerField(default=2)
    # [{"title": str, "amount_minor": int}], summing to price_minor; [] for one payment.
    milestones = models.JSONField(default=list, blank=True)
    # {"use": "personal" | "commercial", "credit_required": bool}
    usage_rights = models.JSONField(default=dict)
    message = models.TextField(max_length=5000, blank=True)
    expires_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN
    )
    # Starts at 1; each counter-proposal the provider accepts makes a new revision.
    revision = models.PositiveSmallIntegerField(default=1)
    # The exchange public id once accepted (exchanges never point back at offers).
    exchange_public_id = models.UUIDField(null=True, blank=True, unique=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "open",
                        "countered",
                        "accepted",
                        "withdrawn",
                        "declined",
                        "expired",
                    ]
                ),
                name="offer_status_known",
            ),
            models.CheckConstraint(
                condition=Q(price_minor__gt=0), name="offer_price_positive"
            ),
            models.CheckConstraint(
                condition=Q(delivery_days__gte=1, delivery_days__lte=365),
                name="offer_delivery_days_range",
            ),
            models.CheckConstraint(
                condition=Q(revisions__lte=50), name="offer_revisions_range"
            ),
            models.CheckConstraint(
                condition=Q(status="accepted", exchange_public_id__isnull=False)
                | (~Q(status="accepted") & Q(exchange_public_id__isnull=True)),
                name="offer_exchange_when_accepted",
            ),
            models.UniqueConstraint(
                fields=["brief", "provider"],
                condition=Q(status__in=["open", "countered"]),
                name="offer_one_live_per_provider",
            ),
            models.UniqueConstraint(
                fields=["brief"],
                condition=Q(status="accepted"),
                name="offer_one_accepted_per_brief",
            ),
        ]
        indexes = [
            models.Index(fields=["brief", "-created_at"], name="offer_brief"),
            models.Index(fields=["provider", "-created_at"], name="offer_provider"),
        ]

    def __str__(self) -> str:
        return f"Offer {self.public_id} on {self.brief_id}"

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE


class Counter(models.Model):
    """A customer's counter-proposal on an offer: another price, time or note.

    The provider accepts it (the offer takes its terms as a new revision) or
    declines it (the offer stands as it was). One open counter per offer at a time.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for the provider")
        ACCEPTED = "accepted", pgettext_lazy("offer status", "Accepted")
        DECLINED = "declined", pgettext_lazy("offer status", "Declined")
        SUPERSEDED = "superseded", _("No longer current")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="counters")
    price_minor = models.BigIntegerField()
    delivery_days = models.PositiveSmallIntegerField()
    message = models.TextField(max_length=2000, blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "accepted", "declined", "superseded"]),
                name="counter_status_known",
            ),
            models.CheckConstraint(
                condition=Q(price_minor__gt=0), name="counter_price_positive"
            ),
            models.CheckConstraint(
                condition=Q(delivery_days__gte=1, delivery_days__lte=365),
                name="counter_delivery_days_range",
            ),
            models.UniqueConstraint(
                fields=["offer"],
                condition=Q(status="open"),
                name="counter_one_open_per_offer",
            ),
        ]
        indexes = [models.Index(fields=["offer", "-created_at"], name="counter_offer")]
