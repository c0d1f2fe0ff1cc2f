"""Charges, refunds, releases and payouts: what payments did, beside the ledger.

The ledger holds the money; these rows say why it moved and which gateway call
moved it. Each row that stands for an external effect carries a UNIQUE
idempotency key derived from what it settles (``charge:<reference>``,
``release:<reference>``, ``payout:<public id>``), and the ledger transaction it
posted carries the same key: one event, one effect, twice enforced.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q

GATEWAYS = ("sandbox", "manual")


class Gateway(models.TextChoices):
    SANDBOX = "sandbox", "Sandbox (test cards)"
    MANUAL = "manual", "Manual (cash or bank transfer, confirmed by a host)"


class CommunityPaymentSettings(models.Model):
    """Which gateway a community's payments go through.

    A community without a row uses ``settings.SELFWORK_PAYMENT_GATEWAY``
    (``sandbox`` unless the operator says otherwise).
    """

    community = models.OneToOneField(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    gateway = models.CharField(max_length=16, choices=Gateway.choices)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "community payment settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(gateway__in=GATEWAYS),
                name="payments_settings_gateway_known",
            ),
        ]


class Charge(models.Model):
    """One attempt to take money from a customer into the escrow of ``reference``.

    A declined attempt stays as ``failed``; the next attempt for the same
    reference is a new row (``attempt`` + 1) with its own key. At most one
    attempt per reference and part is live (not failed).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending (awaiting the host's confirmation)"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
        REFUNDED = "refunded", "Refunded"

    LIVE = ("pending", "succeeded", "partially_refunded", "refunded")
    CAPTURED = ("succeeded", "partially_refunded", "refunded")
    # Not stored: set on the instance a service call recorded (``escrow_charge``).
    recorded_here = False

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The opaque id of what is paid for, e.g. an exchange's public id.
    reference = models.CharField(max_length=90)
    # Lets one reference take several charges (e.g. milestones): "" for the one.
    part = models.CharField(max_length=40, blank=True, default="")
    attempt = models.PositiveIntegerField(default=1)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The provider the money is held for, when the caller knows it at charge time.
    provider = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    community = models.ForeignKey(
        "communities.Community", on_delete=models.PROTECT, related_name="+"
    )
    gateway = models.CharField(max_length=16, choices=Gateway.choices)
    # What the customer pays: the price and, on top of it, the customer fee.
    amount_minor = models.BigIntegerField()
    customer_fee_minor = models.BigIntegerField(default=0)
    currency = models.CharField(max_length=3)
    refunded_minor = models.BigIntegerField(default=0)
    # The fee policy the customer paid under (see ``fees.FeePolicy``): a release
    # applies this, never the community's policy of the day.
    fee_hundredths = models.PositiveIntegerField(default=0)
    customer_fee_hundredths = models.PositiveIntegerField(default=0)
    minimum_fee_minor = models.BigIntegerField(default=0)
    treasury_share_hundredths = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=20, choices=Status.choices)
    gateway_ref = models.CharField(max_length=100, blank=True)
    failure_code = models.CharField(max_length=40, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    idempotency_key = models.CharField(max_length=255, unique=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField()
    captured_at = models.DateTimeField(null=True, blank=True)
    # When what it pays for recorded it (an exchange moved on with it). A charge
    # taken before the exchange's transaction, which then failed, stays
    # unclaimed and is given back whole (``abandoned_at``), by the request or
    # by the worker.
    claimed_at = models.DateTimeField(null=True, blank=True)
    abandoned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_minor__gt=0), name="payments_charge_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(customer_fee_minor__gte=0)
                & Q(customer_fee_minor__lt=F("amount_minor")),
                name="payments_charge_customer_fee_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(fee_hundredths__lte=5000)
                & Q(customer_fee_hundredths__lte=5000)
                & Q(treasury_share_hundredths__lte=10000)
                & Q(minimum_fee_minor__gte=0),
                name="payments_charge_fee_policy_in_range",
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "pending",
                        "succeeded",
                        "failed",
                        "partially_refunded",
                        "refunded",
                    ]
                ),
                name="payments_charge_status_known",
            ),
            models.CheckConstraint(
                condition=Q(gateway__in=GATEWAYS), name="payments_charge_gateway_known"
            ),
            models.CheckConstraint(
                condition=Q(refunded_minor__gte=0)
                & Q(refunded_minor__lte=F("amount_minor")),
                name="payments_charge_refunds_within_amount",
            ),
            # The status follows the refunds: never "refunded" with money left,
            # never "succeeded" after a refund.
            models.CheckConstraint(
                condition=(Q(status="refunded") & Q(refunded_minor=F("amount_minor")))
                | (
                    Q(status="partially_refunded")
                    & Q(refunded_minor__gt=0)
                    & Q(refunded_minor__lt=F("amount_minor"))
                )
                | (
                    Q(status__in=["pending", "succeeded", "failed"])
                    & Q(refunded_minor=0)
                ),
                name="payments_charge_status_matches_refunds",
            ),
            models.CheckConstraint(
                condition=(Q(status="failed") & ~Q(failure_code=""))
                | (~Q(status="failed") & Q(failure_code="")),
                name="payments_charge_failure_has_code",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "failed"])
                | (Q(captured_at__isnull=False) & ~Q(gateway_ref="")),
                name="payments_charge_captured_is_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(reference=""), name="payments_charge_has_reference"
            ),
            models.UniqueConstraint(
                fields=["reference", "part", "attempt"], name="payments_charge_attempt"
            ),
            models.UniqueConstraint(
                fields=["reference", "part"],
                condition=~Q(status="failed") & Q(abandoned_at__isnull=True),
                name="payments_charge_one_live_per_part",
            ),
            # One payment in flight per reference: a second card racing the first
            # waits for it to be claimed or given back.
            models.UniqueConstraint(
                fields=["reference"],
                condition=~Q(status="failed")
                & Q(claimed_at__isnull=True)
                & Q(abandoned_at__isnull=True),
                name="payments_charge_one_unclaimed",
            ),
        ]
        indexes = [
            models.Index(fields=["reference"], name="payments_charge_reference"),
            models.Index(fields=["customer", "status"], name="payments_charge_cust"),
            models.Index(fields=["provider", "status"], name="payments_charge_prov"),
        ]

    def __str__(self) -> str:
        return f"charge {self.reference} #{self.attempt} {self.status}"


