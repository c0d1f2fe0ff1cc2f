"""Reviews: double-blind until both have written or the window closes, once each."""

import datetime as dt

import pytest

from selfwork.catalog.models import Listing
from selfwork.core.errors import InvalidInput, NotFound, NotPermitted
from selfwork.exchanges import engine, reputation, services
from selfwork.exchanges.errors import (
    AlreadyHidden,
    AlreadyReplied,
    AlreadyReviewed,
    ProcessInvalid,
    ReviewNotPublished,
    ReviewsClosed,
    ReviewsNotOpen,
)
from selfwork.exchanges.models import MemberRating, Review
from selfwork.exchanges.tasks import worker_loop

pytestmark = pytest.mark.django_db


@pytest.fixture
def done(finish, now):
    return finish(now)


def write(exchange, author, at, rating=5, text="Lovely work.", **subs):
    return services.review_submit(
        exchange=exchange,
        author=author,
        review=services.ReviewIn(rating=rating, text=text, **subs),
        now=at,
    )


def later(now, **delta):
    return now + dt.timedelta(**delta)


class TestDoubleBlind:
    def test_a_review_stays_with_its_author_until_the_other_has_written(
        self, done, buyer, provider, now
    ):
        write(done, buyer, later(now, hours=1), rating=4, communication=5)

        assert [
            r.author
            for r in reputation.reviews_of_exchange(exchange=done, member=buyer)
        ] == [buyer]
        assert reputation.reviews_of_exchange(exchange=done, member=provider) == []
        assert list(reputation.reviews_of_member(member=provider)) == []

    def test_both_reviews_are_published_together_when_both_have_written(
        self, done, buyer, provider, now
    ):
        write(done, buyer, later(now, hours=1), rating=4)
        write(done, provider, later(now, hours=2), rating=5)

        reviews = reputation.reviews_of_exchange(exchange=done, member=provider)
        assert [(r.author_role, r.rating) for r in reviews] == [
            ("customer", 4),
            ("provider", 5),
        ]
        assert {r.published_at for r in reviews} == {later(now, hours=2)}

    def test_the_worker_publishes_a_lone_review_when_the_window_closes(
        self, done, buyer, provider, now
    ):
        write(done, buyer, later(now, hours=1), rating=3)
        worker_loop(once=True, now=later(now, days=13), stdout=_Null())
        assert list(reputation.reviews_of_member(member=provider)) == []

        worker_loop(once=True, now=later(now, days=14, minutes=1), stdout=_Null())

        (review,) = reputation.reviews_of_member(member=provider)
        assert review.rating == 3
        assert review.published_at == later(now, days=14, minutes=1)

    def test_after_the_window_closes_no_review_can_be_written(
        self, done, provider, now
    ):
        with pytest.raises(ReviewsClosed):
            write(done, provider, later(now, days=14))

    def test_a_published_review_can_no_longer_be_written_again(
        self, done, buyer, provider, now
    ):
        write(done, buyer, later(now, hours=1))
        write(done, provider, later(now, hours=2))
        with pytest.raises(ReviewsClosed):
            write(done, buyer, later(now, hours=3))

    def test_the_window_is_fourteen_days_unless_the_process_says(self, done):
        assert done.reviews_close_at - done.reviews_opened_at == dt.timedelta(days=14)


class TestRefusals:
    def test_one_review_per_party(self, done, buyer, now):
        write(done, buyer, later(now, hours=1))
        with pytest.raises(AlreadyReviewed):
            write(done, buyer, later(now, hours=2), rating=1)
        assert Review.objects.count() == 1

    def test_a_stranger_cannot_review(self, done, stranger, now):
        with pytest.raises(NotFound):
            write(done, stranger, later(now, hours=1))

    def test_a_host_of_the_community_cannot_review_either(self, done, host, now):
        with pytest.raises(NotFound):
            write(done, host, later(now, hours=1))

    def test_nobody_reviews_before_the_exchange_ended(self, commission, buyer, now):
        with pytest.raises(ReviewsNotOpen):
            write(commission, buyer, now)

    @pytest.mark.parametrize("rating", [0, 6, -1, True])
    def test_a_rating_is_one_to_five(self, done, buyer, now, rating):
        with pytest.raises(InvalidInput):
            write(done, buyer, now, rating=rating)

    def test_the_text_refuses_raw_html(self, done, buyer, now):
        with pytest.raises(InvalidInput):
            write(done, buyer, now, text="<script>alert(1)</script>")
        assert Review.objects.count() == 0

    def test_only_the_customer_gives_sub_ratings(self, done, provider, now):
        with pytest.raises(InvalidInput):
            write(done, provider, now, quality=4)


