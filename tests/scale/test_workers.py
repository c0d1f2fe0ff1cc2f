"""Three ``selfwork worker`` processes, through PgBouncer, fire each due timer once.

Workers claim timers with ``SELECT … FOR UPDATE SKIP LOCKED``; in transaction
pooling mode that lock lives exactly as long as the transaction that took it,
which is all the claim needs.
"""

import datetime as dt
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from selfwork.catalog.services import listing_create
from selfwork.communities.services import community_create
from selfwork.exchanges import services
from selfwork.exchanges.models import ExchangeEvent, Timer

pytestmark = pytest.mark.django_db(transaction=True)

SELFWORK = str(Path(sys.executable).parent / "selfwork")
EXCHANGES = 18
WORKERS = 3


@pytest.fixture
def orders(host, provider, buyer, member_of, now):
    """Commissions awaiting payment: each expires after seven days by a timer."""
    guild = community_create(
        creator=host,
        slug=f"guild-{uuid.uuid4().hex[:8]}",
        name="Illustrators' Guild",
        now=now,
        settings={"currency": "EUR", "fee_percent": "5"},
    )
    member_of(guild, provider)
    member_of(guild, buyer)
    listing = listing_create(
        owner=provider,
        community=guild,
        title="Book cover illustration",
        modes=[
            {
                "mode": "service",
                "packages": [
                    {
                        "name": "Sketch",
                        "price": {"amount": "40.00", "currency": "EUR"},
                        "delivery_days": 3,
                        "revisions": 1,
                    }
                ],
            }
        ],
        now=now,
    )
    package = str(listing.modes.get(mode="service").packages.get().public_id)
    return [
        services.exchange_order(
            listing=listing, customer=buyer, mode="service", package=package, now=now
        )
        for _ in range(EXCHANGES)
    ]


def test_three_worker_processes_fire_each_due_timer_exactly_once(orders, now):
    at = (now + dt.timedelta(days=8)).isoformat()
    workers = [
        subprocess.Popen(
            [SELFWORK, "worker", "--once", "--now", at],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(WORKERS)
    ]
    outputs = [worker.communicate(timeout=150) for worker in workers]

    assert [w.returncode for w in workers] == [0] * WORKERS, outputs
    fired_by = [
        sum(int(n) for n in re.findall(r"(\d+) timer\(s\) fired", out))
        for out, _ in outputs
    ]
    print(f"timers fired by each worker: {fired_by}")
    assert sum(fired_by) == EXCHANGES
    timers = Timer.objects.filter(exchange__in=orders, kind=Timer.Kind.TRANSITION)
    assert timers.filter(outcome=Timer.Outcome.FIRED).count() == EXCHANGES
    assert set(timers.values_list("attempts", flat=True)) == {1}
    assert (
        ExchangeEvent.objects.filter(exchange__in=orders, name="expire").count()
        == EXCHANGES
    )
    for exchange in orders:
        exchange.refresh_from_db()
        assert exchange.state == "expired"
