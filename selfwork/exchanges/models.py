"""Exchanges, their timelines, messages, deliveries and licences; timers and the outbox.

An exchange pins the process name and version it started on and copies its
terms (line items, revisions, usage rights, milestones); states are the
process's names, so the database checks shape (counts, amounts, parties), and
``services.exchange_transition`` is the only writer of ``state``.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class ProcessVersion(models.Model):
    """One version of a process definition, kept as long as exchanges may run on it."""

    name = models.CharField(max_length=40)
    version = models.CharField(max_length=64)
    # The TOML text of this version, as it was first loaded.
    text = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["name", "version"], name="process_version_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}@{self.version}"


class ProcessBinding(models.Model):
    """A community's choice of process for one of its modes (else the default)."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    mode = models.CharField(max_length=16)
    process_name = models.CharField(max_length=40)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["community", "mode"], name="process_binding_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mode} → {self.process_name}"


class Exchange(models.Model):
    """One value exchange between a customer and a provider, running a process."""

    class Source(models.TextChoices):
        LISTING = "listing", "Listing"
        OFFER = "offer", "Offer"
        # A helper answered a member's request for help: the helper started the
        # exchange and is its provider; the member who asked is the customer.
        REQUEST = "request", "Request for help"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    process_name = models.CharField(max_length=40)
    process_version = models.CharField(max_length=64)
    state = models.CharField(max_length=40)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    provider = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    community = models.ForeignKey(
        "communities.Community", on_delete=models.PROTECT, related_name="+"
    )
    listing = models.ForeignKey(
        "catalog.Listing",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField(max_length=16, default=Source.LISTING)
    title = models.CharField(max_length=200)
    currency = models.CharField(max_length=4)
    # What the customer pays in all: the line items plus the customer fee.
    total_minor = models.BigIntegerField()
    customer_fee_minor = models.BigIntegerField(default=0)
    # The community's fee policy when the exchange started (``payments.fees``):
    # every payment into its escrow carries it, so a host who changes the fee
    # later never changes what this exchange pays or is paid.
    fee_hundredths = models.PositiveIntegerField(default=0)
    customer_fee_hundredths = models.PositiveIntegerField(default=0)
    minimum_fee_minor = models.BigIntegerField(default=0)
    treasury_share_hundredths = models.PositiveIntegerField(default=0)
    # [{"label", "unit_price_minor", "quantity"}] in ``currency``.
    line_items = models.JSONField(default=list)
    delivery_days = models.PositiveSmallIntegerField(null=True, blank=True)
    revisions_allowed = models.PositiveSmallIntegerField(default=0)
    revisions_used = models.PositiveSmallIntegerField(default=0)
    usage_rights = models.JSONField(default=dict, blank=True)
    # [{"title", "amount_minor"}]; funded and released one at a time.
    milestones = models.JSONField(default=list, blank=True)
    milestone_count = models.PositiveSmallIntegerField(default=0)
    # The milestone being funded or worked on (0-based).
    milestone_index = models.PositiveSmallIntegerField(default=0)
    requirements = models.TextField(blank=True)
    # The period booked on the listing's calendar (rentals, loans), [start, end).
    booking_start_at = models.DateTimeField(null=True, blank=True)
    booking_end_at = models.DateTimeField(null=True, blank=True)
    # A deposit held on the customer's card for the length of a rental.
    deposit_minor = models.BigIntegerField(default=0)
    # flexible | moderate | strict: the listing's policy when the booking was made.
    cancellation_policy = models.CharField(max_length=12, blank=True)
    # The listing took bookings without the owner's approval when this one began.
    instant_booking = models.BooleanField(default=False)
    # What the provider claims of the deposit for damage (rentals).
    claim_minor = models.BigIntegerField(default=0)
    # The customer's own listing offered in return (a swap).
    offered_listing = models.ForeignKey(
        "catalog.Listing",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # When each party confirmed handing over their side (a swap); each at most once.
    customer_confirmed_at = models.DateTimeField(null=True, blank=True)
    provider_confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    state_entered_at = models.DateTimeField()
    # When the provider owes the work (set on each payment, from delivery_days).
    due_at = models.DateTimeField(null=True, blank=True)
    deliverables_revealed_at = models.DateTimeField(null=True, blank=True)
    reviews_opened_at = models.DateTimeField(null=True, blank=True)
    # When the review window closes (the process's ``review_window`` after
    # reviews opened), and when the reviews were published: at once when both
    # parties have reviewed, else when the window closes (the worker).
    reviews_close_at = models.DateTimeField(null=True, blank=True)
    reviews_published_at = models.DateTimeField(null=True, blank=True)
    # How a dispute was decided: {"refund_percent", "note", "decided_by", "role",
    # "decided_at"}; kept once recorded, applied by ``settle_resolution``.
    resolution = models.JSONField(null=True, blank=True)
    # Set on entering a terminal state; open exchanges have none.
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(customer=F("provider")), name="exchange_two_parties"
            ),
            # Gifts, swaps and free loans move no money: a total may be zero.
            models.CheckConstraint(
                condition=Q(total_minor__gte=0), name="exchange_total_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(customer_fee_minor=0)
                | Q(customer_fee_minor__lt=F("total_minor")),
                name="exchange_customer_fee_within_total",
            ),
            models.CheckConstraint(
                condition=Q(deposit_minor__gte=0), name="exchange_deposit_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(claim_minor__gte=0)
                & Q(claim_minor__lte=F("deposit_minor")),
                name="exchange_claim_within_deposit",
            ),
            models.CheckConstraint(
                condition=Q(booking_start_at__isnull=True, booking_end_at__isnull=True)
                | Q(booking_end_at__gt=F("booking_start_at")),
                name="exchange_booking_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(
                    cancellation_policy__in=["", "flexible", "moderate", "strict"]
                ),
                name="exchange_cancellation_policy_known",
            ),
            models.CheckConstraint(
                condition=Q(fee_hundredths__lte=5000)
                & Q(customer_fee_hundredths__lte=5000)
                & Q(treasury_share_hundredths__lte=10000)
                & Q(minimum_fee_minor__gte=0),
                name="exchange_fee_policy_in_range",
            ),
            models.CheckConstraint(
                condition=Q(revisions_used__lte=F("revisions_allowed")),
                name="exchange_revisions_within_budget",
            ),
            models.CheckConstraint(
                condition=Q(milestone_count=0, milestone_index=0)
                | Q(milestone_index__lt=F("milestone_count")),
                name="exchange_milestone_index_in_range",
            ),
            models.CheckConstraint(
                condition=~Q(state="") & ~Q(process_name="") & ~Q(process_version=""),
                name="exchange_state_and_process_named",
            ),
            models.CheckConstraint(
                condition=Q(source__in=["listing", "offer", "request"]),
                name="exchange_source_known",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="exchange_customer"),
            models.Index(fields=["provider", "-created_at"], name="exchange_provider"),
            models.Index(
                fields=["provider", "process_name", "closed_at", "created_at"],
                name="exchange_provider_queue",
            ),
            models.Index(fields=["community", "state"], name="exchange_community"),
            # The dashboard's exchanges started per period, for all communities or one.
            models.Index(fields=["created_at"], name="exchange_created"),
            models.Index(
                fields=["community", "created_at"], name="exchange_community_created"
            ),
            models.Index(
                fields=["reviews_close_at"],
                condition=Q(reviews_published_at__isnull=True)
                & Q(reviews_close_at__isnull=False),
                name="exchange_reviews_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.process_name} {self.public_id} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class ExchangeEvent(models.Model):
    """An append-only entry of an exchange's timeline: who moved it, from where to where."""

    exchange = models.ForeignKey(
        Exchange, on_delete=models.CASCADE, related_name="events"
    )
    seq = models.PositiveIntegerField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_role = models.CharField(max_length=16)
    name = models.CharField(max_length=40)
    from_state = models.CharField(max_length=40, blank=True)
    to_state = models.CharField(max_length=40)
    params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["exchange", "seq"], name="exchange_event_seq_once"
            ),
            models.CheckConstraint(
                condition=Q(
                    actor_role__in=[
                        "customer",
                        "provider",
                        "operator",
                        "staff",
                        "system",
                    ]
                ),
                name="exchange_event_role_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.from_state} → {self.to_state}"


class Message(models.Model):
    """A message in an exchange's conversation."""

    exchange = models.ForeignKey(
        Exchange, on_delete=models.CASCADE, related_name="messages"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["exchange", "created_at"], name="exchange_messages")
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="message_not_empty"),
        ]


