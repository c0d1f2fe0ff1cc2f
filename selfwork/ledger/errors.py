"""The ledger's anticipated failures, each with a stable ``code``.

Other invalid input (no legs, a zero leg, a unit that is not the account's) is an
``InvalidInput`` with its own code, raised where it is detected.
"""

from selfwork.core.errors import Conflict, InvalidInput


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


class IdempotencyKeyReused(InvalidInput):
    """The idempotency key was already used for a different transaction (422)."""

    code = "idempotency_key_reused"


class AlreadyReversed(Conflict):
    """The transaction has been reversed already, under another idempotency key."""

    code = "already_reversed"
    title = "Already reversed"
