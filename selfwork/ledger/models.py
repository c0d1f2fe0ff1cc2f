"""Accounts, transactions and legs: the rows of the double-entry ledger.

The constraints below and the triggers of migration 0002 are the ledger's
invariants; ``services.transaction_post`` is the one writer and only explains, in
words a member can read, what the database would refuse anyway.
"""

import uuid

from django.db import models
from django.db.models import Q

# Accounts allowed to run without a floor: they face the world outside selfwork
# (a payment gateway, a bank, the community's issuance of time credits), where
# value comes from and goes to.
UNBOUNDED_KINDS = ("gateway_clearing", "payout_clearing", "hours_issuance")


class Account(models.Model):
    """A balance of one unit held for one owner, such as a member's EUR wallet.

    ``owner_ref`` is opaque ("member:<uuid>", "exchange:<uuid>", "community:<uuid>",
    "platform"): the ledger never joins to the rows it names.
    """

    class Kind(models.TextChoices):
        MEMBER_WALLET = "member_wallet", "Member wallet"
        MEMBER_HOURS = "member_hours", "Member time credits"
        ESCROW = "escrow", "Escrow"
        DEPOSIT_HELD = "deposit_held", "Deposit held"
        PLATFORM_FEES = "platform_fees", "Platform fees"
        COMMUNITY_TREASURY = "community_treasury", "Community treasury"
        GATEWAY_CLEARING = "gateway_clearing", "Payment gateway clearing"
        PAYOUT_CLEARING = "payout_clearing", "Payout clearing"
        HOURS_ISSUANCE = "hours_issuance", "Time-credit issuance"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    owner_ref = models.CharField(max_length=100, db_index=True)
    unit = models.CharField(max_length=4)
    # None: unbounded (clearing and issuance accounts only).
    floor_minor = models.BigIntegerField(null=True, default=0)
    balance_minor = models.BigIntegerField(default=0, editable=False)
    # Head of this account's hash chain over the checksums of its transactions,
    # in posting order; the audit folds the chain again and compares.
    checksum = models.CharField(max_length=64, default="", editable=False)
    name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "owner_ref", "unit"], name="ledger_account_once"
            ),
            models.CheckConstraint(
                condition=Q(floor_minor__isnull=True)
                | Q(balance_minor__gte=models.F("floor_minor")),
                name="ledger_account_balance_above_floor",
            ),
            models.CheckConstraint(
                condition=Q(floor_minor__isnull=True) | Q(floor_minor__lte=0),
                name="ledger_account_floor_not_positive",
            ),
            models.CheckConstraint(
                condition=Q(floor_minor__isnull=False) | Q(kind__in=UNBOUNDED_KINDS),
                name="ledger_account_unbounded_only_clearing",
            ),
            models.CheckConstraint(
                condition=~Q(owner_ref=""), name="ledger_account_has_owner"
            ),
            models.CheckConstraint(
                condition=~Q(unit=""), name="ledger_account_has_unit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.owner_ref} {self.unit}"

    @property
    def bounded(self) -> bool:
        return self.floor_minor is not None


class Transaction(models.Model):
    """One movement of value: two or more legs that sum to zero in every unit.

    A transaction is inserted ``pending``, receives its legs, and is then marked
    ``posted`` in one UPDATE; the database checks the legs at that moment and
    freezes the transaction and its legs from then on.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        POSTED = "posted", "Posted"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=64)
    memo = models.CharField(max_length=500, blank=True)
    idempotency_key = models.CharField(max_length=255, unique=True)
    reference = models.CharField(max_length=100, blank=True, db_index=True)
    state = models.CharField(
        max_length=16, choices=State.choices, default=State.PENDING
    )
    posted_at = models.DateTimeField(null=True)
    # sha256 of the transaction's content and legs, set when it is posted.
    checksum = models.CharField(max_length=64, default="")
    reverses = models.OneToOneField(
        "self",
        null=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["pending", "posted"]),
                name="ledger_transaction_state_known",
            ),
            models.CheckConstraint(
                condition=Q(state="pending")
                | (Q(posted_at__isnull=False) & ~Q(checksum="")),
                name="ledger_transaction_posted_is_sealed",
            ),
            models.CheckConstraint(
                condition=~Q(idempotency_key=""), name="ledger_transaction_has_key"
            ),
            models.CheckConstraint(
                condition=~Q(kind=""), name="ledger_transaction_has_kind"
            ),
        ]
        indexes = [models.Index(fields=["posted_at"], name="ledger_txn_posted_at")]

    def __str__(self) -> str:
        return f"{self.kind} {self.public_id}"


class Leg(models.Model):
    """One signed amount on one account; positive adds to the account's balance."""

    transaction = models.ForeignKey(
        Transaction, on_delete=models.PROTECT, related_name="legs", db_index=False
    )
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="legs", db_index=False
    )
    amount_minor = models.BigIntegerField()
    # Copied from the account (a trigger checks it) so that "sums to zero per
    # unit" is a GROUP BY on one table.
    unit = models.CharField(max_length=4)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(amount_minor=0), name="ledger_leg_amount_not_zero"
            ),
            # One leg per account per transaction: a transaction moves a net
            # amount on each account, and the hash chains stay one step per post.
            models.UniqueConstraint(
                fields=["transaction", "account"], name="ledger_leg_account_once"
            ),
        ]
        indexes = [
            models.Index(fields=["account", "id"], name="ledger_leg_account_order")
        ]

    def __str__(self) -> str:
        return f"{self.amount_minor} {self.unit} on {self.account_id}"
