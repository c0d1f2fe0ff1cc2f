"""Payments' invariants, for ``ledger_audit(extra_checks=payments_audit_checks())``.

The ledger proves its own books balance; these checks prove that the payments
rows and the ledger tell the same story:

- the escrow of every settled reference (released in full, or refunded in
  full) is zero;
- per reference, captured = released gross + refunds + what escrow still holds,
  and each release's net + fees = gross, with the fees as the policy the
  customer paid under says;
- every charge's customer fee is the policy's percentage of its price, and per
  reference the customer fee paid = refunded + released + what escrow holds of it
  (never more than escrow holds; nothing once settled);
- every succeeded charge, refund, release and payout has its ledger transaction
  with the same key and amounts, and no charge, refund, release or payout
  transaction is without its record;
- every deposit's postings match its record (the hold in ``deposit_held``; on
  capture the captured part in the provider's wallet and the rest back in
  clearing; on void or expiry all of it back), and no deposit transaction is
  without its deposit;
- each ``deposit_held`` account holds exactly its reference's held deposit, and
  nothing once the deposit is settled: captured + voided = authorised.
"""

from collections import defaultdict
from collections.abc import Iterator

from selfwork.core.money import Money
from selfwork.ledger.audit import Check, Finding
from selfwork.ledger.models import Account, Leg, Transaction
from selfwork.payments.books import DEPOSIT_PREFIX, ESCROW_PREFIX
from selfwork.payments.fees import FeePolicy, customer_fee_of, fee_split
from selfwork.payments.models import (
    Charge,
    Deposit,
    GatewayCall,
    Payout,
    Refund,
    Release,
)
from selfwork.payments.selectors import reference_totals

PAYMENT_KINDS = ("charge", "refund", "release", "payout")
DEPOSIT_KINDS = ("deposit_hold", "deposit_capture", "deposit_void", "deposit_expire")


def _settled_escrow_not_zero() -> Iterator[Finding]:
    for totals in reference_totals():
        if totals.settled and totals.escrow.minor != 0:
            yield (
                f"reference {totals.reference}",
                f"is settled but escrow still holds {totals.escrow}",
            )


def _captured_not_accounted() -> Iterator[Finding]:
    for totals in reference_totals():
        if totals.escrow.minor < 0:
            yield f"reference {totals.reference}", f"escrow is {totals.escrow}"
        if totals.released + totals.refunded + totals.escrow != totals.captured:
            yield (
                f"reference {totals.reference}",
                f"captured {totals.captured}, but released {totals.released} + "
                f"refunded {totals.refunded} + in escrow {totals.escrow} = "
                f"{totals.released + totals.refunded + totals.escrow}",
            )
        if totals.accounted != totals.captured:
            yield (
                f"reference {totals.reference}",
                f"net {totals.net} + fees {totals.fees} + refunds "
                f"{totals.refunded} + escrow {totals.escrow} is not the "
                f"{totals.captured} captured",
            )
    # Escrow accounts that no captured charge explains.
    explained = {
        f"{ESCROW_PREFIX}{reference}"
        for reference in Charge.objects.filter(status__in=Charge.CAPTURED).values_list(
            "reference", flat=True
        )
    }
    for owner, unit, balance in Account.objects.filter(
        kind=Account.Kind.ESCROW, owner_ref__startswith=ESCROW_PREFIX
    ).values_list("owner_ref", "unit", "balance_minor"):
        if balance and owner not in explained:
            yield owner, f"holds {Money(balance, unit)} that no charge paid in"


def _release_split_wrong() -> Iterator[Finding]:
    for release in Release.objects.order_by("pk").iterator():
        policy = FeePolicy(
            fee_hundredths=release.fee_hundredths,
            minimum_minor=release.minimum_fee_minor,
            treasury_share_hundredths=release.treasury_share_hundredths,
        )
        split = fee_split(
            Money(release.gross_minor, release.currency),
            policy,
            customer_fee_minor=release.customer_fee_minor,
        )
        stored = (
            release.fee_minor,
            release.platform_fee_minor,
            release.treasury_fee_minor,
            release.net_minor,
        )
        expected = (
            split.fee.minor,
            split.platform.minor,
            split.treasury.minor,
            split.net.minor,
        )
        if stored != expected:
            yield (
                f"release {release.public_id}",
                f"splits {release.gross_minor} as {stored} (fee, platform, "
                f"treasury, net); the policy gives {expected}",
            )


