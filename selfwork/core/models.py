"""Shared kernel rows: uploads, idempotency records, rate counters and exchange rates."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class Upload(models.Model):
    """A file a member uploaded, checked by content and stored under a random name."""

    class Kind(models.TextChoices):
        IMAGE = "image", "Image"
        FILE = "file", "File (a deliverable, stored privately)"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="uploads"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.IMAGE)
    file = models.FileField(upload_to="uploads/%Y/%m/")
    content_type = models.CharField(max_length=64)
    size_bytes = models.PositiveIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()
    # For images: {size: {"width", "height", "webp", "jpeg"}} with the storage
    # names of each thumbnail (see ``core.images.THUMBNAIL_SIZES``). Null until
    # they are made: pages then show the stored image itself.
    thumbnails = models.JSONField(null=True, blank=True, default=None)

    class Meta:
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.public_id}"

    @property
    def url(self) -> str:
        return self.file.url

    def thumbnail(self, size: str) -> dict | None:
        """The thumbnail of this image at ``size`` (names and pixels), if made."""
        return (self.thumbnails or {}).get(size)


class IdempotencyRecord(models.Model):
    """The first response to a POST with an ``Idempotency-Key``, replayed on retries.

    ``scope`` is a hash of who asked (their credentials or session), so two clients
    can use the same key without seeing each other's responses.
    """

    scope = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "key"], name="idempotency_key_once"
            ),
        ]
        indexes = [models.Index(fields=["created_at"])]


class RateCounter(models.Model):
    """How many times something happened in the current window of one ``bucket``.

    A bucket is a throttle scope and who it counts (``login:pair:bruno:192.0.2.7``,
    ``uploads:member:42``). One row per bucket, counted with a single upsert so
    concurrent requests can never all read the same count (see ``core.throttle``).
    ``reset_at`` is a Unix time in seconds: integers compare the same way on every
    engine, where SQLite keeps datetimes as text.
    """

    bucket = models.CharField(max_length=200, unique=True)
    hits = models.PositiveIntegerField(default=0)
    reset_at = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["reset_at"])]

    def __str__(self) -> str:
        return f"{self.bucket}: {self.hits}"


class FxRate(models.Model):
    """How many units of ``quote`` one unit of ``base`` buys, as of ``published_on``.

    Shown beside prices for the viewer's currency only; no money ever moves at
    these rates.
    """

    base = models.CharField(max_length=3)
    quote = models.CharField(max_length=3)
    rate = models.DecimalField(max_digits=24, decimal_places=10)
    published_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["base", "quote"], name="fx_rate_pair_once"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="fx_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"1 {self.base} = {self.rate} {self.quote}"


class Event(models.Model):
    """Something that happened to a public object, recorded in the change's transaction.

    The outbox of integrations: the webhooks app fans each event out to the
    endpoints that want it, after commit. An event names its object, not a copy
    of it; the deliveries render the object as the API does. ``community_id`` is
    the community it happened in (no foreign key: the core knows no communities),
    and events of one ``sequence`` (an exchange's public id) are delivered in
    the order they were recorded.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=60)
    subject = models.CharField(max_length=64)
    community_id = models.BigIntegerField(null=True, blank=True)
    sequence = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    fanned_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["id"],
                condition=Q(fanned_out_at__isnull=True),
                name="event_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject}"


class WorkerHeartbeat(models.Model):
    """When one ``selfwork worker`` process last went round its loop.

    Each worker writes its own row every round; /readyz and /metrics read the
    newest. ``name`` is the host and process id, so a restarted worker starts a
    new row and old ones are purged after a day.
    """

    name = models.CharField(max_length=200, unique=True)
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["-beat_at"], name="worker_heartbeat_newest")]

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at.isoformat()}"


class LegalPage(models.Model):
    """A legal text the operator writes in the admin (Markdown): terms, privacy, imprint.

    Each is served at ``/legal/<kind>/`` and linked from every footer; one not yet
    written answers 404 with a page saying so.
    """

    class Kind(models.TextChoices):
        TERMS = "terms", "Terms of use"
        PRIVACY = "privacy", "Privacy notice"
        IMPRINT = "imprint", "Imprint"

    kind = models.CharField(max_length=10, choices=Kind.choices, unique=True)
    body = models.TextField(
        blank=True, max_length=50000, help_text="Markdown; raw HTML is not shown."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["terms", "privacy", "imprint"]),
                name="legal_page_kind_known",
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class Generation(models.Model):
    """A counter that every write changing a cached read bumps (``core.generations``).

    A cached answer is keyed with the counter it was computed under: a write
    moves the counter, so no later read finds the old answer.
    """

    name = models.CharField(max_length=40, primary_key=True)
    value = models.BigIntegerField(default=0)
