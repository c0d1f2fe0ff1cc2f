"""Every path of the timebank process, with the clock moved for every timer.

In a community whose time bank gives each member a starting credit of 5 hours,
Bruno asks Priya for an hour and a half of help in the garden (the listing's
hours). After every step the whole ledger is audited, hours included, and the
hours moved are exactly what the path says: from the member helped to the
helper, or nothing at all.
"""

import datetime as dt

import pytest

from selfwork.catalog.services import listing_create
from selfwork.communities.services import community_update
from selfwork.communities.timebank import hours_balances_of, timebank_health
from selfwork.core.errors import SelfworkError
from selfwork.exchanges import services
from selfwork.exchanges.audit import exchanges_audit_checks
from selfwork.exchanges.models import Exchange
from selfwork.exchanges.tasks import timers_run_due
from selfwork.ledger.audit import ledger_audit
from selfwork.ledger.models import Transaction
from selfwork.payments.audit import payments_audit_checks

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def hours(amount):
    return {"amount": amount, "currency": "HOUR"}


@pytest.fixture
def timebank(community, host, now):
    community_update(
        community=community,
        actor=host,
        changes={"timebank_enabled": True, "timebank_starting_credit": hours("5")},
        now=now,
    )
    community.refresh_from_db()
    return community


@pytest.fixture
def gardening(timebank, provider, buyer, member_of, now):
    member_of(timebank, provider)
    member_of(timebank, buyer)
    return listing_create(
        owner=provider,
        community=timebank,
        title="Help in the garden",
        modes=[{"mode": "timebank", "hours": hours("1.50")}],
        now=now,
    )


@pytest.fixture
def wanted(timebank, provider, buyer, member_of, now):
    """Bruno's request for help: whoever answers it gives the time."""
    member_of(timebank, provider)
    member_of(timebank, buyer)
    return listing_create(
        owner=buyer,
        community=timebank,
        title="Someone to fix my bicycle's brakes",
        modes=[{"mode": "timebank", "hours": hours("2.00")}],
        kind="request",
        now=now,
    )


def balance(member, community):
    for row in hours_balances_of(member=member):
        if row.community.pk == community.pk:
            return row.balance.minor
    raise AssertionError(f"{member.username} has no hours in {community.slug}")


def audited():
    report = ledger_audit(
        extra_checks=payments_audit_checks() + exchanges_audit_checks()
    )
    assert report.ok, report.render()


def later(now, days):
    return now + dt.timedelta(days=days, minutes=1)


def step(exchange, actor, name, at, **params):
    moved = services.exchange_transition(
        exchange=exchange, actor=actor, name=name, params=params, now=at
    )
    audited()
    return moved


# Each path: the steps (who, transition, days after the start, params) or a
# timer ("system", days), the state it ends in, and the hours that moved.
PATHS = {
    "accepted and confirmed": (
        [("provider", "accept", 0, {}), ("customer", "confirm", 1, {})],
        "completed",
        150,
    ),
    "done, then confirmed": (
        [
            ("provider", "accept", 0, {}),
            ("provider", "mark_done", 1, {"note": "Weeded and mulched."}),
            ("customer", "confirm", 2, {}),
        ],
        "completed",
        150,
    ),
    "done, then confirmed by the timer": (
        [
            ("provider", "accept", 0, {}),
            ("provider", "mark_done", 1, {}),
            ("system", 8),
        ],
        "completed",
        150,
    ),
    "hours set on accepting, then adjusted": (
        [
            ("provider", "accept", 0, {"hours": hours("2.00")}),
            ("provider", "adjust_hours", 1, {"hours": hours("2.75")}),
            ("customer", "confirm", 2, {}),
        ],
        "completed",
        275,
    ),
    "declined": ([("provider", "decline", 0, {"reason": "Away."})], "declined", 0),
    "withdrawn": ([("customer", "withdraw", 0, {})], "withdrawn", 0),
    "never answered": ([("system", 7)], "expired", 0),
    "called off after agreeing": (
        [
            ("provider", "accept", 0, {}),
            ("customer", "cancel", 1, {"reason": "It rained all week."}),
        ],
        "cancelled",
        0,
    ),
    "called off by a host when done": (
        [
            ("provider", "accept", 0, {}),
            ("provider", "mark_done", 1, {}),
            ("operator", "cancel", 2, {"reason": "Both asked me to."}),
        ],
        "cancelled",
        0,
    ),
}


@pytest.mark.parametrize("path", list(PATHS))
def test_every_path_moves_exactly_its_hours(
    path, gardening, timebank, provider, buyer, host, now
):
    steps, end, moved = PATHS[path]
    exchange = services.exchange_order(
        listing=gardening, customer=buyer, mode="timebank", now=now
    )
    assert (exchange.process_name, exchange.state) == ("timebank", "requested")
    assert (exchange.currency, exchange.total_minor) == ("HOUR", 150)
    audited()
    actors = {"provider": provider, "customer": buyer, "operator": host}
    for item in steps:
        if item[0] == "system":
            timers_run_due(now=later(now, item[1]))
            audited()
            exchange.refresh_from_db()
            continue
        role, name, days, params = item
        exchange = step(exchange, actors[role], name, later(now, days), **params)
    exchange.refresh_from_db()
    assert exchange.state == end
    assert balance(buyer, timebank) == 500 - moved
    assert balance(provider, timebank) == 500 + moved


