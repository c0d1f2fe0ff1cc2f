"""Every path of the rental process, with the clock moved for every timer.

A neighbour rents a cordless drill (6.00 EUR a day, a 40.00 EUR deposit) from
its owner for two days starting ten days from now. After each path the whole
ledger is audited, escrow is empty, no deposit is still held, the period is free
again, and the money adds up: provider net + fees + refunds = charged, and
deposit captured + voided = authorised.
"""

import datetime as dt
from collections import Counter

import pytest

from selfwork.catalog.models import Booking
from selfwork.catalog.services import availability_set, listing_create
from selfwork.core.errors import SelfworkError
from selfwork.core.testing import race
from selfwork.exchanges import services
from selfwork.exchanges.audit import exchanges_audit_checks
from selfwork.exchanges.models import Exchange
from selfwork.exchanges.tasks import timers_run_due
from selfwork.ledger.audit import ledger_audit
from selfwork.payments.audit import payments_audit_checks
from selfwork.payments.gateways import CARD_DECLINED, CARD_SUCCEEDS
from selfwork.payments.models import Deposit
from selfwork.payments.selectors import reference_totals

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)


def money(amount):
    return {"amount": amount, "currency": "EUR"}


@pytest.fixture
def start(now):
    """Midnight UTC ten days after ``now``: the first day of the rental."""
    return dt.datetime.combine(now.date() + 10 * DAY, dt.time(), tzinfo=dt.UTC)


@pytest.fixture
def drill(community, provider, buyer, member_of, now):
    member_of(community, provider)
    member_of(community, buyer)
    return listing_create(
        owner=provider,
        community=community,
        title="Cordless drill",
        modes=[
            {
                "mode": "rental",
                "price": money("6.00"),
                "unit": "day",
                "deposit": money("40.00"),
            }
        ],
        now=now,
    )


@pytest.fixture
def policy(drill, provider, now):
    """``policy("strict", instant=False)``: set the drill's booking rules."""

    def set_(name="moderate", instant=False):
        availability_set(
            listing=drill,
            actor=provider,
            now=now,
            cancellation_policy=name,
            instant_booking=instant,
        )

    return set_


@pytest.fixture
def rent(drill, buyer, start, now):
    def make(at=None):
        return services.exchange_order(
            listing=drill,
            customer=buyer,
            mode="rental",
            start=start.date(),
            end=start.date() + 2 * DAY,
            now=at or now,
        )

    return make


def move(exchange, actor, name, at, **params):
    if name == "pay":
        params.setdefault("card", CARD_SUCCEEDS)
    return services.exchange_transition(
        exchange=exchange, actor=actor, name=name, params=params, now=at
    )


def settled(exchange):
    """Audit everything; return (refunded, released, deposit captured) in cents."""
    report = ledger_audit(
        extra_checks=payments_audit_checks() + exchanges_audit_checks()
    )
    assert report.ok, report.render()
    totals = reference_totals(references=[str(exchange.public_id)])
    captured = sum(t.captured.minor for t in totals)
    assert sum(t.escrow.minor for t in totals) == 0
    assert (
        sum(t.net.minor + t.fees.minor + t.refunded.minor for t in totals) == captured
    )
    deposit = Deposit.objects.filter(reference=str(exchange.public_id)).exclude(
        status="failed"
    )
    assert not deposit.filter(status="held").exists()
    assert not Booking.objects.filter(
        reference=str(exchange.public_id), status="held"
    ).exists()
    return (
        sum(t.refunded.minor for t in totals),
        sum(t.released.minor for t in totals),
        sum(d.captured_minor for d in deposit),
    )


