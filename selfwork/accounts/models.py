"""Members, their profiles and API tokens, and the devices and addresses they log in from."""

import hashlib
import uuid
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

TIME_ZONES = sorted(zoneinfo.available_timezones())


class Member(AbstractUser):
    """An account and its public profile. A member can belong to many communities."""

    class CommissionStatus(models.TextChoices):
        OPEN = "open", _("Open for commissions")
        WAITLIST = "waitlist", _("Waitlist")
        CLOSED = "closed", pgettext_lazy("commissions", "Closed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    display_name = models.CharField(max_length=80, blank=True)
    bio = models.TextField(blank=True, max_length=4000)
    avatar = models.ForeignKey(
        "core.Upload",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    skills = models.JSONField(default=list, blank=True)
    languages = models.JSONField(default=list, blank=True)
    city = models.CharField(max_length=80, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2")
    time_zone = models.CharField(max_length=64, default="UTC")
    preferred_currency = models.CharField(max_length=3, default="EUR")
    # The language of the member's pages, e-mails and notifications; blank follows
    # the browser (Accept-Language). A choice made with the switcher saves here.
    language = models.CharField(
        max_length=10, blank=True, default="", choices=settings.LANGUAGES
    )
    commission_status = models.CharField(
        max_length=10, choices=CommissionStatus.choices, default=CommissionStatus.OPEN
    )
    commission_slots = models.PositiveSmallIntegerField(default=3)
    away = models.BooleanField(default=False)
    # When the member closed their account: the row stays (exchanges, reviews and
    # the books point at it) under a pseudonym, with no personal data left on it.
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(commission_status__in=["open", "waitlist", "closed"]),
                name="member_commission_status_known",
            ),
            models.CheckConstraint(
                condition=Q(commission_slots__lte=100),
                name="member_commission_slots_sane",
            ),
        ]
        indexes = [models.Index(fields=["country", "city"])]

    def __str__(self) -> str:
        return self.username

    @property
    def name(self) -> str:
        if self.closed_at is not None:
            return gettext("a former member")
        return self.display_name or self.username


class PortfolioItem(models.Model):
    """An image in a member's portfolio, shown on their profile in ``position`` order."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="portfolio"
    )
    image = models.ForeignKey("core.Upload", on_delete=models.CASCADE, related_name="+")
    caption = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["member", "position"])]


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 is stored; the token is shown once."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="api_tokens"
    )
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    name = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class LoginOrigin(models.Model):
    """A device or address ``member`` logged in from; it is spared the account-wide limit.

    ``digest`` is the SHA-256 of ``address:<client network>`` or ``device:<cookie id>``,
    so the table holds no addresses in clear. An attacker can lock out new devices
    by guessing at a public username, never the ones the member already uses.
    """

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="login_origins"
    )
    digest = models.CharField(max_length=64)
    last_seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "digest"], name="login_origin_once"
            ),
        ]
        indexes = [models.Index(fields=["last_seen_at"])]

    @staticmethod
    def digest_of(kind: str, value: str) -> str:
        return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()