def _customer_fee_not_accounted() -> Iterator[Finding]:
    for charge in Charge.objects.filter(status__in=Charge.CAPTURED).iterator():
        policy = FeePolicy(
            fee_hundredths=charge.fee_hundredths,
            minimum_minor=charge.minimum_fee_minor,
            treasury_share_hundredths=charge.treasury_share_hundredths,
            customer_fee_hundredths=charge.customer_fee_hundredths,
        )
        price = charge.amount_minor - charge.customer_fee_minor
        if charge.customer_fee_minor != customer_fee_of(price, policy):
            yield (
                f"charge {charge.public_id}",
                f"took a customer fee of {charge.customer_fee_minor} on a price of "
                f"{price}; its policy gives {customer_fee_of(price, policy)}",
            )
    paid: dict[str, int] = defaultdict(int)
    for reference, fee in Charge.objects.filter(status__in=Charge.CAPTURED).values_list(
        "reference", "customer_fee_minor"
    ):
        paid[reference] += fee
    for model in (Refund, Release):
        for reference, fee in model.objects.values_list(
            "reference", "customer_fee_minor"
        ):
            paid[reference] -= fee
    for totals in reference_totals():
        held = paid.get(totals.reference, 0)
        if held < 0 or held > max(totals.escrow.minor, 0):
            yield (
                f"reference {totals.reference}",
                f"customer fees paid less refunded and released is {held}; escrow "
                f"holds {totals.escrow}",
            )
        elif totals.settled and held:
            yield (
                f"reference {totals.reference}",
                f"is settled but {held} of its customer fee was neither refunded "
                "nor released",
            )


def _ledger_amounts(kinds=PAYMENT_KINDS) -> dict[str, dict[str, int]]:
    """Per transaction key of ``kinds``: the amount on each kind of account."""
    amounts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    legs = Leg.objects.filter(
        transaction__state=Transaction.State.POSTED,
        transaction__kind__in=kinds,
    ).values_list("transaction__idempotency_key", "account__kind", "amount_minor")
    for key, kind, amount in legs.iterator(chunk_size=2000):
        amounts[key][kind] += amount
    return amounts


def _records_without_postings() -> Iterator[Finding]:
    ledger = _ledger_amounts()
    seen: set[str] = set()

    def expect(subject: str, key: str, wanted: dict[str, int]) -> Iterator[Finding]:
        seen.add(key)
        got = {kind: total for kind, total in ledger.get(key, {}).items() if total}
        if got != {kind: total for kind, total in wanted.items() if total}:
            yield subject, f"its ledger transaction {key!r} moved {got or 'nothing'}"

    for charge in Charge.objects.filter(status__in=Charge.CAPTURED).iterator():
        yield from expect(
            f"charge {charge.public_id}",
            charge.idempotency_key,
            {"escrow": charge.amount_minor, "gateway_clearing": -charge.amount_minor},
        )
    refund_totals: dict[str, int] = defaultdict(int)
    for ledger_key, amount in Refund.objects.values_list("ledger_key", "amount_minor"):
        refund_totals[ledger_key] += amount
    for ledger_key, total in sorted(refund_totals.items()):
        yield from expect(
            f"refund {ledger_key}",
            ledger_key,
            {"escrow": -total, "gateway_clearing": total},
        )
    for release in Release.objects.iterator():
        yield from expect(
            f"release {release.public_id}",
            release.idempotency_key,
            {
                "escrow": -release.gross_minor,
                "member_wallet": release.net_minor,
                "platform_fees": release.platform_fee_minor,
                "community_treasury": release.treasury_fee_minor,
            },
        )
    for payout in Payout.objects.exclude(status=Payout.Status.REQUESTED).iterator():
        yield from expect(
            f"payout {payout.public_id}",
            payout.idempotency_key,
            {
                "member_wallet": -payout.amount_minor,
                "payout_clearing": payout.amount_minor,
            },
        )
        failed = Transaction.objects.filter(
            idempotency_key=f"payout-failed:{payout.public_id}"
        ).exists()
        if (payout.status == Payout.Status.FAILED) != failed:
            yield (
                f"payout {payout.public_id}",
                f"is {payout.status} but its posting was "
                f"{'reversed' if failed else 'not reversed'}",
            )
    for key in sorted(set(ledger) - seen):
        yield f"transaction {key!r}", "moved money with no payments record behind it"


