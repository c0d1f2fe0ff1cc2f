"""Background work: due timers and the outbox, safe with any number of workers.

Each timer or outbox row is claimed and handled in its own transaction. On
PostgreSQL workers claim rows with ``SELECT … FOR UPDATE SKIP LOCKED``, so two
workers never wait on, or handle, the same row; on SQLite the one writer
serialises them and the claim is a compare-and-set on ``done``. A timer's
transition runs through ``exchange_transition`` like anyone's, so a timer racing
a customer's click loses or wins cleanly.
"""

import datetime as dt
import logging
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TextIO

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from selfwork.core.errors import SelfworkError
from selfwork.core.heartbeats import Heartbeat, heartbeats_purge
from selfwork.core.idempotency import idempotency_records_purge
from selfwork.core.logs import log_context_bind, log_context_clear, request_id_sane
from selfwork.core.throttle import rate_counters_purge
from selfwork.exchanges.errors import GuardFailed, InvalidTransition, PaymentPending
from selfwork.exchanges.models import OutboxEvent, Timer
from selfwork.exchanges.services import (
    exchange_remind,
    exchange_transition,
    reviews_publish_due,
)
from selfwork.notifications.tasks import digests_send, notification_emails_send
from selfwork.payments.errors import GatewayUnavailable
from selfwork.payments.services import calls_after_commit
from selfwork.payments.tasks import deposits_expire_run, payments_reconcile_run

logger = logging.getLogger("selfwork.worker")
audit_logger = logging.getLogger("selfwork.audit")
RETRY_AFTER = dt.timedelta(minutes=5)
OUTBOX_MAX_ATTEMPTS = 8
# How long a worker holds an event it is delivering before another may retry it.
OUTBOX_LEASE = dt.timedelta(minutes=10)
HOUSEKEEPING_EVERY = dt.timedelta(minutes=10)


def _claimable(rows: QuerySet) -> QuerySet:
    if connection.features.has_select_for_update_skip_locked:
        # Lock every row the query joins: a timer is claimed together with its
        # exchange, or skipped while someone is moving that exchange. Locking the
        # timer alone deadlocks with a member's transition, which locks the
        # exchange first and then cancels the state's timers.
        return rows.select_for_update(skip_locked=True)
    return rows


def _timer_next(now: dt.datetime) -> Timer | None:
    rows = Timer.objects.filter(done=False, due_at__lte=now).order_by("due_at", "pk")
    return _claimable(rows).select_related("exchange").first()


def timers_run_due(*, now: dt.datetime, limit: int = 100) -> int:
    """Fire up to ``limit`` timers due at ``now``; return how many moved an exchange.

    A timer whose transition is no longer possible (the exchange moved on, a
    guard fails) is ``skipped``; one a gateway could not serve, or waiting for a
    host to confirm a payment, is retried five minutes later; any other refusal
    marks it ``failed`` with the reason.
    """
    fired = 0
    for _ in range(limit):
        # The gateway calls a timer's transition queues (a refund, a void) are
        # made after its transaction, with the timer's lock released.
        with calls_after_commit(), transaction.atomic():
            timer = _timer_next(now)
            if timer is None:
                break
            claimed = Timer.objects.filter(pk=timer.pk, done=False).update(
                done=True,
                done_at=now,
                attempts=F("attempts") + 1,
                outcome=Timer.Outcome.FIRED,
            )
            if claimed != 1:
                continue
            if timer.kind == Timer.Kind.REMINDER:
                exchange_remind(
                    exchange=timer.exchange, name=timer.transition, timer=timer, now=now
                )
                continue
            try:
                exchange_transition(
                    exchange=timer.exchange,
                    actor=None,
                    name=timer.transition,
                    params={},
                    now=now,
                    from_state=timer.state,
                )
            except (InvalidTransition, GuardFailed) as exc:
                Timer.objects.filter(pk=timer.pk).update(
                    outcome=Timer.Outcome.SKIPPED, detail=exc.detail[:300]
                )
            except (GatewayUnavailable, PaymentPending) as exc:
                Timer.objects.filter(pk=timer.pk).update(
                    done=False,
                    done_at=None,
                    outcome="",
                    due_at=now + RETRY_AFTER,
                    detail=exc.detail[:300],
                )
            except SelfworkError as exc:
                logger.warning("timer %s failed: %s", timer.pk, exc.detail)
                Timer.objects.filter(pk=timer.pk).update(
                    outcome=Timer.Outcome.FAILED, detail=exc.detail[:300]
                )
            else:
                fired += 1
    return fired


