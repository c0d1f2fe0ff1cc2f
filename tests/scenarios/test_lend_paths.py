"""Every path of the lend process, with the clock moved for every timer.

Priya lends her camera for three days starting ten days from now, for two hours
of time credits in a community whose time bank starts everyone at 5 hours. After
every step the whole ledger is audited, hours included; after every path the
period is free again and the hours moved are exactly what the path says.
"""

import datetime as dt

import pytest

from selfwork.catalog.models import Booking
from selfwork.catalog.services import listing_create
from selfwork.communities.services import community_update
from selfwork.communities.timebank import hours_balances_of
from selfwork.core.errors import SelfworkError
from selfwork.exchanges import services
from selfwork.exchanges.audit import exchanges_audit_checks
from selfwork.exchanges.models import Exchange, OutboxEvent
from selfwork.exchanges.tasks import timers_run_due
from selfwork.ledger.audit import ledger_audit
from selfwork.payments.audit import payments_audit_checks

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
MINUTE = dt.timedelta(minutes=1)


def hours(amount):
    return {"amount": amount, "currency": "HOUR"}


@pytest.fixture
def start(now):
    return dt.datetime.combine(now.date() + 10 * DAY, dt.time(), tzinfo=dt.UTC)


@pytest.fixture
def timebank(community, host, provider, buyer, member_of, now):
    community_update(
        community=community,
        actor=host,
        changes={"timebank_enabled": True, "timebank_starting_credit": hours("5")},
        now=now,
    )
    community.refresh_from_db()
    member_of(community, provider)
    member_of(community, buyer)
    return community


def camera_of(owner, community, now, price=None):
    mode = {"mode": "lend"}
    if price is not None:
        mode["hours"] = hours(price)
    return listing_create(
        owner=owner, community=community, title="Film camera", modes=[mode], now=now
    )


@pytest.fixture
def camera(timebank, provider, now):
    return camera_of(provider, timebank, now, price="2.00")


@pytest.fixture
def borrow(camera, buyer, start, now):
    def make(listing=None, customer=None):
        return services.exchange_order(
            listing=listing or camera,
            customer=customer or buyer,
            mode="lend",
            start=start.date(),
            end=start.date() + 3 * DAY,
            now=now,
        )

    return make


def balance(member, community):
    rows = {r.community.pk: r.balance.minor for r in hours_balances_of(member=member)}
    return rows[community.pk]


def audited():
    report = ledger_audit(
        extra_checks=payments_audit_checks() + exchanges_audit_checks()
    )
    assert report.ok, report.render()


# Each path: steps (who, transition, when, params) or ("system", when), where
# "when" counts from the request ("now"), the start or the end of the loan.
PATHS = {
    "returned and confirmed": (
        [
            ("provider", "approve", "now", {}),
            ("provider", "handover", "start", {"note": "Two films inside."}),
            ("customer", "return", "end", {}),
            ("provider", "confirm_return", "end", {}),
        ],
        "completed",
        200,
    ),
    "returned by the owner, closed by the timer": (
        [
            ("provider", "approve", "now", {}),
            ("provider", "handover", "start", {}),
            ("provider", "return", "end", {}),
            ("system", "end+49h"),
        ],
        "completed",
        200,
    ),
    "declined": ([("provider", "decline", "now", {})], "declined", 0),
    "never answered": ([("system", "now+49h")], "declined", 0),
    "cancelled while requested": (
        [("customer", "cancel", "now", {})],
        "cancelled",
        0,
    ),
    "cancelled when booked": (
        [("provider", "approve", "now", {}), ("customer", "cancel", "now", {})],
        "cancelled",
        0,
    ),
    "cancelled by the owner": (
        [
            ("provider", "approve", "now", {}),
            ("provider", "owner_cancel", "now", {"reason": "It broke."}),
        ],
        "cancelled",
        0,
    ),
    "never handed over": (
        [("provider", "approve", "now", {}), ("system", "end+25h")],
        "expired",
        0,
    ),
    "not returned": (
        [
            ("provider", "approve", "now", {}),
            ("provider", "handover", "start", {}),
            ("operator", "report_not_returned", "end+3d", {"reason": "Gone."}),
        ],
        "lost",
        0,
    ),
}


