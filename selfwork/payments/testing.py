"""Helpers for test suites of payments and of the apps above it. Never used outside tests."""

from selfwork.core.money import Money
from selfwork.ledger.models import Leg, Transaction


def eur(amount: str) -> Money:
    """``eur("12.50")`` is 12.50 EUR."""
    return Money.parse(amount, "EUR")


def ledger_counts() -> tuple[int, int]:
    """How many transactions and legs the ledger holds (to prove nothing was posted)."""
    return Transaction.objects.count(), Leg.objects.count()
