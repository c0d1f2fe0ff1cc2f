"""Exchanges' invariants, for ``ledger_audit(extra_checks=exchanges_audit_checks())``.

- the escrow of every closed exchange (all its milestones' references) is zero;
- an exchange still waiting for its first payment has captured nothing.
"""

from collections.abc import Iterator

from selfwork.exchanges.actions import payment_references
from selfwork.exchanges.engine import process_version_load
from selfwork.exchanges.models import Exchange
from selfwork.ledger.audit import Check, Finding
from selfwork.payments.models import Charge
from selfwork.payments.selectors import reference_totals


def _closed_totals(chunk: int = 500) -> Iterator[tuple[Exchange, list]]:
    """Each closed exchange with the totals of its references (batched queries)."""
    rows = Exchange.objects.filter(closed_at__isnull=False).order_by("pk")
    batch: list[Exchange] = []
    for exchange in rows.iterator(chunk_size=chunk):
        batch.append(exchange)
        if len(batch) == chunk:
            yield from _with_totals(batch)
            batch = []
    yield from _with_totals(batch)


def _with_totals(batch: list[Exchange]) -> Iterator[tuple[Exchange, list]]:
    if not batch:
        return
    refs = {e.pk: payment_references(e) for e in batch}
    totals = {
        t.reference: t
        for t in reference_totals(references=[r for rs in refs.values() for r in rs])
    }
    for exchange in batch:
        yield exchange, [totals[r] for r in refs[exchange.pk] if r in totals]


def _closed_escrow_not_zero() -> Iterator[Finding]:
    for exchange, totals in _closed_totals():
        for total in totals:
            if total.escrow.minor != 0:
                yield (
                    f"exchange {exchange.public_id}",
                    f"is {exchange.state} but escrow of {total.reference} holds "
                    f"{total.escrow}",
                )


def _unpaid_but_captured() -> Iterator[Finding]:
    for exchange in Exchange.objects.order_by("pk").iterator(chunk_size=500):
        process = process_version_load(exchange.process_name, exchange.process_version)
        if exchange.state != process.initial or exchange.milestone_index:
            continue
        # A charge in flight (taken, not yet claimed) or given back unclaimed
        # paid for nothing yet; the reconciliation settles those.
        if Charge.objects.filter(
            reference__in=payment_references(exchange),
            status__in=Charge.CAPTURED,
            claimed_at__isnull=False,
        ).exists():
            yield (
                f"exchange {exchange.public_id}",
                f"is still {exchange.state} but a charge was captured for it",
            )


def exchanges_audit_checks() -> list[Check]:
    """The exchanges invariants, as checks for ``ledger.audit.ledger_audit``."""
    return [
        Check(
            "exchanges: escrow of every closed exchange is zero",
            _closed_escrow_not_zero,
        ),
        Check(
            "exchanges: no exchange awaiting its first payment has captured money",
            _unpaid_but_captured,
        ),
    ]
