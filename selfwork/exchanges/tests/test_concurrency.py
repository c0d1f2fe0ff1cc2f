"""Racing transitions, each thread on its own database connection.

These tests commit (``transaction=True``): PostgreSQL re-checks the
compare-and-set's WHERE after the winner commits, SQLite queues the writers with
IMMEDIATE transactions. Either way exactly one caller wins.
"""

import pytest

from selfwork.core.testing import race as _race
from selfwork.exchanges import services
from selfwork.exchanges.models import ExchangeEvent, Timer
from selfwork.exchanges.tasks import timers_run_due
from selfwork.ledger.audit import ledger_audit
from selfwork.payments.audit import payments_audit_checks
from selfwork.payments.models import Release

pytestmark = pytest.mark.django_db(transaction=True)


def race(count, work):
    """Each thread's result, or the code of the error it raised."""
    return _race(count, work, on_error=lambda exc: getattr(exc, "code", repr(exc)))


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