class Refund(models.Model):
    """Money given back to the customer from escrow, against one charge."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(max_length=90)
    charge = models.ForeignKey(Charge, on_delete=models.PROTECT, related_name="refunds")
    amount_minor = models.BigIntegerField()
    # The part of ``amount_minor`` that gives back the customer fee.
    customer_fee_minor = models.BigIntegerField(default=0)
    currency = models.CharField(max_length=3)
    # The gateway's reference, once the gateway call (``GatewayCall``) was made.
    gateway_ref = models.CharField(max_length=100, blank=True)
    # The ledger transaction's key (one per refund request) ...
    ledger_key = models.CharField(max_length=255)
    # ... and the gateway call's (one per charge the request refunds against).
    idempotency_key = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_minor__gt=0), name="payments_refund_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(customer_fee_minor__gte=0)
                & Q(customer_fee_minor__lte=F("amount_minor")),
                name="payments_refund_customer_fee_within_amount",
            ),
        ]
        indexes = [models.Index(fields=["reference"], name="payments_refund_reference")]


class Release(models.Model):
    """Escrow paid out to the provider's wallet, less the community's fees.

    The split is stored as posted, and the database holds it exact:
    ``net + fee + customer_fee == gross`` and
    ``platform_fee + treasury_fee == fee + customer_fee``.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(max_length=90)
    provider = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    community = models.ForeignKey(
        "communities.Community", on_delete=models.PROTECT, related_name="+"
    )
    currency = models.CharField(max_length=3)
    gross_minor = models.BigIntegerField()
    # The provider fee, taken of the price ...
    fee_minor = models.BigIntegerField()
    # ... and the customer fee the customer paid on top of it, both income.
    customer_fee_minor = models.BigIntegerField(default=0)
    platform_fee_minor = models.BigIntegerField()
    treasury_fee_minor = models.BigIntegerField()
    net_minor = models.BigIntegerField()
    # The policy applied, kept so the split can be recomputed by the audit.
    fee_hundredths = models.PositiveIntegerField()
    minimum_fee_minor = models.BigIntegerField()
    treasury_share_hundredths = models.PositiveIntegerField()
    # True when the release emptied the escrow: the reference is settled.
    final = models.BooleanField()
    idempotency_key = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(gross_minor__gt=0), name="payments_release_gross_positive"
            ),
            models.CheckConstraint(
                condition=Q(fee_minor__gte=0)
                & Q(customer_fee_minor__gte=0)
                & Q(platform_fee_minor__gte=0)
                & Q(treasury_fee_minor__gte=0)
                & Q(net_minor__gte=0),
                name="payments_release_parts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(
                    gross_minor=F("net_minor")
                    + F("platform_fee_minor")
                    + F("treasury_fee_minor")
                )
                & Q(
                    fee_minor=F("platform_fee_minor")
                    + F("treasury_fee_minor")
                    - F("customer_fee_minor")
                ),
                name="payments_release_split_exact",
            ),
            models.UniqueConstraint(
                fields=["reference"],
                condition=Q(final=True),
                name="payments_release_final_once",
            ),
        ]
        indexes = [
            models.Index(fields=["reference"], name="payments_release_reference"),
            models.Index(fields=["provider"], name="payments_release_provider"),
            # The dashboard's volume per period, for all communities or one.
            models.Index(fields=["created_at"], name="payments_release_created"),
            models.Index(
                fields=["community", "created_at"], name="payments_release_community"
            ),
        ]


