"""Every path of the swap process, with the clock moved for every timer.

A neighbour offers their board game in return for a provider's book. After each
path nothing moved in the ledger (a swap has no money), and the listings are
swapped exactly when the swap completed.
"""

import datetime as dt
from collections import Counter

import pytest

from selfwork.catalog.models import Listing
from selfwork.catalog.services import listing_create, listing_hide
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
def listing_of(community, now):
    def make(owner, title, modes=("swap",), where=None):
        return listing_create(
            owner=owner,
            community=where or community,
            title=title,
            modes=[{"mode": m} for m in modes],
            now=now,
        )

    return make


@pytest.fixture
def book(listing_of, community, provider, buyer, member_of):
    member_of(community, provider)
    member_of(community, buyer)
    return listing_of(provider, "Dune, first edition")


@pytest.fixture
def game(listing_of, book, buyer):
    return listing_of(buyer, "Carcassonne")


@pytest.fixture
def propose(buyer, now):
    def make(listing, offered, who=None, at=None):
        return services.exchange_order(
            listing=listing,
            customer=who or buyer,
            mode="swap",
            offered_listing=offered.public_id,
            message="Swap my game for your book?",
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
    assert not Transaction.objects.exists()  # a swap moves no money


def status(listing):
    return Listing.objects.get(pk=listing.pk).status


class TestProposal:
    def test_a_proposal_offers_my_listing_for_theirs_at_no_cost(
        self, propose, book, game, buyer, provider
    ):
        exchange = propose(book, game)
        assert (exchange.process_name, exchange.state) == ("swap", "proposed")
        assert exchange.offered_listing == game
        assert (exchange.customer, exchange.provider) == (buyer, provider)
        assert exchange.total_minor == 0
        assert exchange.requirements == "Swap my game for your book?"
        audited()


# (steps, final state, listings swapped). A step is (who, transition, hours after
# the previous step, params) or ("clock", hours).
PATHS = {
    "accepted, the customer confirms first": (
        [("p", "accept", 1, {}), ("c", "confirm", 24, {}),
         ("p", "confirm", 2, {"note": "Enjoy the book."})],
        "completed", True,
    ),
    "accepted, the provider confirms first": (
        [("p", "accept", 1, {}), ("p", "confirm", 24, {}), ("c", "confirm", 2, {})],
        "completed", True,
    ),
    "declined by the owner": (
        [("p", "decline", 3, {"reason": "I'm keeping it."})], "declined", False,
    ),
    "withdrawn by the proposer": ([("c", "withdraw", 3, {})], "withdrawn", False),
    "not answered in 14 days": ([("clock", 24 * 14 + 1)], "expired", False),
    "agreed, called off": (
        [("p", "accept", 1, {}), ("c", "call_off", 5, {"reason": "Moved away."})],
        "called_off", False,
    ),
    "half handed over, called off by a host": (
        [("p", "accept", 1, {}), ("p", "confirm", 5, {}),
         ("h", "call_off", 5, {"reason": "Nobody answers."})],
        "called_off", False,
    ),
    "agreed, never handed over in 30 days": (
        [("p", "accept", 1, {}), ("clock", 24 * 30 + 1)], "expired", False,
    ),
    "half handed over, lapsed 30 days after the agreement": (
        [("p", "accept", 1, {}), ("c", "confirm", 24 * 20, {}), ("clock", 24 * 10 + 1)],
        "expired", False,
    ),
}  # fmt: skip


@pytest.mark.parametrize("path", list(PATHS), ids=list(PATHS))
def test_every_path(path, propose, book, game, buyer, provider, host, now):
    steps, final, swapped = PATHS[path]
    actors = {"c": buyer, "p": provider, "h": host}
    exchange = propose(book, game)
    at = now
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
    assert exchange.state == final
    assert exchange.closed_at is not None
    expected = "swapped" if swapped else "active"
    assert (status(book), status(game)) == (expected, expected)


class TestCompletion:
    def test_records_each_side_then_completes_by_itself(
        self, propose, book, game, buyer, provider, now
    ):
        exchange = move(propose(book, game), provider, "accept", now)
        exchange = move(exchange, buyer, "confirm", now + HOUR)
        assert exchange.state == "handing_over"
        assert exchange.customer_confirmed_at == now + HOUR
        assert exchange.provider_confirmed_at is None
        assert [o.name for o in _options(exchange, buyer)] == ["call_off"]
        assert "confirm" in [o.name for o in _options(exchange, provider)]
        exchange = move(exchange, provider, "confirm", now + 2 * HOUR)
        assert exchange.state == "completed"
        assert list(exchange.events.values_list("name", "actor_role")) == [
            ("start", "customer"),
            ("accept", "provider"),
            ("confirm", "customer"),
            ("confirm", "provider"),
            ("complete", "system"),
        ]

    def test_swapped_listings_leave_search_and_cannot_be_ordered_again(
        self, propose, book, game, buyer, provider, make_member, member_of,
        community, listing_of, now, browse_as,
    ):  # fmt: skip
        search = "/api/v1/listings?q=Dune"
        assert len(browse_as(buyer).get(search).json()["items"]) == 1
        exchange = move(propose(book, game), provider, "accept", now)
        move(exchange, buyer, "confirm", now)
        move(exchange, provider, "confirm", now)
        third = make_member("tomas")
        member_of(community, third)
        puzzle = listing_of(third, "Puzzle")
        with pytest.raises(SelfworkError) as refused:
            propose(book, puzzle, who=third)
        assert refused.value.code == "listing_not_found"
        with pytest.raises(SelfworkError) as refused:
            propose(puzzle, game, who=buyer)
        assert refused.value.code == "already_swapped"
        assert browse_as(third).get(search).json()["items"] == []

    def test_completing_declines_every_other_open_proposal_on_either_listing(
        self, propose, book, game, buyer, provider, make_member, member_of,
        community, listing_of, now,
    ):  # fmt: skip
        rival = make_member("tomas")
        member_of(community, rival)
        puzzle = listing_of(rival, "Puzzle")
        lamp = listing_of(provider, "Lamp")
        chosen = propose(book, game)
        for_the_book = propose(book, puzzle, who=rival)  # accepted too
        game_for_lamp = propose(lamp, game)  # the game offered elsewhere
        move(for_the_book, provider, "accept", now)
        move(chosen, provider, "accept", now)
        move(chosen, buyer, "confirm", now + HOUR)
        OutboxEvent.objects.all().delete()
        move(chosen, provider, "confirm", now + 2 * HOUR)
        for other in (for_the_book, game_for_lamp):
            other.refresh_from_db()
            assert other.state == "declined"
            event = other.events.order_by("seq").last()
            assert (event.name, event.actor_role) == ("listing_gone", "system")
        notices = OutboxEvent.objects.filter(kind="exchange.notification")
        told = Counter(n.payload["transition"] for n in notices)
        assert told == {"confirm": 1, "complete": 1, "listing_gone": 2}
        assert status(puzzle) == "active"
        audited()


def _options(exchange, member):
    from selfwork.exchanges.selectors import transitions_available

    return transitions_available(exchange=exchange, member=member)


class TestBadInput:
    """Each refused with its code, and nothing stored."""

    @pytest.fixture
    def counted(self):
        def count():
            return (Exchange.objects.count(), ExchangeEvent.objects.count())

        return count

    def _refused(self, counted, call, code, status_code):
        before = counted()
        with pytest.raises(SelfworkError) as refused:
            call()
        assert (refused.value.code, refused.value.status) == (code, status_code)
        assert counted() == before

    def test_offering_a_listing_that_is_not_mine(
        self, propose, book, provider, listing_of, counted
    ):
        lamp = listing_of(provider, "Lamp")
        self._refused(counted, lambda: propose(book, lamp), "not_your_listing", 422)

    def test_offering_a_hidden_listing(self, propose, book, game, buyer, counted, now):
        listing_hide(listing=game, actor=buyer, now=now)
        self._refused(counted, lambda: propose(book, game), "listing_not_active", 422)

    def test_offering_a_listing_of_another_community(
        self, propose, book, buyer, listing_of, make_member, member_of, now, counted
    ):
        from selfwork.communities.services import community_create

        elsewhere = community_create(
            creator=make_member("ines"), slug="elsewhere", name="Elsewhere", now=now
        )
        member_of(elsewhere, buyer)
        kite = listing_of(buyer, "Kite", where=elsewhere)
        self._refused(counted, lambda: propose(book, kite), "other_community", 422)

    def test_offering_a_listing_without_the_swap_mode(
        self, propose, book, buyer, listing_of, counted
    ):
        plant = listing_of(buyer, "Fern", modes=("gift",))
        self._refused(counted, lambda: propose(book, plant), "swap_not_offered", 422)

    def test_offering_nothing(self, book, buyer, now, counted):
        self._refused(
            counted,
            lambda: services.exchange_order(
                listing=book, customer=buyer, mode="swap", now=now
            ),
            "required",
            422,
        )

    def test_the_same_proposal_twice(self, propose, book, game, counted):
        propose(book, game)
        self._refused(counted, lambda: propose(book, game), "already_requested", 409)

    def test_confirming_twice(self, propose, book, game, buyer, provider, now):
        exchange = move(propose(book, game), provider, "accept", now)
        move(exchange, buyer, "confirm", now)
        events = ExchangeEvent.objects.count()
        with pytest.raises(SelfworkError) as refused:
            move(exchange, buyer, "confirm", now + HOUR)
        assert (refused.value.code, refused.value.status) == ("already_confirmed", 409)
        assert ExchangeEvent.objects.count() == events
        exchange.refresh_from_db()
        assert exchange.customer_confirmed_at == now

    def test_the_wrong_party_and_a_stranger(
        self, propose, book, game, buyer, stranger, now
    ):
        exchange = propose(book, game)
        with pytest.raises(SelfworkError) as refused:
            move(exchange, buyer, "accept", now)
        assert refused.value.status == 403
        with pytest.raises(SelfworkError) as refused:
            move(exchange, stranger, "withdraw", now)
        assert refused.value.status == 404
        exchange.refresh_from_db()
        assert exchange.state == "proposed"


class TestTheRace:
    pytestmark = pytest.mark.django_db(transaction=True)

    def test_two_agreed_swaps_of_one_book_complete_once(
        self, propose, book, game, buyer, provider, make_member, member_of,
        community, listing_of, now,
    ):  # fmt: skip
        rival = make_member("tomas")
        member_of(community, rival)
        puzzle = listing_of(rival, "Puzzle")
        first = propose(book, game)
        second = propose(book, puzzle, who=rival)
        for exchange, customer in ((first, buyer), (second, rival)):
            move(exchange, provider, "accept", now)
            move(exchange, customer, "confirm", now)

        def confirm(i):
            move([first, second][i], provider, "confirm", now + HOUR)
            return "confirmed"

        def outcome(exc):
            return exc.code if isinstance(exc, SelfworkError) else repr(exc)

        results = race(2, confirm, on_error=outcome)
        assert results.count("confirmed") == 1
        states = sorted(
            Exchange.objects.filter(pk__in=[first.pk, second.pk]).values_list(
                "state", flat=True
            )
        )
        assert states == ["completed", "declined"]
        assert status(book) == "swapped"
        swapped = {status(game), status(puzzle)}
        assert swapped == {"swapped", "active"}
