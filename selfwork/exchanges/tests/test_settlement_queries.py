"""How many queries settling one commission takes: pay, deliver and accept.

Each transition's count is pinned, so that a change that reads a row again, or
writes one row at a time, shows here before it shows in ``bench/settlement.py``.
A count that goes down is good news: lower the number here.

The process definition an exchange pinned is read by the engine's loader
(``process_version_load``), which keeps the versions it has read; its one read
is left out of the counts, and checked apart: at most once per transition.
"""

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from selfwork.exchanges import services
from selfwork.payments.gateways import CARD_SUCCEEDS

pytestmark = pytest.mark.django_db

PROCESS_LOAD = 'SELECT "exchanges_processversion"."text"'

# Queries per transition (BEGIN, SAVEPOINT and COMMIT included), by database.
# PostgreSQL and SQLite differ where Django does: how a transaction begins.
EXPECTED = {
    "postgresql": {"pay": 44, "deliver": 16, "accept": 36},
    "sqlite": {"pay": 44, "deliver": 16, "accept": 36},
}


class Queries:
    """The SQL run on every database alias while the block runs."""

    def __enter__(self):
        self.contexts = [CaptureQueriesContext(connections[a]) for a in connections]
        for context in self.contexts:
            context.__enter__()
        return self

    def __exit__(self, *exc):
        for context in self.contexts:
            context.__exit__(*exc)

    @property
    def sql(self) -> list[str]:
        return [q["sql"] for c in self.contexts for q in c.captured_queries]


def _settle(exchange, *, buyer, provider, now) -> dict[str, list[str]]:
    ran = {}
    for name, actor, params in (
        ("pay", buyer, {"card": CARD_SUCCEEDS}),
        ("deliver", provider, {"note": "The finished cover."}),
        ("accept", buyer, {}),
    ):
        with Queries() as queries:
            exchange = services.exchange_transition(
                exchange=exchange, actor=actor, name=name, params=params, now=now
            )
        ran[name] = queries.sql
    assert exchange.state == "completed"
    return ran


@pytest.fixture
def counted(commission, portrait, package, buyer, provider, now):
    """Settle a second commission of ``buyer``'s; the SQL each transition ran.

    The first (``commission``) opened the provider's wallet and the fee and
    treasury accounts, as the community's first settlement does once.
    """
    _settle(commission, buyer=buyer, provider=provider, now=now)
    second = services.exchange_order(
        listing=portrait,
        customer=buyer,
        mode="service",
        package=package("Full colour"),
        now=now,
    )
    return _settle(second, buyer=buyer, provider=provider, now=now)


class TestSettlementQueries:
    @pytest.mark.parametrize("name", ["pay", "deliver", "accept"])
    def test_each_transition_runs_a_fixed_number_of_queries(self, counted, name):
        settling = [sql for sql in counted[name] if not sql.startswith(PROCESS_LOAD)]
        expected = EXPECTED[connection.vendor][name]
        assert len(settling) == expected, "\n".join(
            [f"{name}: {len(settling)} queries, {expected} expected:"] + settling
        )

    @pytest.mark.parametrize("name", ["pay", "deliver", "accept"])
    def test_the_process_is_loaded_at_most_once_per_transition(self, counted, name):
        loads = [sql for sql in counted[name] if sql.startswith(PROCESS_LOAD)]
        assert len(loads) <= 1
