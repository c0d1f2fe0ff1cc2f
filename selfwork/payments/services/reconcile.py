"""Reconciliation with the gateways: what a crash left half done, finished.

A charge or an authorisation is recorded before the gateway is called and
updated after it answers; a process that dies in between leaves it ``pending``
with no gateway reference. The gateway's own record says what happened
(``Gateway.lookup``): the worker applies it, exactly as the request would have.
A payment nothing claimed (its exchange's transaction failed, the request died)
is then given back, and queued gateway calls that did not finish are made
again. Every step is a compare-and-set under the original idempotency keys, so
running it twice, or beside the request, moves nothing twice.
"""

import datetime as dt

from django.db.models import Q

from selfwork.payments.gateways import gateway_get
from selfwork.payments.models import Charge, Deposit
from selfwork.payments.services.calls import calls_run_due
from selfwork.payments.services.charges import _charge_apply, charge_abandon
from selfwork.payments.services.deposits import _deposit_apply, deposit_abandon

# How long a request may still be waiting for its gateway's answer ...
ANSWER_WAIT = dt.timedelta(minutes=2)
# ... and for its exchange to take the payment it got.
CLAIM_WAIT = dt.timedelta(minutes=10)
# The answer for a call the gateway never received: nothing was taken.
NEVER_RECEIVED = "not_received"


def _unanswered(model, now: dt.datetime):
    return (
        model.objects.filter(
            status="pending", gateway_ref="", created_at__lte=now - ANSWER_WAIT
        )
        .exclude(gateway="manual")
        .order_by("pk")
    )


def _unclaimed(model, now: dt.datetime, taken: list[str]):
    return (
        model.objects.filter(
            claimed_at__isnull=True,
            abandoned_at__isnull=True,
            created_at__lte=now - CLAIM_WAIT,
        )
        .filter(Q(status__in=taken) | (Q(status="pending") & ~Q(gateway_ref="")))
        .order_by("pk")
    )


def payments_reconcile(*, now: dt.datetime, limit: int = 100) -> int:
    """Finish what crashes left half done, at most ``limit`` of each; return how many."""
    done = 0
    for charge in _unanswered(Charge, now)[:limit]:
        answer = gateway_get(charge.gateway).lookup(
            idempotency_key=charge.idempotency_key
        )
        _charge_apply(
            charge,
            status=answer.status if answer else "failed",
            ref=answer.ref if answer else "",
            failure_code=answer.failure_code if answer else NEVER_RECEIVED,
            now=now,
        )
        done += 1
    for deposit in _unanswered(Deposit, now)[:limit]:
        answer = gateway_get(deposit.gateway).lookup(
            idempotency_key=deposit.idempotency_key
        )
        status = answer.status if answer else "failed"
        _deposit_apply(
            deposit,
            status="authorised" if status == "succeeded" else status,
            ref=answer.ref if answer else "",
            failure_code=answer.failure_code if answer else NEVER_RECEIVED,
            now=now,
        )
        done += 1
    for charge in _unclaimed(Charge, now, [Charge.Status.SUCCEEDED])[:limit]:
        charge_abandon(charge=charge, now=now)
        done += 1
    for deposit in _unclaimed(Deposit, now, [Deposit.Status.HELD])[:limit]:
        deposit_abandon(deposit=deposit, now=now)
        done += 1
    return done + calls_run_due(now=now, limit=limit)
