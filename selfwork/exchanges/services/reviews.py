"""Writes on reviews: write one, publish them, reply once, hide one.

Reviews are double-blind: each party's review stays with its author until both
have reviewed (published at once) or the window closes (published by the
worker, ``reviews_publish_due``). Publishing also adds the ratings to the
denormalised sums of the reviewed member (``MemberRating``) and, for a
customer's review, of the listing, in the same transaction, so profiles and
search cards read one row instead of averaging reviews.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy

from selfwork.catalog.services import listing_rating_add
from selfwork.communities.selectors import member_is_host
from selfwork.core.errors import InvalidInput, NotFound, NotPermitted
from selfwork.core.events import event_record
from selfwork.core.formats import date_format
from selfwork.core.i18n import interpolate_lazy, text_lazy
from selfwork.core.text import markdown_check, plain_check
from selfwork.exchanges.errors import (
    AlreadyHidden,
    AlreadyReplied,
    AlreadyReviewed,
    ReviewNotPublished,
    ReviewsClosed,
    ReviewsNotOpen,
)
from selfwork.exchanges.models import SUB_RATINGS, Exchange, MemberRating, Review
from selfwork.exchanges.selectors import exchange_roles
from selfwork.notifications.models import Kind
from selfwork.notifications.services import notify, notify_many

TEXT_MAX = 5000
REASON_MAX = 1000


@dataclass(frozen=True)
class ReviewIn:
    """A review as written, before it is checked."""

    rating: int
    text: str
    communication: int | None = None
    quality: int | None = None
    on_time: int | None = None


def _score(value: object, *, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise InvalidInput(
            gettext("%(field)s is a whole number from 1 to 5.") % {"field": field},
            field=field,
            code="invalid_rating",
        )
    return value


def _exchange_locked(exchange: Exchange) -> Exchange:
    """Re-read ``exchange`` holding its row, so a review and the publishing it may
    trigger are not interleaved with the other party's (PostgreSQL; SQLite has one
    writer)."""
    return (
        Exchange.objects.select_for_update(of=("self",))
        .select_related("customer", "provider")
        .get(pk=exchange.pk)
    )


@transaction.atomic
def review_submit(
    *, exchange: Exchange, author, review: ReviewIn, now: dt.datetime
) -> Review:
    """Record ``author``'s review of the other party of ``exchange``.

    Published at once with the other party's when that one exists already.

    :raises NotFound: if ``author`` is not a party (hosts see exchanges, but
        review none they are not a party to).
    :raises ReviewsNotOpen: before the exchange ended successfully.
    :raises ReviewsClosed: once the window closed (or both reviews are published).
    :raises AlreadyReviewed: if ``author`` reviewed this exchange already.
    :raises InvalidInput: for a rating outside 1 to 5, empty or unsafe text, or
        sub-ratings from the provider.
    """
    roles = exchange_roles(exchange=exchange, member=author)
    role = next((r for r in ("customer", "provider") if r in roles), None)
    if role is None:
        raise NotFound(gettext("No such exchange."), code="exchange_not_found")
    rating = _score(review.rating, field="rating")
    subs = {
        name: None if value is None else _score(value, field=name)
        for name in SUB_RATINGS
        for value in [getattr(review, name)]
    }
    if role == "provider" and any(v is not None for v in subs.values()):
        raise InvalidInput(
            gettext("Only the customer rates communication, quality and timeliness."),
            field="communication",
            code="sub_ratings_by_customer",
        )
    text = markdown_check(review.text, field="text", max_length=TEXT_MAX, required=True)
    exchange = _exchange_locked(exchange)
    if exchange.reviews_opened_at is None:
        raise ReviewsNotOpen(
            gettext("You can review this exchange once it has ended successfully.")
        )
    if exchange.reviews_published_at is not None or (
        exchange.reviews_close_at is not None and now >= exchange.reviews_close_at
    ):
        raise ReviewsClosed(gettext("The time to review this exchange has passed."))
    if Review.objects.filter(exchange=exchange, author_role=role).exists():
        raise AlreadyReviewed(gettext("You have reviewed this exchange already."))
    subject = exchange.provider if role == "customer" else exchange.customer
    try:
        with transaction.atomic():
            created = Review.objects.create(
                exchange=exchange,
                author=author,
                subject=subject,
                author_role=role,
                rating=rating,
                text=text,
                created_at=now,
                **subs,
            )
    except IntegrityError as exc:
        raise AlreadyReviewed(
            gettext("You have reviewed this exchange already.")
        ) from exc
    if Review.objects.filter(exchange=exchange).count() == 2:
        _publish(exchange=exchange, now=now)
        created.refresh_from_db()
    else:
        notify(
            member=subject,
            kind=Kind.REVIEW_PUBLISHED,
            title=interpolate_lazy(
                gettext_lazy("%(name)s has reviewed your exchange “%(title)s”."),
                {"name": author.name, "title": exchange.title},
            ),
            body=interpolate_lazy(
                gettext_lazy(
                    "%(name)s has written a review of you. You will both see each "
                    "other's review once you have written yours, or when the time "
                    "to review ends on %(date)s."
                ),
                {
                    "name": author.name,
                    "date": text_lazy(
                        lambda: (
                            date_format(exchange.reviews_close_at)
                            if exchange.reviews_close_at
                            else ""
                        )
                    ),
                },
            ),
            link=_room_path(exchange),
            now=now,
        )
    return created


def _room_path(exchange: Exchange) -> str:
    return reverse("web:exchange", kwargs={"public_id": exchange.public_id})


def _ratings_add(review: Review, *, sign: int) -> None:
    """Add (``sign`` 1) or take away (-1) ``review``'s rating from the sums."""
    side = "provider" if review.author_role == "customer" else "customer"
    MemberRating.objects.get_or_create(member_id=review.subject_id)
    MemberRating.objects.filter(member_id=review.subject_id).update(
        **{
            f"{side}_sum": F(f"{side}_sum") + sign * review.rating,
            f"{side}_count": F(f"{side}_count") + sign,
        }
    )
    listing_id = review.exchange.listing_id
    if review.author_role == "customer" and listing_id is not None:
        listing_rating_add(
            listing_id=listing_id, total=sign * review.rating, count=sign
        )