SUB_RATINGS = ("communication", "quality", "on_time")


class Review(models.Model):
    """One party's review of the other after a successful exchange.

    Hidden from everyone but its author until ``published_at``; once published it
    no longer changes, except for the reviewed party's one reply and a host's
    hiding it (with the reason kept).
    """

    class Role(models.TextChoices):
        CUSTOMER = "customer", "Customer"
        PROVIDER = "provider", "Provider"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    exchange = models.ForeignKey(
        Exchange, on_delete=models.CASCADE, related_name="reviews"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The author's side of the exchange; the subject held the other.
    author_role = models.CharField(max_length=8, choices=Role.choices)
    rating = models.PositiveSmallIntegerField()
    text = models.TextField(max_length=5000)
    # The customer's optional ratings of the provider, 1 to 5 each.
    communication = models.PositiveSmallIntegerField(null=True, blank=True)
    quality = models.PositiveSmallIntegerField(null=True, blank=True)
    on_time = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)
    reply = models.TextField(max_length=5000, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    hidden_reason = models.TextField(max_length=1000, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["exchange", "author_role"], name="review_once_per_party"
            ),
            models.CheckConstraint(
                condition=~Q(author=F("subject")), name="review_of_the_other_party"
            ),
            models.CheckConstraint(
                condition=Q(author_role__in=["customer", "provider"]),
                name="review_role_known",
            ),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5"
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{name}__isnull": True})
                    | Q(**{f"{name}__gte": 1, f"{name}__lte": 5}),
                    name=f"review_{name}_1_to_5",
                )
                for name in SUB_RATINGS
            ],
            models.CheckConstraint(
                condition=Q(author_role="customer")
                | Q(
                    communication__isnull=True,
                    quality__isnull=True,
                    on_time__isnull=True,
                ),
                name="review_sub_ratings_by_customer",
            ),
            models.CheckConstraint(condition=~Q(text=""), name="review_text_not_empty"),
            # A reply answers a published review, and is given at most once.
            models.CheckConstraint(
                condition=Q(reply="", replied_at__isnull=True)
                | (
                    ~Q(reply="")
                    & Q(replied_at__isnull=False, published_at__isnull=False)
                ),
                name="review_reply_after_publishing",
            ),
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True, hidden_reason="")
                | (Q(hidden_at__isnull=False) & ~Q(hidden_reason="")),
                name="review_hidden_with_reason",
            ),
        ]
        indexes = [
            models.Index(
                fields=["subject", "-published_at", "-id"],
                condition=Q(published_at__isnull=False),
                name="review_subject_published",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating}/5 by {self.author_role} on {self.exchange_id}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class MemberRating(models.Model):
    """A member's published, visible ratings, summed: kept in step with ``Review``.

    Written in the transaction that publishes or hides reviews, so a profile or a
    card reads one row instead of averaging every review it has.
    """

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    provider_sum = models.PositiveIntegerField(default=0)
    provider_count = models.PositiveIntegerField(default=0)
    customer_sum = models.PositiveIntegerField(default=0)
    customer_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(provider_sum__gte=F("provider_count"))
                & Q(provider_sum__lte=F("provider_count") * 5)
                & Q(customer_sum__gte=F("customer_count"))
                & Q(customer_sum__lte=F("customer_count") * 5),
                name="member_rating_sums_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"ratings of {self.member_id}"


class Delivery(models.Model):
    """Work the provider handed over: a note and files, numbered per exchange."""

    exchange = models.ForeignKey(
        Exchange, on_delete=models.CASCADE, related_name="deliveries"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.PositiveSmallIntegerField()
    note = models.TextField(blank=True, max_length=4000)
    files = models.ManyToManyField("core.Upload", related_name="+", blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["exchange", "number"], name="delivery_number_once"
            ),
        ]


class Licence(models.Model):
    """The usage rights a completed commission grants its customer."""

    exchange = models.OneToOneField(
        Exchange, on_delete=models.CASCADE, related_name="licence"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # {"use", "credit_required", "work", "licensor", "licensee", "community", ...}
    terms = models.JSONField()
    created_at = models.DateTimeField()


class Timer(models.Model):
    """A system transition due at ``due_at`` unless the exchange leaves ``state`` first."""

    class Kind(models.TextChoices):
        TRANSITION = "transition", "A system transition"
        REMINDER = "reminder", "A reminder (notifies, changes nothing)"

    class Outcome(models.TextChoices):
        FIRED = "fired", "Fired"
        CANCELLED = "cancelled", "Cancelled (the state was left)"
        SKIPPED = "skipped", "Skipped (no longer possible)"
        FAILED = "failed", "Failed"

    exchange = models.ForeignKey(
        Exchange, on_delete=models.CASCADE, related_name="timers"
    )
    kind = models.CharField(
        max_length=12, choices=Kind.choices, default=Kind.TRANSITION
    )
    # The transition it takes, or the reminder it sends.
    transition = models.CharField(max_length=40)
    state = models.CharField(max_length=40)
    due_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    done = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, blank=True)
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=Q(done=False),
                name="timer_due",
            ),
            models.Index(fields=["exchange", "done"], name="timer_exchange"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(done=False, done_at__isnull=True)
                | Q(done=True, done_at__isnull=False),
                name="timer_done_has_time",
            ),
        ]


class OutboxEvent(models.Model):
    """Something that happened, queued in the same transaction for workers to deliver."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=60)
    exchange = models.ForeignKey(
        Exchange,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbox",
    )
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField()
    available_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    done = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["available_at"],
                condition=Q(done=False),
                name="outbox_pending",
            ),
        ]