REQUEST_PATHS = {
    "accepted and confirmed": (
        [("customer", "accept_offer", 0, {}), ("customer", "confirm", 1, {})],
        "completed",
        200,
    ),
    "turned down": ([("customer", "turn_down", 0, {})], "declined", 0),
    "offer withdrawn": ([("provider", "withdraw_offer", 0, {})], "withdrawn", 0),
    "offer lapses": ([("system", 7)], "expired", 0),
}


@pytest.mark.parametrize("path", list(REQUEST_PATHS))
def test_a_request_for_help_is_answered_by_the_helper_who_earns_the_hours(
    path, wanted, timebank, provider, buyer, now
):
    steps, end, moved = REQUEST_PATHS[path]
    # Priya answers Bruno's request: she is the provider, he gives the hours.
    exchange = services.exchange_order(
        listing=wanted, customer=provider, mode="timebank", now=now
    )
    assert (exchange.customer, exchange.provider) == (buyer, provider)
    assert (exchange.source, exchange.state) == ("request", "offered")
    audited()
    actors = {"provider": provider, "customer": buyer}
    for item in steps:
        if item[0] == "system":
            timers_run_due(now=later(now, item[1]))
            exchange.refresh_from_db()
            audited()
            continue
        role, name, days, params = item
        exchange = step(exchange, actors[role], name, later(now, days), **params)
    assert exchange.state == end
    assert balance(buyer, timebank) == 500 - moved
    assert balance(provider, timebank) == 500 + moved


def test_the_owner_of_a_request_cannot_answer_it(wanted, buyer, now):
    with pytest.raises(SelfworkError) as refused:
        services.exchange_order(
            listing=wanted, customer=buyer, mode="timebank", now=now
        )
    assert refused.value.code == "self_exchange"


class TestLimits:
    def test_past_the_floor_is_refused_and_nothing_moves(
        self, gardening, timebank, host, provider, buyer, now
    ):
        community_update(
            community=timebank,
            actor=host,
            changes={"timebank_floor": hours("-1.00")},
            now=now,
        )
        exchange = services.exchange_order(
            listing=gardening,
            customer=buyer,
            mode="timebank",
            hours=hours("7.00"),
            now=now,
        )
        exchange = step(exchange, provider, "accept", now)
        before = Transaction.objects.count()
        with pytest.raises(SelfworkError) as refused:
            services.exchange_transition(
                exchange=exchange, actor=buyer, name="confirm", params={}, now=now
            )
        assert (refused.value.status, refused.value.code) == (409, "insufficient_hours")
        exchange.refresh_from_db()
        assert exchange.state == "agreed"
        assert Transaction.objects.count() == before
        assert balance(buyer, timebank) == 500
        audited()

    def test_past_the_ceiling_is_refused_and_nothing_moves(
        self, gardening, timebank, host, provider, buyer, now
    ):
        community_update(
            community=timebank,
            actor=host,
            changes={"timebank_ceiling": hours("6.00")},
            now=now,
        )
        exchange = services.exchange_order(
            listing=gardening,
            customer=buyer,
            mode="timebank",
            hours=hours("1.01"),
            now=now,
        )
        exchange = step(exchange, provider, "accept", now)
        with pytest.raises(SelfworkError) as refused:
            services.exchange_transition(
                exchange=exchange, actor=buyer, name="confirm", params={}, now=now
            )
        assert (refused.value.status, refused.value.code) == (
            409,
            "hours_ceiling_reached",
        )
        exchange.refresh_from_db()
        assert exchange.state == "agreed"
        assert balance(provider, timebank) == 500
        audited()

    def test_a_community_without_a_time_bank_takes_no_hours(
        self, community, provider, buyer, member_of, now
    ):
        member_of(community, provider)
        member_of(community, buyer)
        listing = listing_create(
            owner=provider,
            community=community,
            title="An hour of advice",
            modes=[{"mode": "timebank", "hours": hours("1.00")}],
            now=now,
        )
        with pytest.raises(SelfworkError) as refused:
            services.exchange_order(
                listing=listing, customer=buyer, mode="timebank", now=now
            )
        assert refused.value.code == "timebank_disabled"
        assert not Exchange.objects.exists()


def test_the_host_sees_the_time_bank_health(
    gardening, timebank, provider, buyer, host, now, django_assert_max_num_queries
):
    exchange = services.exchange_order(
        listing=gardening, customer=buyer, mode="timebank", hours=hours("6"), now=now
    )
    step(exchange, provider, "accept", now)
    step(exchange, buyer, "confirm", now)
    with django_assert_max_num_queries(5):
        health = timebank_health(community=timebank)
    assert health.accounts == 3
    assert health.issued.amount == "15.00"
    assert health.in_circulation.amount == "16.00"
    assert health.owed.amount == "1.00"
    assert health.below_zero == 1
    assert [m.username for m, _ in health.below_zero_members] == ["bruno"]
    assert [(g.member.username, g.given.amount) for g in health.givers] == [
        ("priya", "6.00")
    ]
