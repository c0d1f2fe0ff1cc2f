"""Listings, the modes they are offered in, service packages and images.

Full-text search lives beside these tables, not in them: an FTS5 table on SQLite
and a generated ``tsvector`` column on PostgreSQL, both created by migration 0002
and kept in step by the database itself.

Rental and lend listings have a calendar: their availability rules, blocked periods
and bookings. That no two held bookings of a listing overlap is the database's
rule (an exclusion constraint on PostgreSQL, a trigger on SQLite; migration 0005).
"""

import uuid
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from selfwork.communities.models import Mode


class Listing(models.Model):
    """Something a member offers in a community, in one or more modes."""

    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("listing status", "Active")
        HIDDEN = "hidden", pgettext_lazy("listing status", "Hidden")
        # Set only by exchanges (``listing_status_move``), never by the owner: a
        # gift promised to one requester, then given; a listing swapped.
        PROMISED = "promised", pgettext_lazy("listing status", "Promised")
        GIVEN = "given", pgettext_lazy("listing status", "Given")
        SWAPPED = "swapped", pgettext_lazy("listing status", "Swapped")

    class Kind(models.TextChoices):
        OFFER = "offer", pgettext_lazy("listing kind", "Offer")
        # A member asks for help (a time bank's request): whoever answers it
        # gives the time, and the member who asked gives the hours.
        REQUEST = "request", _("Request for help")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="listings"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="listings"
    )
    title = models.CharField(max_length=120)
    description = models.TextField(blank=True, max_length=20000)
    tags = models.JSONField(default=list, blank=True)
    # The tags as words, for the full-text index.
    tags_text = models.CharField(max_length=1000, blank=True)
    category = models.ForeignKey(
        "communities.Category",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="listings",
    )
    custom = models.JSONField(default=dict, blank=True)
    city = models.CharField(max_length=80, blank=True)
    country = models.CharField(max_length=2, blank=True)
    status = models.CharField(
        max_length=8, choices=Status.choices, default=Status.ACTIVE
    )
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.OFFER)
    # The lowest price across the listing's modes ("from €40"): what price
    # filters and sorts use. Null when every mode is free.
    price_minor = models.BigIntegerField(null=True, blank=True)
    price_unit = models.CharField(max_length=4, blank=True)
    sort_price = models.BigIntegerField(default=0)
    # The published, visible ratings its customers gave (``exchanges`` keeps them
    # in step through ``listing_rating_add``, their one writer), and a key that
    # sorts by them: the mean in hundredths, then the count (``rating_key_of``).
    rating_sum = models.PositiveIntegerField(default=0)
    rating_count = models.PositiveIntegerField(default=0)
    rating_key = models.BigIntegerField(default=0)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=["active", "hidden", "promised", "given", "swapped"]
                ),
                name="listing_status_known",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["offer", "request"]),
                name="listing_kind_known",
            ),
            models.CheckConstraint(
                condition=Q(price_minor__isnull=True) | Q(price_minor__gt=0),
                name="listing_price_positive",
            ),
        ]
        indexes = [
            models.Index(
                fields=["status", "-created_at", "-id"], name="listing_newest"
            ),
            models.Index(
                fields=["community", "status", "-created_at"], name="listing_community"
            ),
            models.Index(
                fields=["status", "price_unit", "sort_price", "id"],
                name="listing_price",
            ),
            # Price sorts across currencies (the one above serves a single one).
            models.Index(
                fields=["status", "sort_price", "id"], name="listing_price_any"
            ),
            models.Index(fields=["owner", "-created_at"], name="listing_owner"),
            models.Index(
                fields=["status", "-rating_key", "-id"], name="listing_rating"
            ),
            models.Index(fields=["category", "status"], name="listing_category"),
            models.Index(fields=["country", "city"], name="listing_place"),
        ]

    def __str__(self) -> str:
        return self.title

    # A page of cards prefetches modes, packages and images into plain lists
    # (``catalog.selectors._card_rows``): a prefetch into ``modes.all()`` builds
    # a filtered QuerySet per row, most of a list page's cost. These read the
    # lists when present, else the related managers (prefetched or not).
    @property
    def mode_rows(self) -> list["ListingMode"]:
        """The listing's modes, in the order they were written."""
        rows = getattr(self, "prefetched_modes", None)
        return rows if rows is not None else list(self.modes.all())

    @property
    def image_rows(self) -> list["ListingImage"]:
        """The listing's images, first shown first."""
        rows = getattr(self, "prefetched_images", None)
        return rows if rows is not None else list(self.images.all())

    @property
    def card_image(self):
        """The upload a card shows (the first image), or None."""
        images = self.image_rows
        return images[0].upload if images else None

    @property
    def card_modes(self) -> list[str]:
        """The names of the listing's modes, for a card's chips."""
        return [row.mode for row in self.mode_rows]

    @property
    def rating_mean(self) -> Decimal | None:
        """The mean rating to one decimal place, or None before the first review."""
        return rating_mean_of(self.rating_sum, self.rating_count)


