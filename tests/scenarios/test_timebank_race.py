"""50 racing confirmations that together exceed the payer's floor.

Each thread confirms a different exchange of one hour, all paid by the same
member, whose floor is −20 hours: exactly twenty are confirmed, the others are
refused with ``insufficient_hours`` and move nothing, on SQLite and PostgreSQL.
The test commits (``transaction=True``) so each thread has its own connection.
"""

import pytest

from selfwork.catalog.services import listing_create
from selfwork.communities.services import community_update
from selfwork.communities.timebank import hours_balances_of
from selfwork.core.testing import race
from selfwork.exchanges import services
from selfwork.exchanges.models import Exchange
from selfwork.ledger.audit import ledger_audit
from selfwork.ledger.models import Transaction

pytestmark = pytest.mark.django_db(transaction=True)

RACERS = 50


def test_the_floor_holds_exactly_under_fifty_racing_confirms(
    community, host, provider, buyer, member_of, now
):
    community_update(
        community=community,
        actor=host,
        changes={"timebank_enabled": True},
        now=now,
    )
    community.refresh_from_db()
    member_of(community, provider)
    member_of(community, buyer)
    listing = listing_create(
        owner=provider,
        community=community,
        title="An hour of help",
        modes=[{"mode": "timebank", "hours": {"amount": "1", "currency": "HOUR"}}],
        now=now,
    )
    exchanges = []
    for _ in range(RACERS):
        exchange = services.exchange_order(
            listing=listing, customer=buyer, mode="timebank", now=now
        )
        exchanges.append(
            services.exchange_transition(
                exchange=exchange, actor=provider, name="accept", params={}, now=now
            )
        )

    def confirm(i):
        exchange = Exchange.objects.get(pk=exchanges[i].pk)
        services.exchange_transition(
            exchange=exchange, actor=buyer, name="confirm", params={}, now=now
        )
        return "ok"

    results = race(RACERS, confirm, on_error=lambda e: getattr(e, "code", repr(e)))

    assert results.count("ok") == 20, results
    assert results.count("insufficient_hours") == RACERS - 20, results
    balances = {
        r.community.slug: r.balance.minor for r in hours_balances_of(member=buyer)
    }
    assert balances == {"guild": -2000}
    assert Transaction.objects.filter(kind="hours").count() == 20
    assert Exchange.objects.filter(state="completed").count() == 20
    assert Exchange.objects.filter(state="agreed").count() == RACERS - 20
    report = ledger_audit()
    assert report.ok, report.render()
