"""Writes on payments: charges into escrow, refunds, releases less fees, payouts, deposits.

Money moves only through ``ledger.services.transaction_post``. Each service names
the external call it makes by an idempotency key derived from what it settles,
and posts its ledger transaction under the same key:

========================  ==========================================
``charge:<reference>``    the first charge attempt of a reference (a
                          retry after a decline adds ``:attempt-<n>``;
                          a second part, e.g. a milestone, ``:<part>``)
``refund:<reference>``    a refund (``:<part>`` for a further one)
``release:<reference>``   a release (``:<part>`` for a further one)
``payout:<payout id>``    a payout
``deposit:<reference>``   a deposit's authorisation (``:attempt-<n>``
                          after a decline), then ``:capture``,
                          ``:void`` or ``:expire`` when it ends
========================  ==========================================

so that a retried call (a worker restarted, a client retrying) settles the same
thing once. No gateway call is made inside a database transaction: charges and
authorisations record the attempt, commit, call and apply the answer; refunds,
payouts, captures and voids are queued and made after commit (``calls``); the
worker finishes what a crash left half done (``reconcile``). The exchange
engine calls these services with the exchange's public id as ``reference`` and
the parties and community explicitly.
"""

from selfwork.payments.services.calls import (
    calls_after_commit,
    calls_run_due,
)
from selfwork.payments.services.charges import (
    charge_abandon,
    charge_claim,
    escrow_charge,
    manual_charge_cancel,
    manual_charge_confirm,
    pending_payments_lapse,
)
from selfwork.payments.services.common import (
    DECLINE_DETAIL,
)
from selfwork.payments.services.deposits import (
    deposit_abandon,
    deposit_authorise,
    deposit_capture,
    deposit_claim,
    deposit_void,
    deposits_expire,
    manual_deposit_confirm,
    manual_deposit_return,
)
from selfwork.payments.services.escrow import (
    EscrowSplit,
    escrow_refund,
    escrow_release,
    escrow_split_preview,
)
from selfwork.payments.services.payouts import (
    DESTINATION_GATEWAY,
    payout_create,
    payout_destination_add,
    payout_preference_set,
)
from selfwork.payments.services.reconcile import payments_reconcile
from selfwork.payments.services.settings import (
    charge_policy,
    fee_policy_for,
    payment_settings_set,
)

__all__ = [
    "EscrowSplit",
    "escrow_split_preview",
    "DECLINE_DETAIL",
    "DESTINATION_GATEWAY",
    "calls_after_commit",
    "calls_run_due",
    "charge_abandon",
    "charge_claim",
    "charge_policy",
    "deposit_abandon",
    "deposit_authorise",
    "deposit_claim",
    "deposit_capture",
    "deposit_void",
    "deposits_expire",
    "escrow_charge",
    "escrow_refund",
    "escrow_release",
    "fee_policy_for",
    "manual_charge_cancel",
    "manual_charge_confirm",
    "pending_payments_lapse",
    "manual_deposit_confirm",
    "manual_deposit_return",
    "payment_settings_set",
    "payments_reconcile",
    "payout_create",
    "payout_destination_add",
    "payout_preference_set",
]