def rating_mean_of(total: int, count: int) -> Decimal | None:
    """The mean of ``count`` ratings summing to ``total``, to one decimal place."""
    if not count:
        return None
    return (Decimal(total) / Decimal(count)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def rating_key_of(total: int, count: int) -> int:
    """A key that sorts listings by their mean rating, then by how many ratings."""
    if not count:
        return 0
    return (total * 100 // count) * 10_000_000 + min(count, 9_999_999)


class ListingMode(models.Model):
    """One way a listing is offered, with that mode's terms."""

    class RentalUnit(models.TextChoices):
        HOUR = "hour", _("per hour")
        DAY = "day", _("per day")

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="modes")
    mode = models.CharField(max_length=16, choices=Mode.choices)
    # Price in minor units of ``unit`` (a currency, or HOUR for time credits);
    # null for free modes and for services, whose prices are on their packages.
    price_minor = models.BigIntegerField(null=True, blank=True)
    unit = models.CharField(max_length=4, blank=True)
    rental_unit = models.CharField(max_length=4, choices=RentalUnit.choices, blank=True)
    deposit_minor = models.BigIntegerField(default=0)
    # made_to_order: [{"name", "choices": [{"label", "price_delta_minor"}]}]
    options = models.JSONField(default=list, blank=True)
    # made_to_order: [{"prompt", "required"}]
    personalisation = models.JSONField(default=list, blank=True)
    # swap: what the owner would like in return.
    wants = models.CharField(max_length=200, blank=True)
    # Copies of the listing's status and "from" price, kept by the catalog's
    # services with its card (``catalog.cards.listing_cards_refresh``): a page of
    # one mode sorted by price walks the index below in order, where walking the
    # listing's price index and looking each listing's modes up read 116,000
    # listings at a million to find the dearest EUR services (decision 0036).
    listing_status = models.CharField(max_length=8, default=Listing.Status.ACTIVE)
    listing_price_unit = models.CharField(max_length=4, blank=True)
    listing_sort_price = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["listing", "mode"], name="listing_mode_once"
            ),
            models.CheckConstraint(
                condition=Q(price_minor__isnull=True) | Q(price_minor__gt=0),
                name="listing_mode_price_positive",
            ),
            models.CheckConstraint(
                condition=Q(deposit_minor__gte=0),
                name="listing_mode_deposit_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(mode__in=[m.value for m in Mode]), name="listing_mode_known"
            ),
        ]
        indexes = [
            models.Index(fields=["mode", "listing"], name="listing_mode_by_mode"),
            models.Index(
                fields=[
                    "mode",
                    "listing_status",
                    "listing_price_unit",
                    "listing_sort_price",
                    "listing",
                ],
                name="listing_mode_price",
            ),
            # Price sorts of a mode across currencies.
            models.Index(
                fields=["mode", "listing_status", "listing_sort_price", "listing"],
                name="listing_mode_price_any",
            ),
        ]

    @property
    def package_rows(self) -> list["ListingPackage"]:
        """The mode's packages in order (a prefetched list, else the manager)."""
        rows = getattr(self, "prefetched_packages", None)
        return rows if rows is not None else list(self.packages.all())


class ListingPackage(models.Model):
    """A tier of a service listing: name, price, delivery time, revisions included,
    and the usage rights its buyer gets (copied into the exchange's terms)."""

    mode = models.ForeignKey(
        ListingMode, on_delete=models.CASCADE, related_name="packages"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=60)
    description = models.CharField(max_length=500, blank=True)
    price_minor = models.BigIntegerField()
    unit = models.CharField(max_length=4)
    delivery_days = models.PositiveSmallIntegerField()
    revisions = models.PositiveSmallIntegerField(default=0)
    commercial_use = models.BooleanField(default=False)
    credit_required = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price_minor__gt=0), name="listing_package_price_positive"
            ),
            models.CheckConstraint(
                condition=Q(delivery_days__gte=1, delivery_days__lte=365),
                name="listing_package_delivery_days_range",
            ),
            models.CheckConstraint(
                condition=Q(revisions__lte=50), name="listing_package_revisions_range"
            ),
        ]


class ListingImage(models.Model):
    listing = models.ForeignKey(
        Listing, on_delete=models.CASCADE, related_name="images"
    )
    upload = models.ForeignKey(
        "core.Upload", on_delete=models.CASCADE, related_name="+"
    )
    alt = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        indexes = [
            models.Index(fields=["listing", "position"], name="listing_image_order")
        ]


class CancellationPolicy(models.TextChoices):
    """How much of a rental's price comes back when the customer cancels."""

    FLEXIBLE = "flexible", _("Flexible: full refund until 24 hours before the start")
    MODERATE = "moderate", _("Moderate: full refund until 5 days before, then half")
    STRICT = "strict", _("Strict: half refund until 7 days before, then none")


