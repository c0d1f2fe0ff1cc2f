"""Racing transitions, each thread on its own database connection.

These tests commit (``transaction=True``): PostgreSQL re-checks the
compare-and-set's WHERE after the winner commits, SQLite queues the writers with
IMMEDIATE transactions. Either way exactly one caller wins.
"""

import threading

import pytest
from django.db import connections

from selfwork.exchanges import services
from selfwork.exchanges.models import ExchangeEvent, Timer
from selfwork.exchanges.tasks import timers_run_due
from selfwork.ledger.audit import ledger_audit
from selfwork.ledger.testing import ledger_rows_delete
from selfwork.payments.audit import payments_audit_checks
from selfwork.payments.models import Release

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _ledger_rows_removed(transactional_db):
    yield
    ledger_rows_delete()


def race(count, work):
    """Run ``work(i)`` in ``count`` threads released at once; return each result."""
    start = threading.Barrier(count)
    results = [None] * count

    def run(i):
        try:
            start.wait()
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - reported by the assertions
            results[i] = getattr(exc, "code", repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.fixture
def delivered(commission, move, buyer, provider):
    exchange = move(commission, buyer, "pay")
    return move(exchange, provider, "deliver", note="Done")


def test_two_racing_accepts_one_wins_and_one_release_is_posted(delivered, buyer, now):
    def accept(i):
        exchange = type(delivered).objects.get(pk=delivered.pk)
        services.exchange_transition(
            exchange=exchange, actor=buyer, name="accept", params={}, now=now
        )
        return "ok"

    results = race(2, accept)

    assert sorted(results) == ["invalid_transition", "ok"]
    assert Release.objects.count() == 1
    assert ExchangeEvent.objects.filter(name="accept").count() == 1
    delivered.refresh_from_db()
    assert delivered.state == "completed"
    report = ledger_audit(extra_checks=payments_audit_checks())
    assert report.ok, report.render()


def test_an_accept_racing_the_auto_accept_timer_settles_once(
    delivered, buyer, now, later
):
    def work(i):
        if i == 0:
            exchange = type(delivered).objects.get(pk=delivered.pk)
            services.exchange_transition(
                exchange=exchange, actor=buyer, name="accept", params={}, now=later(3)
            )
            return "accepted"
        return f"timers:{timers_run_due(now=later(3))}"

    results = race(2, work)

    assert sorted(results) in (
        ["accepted", "timers:0"],
        ["invalid_transition", "timers:1"],
    )
    assert Release.objects.count() == 1
    delivered.refresh_from_db()
    assert delivered.state == "completed"


def test_several_workers_fire_each_due_timer_once(portrait, buyer, package, later, now):
    exchanges = [
        services.exchange_order(
            listing=portrait, customer=buyer, mode="service", package=package(), now=now
        )
        for _ in range(6)
    ]

    results = race(3, lambda i: timers_run_due(now=later(days=8)))

    assert sum(results) == 6
    assert Timer.objects.filter(outcome="fired").count() == 6
    assert ExchangeEvent.objects.filter(name="expire").count() == 6
    for exchange in exchanges:
        exchange.refresh_from_db()
        assert exchange.state == "expired"
