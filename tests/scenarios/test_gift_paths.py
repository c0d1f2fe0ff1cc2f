"""Every path of the gift process, with the clock moved for every timer.

Neighbours ask for a tray of tomato seedlings given away; the giver chooses one.
After each step nothing moved in the ledger (a gift has no money), and the
listing is promised exactly while a request is, and given once one completed.
"""

import datetime as dt
from collections import Counter

import pytest

from selfwork.catalog.models import Listing
from selfwork.catalog.services import listing_create
from selfwork.core.errors import SelfworkError
from selfwork.core.testing import race
from selfwork.exchanges import services
from selfwork.exchanges.audit import exchanges_audit_checks
from selfwork.exchanges.models import Exchange, ExchangeEvent, OutboxEvent
from selfwork.exchanges.tasks import timers_run_due
from selfwork.ledger.audit import ledger_audit
from selfwork.ledger.models import Transaction
from selfwork.payments.audit import payments_audit_checks

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def seedlings(community, provider, buyer, other_buyer, member_of, now):
    for member in (provider, buyer, other_buyer):
        member_of(community, member)
    return listing_create(
        owner=provider,
        community=community,
        title="Tomato seedlings",
        modes=[{"mode": "gift"}],
        now=now,
    )


@pytest.fixture
def other_buyer(make_member):
    return make_member("oskar")


@pytest.fixture
def ask(seedlings, buyer, now):
    def make(who=None, at=None, message="I'd love them for my balcony."):
        return services.exchange_order(
            listing=seedlings,
            customer=who or buyer,
            mode="gift",
            message=message,
            now=at or now,
        )

    return make


def move(exchange, actor, name, at, **params):
    return services.exchange_transition(
        exchange=exchange, actor=actor, name=name, params=params, now=at
    )


def audited():
    report = ledger_audit(
        extra_checks=payments_audit_checks() + exchanges_audit_checks()
    )
    assert report.ok, report.render()
    assert not Transaction.objects.exists()  # a gift moves no money


def status(listing):
    return Listing.objects.get(pk=listing.pk).status


class TestRequest:
    def test_a_request_carries_its_message_and_costs_nothing(
        self, ask, buyer, provider
    ):
        exchange = ask()
        assert (exchange.process_name, exchange.state) == ("gift", "requested")
        assert (exchange.customer, exchange.provider) == (buyer, provider)
        assert exchange.total_minor == 0
        assert exchange.requirements == "I'd love them for my balcony."
        audited()

    def test_several_members_may_ask_but_each_once(self, ask, other_buyer):
        ask()
        ask(who=other_buyer)
        with pytest.raises(SelfworkError) as refused:
            ask()
        assert (refused.value.code, refused.value.status) == ("already_requested", 409)
        assert Exchange.objects.count() == 2

    def test_a_request_needs_a_message(self, ask):
        with pytest.raises(SelfworkError) as refused:
            ask(message="  ")
        assert (refused.value.code, refused.value.field) == ("required", "message")
        assert not Exchange.objects.exists()


# (steps, final state of the buyer's request, final state of the other's, the
# listing's status). A step is (who, transition, hours after the previous step,
# params) or ("clock", hours); "c" is the buyer, "o" the other requester.
PATHS = {
    "given to the buyer, received": (
        [("p", "give", 2, {"note": "Saturday morning?"}), ("c", "confirm_receipt", 30, {})],
        "completed", "not_chosen", "given",
    ),
    "given, completed a week after the promise": (
        [("p", "give", 2, {}), ("clock", 24 * 7 + 1)], "completed", "not_chosen", "given",
    ),
    "given, not collected, reopened": (
        [("p", "give", 2, {}), ("p", "reopen", 48, {"reason": "Never came."})],
        "not_collected", "not_chosen", "active",
    ),
    "given, the receiver gives it up": (
        [("p", "give", 2, {}), ("c", "give_up", 5, {})], "withdrawn", "not_chosen", "active",
    ),
    "declined by the giver": (
        [("p", "decline", 2, {})], "declined", "requested", "active",
    ),
    "withdrawn by the requester": (
        [("c", "withdraw", 2, {})], "withdrawn", "requested", "active",
    ),
    "not chosen in 30 days": (
        [("clock", 24 * 30 + 1)], "expired", "expired", "active",
    ),
}  # fmt: skip