@pytest.fixture
def published(done, buyer, provider, now):
    """Both reviews of ``done``, published: the customer's 4, the provider's 5."""
    mine = write(done, buyer, later(now, hours=1), rating=4, quality=5)
    write(done, provider, later(now, hours=2), rating=5)
    mine.refresh_from_db()
    return mine


class TestReplyAndHide:
    def test_the_reviewed_member_replies_once(self, published, provider, now):
        review = services.review_reply(
            review=published, member=provider, text="Thank you!", now=now
        )
        assert review.reply == "Thank you!"
        with pytest.raises(AlreadyReplied):
            services.review_reply(
                review=published, member=provider, text="Again.", now=now
            )

    def test_only_the_reviewed_member_replies(self, published, buyer, now):
        with pytest.raises(NotPermitted):
            services.review_reply(review=published, member=buyer, text="Hi", now=now)

    def test_no_reply_before_publishing(self, done, buyer, provider, now):
        review = write(done, buyer, later(now, hours=1))
        with pytest.raises(ReviewNotPublished):
            services.review_reply(review=review, member=provider, text="Hi", now=now)

    def test_a_host_hides_a_review_with_a_reason_and_its_rating_leaves_the_figures(
        self, published, host, provider, now
    ):
        listing = Listing.objects.get(pk=published.exchange.listing_id)
        assert (listing.rating_sum, listing.rating_count) == (4, 1)

        review = services.review_hide(
            review=published, actor=host, reason="It names a private address.", now=now
        )

        assert review.hidden_reason == "It names a private address."
        assert review.hidden_by == host
        assert list(reputation.reviews_of_member(member=provider)) == []
        listing.refresh_from_db()
        assert (listing.rating_sum, listing.rating_count, listing.rating_key) == (
            0,
            0,
            0,
        )
        row = MemberRating.objects.get(member=provider)
        assert (row.provider_sum, row.provider_count) == (0, 0)
        with pytest.raises(AlreadyHidden):
            services.review_hide(review=published, actor=host, reason="Again", now=now)

    def test_a_party_or_a_stranger_cannot_hide(
        self, published, provider, stranger, now
    ):
        for member in (provider, stranger):
            with pytest.raises(NotPermitted):
                services.review_hide(
                    review=published, actor=member, reason="I dislike it.", now=now
                )

    def test_hiding_needs_a_reason(self, published, host, now):
        with pytest.raises(InvalidInput):
            services.review_hide(review=published, actor=host, reason=" ", now=now)


class TestRatingSums:
    def test_publishing_adds_the_ratings_to_the_member_and_the_listing(
        self, published, buyer, provider
    ):
        listing = Listing.objects.get(pk=published.exchange.listing_id)
        assert (listing.rating_sum, listing.rating_count) == (4, 1)
        assert str(listing.rating_mean) == "4.0"
        as_provider, as_customer = reputation.member_rating(member=provider)
        assert (str(as_provider.mean), as_provider.count) == ("4.0", 1)
        assert (as_customer.mean, as_customer.count) == (None, 0)
        _, buyer_as_customer = reputation.member_rating(member=buyer)
        assert (str(buyer_as_customer.mean), buyer_as_customer.count) == ("5.0", 1)


class TestReviewWindowInProcessFiles:
    def test_a_process_file_sets_its_window(self):
        text = (engine.load.BUILTIN_DIR / "gift.toml").read_text()
        process = engine.process_parse('review_window = "P3D"\n' + text)
        assert process.review_window == dt.timedelta(days=3)

    @pytest.mark.parametrize("window", ['"PT1H"', '"P120D"', "14", '"soon"'])
    def test_a_window_out_of_bounds_is_refused(self, window):
        text = (engine.load.BUILTIN_DIR / "gift.toml").read_text()
        with pytest.raises(ProcessInvalid) as error:
            engine.process_parse(f"review_window = {window}\n" + text)
        assert any("review_window" in p for p in error.value.extra["problems"])


class _Null:
    def write(self, text):
        return len(text)