class TestRequest:
    def test_a_request_holds_the_period_and_prices_the_rent(self, rent, start):
        exchange = rent()
        assert (exchange.process_name, exchange.state) == ("rental", "requested")
        assert exchange.total_minor == 1_200
        assert exchange.deposit_minor == 4_000
        assert (exchange.booking_start_at, exchange.booking_end_at) == (
            start,
            start + 2 * DAY,
        )
        booking = Booking.objects.get(reference=str(exchange.public_id))
        assert booking.status == "held"

    def test_an_overlapping_request_is_refused_and_nothing_is_held(
        self, rent, make_member, member_of, community, drill, start, now
    ):
        rent()
        neighbour = make_member("nell")
        member_of(community, neighbour)
        with pytest.raises(SelfworkError) as refused:
            services.exchange_order(
                listing=drill,
                customer=neighbour,
                mode="rental",
                start=start.date() + DAY,
                end=start.date() + 3 * DAY,
                now=now,
            )
        assert (refused.value.status, refused.value.code) == (409, "slot_taken")
        assert Exchange.objects.count() == 1

    @pytest.mark.parametrize(
        "days, code",
        [
            ((2, 2), "period_invalid"),
            ((3, 1), "period_invalid"),
            ((-5, -3), "period_in_past"),
            ((500, 502), "period_too_far_ahead"),
        ],
    )
    def test_a_bad_period_is_refused_with_its_code(self, drill, buyer, now, days, code):
        with pytest.raises(SelfworkError) as refused:
            services.exchange_order(
                listing=drill,
                customer=buyer,
                mode="rental",
                start=now.date() + days[0] * DAY,
                end=now.date() + days[1] * DAY,
                now=now,
            )
        assert (refused.value.status, refused.value.code) == (422, code)
        assert not Exchange.objects.exists()
        assert not Booking.objects.exists()

    def test_the_owner_cannot_rent_their_own_drill(self, drill, provider, start, now):
        with pytest.raises(SelfworkError) as refused:
            services.exchange_order(
                listing=drill,
                customer=provider,
                mode="rental",
                start=start.date(),
                end=start.date() + DAY,
                now=now,
            )
        assert refused.value.code == "self_exchange"

    def test_a_declined_card_charges_nothing_and_keeps_the_request(
        self, rent, buyer, now
    ):
        exchange = rent()
        with pytest.raises(SelfworkError) as refused:
            move(exchange, buyer, "pay", now, card=CARD_DECLINED)
        assert refused.value.code == "card_declined"
        exchange.refresh_from_db()
        assert exchange.state == "requested"