@pytest.mark.parametrize("path", list(PATHS), ids=list(PATHS))
def test_every_path(path, ask, seedlings, buyer, other_buyer, provider, now):
    steps, final, other_final, listing_status = PATHS[path]
    actors = {"c": buyer, "o": other_buyer, "p": provider}
    exchange = ask()
    other = ask(who=other_buyer, at=now + HOUR)
    at = now + HOUR
    for step in steps:
        if step[0] == "clock":
            at += step[1] * HOUR
            timers_run_due(now=at)
            exchange.refresh_from_db()
        else:
            who, name, hours, params = step
            at += hours * HOUR
            exchange = move(exchange, actors[who], name, at, **params)
        audited()
    exchange.refresh_from_db()
    other.refresh_from_db()
    assert (exchange.state, other.state) == (final, other_final)
    assert status(seedlings) == listing_status


class TestGiving:
    def test_giving_ends_the_other_requests_as_not_chosen_with_a_notice(
        self, ask, seedlings, buyer, other_buyer, provider, make_member, member_of,
        community, now,
    ):  # fmt: skip
        third = make_member("tomas")
        member_of(community, third)
        chosen, other, late = ask(), ask(who=other_buyer), ask(who=third)
        move(late, third, "withdraw", now)
        OutboxEvent.objects.all().delete()
        move(chosen, provider, "give", now + HOUR)
        other.refresh_from_db()
        late.refresh_from_db()
        assert (other.state, late.state) == ("not_chosen", "withdrawn")
        event = other.events.order_by("seq").last()
        assert (event.name, event.actor_role) == ("pass_over", "system")
        notices = OutboxEvent.objects.filter(kind="exchange.notification")
        told = Counter(
            (n.payload["transition"], tuple(n.payload["recipients"])) for n in notices
        )
        # The one not chosen is told; the giver is not told what they did.
        assert told == {
            ("give", (str(buyer.public_id),)): 1,
            ("pass_over", (str(other_buyer.public_id),)): 1,
        }
        assert status(seedlings) == "promised"

    def test_giving_twice_is_refused_and_changes_nothing(
        self, ask, seedlings, buyer, other_buyer, provider, now
    ):
        chosen = ask()
        other = ask(who=other_buyer)
        move(chosen, provider, "give", now)
        events = ExchangeEvent.objects.count()
        with pytest.raises(SelfworkError) as refused:
            move(other, provider, "give", now)
        # The other request ended when the first was given.
        assert (refused.value.code, refused.value.status) == ("invalid_transition", 409)
        assert ExchangeEvent.objects.count() == events

    def test_a_promised_gift_cannot_be_asked_for_nor_given_again(
        self, ask, seedlings, provider, other_buyer, make_member, member_of,
        community, now,
    ):  # fmt: skip
        move(ask(), provider, "give", now)
        with pytest.raises(SelfworkError) as refused:
            ask(who=other_buyer)
        assert (refused.value.code, refused.value.status) == ("gift_promised", 409)

    def test_reopened_the_gift_may_be_asked_for_and_given_again(
        self, ask, seedlings, buyer, other_buyer, provider, now
    ):
        first = move(ask(), provider, "give", now)
        move(first, provider, "reopen", now + 48 * HOUR)
        again = ask(who=other_buyer, at=now + 50 * HOUR)
        move(again, provider, "give", now + 51 * HOUR)
        move(again, other_buyer, "confirm_receipt", now + 60 * HOUR)
        assert status(seedlings) == "given"
        with pytest.raises(SelfworkError) as refused:
            ask(at=now + 61 * HOUR)
        assert refused.value.code == "listing_not_found"

    def test_the_giver_sees_every_request_and_each_requester_their_own(
        self, ask, seedlings, buyer, other_buyer, provider, api_as,
        django_assert_max_num_queries,
    ):  # fmt: skip
        ask()
        ask(who=other_buyer)
        url = f"/exchanges?listing={seedlings.public_id}"
        giver = api_as(provider)
        with django_assert_max_num_queries(6):
            items = giver.get(url).json()["items"]
        assert {i["customer"]["username"] for i in items} == {"bruno", "oskar"}
        assert {i["message"] for i in items} == {"I'd love them for my balcony."}
        mine = api_as(other_buyer).get(url).json()["items"]
        assert [i["customer"]["username"] for i in mine] == ["oskar"]


