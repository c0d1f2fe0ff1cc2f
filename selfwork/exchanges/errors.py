"""The anticipated failures of exchanges, each with a stable ``code``."""

from selfwork.core.errors import Conflict, InvalidInput


class InvalidTransition(Conflict):
    """The exchange is not in a state the transition leaves from (409)."""

    code = "invalid_transition"
    title = "Invalid transition"


class GuardFailed(Conflict):
    """The transition's condition does not hold now, e.g. no revisions are left."""

    code = "guard_failed"
    title = "Not possible now"


class CommissionsClosed(Conflict):
    """The provider takes no new commissions."""

    code = "commissions_closed"
    title = "Commissions closed"


class ProcessInvalid(InvalidInput):
    """A process file is refused by the validator; ``problems`` lists every reason."""

    code = "invalid_process"
    title = "Invalid process"


class PaymentPending(Conflict):
    """Escrow waits for a payment a host has yet to confirm (cash, a transfer)."""

    code = "payment_pending"
    title = "Payment pending"
