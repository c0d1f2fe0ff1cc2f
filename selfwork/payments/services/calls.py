"""Gateway calls made after commit: refunds, payouts, captures and voids.

A service that gives money back or pays it out decides in one transaction: it
posts the ledger and queues the gateway call (``call_queue``) beside it. The call
is made once that transaction is over, never inside it, so a slow or dead
gateway holds no database lock. ``calls_after_commit`` marks the unit of work
whose calls wait for its end: a service call, an exchange's transition, a
worker's round. A call that did not finish stays ``queued``; the worker makes it
again (``calls_run_due``) under the same idempotency key, and the gateway, which
answers a key once, settles it once.

Charges and card authorisations are the other way round: the customer waits for
their answer, so their services record the attempt and commit, call the gateway,
then apply the answer with a compare-and-set (``charges``, ``deposits``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.db.models import F

from selfwork.core.events import event_record
from selfwork.core.logs import log_on_commit
from selfwork.core.money import Money
from selfwork.ledger.models import Transaction
from selfwork.ledger.services import transaction_reverse
from selfwork.payments.gateways import GatewayResult, gateway_get
from selfwork.payments.models import Deposit, GatewayCall, Payout, Refund

logger = logging.getLogger("selfwork.payments")

# A call that failed to get an answer is tried again after 1, 2, 4 … minutes,
# at most an hour apart.
RETRY_FIRST = dt.timedelta(minutes=1)
RETRY_MOST = dt.timedelta(hours=1)

_queued: ContextVar[list[tuple[int, dt.datetime]] | None] = ContextVar(
    "selfwork_gateway_calls", default=None
)


@contextmanager
def calls_after_commit() -> Iterator[None]:
    """Make the gateway calls queued inside the block once the block is over.

    Blocks nest: an inner block hands its calls to the outermost one. Calls
    queued by work that rolled back are gone with it; a block that raises makes
    none (the worker makes those of its work that did commit).
    """
    if _queued.get() is not None:
        yield
        return
    queued: list[tuple[int, dt.datetime]] = []
    token = _queued.set(queued)
    try:
        yield
    finally:
        _queued.reset(token)
    calls_make(queued)


@contextmanager
def calls_held() -> Iterator[list[tuple[int, dt.datetime]]]:
    """Queue the gateway calls of the block and make none: yield them as they come.

    Each is ``(call pk, the time it was queued)``. For a history written after
    the fact (the demo): its writer makes each call with ``call_make`` at the
    time the gateway answered, as the worker would have then. Services inside
    the block that open ``calls_after_commit`` hand their calls to it.
    """
    if _queued.get() is not None:
        raise RuntimeError("calls_held() cannot run inside a calls_after_commit block")
    held: list[tuple[int, dt.datetime]] = []
    token = _queued.set(held)
    try:
        yield held
    finally:
        _queued.reset(token)


def call_queue(
    *,
    operation: str,
    gateway: str,
    idempotency_key: str,
    target_ref: str,
    amount: Money,
    now: dt.datetime,
    refund: Refund | None = None,
    payout: Payout | None = None,
    deposit: Deposit | None = None,
) -> GatewayCall:
    """Queue a call to ``gateway``, in the caller's transaction; made after it.

    Outside any ``calls_after_commit`` block the call is made when the
    transaction commits.
    """
    call = GatewayCall.objects.create(
        operation=operation,
        gateway=gateway,
        idempotency_key=idempotency_key,
        target_ref=target_ref,
        amount_minor=amount.minor,
        currency=amount.unit,
        status=GatewayCall.Status.QUEUED,
        refund=refund,
        payout=payout,
        deposit=deposit,
        created_at=now,
        next_at=now,
    )
    queued = _queued.get()
    if queued is not None:
        queued.append((call.pk, now))
    else:
        transaction.on_commit(lambda: calls_make([(call.pk, now)]), robust=True)
    return call


def calls_make(queued: list[tuple[int, dt.datetime]]) -> None:
    """Make each queued call still waiting (those rolled back are gone)."""
    for pk, now in queued:
        call_make(pk, now=now)


def _send(call: GatewayCall) -> GatewayResult:
    gateway = gateway_get(call.gateway)
    amount = Money(call.amount_minor, call.currency)
    key = call.idempotency_key
    if call.operation == GatewayCall.Operation.REFUND:
        return gateway.refund(
            charge_ref=call.target_ref, amount=amount, idempotency_key=key
        )
    if call.operation == GatewayCall.Operation.PAYOUT:
        return gateway.payout(
            destination=call.target_ref, amount=amount, idempotency_key=key
        )
    if call.operation == GatewayCall.Operation.CAPTURE:
        return gateway.capture(ref=call.target_ref, amount=amount, idempotency_key=key)
    return gateway.void(ref=call.target_ref, idempotency_key=key)


def call_make(pk: int, *, now: dt.datetime) -> GatewayCall | None:
    """Make the queued call ``pk`` and apply the gateway's answer; None if not queued.

    Runs outside any transaction of its caller's: the gateway is asked with no
    lock held, then the answer is applied in a short transaction of its own,
    compare-and-set on ``queued``, so a racing worker applies it once. A call
    that raises (a network error) stays queued and is tried again later.
    """
    call = GatewayCall.objects.filter(pk=pk, status=GatewayCall.Status.QUEUED).first()
    if call is None:
        return None
    try:
        result = _send(call)
    except Exception as exc:  # noqa: BLE001 - a network, a processor that is down
        logger.warning("gateway call %s failed: %s", call.idempotency_key, exc)
        _retry_later(call, now=now, error=str(exc) or exc.__class__.__name__)
        return call
    return call_apply(call, result=result, now=now)


def _retry_later(call: GatewayCall, *, now: dt.datetime, error: str) -> None:
    wait = min(RETRY_FIRST * 2**call.attempts, RETRY_MOST)
    GatewayCall.objects.filter(pk=call.pk, status=GatewayCall.Status.QUEUED).update(
        attempts=F("attempts") + 1, next_at=now + wait, last_error=error[:300]
    )


@transaction.atomic
def call_apply(
    call: GatewayCall, *, result: GatewayResult, now: dt.datetime
) -> GatewayCall:
    """Record the gateway's answer to ``call``, once."""
    done = result.ok or (
        call.operation == GatewayCall.Operation.VOID
        and result.failure_code == "authorisation_expired"
    )
    if not done and result.retryable:
        _retry_later(call, now=now, error=result.failure_code)
        call.refresh_from_db()
        return call
    moved = GatewayCall.objects.filter(
        pk=call.pk, status=GatewayCall.Status.QUEUED
    ).update(
        status=GatewayCall.Status.SUCCEEDED if done else GatewayCall.Status.FAILED,
        failure_code="" if done else (result.failure_code or "failed"),
        result_ref=result.ref,
        attempts=F("attempts") + 1,
        done_at=now,
    )
    call.refresh_from_db()
    if moved != 1:
        return call  # another worker applied it first
    if call.refund_id is not None and done:
        Refund.objects.filter(pk=call.refund_id).update(gateway_ref=result.ref)
    if call.payout is not None:
        _payout_settle(call.payout, call, result=result, now=now)
    if not done and call.payout_id is None:
        # The ledger already gave this money back or paid it (a refund, a
        # capture): a gateway that refuses needs a person. The audit lists it.
        logger.error(
            "gateway refused %s %s: %s",
            call.operation,
            call.idempotency_key,
            call.failure_code,
        )
    return call