class Deposit(models.Model):
    """A card authorisation (or a cash deposit) held against ``reference``.

    The money is not taken: the customer's card is only authorised for
    ``amount_minor``, shown in the ledger as a ``deposit_held`` account of the
    reference until the deposit is voided (given back), captured in part or in
    whole for the provider (the rest voided), or lapses (``expired``). A
    declined attempt stays as ``failed``; a retry is a new row (``attempt`` + 1)
    with its own key. At most one attempt per reference is live (not failed).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending (awaiting the host's confirmation)"
        HELD = "held", "Held"
        FAILED = "failed", "Failed"
        VOIDED = "voided", "Voided"
        CAPTURED = "captured", "Captured"
        EXPIRED = "expired", "Expired"

    STATUSES = ("pending", "held", "failed", "voided", "captured", "expired")
    SETTLED = ("voided", "captured", "expired")
    # Not stored: set on the instance a service call recorded.
    recorded_here = False

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The opaque id of what the deposit secures, e.g. an exchange's public id.
    reference = models.CharField(max_length=90)
    attempt = models.PositiveIntegerField(default=1)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Who a captured deposit is paid to.
    provider = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    community = models.ForeignKey(
        "communities.Community", on_delete=models.PROTECT, related_name="+"
    )
    gateway = models.CharField(max_length=16, choices=Gateway.choices)
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    captured_minor = models.BigIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices)
    gateway_ref = models.CharField(max_length=100, blank=True)
    failure_code = models.CharField(max_length=40, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    idempotency_key = models.CharField(max_length=255, unique=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField()
    # When the money was held (posted to ``deposit_held``); null if it never was.
    held_at = models.DateTimeField(null=True, blank=True)
    # When a card authorisation lapses; null for cash deposits, which do not.
    expires_at = models.DateTimeField(null=True, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    # As for charges: when the rental recorded it; an authorisation no rental
    # took is voided (``abandoned_at``).
    claimed_at = models.DateTimeField(null=True, blank=True)
    abandoned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_minor__gt=0), name="payments_deposit_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "pending",
                        "held",
                        "failed",
                        "voided",
                        "captured",
                        "expired",
                    ]
                ),
                name="payments_deposit_status_known",
            ),
            models.CheckConstraint(
                condition=Q(gateway__in=GATEWAYS), name="payments_deposit_gateway_known"
            ),
            # Captured only in a captured deposit, never more than was held.
            models.CheckConstraint(
                condition=(
                    Q(status="captured")
                    & Q(captured_minor__gt=0)
                    & Q(captured_minor__lte=F("amount_minor"))
                )
                | (~Q(status="captured") & Q(captured_minor=0)),
                name="payments_deposit_captured_within_amount",
            ),
            models.CheckConstraint(
                condition=(Q(status="failed") & ~Q(failure_code=""))
                | (~Q(status="failed") & Q(failure_code="")),
                name="payments_deposit_failure_has_code",
            ),
            # Held, captured and expired deposits were held; pending and failed
            # ones never were (a voided one may have been, or not: cash never
            # received).
            models.CheckConstraint(
                condition=(
                    Q(status__in=["held", "captured", "expired"])
                    & Q(held_at__isnull=False)
                    & ~Q(gateway_ref="")
                )
                | (Q(status__in=["pending", "failed"]) & Q(held_at__isnull=True))
                | Q(status="voided"),
                name="payments_deposit_held_is_recorded",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status__in=["voided", "captured", "expired"])
                    & Q(settled_at__isnull=False)
                )
                | (
                    Q(status__in=["pending", "held", "failed"])
                    & Q(settled_at__isnull=True)
                ),
                name="payments_deposit_settled_is_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(status="expired") | Q(expires_at__isnull=False),
                name="payments_deposit_expired_had_expiry",
            ),
            models.CheckConstraint(
                condition=~Q(reference=""), name="payments_deposit_has_reference"
            ),
            models.CheckConstraint(
                condition=~Q(customer=F("provider")),
                name="payments_deposit_not_to_oneself",
            ),
            models.UniqueConstraint(
                fields=["reference", "attempt"], name="payments_deposit_attempt"
            ),
            models.UniqueConstraint(
                fields=["reference"],
                condition=~Q(status="failed") & Q(abandoned_at__isnull=True),
                name="payments_deposit_one_live",
            ),
        ]
        indexes = [
            models.Index(fields=["reference"], name="payments_deposit_reference"),
            models.Index(fields=["customer", "status"], name="payments_deposit_cust"),
            models.Index(fields=["status", "expires_at"], name="payments_deposit_due"),
        ]

    def __str__(self) -> str:
        return f"deposit {self.reference} #{self.attempt} {self.status}"

    @property
    def voided_minor(self) -> int:
        """What was held and given back: all of it, or what a capture left."""
        if self.held_at is None or self.status not in self.SETTLED:
            return 0
        return self.amount_minor - self.captured_minor


class PayoutDestination(models.Model):
    """Where a member's payouts go, e.g. a bank account; only a masked form is kept."""

    class Kind(models.TextChoices):
        SANDBOX_BANK = "sandbox_bank", "Bank account (sandbox)"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    label = models.CharField(max_length=80)
    masked = models.CharField(max_length=40)
    # The gateway's own handle on the destination; the full number stays there.
    token = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["sandbox_bank"]),
                name="payments_destination_kind_known",
            ),
        ]
        indexes = [
            models.Index(fields=["member", "-created_at"], name="payments_dest_member")
        ]