class ListingAvailability(models.Model):
    """When a rental or lend listing may be booked. A listing without one has defaults.

    ``opening_hours`` (hourly listings only) is a list of
    ``{"weekday": "mon".."sun", "opens": "HH:MM", "closes": "HH:MM"}`` in the
    listing's time zone; empty means open around the clock. Lengths count units.
    """

    listing = models.OneToOneField(
        Listing, on_delete=models.CASCADE, related_name="availability"
    )
    time_zone = models.CharField(max_length=64)
    opening_hours = models.JSONField(default=list, blank=True)
    min_units = models.PositiveIntegerField(default=1)
    max_units = models.PositiveIntegerField(null=True, blank=True)
    buffer_minutes = models.PositiveIntegerField(default=0)
    advance_days = models.PositiveIntegerField(default=365)
    instant_booking = models.BooleanField(default=False)
    cancellation_policy = models.CharField(
        max_length=10,
        choices=CancellationPolicy.choices,
        default=CancellationPolicy.MODERATE,
    )
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(min_units__gte=1), name="availability_min_units_positive"
            ),
            models.CheckConstraint(
                condition=Q(max_units__isnull=True)
                | Q(max_units__gte=models.F("min_units")),
                name="availability_max_units_at_least_min",
            ),
            models.CheckConstraint(
                condition=Q(buffer_minutes__lte=10080),
                name="availability_buffer_at_most_a_week",
            ),
            models.CheckConstraint(
                condition=Q(advance_days__gte=1, advance_days__lte=730),
                name="availability_advance_days_range",
            ),
            models.CheckConstraint(
                condition=Q(cancellation_policy__in=CancellationPolicy.values),
                name="availability_cancellation_policy_known",
            ),
        ]


class BlockedPeriod(models.Model):
    """A period ``[start_at, end_at)`` the owner keeps the listing off the calendar."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    listing = models.ForeignKey(
        Listing, on_delete=models.CASCADE, related_name="blocked_periods"
    )
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["start_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_at__gt=models.F("start_at")),
                name="blocked_period_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(
                fields=["listing", "start_at", "end_at"], name="blocked_by_listing"
            )
        ]


class Booking(models.Model):
    """A period ``[start_at, end_at)`` held on a listing's calendar for someone.

    ``reference`` is opaque to the catalog (an exchange's public id, say): the
    catalog never imports the apps that hold bookings. ``held_end_at`` is the end
    plus the listing's buffer, so the next booking starts after the buffer; two
    ``held`` bookings of one listing never overlap on ``[start_at, held_end_at)``.
    """

    class Status(models.TextChoices):
        HELD = "held", "Held"
        RELEASED = "released", "Released"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    listing = models.ForeignKey(
        Listing, on_delete=models.CASCADE, related_name="bookings"
    )
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    held_end_at = models.DateTimeField()
    reference = models.CharField(max_length=90)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.HELD)
    created_at = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(end_at__gt=models.F("start_at")),
                name="booking_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(held_end_at__gte=models.F("end_at")),
                name="booking_held_end_not_before_end",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["held", "released"]),
                name="booking_status_known",
            ),
            models.CheckConstraint(
                condition=Q(status="held", released_at__isnull=True)
                | Q(status="released", released_at__isnull=False),
                name="booking_released_at_iff_released",
            ),
        ]
        indexes = [
            # Calendars and the search filter look up a listing's held bookings.
            models.Index(
                fields=["listing", "start_at", "held_end_at"],
                condition=Q(status="held"),
                name="booking_held_by_listing",
            ),
            models.Index(fields=["reference"], name="booking_by_reference"),
        ]


class ListingCard(models.Model):
    """What a listing card and a list API item show of one listing, pre-rendered.

    ``item`` is the JSON text of the list API item's parts that the listing owns
    (title, modes, prices, images, rating, status…); the parts other apps own —
    the owner's username and display name, the community's and the category's
    slugs — and the price in the viewer's currency are joined in when the page is
    read (decision 0029). The catalog's services rewrite a card in the
    transaction that changes what it shows (``catalog.cards.listing_cards_refresh``);
    ``selfwork cards rebuild`` rewrites them all. Only public data goes in.
    """

    listing = models.OneToOneField(
        Listing, on_delete=models.CASCADE, primary_key=True, related_name="card"
    )
    item = models.TextField()
    # What the HTML card shows of the listing itself (``catalog.cards.card_web``).
    web = models.TextField()


class SearchTerm(models.Model):
    """A term of SQLite's full-text index of listings, where a prefix finds it.

    Written with each listing's card, from the same tokenizer
    (``catalog.terms``); never deleted, so it may hold a term no listing holds any
    more, which matches nothing, but never lacks one the index holds. PostgreSQL
    does not use it (decision 0037).
    """

    term = models.TextField(primary_key=True)
