"""The anticipated failures of payments, each with a stable ``code``.

A declined card is not bad input: the request was right, the money did not come.
It is a 402 (Payment Required), as card processors' own APIs answer.
"""

from selfwork.core.errors import Conflict, SelfworkError


class PaymentRequired(SelfworkError):
    """Money was asked for and did not come (402)."""

    status = 402
    code = "payment_required"
    title = "Payment required"


class PaymentDeclined(PaymentRequired):
    """The gateway refused the charge; ``code`` says why.

    ``card_declined``, ``insufficient_funds`` (on the card, not in a wallet) or
    ``processing_error`` (retryable: the same card may succeed a moment later).
    """

    code = "card_declined"
    title = "Payment declined"


class RefundExceedsEscrow(Conflict):
    """A refund asked for more than the reference still holds in escrow."""

    code = "refund_exceeds_escrow"
    title = "Refund exceeds escrow"


class NothingInEscrow(Conflict):
    """A release or refund found no money held for the reference."""

    code = "nothing_in_escrow"
    title = "Nothing in escrow"


class ReferenceSettled(Conflict):
    """The reference was released or refunded in full; it takes no more charges."""

    code = "reference_settled"
    title = "Already settled"


class NoPayoutDestination(Conflict):
    """A payout needs a destination, and the member has none yet."""

    code = "no_payout_destination"
    title = "No payout destination"


class ChargeNotPending(Conflict):
    """Only a pending (manual) charge can be confirmed or cancelled."""

    code = "charge_not_pending"
    title = "Charge not pending"


class DepositNotHeld(Conflict):
    """The deposit is not in a state that allows this (e.g. captured, or none)."""

    code = "deposit_not_held"
    title = "Deposit not held"


class DepositNotPending(Conflict):
    """Only a pending (manual, cash) deposit can be confirmed by a host."""

    code = "deposit_not_pending"
    title = "Deposit not pending"


class CaptureExceedsDeposit(Conflict):
    """A capture asked for more than the deposit holds."""

    code = "capture_exceeds_deposit"
    title = "Capture exceeds deposit"


class DepositExpired(Conflict):
    """The card authorisation lapsed; nothing can be captured from it any more."""

    code = "deposit_expired"
    title = "Deposit expired"


class GatewayUnavailable(SelfworkError):
    """The gateway did not settle a refund or payout; nothing was changed (503)."""

    status = 503
    code = "gateway_unavailable"
    title = "Payment gateway unavailable"