class TestBadInput:
    def test_the_wrong_party_and_a_stranger(self, ask, buyer, stranger, now):
        exchange = ask()
        with pytest.raises(SelfworkError) as refused:
            move(exchange, buyer, "give", now)
        assert refused.value.status == 403
        with pytest.raises(SelfworkError) as refused:
            move(exchange, stranger, "withdraw", now)
        assert refused.value.status == 404
        exchange.refresh_from_db()
        assert exchange.state == "requested"

    def test_confirming_receipt_twice(self, ask, buyer, provider, now):
        exchange = move(ask(), provider, "give", now)
        move(exchange, buyer, "confirm_receipt", now)
        with pytest.raises(SelfworkError) as refused:
            move(exchange, buyer, "confirm_receipt", now)
        assert (refused.value.code, refused.value.status) == ("invalid_transition", 409)

    def test_asking_for_ones_own_gift(self, seedlings, provider, now):
        with pytest.raises(SelfworkError) as refused:
            services.exchange_order(
                listing=seedlings,
                customer=provider,
                mode="gift",
                message="Me!",
                now=now,
            )
        assert refused.value.code == "self_exchange"
        assert not Exchange.objects.exists()


class TestTheRace:
    pytestmark = pytest.mark.django_db(transaction=True)

    def test_giving_two_requests_at_once_promises_the_gift_once(
        self, ask, seedlings, buyer, other_buyer, provider, now
    ):
        requests = [ask(), ask(who=other_buyer)]

        def give(i):
            move(requests[i], provider, "give", now + HOUR)
            return "promised"

        def outcome(exc):
            return exc.code if isinstance(exc, SelfworkError) else repr(exc)

        results = race(2, give, on_error=outcome)
        assert results.count("promised") == 1
        states = sorted(
            Exchange.objects.filter(pk__in=[r.pk for r in requests]).values_list(
                "state", flat=True
            )
        )
        assert states == ["not_chosen", "promised"]
        assert status(seedlings) == "promised"

    def test_of_ten_requests_of_one_member_at_once_one_is_stored(
        self, seedlings, buyer, now
    ):
        def request(i):
            services.exchange_order(
                listing=seedlings, customer=buyer, mode="gift", message="Hi", now=now
            )
            return "requested"

        def outcome(exc):
            return exc.code if isinstance(exc, SelfworkError) else repr(exc)

        assert Counter(race(10, request, on_error=outcome)) == {
            "requested": 1,
            "already_requested": 9,
        }


class TestTheListing:
    def test_its_owner_cannot_show_or_hide_a_gift_once_promised(
        self, ask, seedlings, provider, now
    ):
        from selfwork.catalog.services import listing_hide

        move(ask(), provider, "give", now)
        with pytest.raises(SelfworkError) as refused:
            listing_hide(listing=seedlings, actor=provider, now=now)
        assert (refused.value.code, refused.value.status) == ("listing_taken", 409)
        assert status(seedlings) == "promised"
