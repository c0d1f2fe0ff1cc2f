"""Checksums that let the audit prove posted rows were not edited behind its back.

Each posted transaction carries the sha256 of its content and legs. Each account
carries the head of a hash chain over the checksums of the transactions that
touched it, in posting order (the order its legs were written, under the
account's row lock), so deleting, inserting or reordering whole transactions is
seen too. The hashes are not keyed: someone who can rewrite every later row and
every head can forge them; against that, keep backups and database rights apart.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from uuid import UUID

CHECKSUM_VERSION = 1


def transaction_checksum(
    *,
    public_id: UUID,
    idempotency_key: str,
    kind: str,
    reference: str,
    memo: str,
    posted_at: dt.datetime,
    reverses: UUID | None,
    legs: Iterable[tuple[UUID, str, int]],
) -> str:
    """Return the hex sha256 of a transaction; ``legs`` are (account id, unit, amount)."""
    payload = [
        CHECKSUM_VERSION,
        str(public_id),
        idempotency_key,
        kind,
        reference,
        memo,
        posted_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        str(reverses) if reverses is not None else None,
        sorted([str(account), unit, int(amount)] for account, unit, amount in legs),
    ]
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def chain_next(head: str, transaction_checksum: str) -> str:
    """Return an account's chain head after one more transaction."""
    return hashlib.sha256(f"{head}:{transaction_checksum}".encode()).hexdigest()