def _deposit_postings_differ() -> Iterator[Finding]:
    ledger = _ledger_amounts(DEPOSIT_KINDS)
    seen: set[str] = set()

    def expect(deposit: Deposit, key: str, wanted: dict[str, int]) -> Iterator[Finding]:
        seen.add(key)
        got = {kind: total for kind, total in ledger.get(key, {}).items() if total}
        if got != {kind: total for kind, total in wanted.items() if total}:
            yield (
                f"deposit {deposit.public_id}",
                f"is {deposit.status} ({deposit.amount_minor} held, "
                f"{deposit.captured_minor} captured) but its ledger transaction "
                f"{key!r} moved {got or 'nothing'}",
            )

    for deposit in Deposit.objects.order_by("pk").iterator():
        amount = deposit.amount_minor
        key = deposit.idempotency_key
        held = deposit.held_at is not None
        yield from expect(
            deposit,
            key,
            {"deposit_held": amount, "gateway_clearing": -amount} if held else {},
        )
        for status, suffix in (
            (Deposit.Status.CAPTURED, "capture"),
            (Deposit.Status.VOIDED, "void"),
            (Deposit.Status.EXPIRED, "expire"),
        ):
            wanted: dict[str, int] = {}
            if deposit.status == status and held:
                wanted = {
                    "deposit_held": -amount,
                    "member_wallet": deposit.captured_minor,
                    "gateway_clearing": amount - deposit.captured_minor,
                }
            yield from expect(deposit, f"{key}:{suffix}", wanted)
    for key in sorted(set(ledger) - seen):
        yield f"transaction {key!r}", "moved a deposit with no deposit behind it"


def _deposit_held_not_accounted() -> Iterator[Finding]:
    held: dict[tuple[str, str], int] = defaultdict(int)
    for reference, unit, amount in Deposit.objects.filter(
        status=Deposit.Status.HELD
    ).values_list("reference", "currency", "amount_minor"):
        held[(f"{DEPOSIT_PREFIX}{reference}", unit)] += amount
    balances = {
        (owner, unit): balance
        for owner, unit, balance in Account.objects.filter(
            kind=Account.Kind.DEPOSIT_HELD
        ).values_list("owner_ref", "unit", "balance_minor")
    }
    for owner, unit in sorted(set(held) | set(balances)):
        balance = balances.get((owner, unit), 0)
        if balance != held.get((owner, unit), 0):
            yield (
                owner,
                f"holds {Money(balance, unit)}; its held deposit is "
                f"{Money(held.get((owner, unit), 0), unit)}",
            )
    # Per settled deposit, from the ledger: what it captured to the provider and
    # gave back adds up to what its authorisation held.
    ledger = _ledger_amounts(DEPOSIT_KINDS)
    for deposit in (
        Deposit.objects.filter(status__in=Deposit.SETTLED, held_at__isnull=False)
        .order_by("pk")
        .iterator()
    ):
        key = deposit.idempotency_key
        authorised = ledger.get(key, {}).get("deposit_held", 0)
        captured = voided = 0
        for suffix in ("capture", "void", "expire"):
            legs = ledger.get(f"{key}:{suffix}", {})
            captured += legs.get("member_wallet", 0)
            voided += legs.get("gateway_clearing", 0)
        if captured + voided != authorised:
            yield (
                f"deposit {deposit.public_id}",
                f"captured {captured} + voided {voided} is not the {authorised} "
                "authorised",
            )


def _gateway_refused() -> Iterator[Finding]:
    """A refund or capture the ledger made that the gateway refused needs a person."""
    refused = GatewayCall.objects.filter(status=GatewayCall.Status.FAILED).exclude(
        operation=GatewayCall.Operation.PAYOUT  # a refused payout was reversed
    )
    for call in refused.order_by("pk"):
        yield (
            f"{call.operation} {call.idempotency_key}",
            f"the gateway refused it ({call.failure_code}); settle it by hand",
        )


def payments_audit_checks() -> list[Check]:
    """The payments invariants, as checks for ``ledger.audit.ledger_audit``."""
    return [
        Check(
            "payments: escrow of every settled reference is zero",
            _settled_escrow_not_zero,
        ),
        Check(
            "payments: captured = released + refunds + escrow, per reference",
            _captured_not_accounted,
        ),
        Check(
            "payments: every release splits gross exactly as its fee policy says",
            _release_split_wrong,
        ),
        Check(
            "payments: customer fees are charged as the policy says and every "
            "one is refunded, released or still in escrow",
            _customer_fee_not_accounted,
        ),
        Check(
            "payments: every charge, refund, release and payout is posted once, "
            "and nothing else is",
            _records_without_postings,
        ),
        Check(
            "payments: every deposit's hold and its capture, void or expiry are "
            "posted as the deposit says, and nothing else is",
            _deposit_postings_differ,
        ),
        Check(
            "payments: every refund, capture and void the ledger made, the "
            "gateway made too (or will: queued)",
            _gateway_refused,
        ),
        Check(
            "payments: deposit-held accounts hold exactly the held deposits; "
            "captured + voided = authorised",
            _deposit_held_not_accounted,
        ),
    ]