# (steps, final state, (refunded, released, deposit captured)). A step is
# (who, transition, hours after the previous step, params) or ("clock", hours).
PATHS = {
    "approved, used, returned, closed": (
        [("c", "pay", 1, {}), ("p", "approve", 2, {}), ("p", "handover", 240, {}),
         ("c", "return", 48, {"note": "Thanks!"}), ("p", "close", 1, {})],
        "completed", (0, 1_200, 0),
    ),
    "closed automatically 48 hours after the return": (
        [("c", "pay", 1, {}), ("p", "approve", 2, {}), ("p", "handover", 240, {}),
         ("p", "return", 48, {}), ("clock", 49)],
        "completed", (0, 1_200, 0),
    ),
    "declined by the owner": (
        [("c", "pay", 1, {}), ("p", "decline", 3, {"reason": "Lent it out."})],
        "declined", (1_200, 0, 0),
    ),
    "declined automatically after 24 hours": (
        [("c", "pay", 1, {}), ("clock", 25)],
        "declined", (1_200, 0, 0),
    ),
    "not paid within a day": ([("clock", 25)], "expired", (0, 0, 0)),
    "cancelled unpaid": ([("c", "cancel", 1, {})], "cancelled", (0, 0, 0)),
    "cancelled by the owner": (
        [("c", "pay", 1, {}), ("p", "approve", 1, {}),
         ("p", "owner_cancel", 1, {"reason": "Broken."})],
        "cancelled", (1_200, 0, 0),
    ),
    "never handed over": (
        [("c", "pay", 1, {}), ("p", "approve", 1, {}), ("clock", 24 * 13)],
        "cancelled", (1_200, 0, 0),
    ),
    "a claim accepted": (
        [("c", "pay", 1, {}), ("p", "approve", 1, {}), ("p", "handover", 240, {}),
         ("c", "return", 48, {}),
         ("p", "claim_damage", 2, {"amount": money("15.00"), "note": "Chuck bent."}),
         ("c", "accept_claim", 5, {})],
        "completed", (0, 1_200, 1_500),
    ),
    "a claim accepted automatically after 72 hours": (
        [("c", "pay", 1, {}), ("p", "approve", 1, {}), ("p", "handover", 240, {}),
         ("c", "return", 48, {}),
         ("p", "claim_damage", 2, {"amount": money("40.00"), "note": "Lost."}),
         ("clock", 73)],
        "completed", (0, 1_200, 4_000),
    ),
    "a claim disputed and resolved by a host": (
        [("c", "pay", 1, {}), ("p", "approve", 1, {}), ("p", "handover", 240, {}),
         ("c", "return", 48, {}),
         ("p", "claim_damage", 2, {"amount": money("30.00"), "note": "Cracked."}),
         ("c", "dispute", 3, {"reason": "It was cracked before."}),
         ("h", "resolve", 4, {"amount": money("10.00"), "note": "Shared."}),
         ("clock", 24 * 7 + 1)],
        "resolved", (0, 1_200, 1_000),
    ),
    "a claim disputed, resolved, reviewed by staff": (
        [("c", "pay", 1, {}), ("p", "approve", 1, {}), ("p", "handover", 240, {}),
         ("c", "return", 48, {}),
         ("p", "claim_damage", 2, {"amount": money("30.00"), "note": "Cracked."}),
         ("c", "dispute", 3, {"reason": "It was cracked before."}),
         ("h", "resolve", 4, {"amount": money("30.00"), "note": "Photos agree."}),
         ("c", "appeal", 5, {"reason": "See my handover photos."}),
         ("s", "review", 6, {"note": "The handover photos show the crack."})],
        "resolved", (0, 1_200, 0),
    ),
    "late, disputed by the owner, resolved": (
        [("c", "pay", 1, {}), ("p", "approve", 1, {}), ("p", "handover", 240, {}),
         ("clock", 72),
         ("p", "dispute", 1, {"reason": "Not returned."}),
         ("s", "review", 2, {"amount": money("40.00"), "note": "Never returned."})],
        "resolved", (0, 1_200, 4_000),
    ),
}  # fmt: skip


@pytest.mark.parametrize("path", list(PATHS), ids=list(PATHS))
def test_every_path_settles_rent_deposit_and_calendar(
    path, rent, buyer, provider, host, make_member, now
):
    steps, final, outcome = PATHS[path]
    staff = make_member("olga", is_staff=True)
    actors = {"c": buyer, "p": provider, "h": host, "s": staff}
    exchange = rent()
    at = now
    for step in steps:
        if step[0] == "clock":
            at += step[1] * HOUR
            timers_run_due(now=at)
            exchange.refresh_from_db()
            continue
        who, name, hours, params = step
        at += hours * HOUR
        exchange = move(exchange, actors[who], name, at, **params)
    exchange.refresh_from_db()
    assert exchange.state == final
    assert settled(exchange) == outcome


class TestCancellationPolicy:
    @pytest.mark.parametrize(
        "name, days_before, refunded",
        [
            ("flexible", 2, 1_200),
            ("flexible", 0.5, 0),
            ("moderate", 6, 1_200),
            ("moderate", 3, 600),
            ("strict", 8, 600),
            ("strict", 3, 0),
        ],
    )
    def test_refunds_by_the_listings_policy_and_releases_the_rest(
        self, policy, rent, buyer, start, now, name, days_before, refunded
    ):
        policy(name)
        exchange = rent()
        exchange = move(exchange, buyer, "pay", now + HOUR)
        exchange = move(exchange, buyer, "cancel", start - days_before * DAY)

        assert exchange.state == "cancelled"
        assert settled(exchange) == (refunded, 1_200 - refunded, 0)

    def test_no_cancelling_once_the_rental_has_started(
        self, rent, buyer, provider, start, now
    ):
        exchange = move(rent(), buyer, "pay", now + HOUR)
        exchange = move(exchange, provider, "approve", now + 2 * HOUR)
        with pytest.raises(SelfworkError) as refused:
            move(exchange, buyer, "cancel", start + HOUR)
        assert refused.value.code == "booking_started"


