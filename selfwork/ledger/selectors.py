"""Reads on the ledger: balances, entries, accounts."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import QuerySet

from selfwork.core.money import Money
from selfwork.ledger.models import Account, Leg, Transaction


@dataclass(frozen=True)
class OwnerBalance:
    """One account of an owner: its kind, balance and what is available above its floor."""

    account_id: uuid.UUID
    kind: str
    unit: str
    balance: Money
    floor: Money | None

    @property
    def available(self) -> Money | None:
        """What can leave the account; None when it has no floor."""
        if self.floor is None:
            return None
        return self.balance - self.floor


def account_balance(*, account: Account) -> Money:
    """Return ``account``'s balance as stored now (not the instance's copy)."""
    minor = Account.objects.filter(pk=account.pk).values_list(
        "balance_minor", flat=True
    )
    return Money(minor.get(), account.unit)


def balances_for_owner(*, owner_ref: str) -> list[OwnerBalance]:
    """Return every account held by ``owner_ref``, ordered by unit, then kind."""
    return [
        OwnerBalance(
            account_id=account.public_id,
            kind=account.kind,
            unit=account.unit,
            balance=Money(account.balance_minor, account.unit),
            floor=(
                Money(account.floor_minor, account.unit)
                if account.floor_minor is not None
                else None
            ),
        )
        for account in Account.objects.filter(owner_ref=owner_ref).order_by(
            "unit", "kind", "pk"
        )
    ]


def account_list(
    *,
    owner_ref_prefix: str | None = None,
    kind: str | None = None,
    unit: str | None = None,
) -> QuerySet[Account]:
    """Return accounts, optionally narrowed, ordered by owner, kind and unit."""
    accounts = Account.objects.all()
    if owner_ref_prefix:
        accounts = accounts.filter(owner_ref__startswith=owner_ref_prefix)
    if kind:
        accounts = accounts.filter(kind=kind)
    if unit:
        accounts = accounts.filter(unit=unit)
    return accounts.order_by("owner_ref", "kind", "unit", "pk")


def entries_for_account(
    *, account: Account, before_id: int | None = None
) -> QuerySet[Leg]:
    """Return ``account``'s posted legs, newest first, with their transactions.

    Page by keyset: pass the last leg's ``id`` as ``before_id`` for the next page.
    Leg ids of one account grow in posting order (legs are written under the
    account's row lock), so a page never skips a leg posted meanwhile.
    """
    legs = Leg.objects.filter(
        account=account, transaction__state=Transaction.State.POSTED
    )
    if before_id is not None:
        legs = legs.filter(id__lt=before_id)
    return legs.select_related("transaction").order_by("-id")


def transactions_for_reference(*, reference: str) -> QuerySet[Transaction]:
    """Return the posted transactions carrying ``reference``, oldest first, with legs."""
    return (
        Transaction.objects.filter(reference=reference, state=Transaction.State.POSTED)
        .prefetch_related("legs__account")
        .order_by("pk")
    )


@contextmanager
def consistent_read() -> Iterator[None]:
    """Make every read inside see one snapshot of the ledger (audit, export).

    Posts landing between two queries would otherwise show as violations, or as a
    journal whose parts disagree. On PostgreSQL a REPEATABLE READ, READ ONLY
    transaction gives that view without blocking writers; SQLite's IMMEDIATE
    transaction gives it by holding the write lock meanwhile. Inside a caller's
    transaction, that one is used as it is.
    """
    if connection.in_atomic_block:
        yield
        return
    # A pending health check would run its SELECT 1 inside the transaction,
    # before SET TRANSACTION; let it run now.
    connection.close_if_health_check_failed()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"
                )
        yield