# Outbox events whose kind has a deliverer here. Notifications are e-mailed by
# ``notifications.tasks`` from their own rows; the exchange events stay in the
# outbox for webhooks to read.
HANDLERS: dict[str, Callable[[OutboxEvent], None]] = {}


def _outbox_next(now: dt.datetime) -> OutboxEvent | None:
    rows = OutboxEvent.objects.filter(done=False, available_at__lte=now).order_by(
        "available_at", "pk"
    )
    return _claimable(rows).first()


def _outbox_claim(now: dt.datetime) -> OutboxEvent | None:
    """Lease the next event due, in a short transaction of its own.

    The lease (``available_at`` pushed past the send) lets another worker take
    the event again only if this one dies before recording the result, so an
    e-mail is sent at least once and no SMTP conversation holds a lock.
    """
    with transaction.atomic():
        event = _outbox_next(now)
        if event is None:
            return None
        leased = OutboxEvent.objects.filter(
            pk=event.pk, done=False, available_at=event.available_at
        ).update(available_at=now + OUTBOX_LEASE, attempts=F("attempts") + 1)
        if leased != 1:
            return _outbox_claim(now)
    event.attempts += 1
    return event


def outbox_run(*, now: dt.datetime, limit: int = 100) -> int:
    """Deliver up to ``limit`` outbox events available at ``now``; return how many.

    An event whose kind has no deliverer here (webhooks will read them) is
    marked done. Each event is
    leased in one transaction, delivered outside any, and its result recorded
    in another. A failed delivery is retried with growing pauses, at most eight
    times.
    """
    delivered = 0
    for _ in range(limit):
        event = _outbox_claim(now)
        if event is None:
            break
        handler = HANDLERS.get(event.kind)
        try:
            if handler is not None:
                handler(event)
        except Exception as exc:  # noqa: BLE001 - an SMTP server, a network
            logger.warning("outbox %s failed: %s", event.pk, exc)
            if event.attempts < OUTBOX_MAX_ATTEMPTS:
                OutboxEvent.objects.filter(pk=event.pk, done=False).update(
                    available_at=now + RETRY_AFTER * 2**event.attempts,
                    last_error=str(exc)[:300],
                )
            else:
                OutboxEvent.objects.filter(pk=event.pk, done=False).update(
                    done=True, done_at=now, last_error=f"gave up: {exc}"[:300]
                )
            continue
        OutboxEvent.objects.filter(pk=event.pk, done=False).update(
            done=True, done_at=now
        )
        delivered += 1
    return delivered


def housekeeping_run(*, now: dt.datetime) -> int:
    """Delete what is kept only for a while: idempotency records past 24 hours,
    rate counters whose window is over, and the heartbeats of workers silent for
    a day. Return how many rows went."""
    return (
        idempotency_records_purge(now=now)
        + rate_counters_purge(now=now)
        + heartbeats_purge(now=now)
    )


def _job(name: str, run: Callable[..., int], beat: Heartbeat, **kwargs) -> int:
    """Run one of the round's jobs with its own id on every line it logs, after
    a heartbeat (a long round must not look like a dead worker)."""
    beat()
    log_context_bind(job=name, job_id=request_id_sane(None))
    try:
        return run(**kwargs)
    finally:
        log_context_clear()


def audit_run(*, stdout: TextIO) -> bool:
    """Audit the ledger with every app's checks; log loudly and return False on violations."""
    from selfwork.exchanges.audit import exchanges_audit_checks
    from selfwork.ledger.audit import ledger_audit
    from selfwork.payments.audit import payments_audit_checks

    report = ledger_audit(
        extra_checks=payments_audit_checks() + exchanges_audit_checks()
    )
    if report.ok:
        audit_logger.info("ledger audit: all invariants hold")
        stdout.write("ledger audit: all invariants hold\n")
    else:
        audit_logger.error("ledger audit found violations:\n%s", report.render())
        stdout.write(report.render())
    return report.ok


