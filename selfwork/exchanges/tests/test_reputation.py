"""Reputation figures, checked against a history worked out by hand."""

import datetime as dt
from decimal import Decimal

import pytest

from selfwork.exchanges import reputation, services

pytestmark = pytest.mark.django_db

CARD = {"card": "4242424242424242"}


@pytest.fixture
def history(portrait, package, provider, buyer, stranger, guild, member_of, now):
    """Priya's commissions (Full colour: due 10 days after payment), by day:

    A  bruno     paid day 0, delivered day 1, accepted: on time; bruno rates 5
    B  bruno     paid day 2, delivered day 15, accepted: late; bruno rates 3
    C  sam       paid day 16, declined day 17: ended, not completed, no delivery
    D  sam       paid day 18, not delivered by day 30: open and overdue

    By hand, as of day 30: completed 2 (A, B); completion 2 of 3 ended = 0.67;
    on time 1 of 3 owed (A; B late; D overdue; C excluded, it owes nothing) =
    0.33; repeat customers 1 (bruno); rating as provider (5 + 3) / 2 = 4.0 over
    2; bruno rated by priya 4 and 2: 3.0 over 2 as a customer.
    """
    member_of(guild, stranger)

    def day(n):
        return now + dt.timedelta(days=n)

    def order(customer, at):
        return services.exchange_order(
            listing=portrait,
            customer=customer,
            mode="service",
            package=package("Full colour"),
            now=at,
        )

    def move(exchange, actor, name, at, **params):
        return services.exchange_transition(
            exchange=exchange, actor=actor, name=name, params=params, now=at
        )

    def review(exchange, author, rating, at):
        services.review_submit(
            exchange=exchange,
            author=author,
            review=services.ReviewIn(rating=rating, text="Fine."),
            now=at,
        )

    for paid, delivered, by_buyer, by_provider in [(0, 1, 5, 4), (2, 15, 3, 2)]:
        exchange = move(order(buyer, day(paid)), buyer, "pay", day(paid), **CARD)
        exchange = move(exchange, provider, "deliver", day(delivered), note="Here.")
        exchange = move(exchange, buyer, "accept", day(delivered))
        review(exchange, buyer, by_buyer, day(delivered))
        review(exchange, provider, by_provider, day(delivered))
    declined = move(order(stranger, day(16)), stranger, "pay", day(16), **CARD)
    move(declined, provider, "decline", day(17))
    move(order(stranger, day(18)), stranger, "pay", day(18), **CARD)
    return day(30)


def test_a_providers_figures_match_the_hand_count(history, provider):
    figures = reputation.member_reputation(member=provider, now=history)

    assert figures.completed_exchanges == 2
    assert figures.completion_rate == Decimal("0.67")
    assert figures.on_time_rate == Decimal("0.33")
    assert figures.repeat_customers == 1
    assert (figures.as_provider.mean, figures.as_provider.count) == (Decimal("4.0"), 2)
    assert (figures.as_customer.mean, figures.as_customer.count) == (None, 0)
    assert figures.member_since == provider.date_joined
    assert figures.median_first_response_seconds is None
    assert figures.badges == ()


def test_a_customers_figures_match_the_hand_count(history, buyer):
    figures = reputation.member_reputation(member=buyer, now=history)

    assert figures.completed_exchanges == 2
    assert figures.completion_rate is None
    assert figures.on_time_rate is None
    assert (figures.as_customer.mean, figures.as_customer.count) == (Decimal("3.0"), 2)


def test_the_figures_take_four_queries(history, provider, django_assert_num_queries):
    with django_assert_num_queries(4):
        reputation.member_reputation(member=provider, now=history)


class TestFirstResponse:
    def test_the_median_answer_is_given_in_seconds_with_how_many_it_covers(
        self, history, provider
    ):
        figures = reputation.member_reputation(
            member=provider, now=history, response_waits=[90.0, 10.0, 30.0]
        )
        assert figures.median_first_response_seconds == 1800
        assert "3 answers" in figures.median_first_response_note
        assert figures.badges == ()  # too few answers for the badge

    @pytest.mark.parametrize(
        ("waits", "fast"),
        [
            ([5.0, 10.0, 60.0, 70.0, 80.0], True),  # median 60: within the hour
            ([5.0, 10.0, 61.0, 70.0, 80.0], False),  # median 61
            ([1.0, 1.0, 1.0, 1.0], False),  # four answers are too few
        ],
    )
    def test_fast_responder_needs_a_median_within_the_hour_over_five_answers(
        self, history, provider, waits, fast
    ):
        figures = reputation.member_reputation(
            member=provider, now=history, response_waits=waits
        )
        codes = [b.code for b in figures.badges]
        assert ("fast_responder" in codes) is fast

    def test_no_answers_say_so(self, history, provider):
        figures = reputation.member_reputation(member=provider, now=history)
        assert figures.median_first_response_seconds is None
        assert figures.median_first_response_note == "No messages answered yet."