def _at(when, now, start):
    base, _, extra = when.partition("+")
    at = {"now": now, "start": start, "end": start + 3 * DAY}[base]
    if extra.endswith("h"):
        at += dt.timedelta(hours=int(extra[:-1]))
    elif extra.endswith("d"):
        at += dt.timedelta(days=int(extra[:-1]))
    return at + MINUTE


@pytest.mark.parametrize("path", list(PATHS))
def test_every_path_frees_the_period_and_moves_exactly_its_hours(
    path, borrow, timebank, provider, buyer, host, now, start
):
    steps, end, moved = PATHS[path]
    exchange = borrow()
    assert (exchange.process_name, exchange.state) == ("lend", "requested")
    assert (exchange.currency, exchange.total_minor) == ("HOUR", 200)
    assert Booking.objects.get(reference=str(exchange.public_id)).status == "held"
    audited()
    actors = {"provider": provider, "customer": buyer, "operator": host}
    for item in steps:
        if item[0] == "system":
            timers_run_due(now=_at(item[1], now, start))
            exchange.refresh_from_db()
            audited()
            continue
        role, name, when, params = item
        exchange = services.exchange_transition(
            exchange=exchange,
            actor=actors[role],
            name=name,
            params=params,
            now=_at(when, now, start),
        )
        audited()
    assert exchange.state == end
    assert not Booking.objects.filter(
        reference=str(exchange.public_id), status="held"
    ).exists()
    assert balance(buyer, timebank) == 500 - moved
    assert balance(provider, timebank) == 500 + moved


def test_a_free_loan_moves_no_hours(timebank, provider, buyer, start, now):
    camera = camera_of(provider, timebank, now)
    exchange = services.exchange_order(
        listing=camera,
        customer=buyer,
        mode="lend",
        start=start.date(),
        end=start.date() + DAY,
        now=now,
    )
    assert exchange.total_minor == 0
    for actor, name, at in [
        (provider, "approve", now),
        (provider, "handover", start),
        (buyer, "return", start + DAY),
        (provider, "confirm_return", start + DAY),
    ]:
        exchange = services.exchange_transition(
            exchange=exchange, actor=actor, name=name, params={}, now=at
        )
    assert exchange.state == "completed"
    assert balance(buyer, timebank) == balance(provider, timebank) == 500
    audited()


def test_an_overlapping_loan_is_refused(borrow, make_member, timebank, member_of):
    borrow()
    neighbour = make_member("nell")
    member_of(timebank, neighbour)
    with pytest.raises(SelfworkError) as refused:
        borrow(customer=neighbour)
    assert (refused.value.status, refused.value.code) == (409, "slot_taken")
    assert Exchange.objects.count() == 1


def test_a_borrower_without_the_hours_is_refused_at_the_request(
    timebank, provider, borrow, host, now
):
    community_update(
        community=timebank,
        actor=host,
        changes={"timebank_floor": hours("0")},
        now=now,
    )
    pricey = camera_of(provider, timebank, now, price="5.01")
    with pytest.raises(SelfworkError) as refused:
        borrow(listing=pricey)
    assert (refused.value.status, refused.value.code) == (409, "insufficient_hours")
    assert not Exchange.objects.exists()
    assert not Booking.objects.exists()


def test_reminders_come_before_the_due_date_and_daily_while_overdue(
    borrow, provider, buyer, start, now
):
    exchange = borrow()
    for actor, name, at in [(provider, "approve", now), (provider, "handover", start)]:
        exchange = services.exchange_transition(
            exchange=exchange, actor=actor, name=name, params={}, now=at
        )

    def reminders():
        return sorted(
            e.payload["label"]
            for e in OutboxEvent.objects.filter(kind="exchange.notification")
            if not e.payload["transition"]
        )

    end = start + 3 * DAY
    timers_run_due(now=end - DAY + MINUTE)
    assert reminders() == ["Return due tomorrow"]
    for day in range(3):
        timers_run_due(now=end + day * DAY + MINUTE)
    assert reminders() == ["Return due tomorrow"] + ["Return overdue"] * 3
    exchange = services.exchange_transition(
        exchange=exchange, actor=buyer, name="return", params={}, now=end + 3 * DAY
    )
    timers_run_due(now=end + 5 * DAY)
    assert reminders().count("Return overdue") == 3
