"""The ledger's anticipated failures, each with a stable ``code``.

Other invalid input (no legs, a zero leg, a unit that is not the account's) is an
``InvalidInput`` with its own code, raised where it is detected.
"""

from selfwork.core.errors import Conflict, InvalidInput, declare
from selfwork.core.errors import IdempotencyKeyReused as _KeyReused


class UnbalancedTransaction(InvalidInput):
    """The legs do not sum to zero in every unit."""

    code = "unbalanced_transaction"


class InsufficientFunds(Conflict):
    """A leg would take an account below its floor.

    A conflict with the ledger's current state (409), not bad input: the same
    request may succeed once the account holds more.
    """

    code = "insufficient_funds"
    title = "Insufficient funds"


class IdempotencyKeyReused(_KeyReused):
    """The idempotency key was already used for a different transaction (422)."""


class AlreadyReversed(Conflict):
    """The transaction has been reversed already, under another idempotency key."""

    code = "already_reversed"
    title = "Already reversed"


# Codes raised with a general class (``InvalidInput(..., code=…)``).
declare(
    __name__,
    ("duplicate_account", 422, "An account appears twice in one transaction."),
    ("floor_above_balance", 422, "The account's balance is below the floor asked for."),
    (
        "floor_required",
        422,
        "Only clearing and issuance accounts may be without a floor.",
    ),
    ("invalid_leg", 422, "A leg is not an account and an amount."),
    ("invalid_memo", 422, "A memo is text of at most 500 characters."),
    ("invalid_owner_ref", 422, "An owner reference is not an opaque id."),
    ("not_posted", 422, "Only a posted transaction can be reversed."),
    ("too_few_legs", 422, "A transaction needs at least two legs."),
    ("unit_mismatch", 422, "A leg's unit is not its account's."),
    ("unknown_account_kind", 422, "The account kind is not one the ledger knows."),
    (
        "unknown_export_format",
        422,
        "The export format is not hledger, beancount or csv.",
    ),
    ("unknown_export_view", 422, "The export view is not books or holders."),
    ("books_of_the_whole_ledger", 422, "The platform's books cover the whole ledger."),
    ("zero_leg", 422, "A leg moves nothing."),
)
