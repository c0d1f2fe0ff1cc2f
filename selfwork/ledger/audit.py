"""The ledger audit: prove from the rows themselves that every invariant holds.

The database refuses bad writes; the audit re-derives everything from scratch
to catch what only someone bypassing it (dropped triggers, restored backups,
hand-edited rows) could leave behind. Apps above the ledger add their own checks
(escrow of finished exchanges is zero; captured = released + fees + refunds) as
callables passed in ``extra_checks``: the ledger knows nothing of exchanges.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import Count, F, Sum

from selfwork.core.money import Money
from selfwork.ledger.checksums import chain_next, transaction_checksum
from selfwork.ledger.models import UNBOUNDED_KINDS, Account, Leg, Transaction
from selfwork.ledger.selectors import consistent_read

CHUNK = 2000

Finding = tuple[str, str]  # (subject, what is wrong with it)


@dataclass(frozen=True)
class Check:
    """A named invariant and the function that yields its findings."""

    name: str
    run: Callable[[], Iterable[Finding]]


@dataclass(frozen=True)
class Violation:
    """One broken invariant: which check, on what, and what was found."""

    check: str
    subject: str
    detail: str


@dataclass
class AuditReport:
    """What the audit looked at and every violation it found."""

    transactions: int = 0
    legs: int = 0
    accounts: int = 0
    checks: list[str] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations

    def render(self) -> str:
        """The report as text for a terminal or a log."""
        lines = [
            f"Ledger audit: {self.transactions} transactions, {self.legs} legs, "
            f"{self.accounts} accounts.",
        ]
        for check in self.checks:
            found = [v for v in self.violations if v.check == check]
            lines.append(f"  {'FAIL' if found else 'ok  '}  {check}")
            for violation in found[:50]:
                lines.append(f"          {violation.subject}: {violation.detail}")
            if len(found) > 50:
                lines.append(f"          ... and {len(found) - 50} more")
        lines.append(
            "All invariants hold."
            if self.ok
            else f"{len(self.violations)} violation(s) found."
        )
        return "\n".join(lines) + "\n"


def _posted_legs():
    return Leg.objects.filter(transaction__state=Transaction.State.POSTED)


def _unposted_transactions() -> Iterator[Finding]:
    for public_id in Transaction.objects.exclude(
        state=Transaction.State.POSTED
    ).values_list("public_id", flat=True):
        yield f"transaction {public_id}", "was never posted"


def _unbalanced_transactions() -> Iterator[Finding]:
    few = (
        Transaction.objects.filter(state=Transaction.State.POSTED)
        .annotate(leg_count=Count("legs"))
        .filter(leg_count__lt=2)
        .values_list("public_id", "leg_count")
    )
    for public_id, leg_count in few:
        yield f"transaction {public_id}", f"has {leg_count} leg(s)"
    unbalanced = (
        _posted_legs()
        .values("transaction__public_id", "unit")
        .annotate(total=Sum("amount_minor"))
        .exclude(total=0)
        .order_by("transaction__public_id", "unit")
    )
    for row in unbalanced:
        yield (
            f"transaction {row['transaction__public_id']}",
            f"sums to {Money(row['total'], row['unit'])}",
        )


def _legs_in_another_unit() -> Iterator[Finding]:
    mismatched = (
        Leg.objects.exclude(unit=F("account__unit"))
        .values_list("id", "unit", "account__unit", "account__public_id")
        .order_by("id")
    )
    for leg_id, unit, account_unit, account_id in mismatched:
        yield (
            f"leg {leg_id}",
            f"is in {unit}, its account {account_id} in {account_unit}",
        )


def _sums_by_account() -> dict[int, int]:
    return dict(
        _posted_legs()
        .values("account_id")
        .annotate(total=Sum("amount_minor"))
        .values_list("account_id", "total")
    )


def _subject(account: Account) -> str:
    return f"account {account.public_id} ({account.kind} {account.owner_ref})"


def _balances_off() -> Iterator[Finding]:
    sums = _sums_by_account()
    for account in Account.objects.order_by("pk").iterator(chunk_size=CHUNK):
        expected = sums.get(account.pk, 0)
        if account.balance_minor != expected:
            yield (
                _subject(account),
                f"stores {Money(account.balance_minor, account.unit)}, "
                f"its legs sum to {Money(expected, account.unit)}",
            )


def _below_floor() -> Iterator[Finding]:
    sums = _sums_by_account()
    for account in Account.objects.order_by("pk").iterator(chunk_size=CHUNK):
        if account.floor_minor is None:
            if account.kind not in UNBOUNDED_KINDS:
                yield _subject(account), "has no floor but is not a clearing account"
            continue
        # Both the stored balance and the sum of legs must respect the floor.
        lowest = min(account.balance_minor, sums.get(account.pk, 0))
        if lowest < account.floor_minor:
            yield (
                _subject(account),
                f"holds {Money(lowest, account.unit)}, "
                f"below its floor {Money(account.floor_minor, account.unit)}",
            )


def _value_created_or_lost() -> Iterator[Finding]:
    balances = (
        Account.objects.values("unit")
        .annotate(total=Sum("balance_minor"))
        .exclude(total=0)
        .order_by("unit")
    )
    for row in balances:
        yield (
            f"unit {row['unit']}",
            f"balances sum to {Money(row['total'], row['unit'])}",
        )
    legs = (
        _posted_legs()
        .values("unit")
        .annotate(total=Sum("amount_minor"))
        .exclude(total=0)
        .order_by("unit")
    )
    for row in legs:
        yield (
            f"unit {row['unit']}",
            f"posted legs sum to {Money(row['total'], row['unit'])}",
        )


def _checksums_differ() -> Iterator[Finding]:
    account_ids = dict(Account.objects.values_list("pk", "public_id"))
    reversed_ids = dict(
        Transaction.objects.filter(reverses__isnull=False).values_list(
            "pk", "reverses__public_id"
        )
    )
    # A merge of two streams ordered by transaction id: memory stays flat.
    legs_stream = (
        _posted_legs()
        .order_by("transaction_id", "id")
        .values_list("transaction_id", "account_id", "unit", "amount_minor")
        .iterator(chunk_size=CHUNK)
    )
    leg = next(legs_stream, None)
    transactions = (
        Transaction.objects.filter(state=Transaction.State.POSTED)
        .order_by("pk")
        .iterator(chunk_size=CHUNK)
    )
    for txn in transactions:
        legs = []
        while leg is not None and leg[0] <= txn.pk:
            if leg[0] == txn.pk:
                legs.append((account_ids[leg[1]], leg[2], leg[3]))
            leg = next(legs_stream, None)
        recomputed = (
            transaction_checksum(
                public_id=txn.public_id,
                idempotency_key=txn.idempotency_key,
                kind=txn.kind,
                reference=txn.reference,
                memo=txn.memo,
                posted_at=txn.posted_at,
                reverses=reversed_ids.get(txn.pk),
                legs=legs,
            )
            if txn.posted_at is not None
            else ""
        )
        if recomputed != txn.checksum:
            yield (
                f"transaction {txn.public_id}",
                "its content or legs differ from what was posted",
            )

    heads: dict[int, str] = defaultdict(str)
    chained = (
        _posted_legs()
        .order_by("account_id", "id")
        .values_list("account_id", "transaction__checksum")
        .iterator(chunk_size=CHUNK)
    )
    for account_id, txn_checksum in chained:
        heads[account_id] = chain_next(heads[account_id], txn_checksum)
    for pk, public_id, stored in Account.objects.order_by("pk").values_list(
        "pk", "public_id", "checksum"
    ):
        if heads[pk] != stored:
            yield (
                f"account {public_id}",
                "its chain of transactions differs from the one posted "
                "(a transaction was removed, added or reordered)",
            )


CHECKS = (
    Check("every transaction is posted", _unposted_transactions),
    Check(
        "every posted transaction has two legs or more, summing to zero per unit",
        _unbalanced_transactions,
    ),
    Check("every leg is in its account's unit", _legs_in_another_unit),
    Check("every stored balance equals the sum of its posted legs", _balances_off),
    Check("no account is below its floor", _below_floor),
    Check(
        "value is conserved: balances and legs sum to zero per unit",
        _value_created_or_lost,
    ),
    Check(
        "posted rows are unchanged (checksums and account chains)", _checksums_differ
    ),
)


def ledger_audit(*, extra_checks: Iterable[Check] = ()) -> AuditReport:
    """Check every invariant of the whole ledger and return what was found.

    ``extra_checks`` are the invariants of apps above the ledger (escrow of a
    finished exchange is zero; captured = released + fees + refunds), run after
    the ledger's own and reported the same way.
    """
    with consistent_read():
        report = AuditReport(
            transactions=Transaction.objects.count(),
            legs=Leg.objects.count(),
            accounts=Account.objects.count(),
        )
        for check in (*CHECKS, *extra_checks):
            report.checks.append(check.name)
            report.violations.extend(
                Violation(check.name, subject, detail)
                for subject, detail in check.run()
            )
    return report