def _publish(*, exchange: Exchange, now: dt.datetime) -> int:
    """Publish ``exchange``'s reviews and close its window; return how many.

    A compare-and-set on ``reviews_published_at``, so the worker and a second
    review racing to publish the same exchange count its ratings once.
    """
    if (
        Exchange.objects.filter(
            pk=exchange.pk, reviews_published_at__isnull=True
        ).update(reviews_published_at=now)
        != 1
    ):
        return 0
    reviews = list(
        Review.objects.filter(exchange=exchange).select_related(
            "exchange", "author", "subject"
        )
    )
    Review.objects.filter(exchange=exchange).update(published_at=now)
    for review in reviews:
        _ratings_add(review, sign=1)
        event_record(
            kind="review.published",
            subject=str(review.public_id),
            community_id=exchange.community_id,
            now=now,
        )
    if reviews:
        notify_many(
            members=[r.subject for r in reviews],
            kind=Kind.REVIEW_PUBLISHED,
            title=interpolate_lazy(
                gettext_lazy("A review of your exchange “%(title)s” is published."),
                {"title": exchange.title},
            ),
            body=gettext_lazy(
                "The review written about you is now public, on your profile and "
                "in the exchange. You may reply to it once."
            ),
            link=_room_path(exchange),
            now=now,
        )
    return len(reviews)


def reviews_publish_due(*, now: dt.datetime, limit: int = 100) -> int:
    """Publish the reviews of exchanges whose window has closed; return how many
    exchanges. Each in its own transaction, so one failure stops no other."""
    due = list(
        Exchange.objects.filter(
            reviews_published_at__isnull=True,
            reviews_close_at__isnull=False,
            reviews_close_at__lte=now,
        )
        .order_by("reviews_close_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    published = 0
    for pk in due:
        with transaction.atomic():
            exchange = Exchange.objects.select_for_update().get(pk=pk)
            if exchange.reviews_published_at is None:
                _publish(exchange=exchange, now=now)
                published += 1
    return published


@transaction.atomic
def review_reply(*, review: Review, member, text: str, now: dt.datetime) -> Review:
    """Record the reviewed member's one public reply to ``review``.

    :raises NotPermitted: if ``member`` is not the one the review is about.
    :raises ReviewNotPublished: before the review is published.
    :raises AlreadyReplied: if there is a reply already.
    """
    if member is None or member.pk != review.subject_id:
        raise NotPermitted(
            gettext("Only the member a review is about may reply to it."),
            code="not_reviewed_member",
        )
    body = markdown_check(text, field="text", max_length=TEXT_MAX, required=True)
    if review.published_at is None:
        raise ReviewNotPublished(gettext("You can reply once the review is published."))
    if (
        Review.objects.filter(pk=review.pk, reply="").update(reply=body, replied_at=now)
        != 1
    ):
        raise AlreadyReplied(gettext("You have replied to this review already."))
    review.refresh_from_db()
    return review


def review_can_hide(*, review: Review, member) -> bool:
    """Whether ``member`` may hide ``review``: staff, or a host of its community
    who is not a party to the exchange."""
    if member is None or not getattr(member, "is_authenticated", False):
        return False
    exchange = review.exchange
    if member.pk in (exchange.customer_id, exchange.provider_id):
        return False
    return bool(member.is_staff) or member_is_host(
        community=exchange.community_id, member=member
    )


@transaction.atomic
def review_hide(*, review: Review, actor, reason: str, now: dt.datetime) -> Review:
    """Hide a published review that breaks the community's rules, keeping why.

    Its rating leaves the member's and the listing's figures at once.

    :raises NotPermitted: unless ``actor`` is staff or a host of the community
        who is not a party to the exchange.
    :raises ReviewNotPublished: before the review is published.
    :raises AlreadyHidden: if it is hidden already.
    """
    if not review_can_hide(review=review, member=actor):
        raise NotPermitted(
            gettext("Only the community's hosts and operators may hide a review."),
            code="not_a_host",
        )
    why = plain_check(reason, field="reason", max_length=REASON_MAX, required=True)
    if review.published_at is None:
        raise ReviewNotPublished(
            gettext("A review can be hidden once it is published.")
        )
    if (
        Review.objects.filter(pk=review.pk, hidden_at__isnull=True).update(
            hidden_at=now, hidden_by=actor, hidden_reason=why
        )
        != 1
    ):
        raise AlreadyHidden(gettext("This review is hidden already."))
    review.refresh_from_db()
    _ratings_add(review, sign=-1)
    return review
