"""The anticipated failures of data requests, each with a stable ``code``.

Closing an account is refused (409) while the member still has something in
flight; each refusal says what to do first, and the same request then succeeds.
"""

from selfwork.core.errors import Conflict


class OpenExchanges(Conflict):
    """The member is a party to exchanges that have not finished."""

    code = "open_exchanges"
    title = "Exchanges still open"


class MoneyHeld(Conflict):
    """Money is held for or by the member: escrow, a deposit, a wallet, a payout."""

    code = "money_held"
    title = "Money still held"
