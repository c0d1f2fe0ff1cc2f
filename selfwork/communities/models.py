"""Communities (micro-platforms), their members and roles, categories and listing fields."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Mode(models.TextChoices):
    """The ways a listing can be exchanged; each runs its own process."""

    MADE_TO_ORDER = "made_to_order", _("Made to order")
    SERVICE = "service", _("Service")
    RENTAL = "rental", _("Rental")
    LEND = "lend", _("Lend")
    SWAP = "swap", _("Swap")
    GIFT = "gift", _("Gift")
    TIMEBANK = "timebank", _("Time bank")


ALL_MODES = [m.value for m in Mode]


class Community(models.Model):
    """A micro-platform: its own members, rules, currency and fee."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public — anyone can see and join")
        INVITE_ONLY = (
            "invite_only",
            _("Invite-only — anyone can see, members join by invitation"),
        )
        PRIVATE = "private", _("Private — only members can see it")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=80)
    tagline = models.CharField(max_length=160, blank=True)
    description = models.TextField(blank=True, max_length=10000)
    visibility = models.CharField(
        max_length=12, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    currency = models.CharField(max_length=3, default="EUR")
    # Fees as percentages with two decimals, taken from the provider and,
    # optionally, added on top for the customer.
    fee_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    customer_fee_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=0
    )
    minimum_fee_minor = models.BigIntegerField(default=0)
    # Share of every fee that goes to the community treasury; the rest to the operator.
    treasury_share_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=0
    )
    enabled_modes = models.JSONField(default=list)
    membership_approval = models.BooleanField(default=False)
    # How to pay a host by hand (cash, a bank transfer): shown to customers of a
    # community paid through the manual gateway (Markdown).
    payment_instructions = models.TextField(blank=True, max_length=2000)
    # The time bank: members hold hours in this community, an hour for an hour.
    # Each member's account may go down to the floor and up to the ceiling; the
    # starting credit is issued once, on joining, from the community's issuance.
    timebank_enabled = models.BooleanField(default=False)
    timebank_starting_minor = models.BigIntegerField(default=0)
    timebank_floor_minor = models.BigIntegerField(default=-2000)
    timebank_ceiling_minor = models.BigIntegerField(default=10000)
    cover = models.ForeignKey(
        "core.Upload",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Branding: the community's own logo, accent colour (``#rrggbb``, readable
    # on the page background and under white text) and pages (Markdown).
    logo = models.ForeignKey(
        "core.Upload",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    accent_color = models.CharField(max_length=7, blank=True)
    about = models.TextField(blank=True, max_length=10000)
    rules = models.TextField(blank=True, max_length=10000)
    contact = models.TextField(blank=True, max_length=2000)
    # A host name of its own (``market.example.org``): requests for it are served
    # as this community's site. Lower-case; null when there is none.
    domain = models.CharField(max_length=253, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    member_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "communities"
        constraints = [
            models.CheckConstraint(
                condition=Q(visibility__in=["public", "invite_only", "private"]),
                name="community_visibility_known",
            ),
            models.CheckConstraint(
                condition=Q(fee_percent__gte=0, fee_percent__lte=50)
                & Q(customer_fee_percent__gte=0, customer_fee_percent__lte=50)
                & Q(treasury_share_percent__gte=0, treasury_share_percent__lte=100),
                name="community_fees_in_range",
            ),
            models.CheckConstraint(
                condition=Q(domain__isnull=True) | ~Q(domain=""),
                name="community_domain_not_empty",
            ),
            models.CheckConstraint(
                condition=Q(minimum_fee_minor__gte=0),
                name="community_minimum_fee_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(timebank_floor_minor__lte=0)
                & Q(timebank_ceiling_minor__gt=0)
                & Q(timebank_starting_minor__gte=0)
                & Q(timebank_starting_minor__lte=models.F("timebank_ceiling_minor")),
                name="community_timebank_limits_in_order",
            ),
        ]
        indexes = [models.Index(fields=["visibility", "-member_count"])]

    def __str__(self) -> str:
        return self.name

    def mode_enabled(self, mode: str) -> bool:
        return mode in self.enabled_modes


class Membership(models.Model):
    """A member's place in a community: role and status."""

    class Role(models.TextChoices):
        HOST = "host", _("Host")
        MODERATOR = "moderator", _("Moderator")
        MEMBER = "member", _("Member")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PENDING = "pending", _("Waiting for approval")
        INVITED = "invited", _("Invited")

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="memberships"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    created_at = models.DateTimeField()
    joined_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["community", "member"], name="membership_once"
            ),
            models.CheckConstraint(
                condition=Q(role__in=["host", "moderator", "member"]),
                name="membership_role_known",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "pending", "invited"]),
                name="membership_status_known",
            ),
        ]
        indexes = [
            models.Index(fields=["member", "status"]),
            models.Index(fields=["community", "status", "role"]),
        ]

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def can_moderate(self) -> bool:
        return self.is_active and self.role in {self.Role.HOST, self.Role.MODERATOR}


class Category(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="categories"
    )
    slug = models.SlugField(max_length=50)
    name = models.CharField(max_length=80)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(
                fields=["community", "slug"], name="category_slug_once"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ListingField(models.Model):
    """A custom field a community adds to its listings; each becomes a search filter."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        CHOICE = "choice", _("Choice")
        BOOLEAN = "boolean", _("Yes / no")

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="listing_fields"
    )
    key = models.SlugField(max_length=40)
    label = models.CharField(max_length=80)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    choices = models.JSONField(default=list, blank=True)
    required = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "key"], name="listing_field_key_once"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["text", "number", "choice", "boolean"]),
                name="listing_field_kind_known",
            ),
        ]

    def __str__(self) -> str:
        return self.label