class TestInstantBooking:
    def test_paying_books_it_at_once(self, policy, rent, buyer, now):
        policy(instant=True)
        exchange = move(rent(), buyer, "pay", now + HOUR)
        assert exchange.state == "booked"

    def test_without_it_the_owner_approves(self, policy, rent, buyer, now):
        policy(instant=False)
        exchange = move(rent(), buyer, "pay", now + HOUR)
        assert exchange.state == "pending_approval"


class TestClaims:
    @pytest.fixture
    def returned(self, rent, buyer, provider, now):
        exchange = move(rent(), buyer, "pay", now + HOUR)
        exchange = move(exchange, provider, "approve", now + 2 * HOUR)
        exchange = move(exchange, provider, "handover", now + 240 * HOUR)
        return move(exchange, buyer, "return", now + 288 * HOUR)

    def test_a_claim_above_the_deposit_is_refused_and_nothing_changes(
        self, returned, provider, now
    ):
        with pytest.raises(SelfworkError) as refused:
            move(
                returned,
                provider,
                "claim_damage",
                now + 289 * HOUR,
                amount=money("40.01"),
                note="Everything.",
            )
        assert refused.value.code == "claim_exceeds_deposit"
        returned.refresh_from_db()
        assert (returned.state, returned.claim_minor) == ("returned", 0)

    def test_a_claim_after_48_hours_is_refused(self, returned, provider, now):
        with pytest.raises(SelfworkError) as refused:
            move(
                returned,
                provider,
                "claim_damage",
                now + (288 + 49) * HOUR,
                amount=money("5.00"),
                note="Late.",
            )
        assert refused.value.code in ("claim_window_closed", "invalid_transition")

    def test_the_customer_cannot_claim(self, returned, buyer, now):
        with pytest.raises(SelfworkError) as refused:
            move(
                returned,
                buyer,
                "claim_damage",
                now + 289 * HOUR,
                amount=money("5.00"),
                note="Mine.",
            )
        assert refused.value.status == 403


class TestReminders:
    def test_a_late_return_is_reminded_at_the_end_and_daily(
        self, rent, buyer, provider, start, now
    ):
        exchange = move(rent(), buyer, "pay", now + HOUR)
        exchange = move(exchange, provider, "approve", now + 2 * HOUR)
        exchange = move(exchange, provider, "handover", start)
        end = start + 2 * DAY
        timers_run_due(now=end + HOUR)
        timers_run_due(now=end + DAY + HOUR)
        timers_run_due(now=end + 2 * DAY + HOUR)
        notices = exchange.outbox.filter(
            kind="exchange.notification", payload__label="Return due"
        )
        assert notices.count() == 3
        exchange.refresh_from_db()
        assert exchange.state == "in_use"


class TestTheRace:
    pytestmark = pytest.mark.django_db(transaction=True)

    def test_of_50_overlapping_requests_exactly_one_holds_the_period(
        self, drill, make_member, member_of, community, start, now
    ):
        neighbours = [make_member(f"neighbour{i}") for i in range(50)]
        for neighbour in neighbours:
            member_of(community, neighbour)

        def request(i):
            services.exchange_order(
                listing=drill,
                customer=neighbours[i],
                mode="rental",
                start=start.date() + (i % 2) * DAY,
                end=start.date() + (2 + i % 2) * DAY,
                now=now,
            )
            return "requested"

        def outcome(exc):
            return exc.code if isinstance(exc, SelfworkError) else repr(exc)

        assert Counter(race(50, request, on_error=outcome)) == {
            "requested": 1,
            "slot_taken": 49,
        }
        assert Exchange.objects.count() == 1
        assert Booking.objects.filter(status="held").count() == 1
