"""The anticipated failures of payments, each with a stable ``code``.

A declined card is not bad input: the request was right, the money did not come.
It is a 402 (Payment Required), as card processors' own APIs answer.
"""

from typing import Any

from selfwork.core.errors import Conflict, SelfworkError, declare


class PaymentRequired(SelfworkError):
    """Money was asked for and did not come (402)."""

    status = 402
    code = "payment_required"
    title = "Payment required"


class PaymentDeclined(PaymentRequired):
    """The gateway refused the card.

    As with the card networks, the code is ``card_declined`` and
    ``decline_code`` says why (``card_declined`` or ``insufficient_funds``, on
    the card, not in a wallet); a ``processing_error`` is its own code, and
    ``retryable``: the same card may succeed a moment later.
    """

    code = "card_declined"
    title = "Payment declined"

    @classmethod
    def because(cls, failure_code: str, detail: str, **extra: Any) -> "PaymentDeclined":
        retryable = failure_code == "processing_error"
        return cls(
            detail,
            code="processing_error" if retryable else cls.code,
            decline_code=failure_code,
            retryable=retryable,
            **extra,
        )


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


# Codes raised with a general class (``InvalidInput(..., code=…)``).
declare(
    __name__,
    ("already_charged", 409, "The reference was charged already, for another payment."),
    ("charge_not_found", 404, "No payment has that id."),
    ("community_mismatch", 422, "The reference was paid in another community."),
    ("deposit_exists", 409, "The reference has a deposit already, of another amount."),
    ("deposit_not_found", 404, "No deposit has that id."),
    ("destination_not_found", 404, "No payout destination of yours has that id."),
    (
        "gateway_key_reused",
        409,
        "The gateway answered another request with the same key.",
    ),
    ("invalid_account_number", 422, "An account number is 8 to 34 letters and digits."),
    ("invalid_part", 422, "A part is a short lower-case name such as milestone-2."),
    (
        "not_a_manual_deposit",
        422,
        "Only a cash (manual) deposit is recorded by a host.",
    ),
    ("payment_abandoned", 409, "The deposit was given back before it was taken."),
    ("payment_in_progress", 409, "Another payment for the same thing is in progress."),
    (
        "processing_error",
        402,
        "The card processor failed; the same card may work shortly.",
    ),
    ("provider_mismatch", 422, "The reference was paid for another provider."),
    ("release_exceeds_escrow", 409, "A release asks for more than escrow holds."),
    ("self_payment", 422, "A member cannot pay or hold a deposit for themselves."),
    (
        "unknown_destination_kind",
        422,
        "The payout destination kind is not one offered.",
    ),
    ("unknown_gateway", 422, "The payment gateway is not sandbox or manual."),
)