class Payout(models.Model):
    """Money sent from a member's wallet to their destination."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        PAID = "paid", "Paid"
        FAILED = "failed", "Failed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    destination = models.ForeignKey(
        PayoutDestination, on_delete=models.PROTECT, related_name="payouts"
    )
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=10, choices=Status.choices)
    gateway = models.CharField(max_length=16, choices=Gateway.choices)
    gateway_ref = models.CharField(max_length=100, blank=True)
    failure_code = models.CharField(max_length=40, blank=True)
    idempotency_key = models.CharField(max_length=255, unique=True)
    # Set for an automatic payout: one release pays out at most once.
    release = models.OneToOneField(
        Release, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_minor__gt=0), name="payments_payout_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["requested", "paid", "failed"]),
                name="payments_payout_status_known",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid")
                | (Q(paid_at__isnull=False) & ~Q(gateway_ref="")),
                name="payments_payout_paid_is_recorded",
            ),
            models.CheckConstraint(
                condition=(Q(status="failed") & ~Q(failure_code=""))
                | (~Q(status="failed") & Q(failure_code="")),
                name="payments_payout_failure_has_code",
            ),
        ]
        indexes = [
            models.Index(
                fields=["member", "-created_at"], name="payments_payout_member"
            )
        ]


class PayoutPreference(models.Model):
    """A member's wish to be paid out automatically on every release."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    auto_payout = models.BooleanField(default=False)
    updated_at = models.DateTimeField()


