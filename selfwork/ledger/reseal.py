"""Rewrite the memos of posted transactions and seal them again, for data migrations.

A posted transaction never changes (the triggers of migration 0002), and its memo
is part of its checksum and of the hash chain of every account it touched. When
memos written in the past must change (they named people, who may ask to be
forgotten), a data migration calls ``memos_rewrite``: with the trigger that
freezes posted transactions lifted for the length of the migration's database
transaction, it writes the new memos, recomputes their checksums exactly as
``transaction_post`` does, and folds the chain of each account they touched
again in posting order, so ``ledger_audit`` finds the ledger as clean as before.

Only memos change: amounts, legs, keys, references and times are untouched, and
a memo is checked like one ``transaction_post`` takes. This is never called by a
request: lifting a trigger takes the table's strongest lock on PostgreSQL.
"""

from collections.abc import Callable

from django.db import connection, transaction

from selfwork.ledger.checksums import chain_next, transaction_checksum
from selfwork.ledger.models import Account, Leg, Transaction

# The trigger that refuses any UPDATE of a posted transaction, as migration 0002
# installs it on each engine.
_LIFT = {
    "sqlite": ["DROP TRIGGER ledger_transaction_posted_is_final"],
    "postgresql": [
        "DROP TRIGGER ledger_transaction_posted_is_final ON ledger_transaction"
    ],
}
_RESTORE = {
    "sqlite": [
        """
        CREATE TRIGGER ledger_transaction_posted_is_final
        BEFORE UPDATE ON ledger_transaction
        WHEN OLD.state = 'posted'
        BEGIN
          SELECT RAISE(ABORT, 'ledger: a posted transaction never changes; post a reversal');
        END
        """
    ],
    "postgresql": [
        """
        CREATE TRIGGER ledger_transaction_posted_is_final
        BEFORE UPDATE ON ledger_transaction
        FOR EACH ROW WHEN (OLD.state = 'posted')
        EXECUTE FUNCTION ledger_refuse('a posted transaction never changes; post a reversal')
        """
    ],
}

# (kind, memo, reference) -> the new memo, or None to leave the transaction as it is.
Rewriter = Callable[[str, str, str], str | None]


def _execute(statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


@transaction.atomic
def memos_rewrite(*, rewriter: Rewriter, kinds: list[str]) -> int:
    """Give the posted transactions of ``kinds`` the memos ``rewriter`` returns.

    Reseals each rewritten transaction and refolds the chains of the accounts it
    touched. Returns how many transactions changed; running it again changes none
    (a rewriter returns the new memo unchanged, or None, for a memo it wrote).
    """
    changed: dict[int, str] = {}
    for pk, kind, memo, reference in (
        Transaction.objects.filter(kind__in=kinds, state=Transaction.State.POSTED)
        .order_by("pk")
        .values_list("pk", "kind", "memo", "reference")
        .iterator()
    ):
        new = rewriter(kind, memo, reference)
        if new is not None and new != memo:
            changed[pk] = new[:500]
    if not changed:
        return 0
    # Lifted and restored inside this one database transaction (both engines
    # have transactional DDL): a failure rolls the trigger back with the rest.
    vendor = connection.vendor
    _execute(_LIFT[vendor])
    _reseal(changed)
    _execute(_RESTORE[vendor])
    return len(changed)


def _reseal(changed: dict[int, str]) -> None:
    account_ids = dict(Account.objects.values_list("pk", "public_id"))
    touched: set[int] = set()
    ids = sorted(changed)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        legs: dict[int, list[tuple]] = {pk: [] for pk in chunk}
        for txn_id, account_id, unit, amount in Leg.objects.filter(
            transaction_id__in=chunk
        ).values_list("transaction_id", "account_id", "unit", "amount_minor"):
            legs[txn_id].append((account_ids[account_id], unit, amount))
            touched.add(account_id)
        for txn in Transaction.objects.filter(pk__in=chunk).select_related("reverses"):
            memo = changed[txn.pk]
            assert txn.posted_at is not None  # posted: sealed with its time
            checksum = transaction_checksum(
                public_id=txn.public_id,
                idempotency_key=txn.idempotency_key,
                kind=txn.kind,
                reference=txn.reference,
                memo=memo,
                posted_at=txn.posted_at,
                reverses=txn.reverses.public_id if txn.reverses else None,
                legs=legs[txn.pk],
            )
            Transaction.objects.filter(pk=txn.pk).update(memo=memo, checksum=checksum)
    for account_id in sorted(touched):
        head = ""
        for txn_checksum in (
            Leg.objects.filter(
                account_id=account_id, transaction__state=Transaction.State.POSTED
            )
            .order_by("id")
            .values_list("transaction__checksum", flat=True)
            .iterator()
        ):
            head = chain_next(head, txn_checksum)
        Account.objects.filter(pk=account_id).update(checksum=head)
