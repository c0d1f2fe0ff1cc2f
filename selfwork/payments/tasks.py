"""Background jobs of payments, for the worker loop: the clock in, one service call."""

import datetime as dt

from selfwork.payments import services


def deposits_expire_run(*, now: dt.datetime, limit: int = 100) -> int:
    """Record the card authorisations lapsed by ``now``; return how many.

    The worker calls this each round, beside due timers and the outbox.
    """
    return services.deposits_expire(now=now, limit=limit)


def payments_reconcile_run(*, now: dt.datetime, limit: int = 100) -> int:
    """Apply the gateways' answers a crash left unapplied, give back payments
    nothing took, and make the gateway calls still queued; return how many."""
    return services.payments_reconcile(now=now, limit=limit)