class SandboxOperation(models.Model):
    """The sandbox gateway's own record of every call it answered.

    It stands in for a processor's books: a call retried with the same key gets
    the first answer and never charges, refunds or pays twice.
    """

    class Operation(models.TextChoices):
        CHARGE = "charge", "Charge"
        REFUND = "refund", "Refund"
        PAYOUT = "payout", "Payout"
        AUTHORISE = "authorise", "Authorise"
        CAPTURE = "capture", "Capture"
        VOID = "void", "Void"

    idempotency_key = models.CharField(max_length=255, unique=True)
    operation = models.CharField(max_length=10, choices=Operation.choices)
    # What was asked, so that a key reused for another request is refused.
    request = models.CharField(max_length=300)
    status = models.CharField(max_length=10)
    ref = models.CharField(max_length=100, unique=True)
    failure_code = models.CharField(max_length=40, blank=True)
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    created_at = models.DateTimeField()
    # When an authorisation lapses, by the processor's own clock.
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    operation__in=[
                        "charge",
                        "refund",
                        "payout",
                        "authorise",
                        "capture",
                        "void",
                    ]
                ),
                name="payments_sandbox_operation_known",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["succeeded", "failed"]),
                name="payments_sandbox_status_known",
            ),
            models.CheckConstraint(
                condition=Q(amount_minor__gt=0), name="payments_sandbox_amount_positive"
            ),
        ]


class GatewayCall(models.Model):
    """A call selfwork owes a gateway, made after the transaction that decided it.

    A refund, a payout, or the capture or void of a deposit moves money in the
    ledger at once; the call that tells the gateway is queued here in the same
    transaction and made once it has committed (``services.calls``), so no
    gateway call ever holds a database lock. A call that did not finish (a
    crash, a timeout, a gateway that was down) stays ``queued`` and the worker
    makes it again under the same idempotency key, which the gateway answers
    once.
    """

    class Operation(models.TextChoices):
        REFUND = "refund", "Refund"
        PAYOUT = "payout", "Payout"
        CAPTURE = "capture", "Capture"
        VOID = "void", "Void"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    operation = models.CharField(max_length=10, choices=Operation.choices)
    gateway = models.CharField(max_length=16, choices=Gateway.choices)
    idempotency_key = models.CharField(max_length=255, unique=True)
    # What the call acts on: a charge's or an authorisation's gateway reference,
    # or a payout destination's token.
    target_ref = models.CharField(max_length=100)
    amount_minor = models.BigIntegerField(default=0)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=10, choices=Status.choices)
    failure_code = models.CharField(max_length=40, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    result_ref = models.CharField(max_length=100, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # A call belongs to the record it settles.
    refund = models.OneToOneField(
        Refund, null=True, blank=True, on_delete=models.CASCADE, related_name="call"
    )
    payout = models.OneToOneField(
        Payout, null=True, blank=True, on_delete=models.CASCADE, related_name="call"
    )
    deposit = models.ForeignKey(
        Deposit, null=True, blank=True, on_delete=models.CASCADE, related_name="calls"
    )
    created_at = models.DateTimeField()
    # When the worker may make it (again).
    next_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(operation__in=["refund", "payout", "capture", "void"]),
                name="payments_call_operation_known",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "succeeded", "failed"]),
                name="payments_call_status_known",
            ),
            models.CheckConstraint(
                condition=(Q(status="failed") & ~Q(failure_code=""))
                | (~Q(status="failed") & Q(failure_code="")),
                name="payments_call_failure_has_code",
            ),
            models.CheckConstraint(
                condition=Q(amount_minor__gte=0), name="payments_call_amount_sign"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_at"], name="payments_call_due"),
        ]

    def __str__(self) -> str:
        return f"{self.operation} call {self.idempotency_key} {self.status}"
