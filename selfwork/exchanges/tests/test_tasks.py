"""The worker: due timers fire once, notifications become e-mail, the clock fast-forwards."""

import datetime as dt
import io

import pytest
from django.core import mail

from selfwork.core.models import IdempotencyRecord, RateCounter
from selfwork.core.throttle import rate_hit
from selfwork.exchanges.models import OutboxEvent, Timer
from selfwork.exchanges.tasks import outbox_run, timers_run_due, worker_loop
from selfwork.notifications.models import Notification
from selfwork.notifications.tasks import notification_emails_send

pytestmark = pytest.mark.django_db


def test_a_timer_fires_once_however_often_the_worker_runs(commission, later):
    assert timers_run_due(now=later(days=7)) == 1
    assert timers_run_due(now=later(days=8)) == 0
    timer = Timer.objects.get(transition="expire")
    assert (timer.done, timer.outcome, timer.attempts) == (True, "fired", 1)


def test_a_timer_whose_state_was_left_by_a_racing_click_is_skipped(
    commission, move, buyer, later
):
    timer = Timer.objects.get(transition="expire")
    # The customer pays at the last moment, but the timer row was not cancelled
    # (as if claimed by a worker that read it just before).
    Timer.objects.filter(pk=timer.pk).update(due_at=later(days=1))
    move(commission, buyer, "pay")
    Timer.objects.filter(pk=timer.pk).update(done=False, done_at=None, outcome="")

    assert timers_run_due(now=later(days=2)) == 0
    timer.refresh_from_db()
    assert timer.outcome == "skipped"
    commission.refresh_from_db()
    assert commission.state == "in_progress"


def test_notifications_are_mailed_to_the_other_party(
    commission, move, buyer, provider, later
):
    move(commission, buyer, "pay")
    delivered = outbox_run(now=later(minutes=1))
    assert delivered == OutboxEvent.objects.count()
    assert OutboxEvent.objects.filter(done=False).count() == 0
    # The order, then the payment: both told to the provider, neither to the buyer.
    assert notification_emails_send(now=later(minutes=1)) == 2
    ordered, message = mail.outbox
    assert ordered.subject == f"{buyer.name} ordered “Book cover illustration”."
    assert message.to == ordered.to == [provider.email]
    assert message.subject == "“Book cover illustration” is paid for."
    assert "The exchange is now: In progress." in message.body
    assert notification_emails_send(now=later(minutes=2)) == 0


def test_a_failing_mail_server_is_retried_later(
    commission, move, buyer, later, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # nothing listens
    move(commission, buyer, "pay")
    assert notification_emails_send(now=later(minutes=1)) == 0
    failed = Notification.objects.get(kind="paid")
    assert failed.email == "pending"
    assert failed.email_attempts == 1
    assert failed.email_error
    assert failed.email_available_at > later(minutes=1)


def test_the_worker_fast_forwards_to_a_given_time(
    commission, move, buyer, provider, later
):
    move(commission, buyer, "pay")
    move(commission, provider, "deliver", note="Done")
    out = io.StringIO()
    assert worker_loop(once=True, now=later(days=4), stdout=out) == 0
    commission.refresh_from_db()
    assert commission.state == "completed"
    assert "1 timer(s) fired" in out.getvalue()
    assert OutboxEvent.objects.filter(done=False).count() == 0


class TestPeriodicAudit:
    def test_a_clean_ledger_is_reported_as_such(self, db):
        import io

        from selfwork.exchanges.tasks import audit_run

        out = io.StringIO()
        assert audit_run(stdout=out) is True
        assert "all invariants hold" in out.getvalue()

    def test_a_corrupted_ledger_is_reported_loudly(self, db, now, caplog):
        import io

        from django.db import connection

        from selfwork.exchanges.tasks import audit_run
        from selfwork.ledger.services import account_get_or_create, transaction_post
        from selfwork.ledger.testing import ledger_triggers_drop

        wallet = account_get_or_create(
            kind="member_wallet", owner_ref="member:x", unit="EUR", now=now
        )
        clearing = account_get_or_create(
            kind="gateway_clearing",
            owner_ref="gateway:x",
            unit="EUR",
            now=now,
            floor_minor=None,
        )
        transaction_post(
            kind="test",
            legs=[(clearing, -500), (wallet, 500)],
            idempotency_key="audit-test",
            now=now,
        )
        ledger_triggers_drop()
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE ledger_leg SET amount_minor = 501 WHERE amount_minor = 500"
            )
        out = io.StringIO()
        assert audit_run(stdout=out) is False
        assert "All invariants hold" not in out.getvalue()
        assert any(r.levelname == "ERROR" for r in caplog.records)


def test_the_worker_purges_idempotency_records_after_a_day_and_spent_counters(now):
    for key, age in [("yesterday", dt.timedelta(hours=25)), ("today", dt.timedelta())]:
        IdempotencyRecord.objects.create(
            scope="s", key=key, request_hash="h", status_code=200, created_at=now - age
        )
    rate_hit(bucket="spent", limit=5, seconds=60, now=now - dt.timedelta(minutes=2))
    rate_hit(bucket="current", limit=5, seconds=60, now=now)
    out = io.StringIO()
    assert worker_loop(once=True, now=now, stdout=out) == 0
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["today"]
    assert list(RateCounter.objects.values_list("bucket", flat=True)) == ["current"]
    assert "2 expired record(s) purged" in out.getvalue()