def _payout_settle(
    payout: Payout, call: GatewayCall, *, result: GatewayResult, now: dt.datetime
) -> None:
    if result.ok:
        if Payout.objects.filter(pk=payout.pk, status=Payout.Status.REQUESTED).update(
            status=Payout.Status.PAID, gateway_ref=result.ref, paid_at=now
        ):
            _payout_log("payout paid", payout)
            _payout_announce("payout.paid", payout, now=now)
        return
    posted = Transaction.objects.get(idempotency_key=payout.idempotency_key)
    transaction_reverse(
        transaction=posted,
        idempotency_key=f"payout-failed:{payout.public_id}",
        now=now,
        memo=f"Payout failed ({call.failure_code}); back to the wallet",
    )
    if Payout.objects.filter(pk=payout.pk, status=Payout.Status.REQUESTED).update(
        status=Payout.Status.FAILED,
        gateway_ref=result.ref,
        failure_code=call.failure_code,
    ):
        _payout_log("payout failed", payout, failure_code=call.failure_code)
        _payout_announce("payout.failed", payout, now=now)


def _payout_log(message: str, payout: Payout, *, failure_code: str = "") -> None:
    fields = {
        "payout": str(payout.public_id),
        "amount_minor": payout.amount_minor,
        "currency": payout.currency,
        "failure_code": failure_code or None,
    }
    log_on_commit(logger, message, fields)


def _payout_announce(kind: str, payout: Payout, *, now: dt.datetime) -> None:
    # A payout belongs to a member, not a community: operators' endpoints hear it.
    event_record(kind=kind, subject=str(payout.public_id), community_id=None, now=now)


def calls_run_due(*, now: dt.datetime, limit: int = 100) -> int:
    """Make up to ``limit`` queued calls due by ``now``; return how many were made."""
    due = list(
        GatewayCall.objects.filter(status=GatewayCall.Status.QUEUED, next_at__lte=now)
        .order_by("next_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    made = 0
    for pk in due:
        call = call_make(pk, now=now)
        if call is not None and call.status != GatewayCall.Status.QUEUED:
            made += 1
    return made