@contextmanager
def _stop_requested(*, listen: bool) -> Iterator[threading.Event]:
    """An event set by SIGTERM or SIGINT while the worker runs.

    The worker finishes the round it is in and returns 0, so a supervisor's stop
    (systemd and Docker send SIGTERM) or Ctrl-C never cuts a job in half. Only the
    main thread may listen; elsewhere, and with ``listen`` false, nothing is
    installed.
    """
    stop = threading.Event()
    if not listen or threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = {
        number: signal.signal(number, lambda *_: stop.set())
        for number in (signal.SIGTERM, signal.SIGINT)
    }
    try:
        yield stop
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def worker_loop(
    *,
    once: bool,
    now: dt.datetime | None,
    stdout: TextIO,
    interval: float = 5.0,
    batch: int = 100,
    jobs: Sequence[tuple[str, Callable[..., int]]] = (),
) -> int:
    """Run due timers, outbox events, e-mails and closed review windows.

    ``once``: until nothing is due, then return 0.

    ``now`` fast-forwards the clock (``selfwork worker --once --now …``); without
    it each round runs as of the wall clock. Without ``once`` it polls every
    ``interval`` seconds until SIGTERM or SIGINT ends it after the round it is in,
    and audits the whole ledger when it
    starts and every ``SELFWORK_AUDIT_INTERVAL`` seconds after. It purges expired
    idempotency records and rate counters when it starts and every 10 minutes.
    Each round and each job start with a heartbeat (``core.WorkerHeartbeat``,
    at most one write in 5 seconds, read by /readyz and /metrics), and each job
    logs under its own ``job_id``.

    ``jobs`` are the apps above this one that have work of their own each round
    (webhooks): a label and a function of ``now`` and ``limit`` returning how
    many things it did.
    """
    with _stop_requested(listen=not once) as stop:
        return _rounds(
            once=once,
            now=now,
            stdout=stdout,
            interval=interval,
            batch=batch,
            jobs=jobs,
            stop=stop,
        )


def _rounds(
    *,
    once: bool,
    now: dt.datetime | None,
    stdout: TextIO,
    interval: float,
    batch: int,
    jobs: Sequence[tuple[str, Callable[..., int]]],
    stop: threading.Event,
) -> int:
    audit_every = dt.timedelta(seconds=settings.SELFWORK_AUDIT_INTERVAL)
    next_audit_at = None if once else timezone.now()
    next_housekeeping_at = timezone.now()
    beat = Heartbeat()
    while True:
        beat()
        if next_audit_at is not None and timezone.now() >= next_audit_at:
            audit_run(stdout=stdout)
            next_audit_at = timezone.now() + audit_every
        at = now or timezone.now()
        if timezone.now() >= next_housekeeping_at:
            if purged := housekeeping_run(now=at):
                stdout.write(f"{at.isoformat()}: {purged} expired record(s) purged\n")
            next_housekeeping_at = timezone.now() + HOUSEKEEPING_EVERY
        fired = _job("timers", timers_run_due, beat, now=at, limit=batch)
        delivered = _job("outbox", outbox_run, beat, now=at, limit=batch)
        delivered += _job("emails", notification_emails_send, beat, now=at, limit=batch)
        delivered += _job("digests", digests_send, beat, now=at, limit=batch)
        expired = _job("deposits", deposits_expire_run, beat, now=at, limit=batch)
        reconciled = _job(
            "reconcile", payments_reconcile_run, beat, now=at, limit=batch
        )
        reviewed = _job("reviews", reviews_publish_due, beat, now=at, limit=batch)
        others = [
            (
                label,
                _job(getattr(job, "__name__", "job"), job, beat, now=at, limit=batch),
            )
            for label, job in jobs
        ]
        for label, done in others:
            if done:
                stdout.write(f"{at.isoformat()}: {done} {label}\n")
        if fired or delivered or expired or reconciled or reviewed:
            stdout.write(
                f"{at.isoformat()}: {fired} timer(s) fired, "
                f"{delivered} outbox event(s) and e-mail(s) delivered, "
                f"{expired} deposit authorisation(s) expired, "
                f"{reconciled} payment(s) reconciled, "
                f"{reviewed} exchange(s) had their reviews published\n"
            )
        # A round's work can make more due at once (a fired timer queues its
        # notifications): run again until a round finds nothing.
        busy = bool(
            fired
            or delivered
            or expired
            or reconciled
            or reviewed
            or any(done for _, done in others)
        )
        if (once and not busy) or stop.is_set():
            return 0
        if not busy and stop.wait(interval):
            return 0
