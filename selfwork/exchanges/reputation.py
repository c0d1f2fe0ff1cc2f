"""Reads on reviews and reputation: who sees which review, and a member's figures.

A member's ratings come from the denormalised ``MemberRating`` row; the other
figures are a few aggregate queries over their exchanges, a constant number
whatever their history (see ``member_reputation``).
"""

import datetime as dt
import statistics
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext, ngettext

from selfwork.catalog.models import rating_mean_of
from selfwork.core.errors import NotFound
from selfwork.exchanges.models import Delivery, Exchange, MemberRating, Review

# Badge thresholds: documented in the README ("Reputation"); change both together.
TOP_RATED_MEAN = Decimal("4.8")
TOP_RATED_REVIEWS = 10
RELIABLE_RATE = Decimal("0.95")
RELIABLE_EXCHANGES = 10
ON_TIME_RATE = Decimal("0.95")
ON_TIME_EXCHANGES = 10

FAST_RESPONDER_MINUTES = 60
FAST_RESPONDER_ANSWERS = 5

FIRST_RESPONSE_NONE = "No messages answered yet."


def _review_rows() -> QuerySet[Review]:
    return Review.objects.select_related(
        "author", "subject", "exchange", "exchange__listing"
    )


def reviews_of_exchange(*, exchange: Exchange, member) -> list[Review]:
    """The reviews of ``exchange`` that ``member`` may read, customer's first.

    A party reads their own review always and the other's once published;
    anyone else who can see the exchange (hosts, staff) reads published ones.
    """
    visible = Q(published_at__isnull=False)
    if getattr(member, "is_authenticated", False):
        visible |= Q(author=member)
    rows = _review_rows().filter(visible, exchange=exchange)
    return sorted(rows, key=lambda r: r.author_role != "customer")


def review_open_for(*, exchange: Exchange, member, at: dt.datetime) -> bool:
    """Whether ``member`` may write a review of ``exchange`` now."""
    if not getattr(member, "is_authenticated", False):
        return False
    if member.pk == exchange.customer_id:
        role = "customer"
    elif member.pk == exchange.provider_id:
        role = "provider"
    else:
        return False
    if (
        exchange.reviews_opened_at is None
        or exchange.reviews_published_at is not None
        or (exchange.reviews_close_at is not None and at >= exchange.reviews_close_at)
    ):
        return False
    return not Review.objects.filter(exchange=exchange, author_role=role).exists()


def review_get(*, public_id: Any, member) -> Review:
    """The review ``public_id``, if ``member`` may read it: published reviews are
    public (hidden ones to their parties and the community's overseers), an
    unpublished one only to its author.

    :raises NotFound: otherwise.
    """
    try:
        key = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise NotFound(gettext("No such review."), code="review_not_found") from exc
    review = _review_rows().filter(public_id=key).first()
    signed_in = getattr(member, "is_authenticated", False)
    if review is None or (
        review.published_at is None
        and not (signed_in and member.pk == review.author_id)
    ):
        raise NotFound(gettext("No such review."), code="review_not_found")
    return review


def reviews_of_member(*, member) -> QuerySet[Review]:
    """The published, visible reviews about ``member``, newest first."""
    return (
        _review_rows()
        .filter(subject=member, published_at__isnull=False, hidden_at__isnull=True)
        .order_by("-published_at", "-id")
    )


@dataclass(frozen=True)
class Rating:
    mean: Decimal | None
    count: int


@dataclass(frozen=True)
class Badge:
    code: str
    label: str
    description: str


@dataclass(frozen=True)
class Reputation:
    """What a profile shows of a member's track record; rates are 0 to 1."""

    as_provider: Rating
    as_customer: Rating
    completed_exchanges: int
    completion_rate: Decimal | None
    on_time_rate: Decimal | None
    repeat_customers: int
    member_since: dt.datetime
    median_first_response_seconds: int | None
    median_first_response_note: str
    badges: tuple[Badge, ...]


def _first_response_note(answers: int) -> str:
    return ngettext(
        "The median time this member took to answer a message, over %(n)d answer.",
        "The median time this member took to answer a message, over %(n)d answers.",
        answers,
    ) % {"n": answers}


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.01"))


def member_rating(*, member) -> tuple[Rating, Rating]:
    """The member's published ratings as provider and as customer (one query)."""
    row = MemberRating.objects.filter(member=member).first()
    if row is None:
        return Rating(None, 0), Rating(None, 0)
    return (
        Rating(
            rating_mean_of(row.provider_sum, row.provider_count), row.provider_count
        ),
        Rating(
            rating_mean_of(row.customer_sum, row.customer_count), row.customer_count
        ),
    )


def member_reputation(
    *, member, now: dt.datetime, response_waits: Sequence[float] = ()
) -> Reputation:
    """The member's reputation, in four queries whatever their history.

    ``response_waits`` are the minutes the member took to answer each message
    that waited for them (conversations sit above this app, so the caller reads
    them: ``conversations.selectors.first_response_waits``).

    - completed exchanges: those, as either party, that ended successfully
      (every way into a process's success state opens reviews, so
      ``reviews_opened_at`` marks them, for any process);
    - completion rate: of the exchanges they provided that have ended, the share
      that ended successfully;
    - on-time rate: of the exchanges they provided with a due date that were
      delivered, or are still open past it, the share first delivered by the due
      date (one that ended undelivered, declined or refunded, owed nothing);
    - repeat customers: customers with two or more completed exchanges from them.
    """
    as_provider, as_customer = member_rating(member=member)
    counts = Exchange.objects.filter(Q(customer=member) | Q(provider=member)).aggregate(
        completed=Count("pk", filter=Q(reviews_opened_at__isnull=False)),
        provided_ended=Count("pk", filter=Q(provider=member, closed_at__isnull=False)),
        provided_completed=Count(
            "pk", filter=Q(provider=member, reviews_opened_at__isnull=False)
        ),
    )
    first_delivery = Subquery(
        Delivery.objects.filter(exchange=OuterRef("pk"))
        .order_by("created_at")
        .values("created_at")[:1]
    )
    timing = (
        Exchange.objects.filter(provider=member, due_at__isnull=False)
        .annotate(first_delivery_at=first_delivery)
        .aggregate(
            owed=Count(
                "pk",
                filter=Q(first_delivery_at__isnull=False)
                | Q(due_at__lt=now, closed_at__isnull=True),
            ),
            on_time=Count("pk", filter=Q(first_delivery_at__lte=F("due_at"))),
        )
    )
    repeat = (
        Exchange.objects.filter(provider=member, reviews_opened_at__isnull=False)
        .values("customer")
        .annotate(n=Count("pk"))
        .filter(n__gte=2)
        .count()
    )
    completion = _rate(counts["provided_completed"], counts["provided_ended"])
    on_time = _rate(timing["on_time"], timing["owed"])
    badges = []
    if (
        as_provider.mean is not None
        and as_provider.mean >= TOP_RATED_MEAN
        and as_provider.count >= TOP_RATED_REVIEWS
    ):
        badges.append(
            Badge(
                "top_rated",
                "Top rated",
                f"Rated {TOP_RATED_MEAN} or more on average over at least "
                f"{TOP_RATED_REVIEWS} reviews as a provider.",
            )
        )
    if (
        completion is not None
        and completion >= RELIABLE_RATE
        and counts["provided_ended"] >= RELIABLE_EXCHANGES
    ):
        badges.append(
            Badge(
                "reliable",
                "Reliable",
                f"Completed at least {RELIABLE_RATE:.0%} of at least "
                f"{RELIABLE_EXCHANGES} exchanges as a provider.",
            )
        )
    if (
        on_time is not None
        and on_time >= ON_TIME_RATE
        and timing["owed"] >= ON_TIME_EXCHANGES
    ):
        badges.append(
            Badge(
                "on_time",
                "On time",
                f"Delivered at least {ON_TIME_RATE:.0%} of at least "
                f"{ON_TIME_EXCHANGES} exchanges with a due date by that date.",
            )
        )
    median_minutes = statistics.median(response_waits) if response_waits else None
    if (
        median_minutes is not None
        and median_minutes <= FAST_RESPONDER_MINUTES
        and len(response_waits) >= FAST_RESPONDER_ANSWERS
    ):
        badges.append(
            Badge(
                "fast_responder",
                "Fast responder",
                f"Answers new messages within {FAST_RESPONDER_MINUTES} minutes "
                f"(the median), over at least {FAST_RESPONDER_ANSWERS} "
                "conversations.",
            )
        )
    return Reputation(
        as_provider=as_provider,
        as_customer=as_customer,
        completed_exchanges=counts["completed"],
        completion_rate=completion,
        on_time_rate=on_time,
        repeat_customers=repeat,
        member_since=member.date_joined,
        median_first_response_seconds=(
            round(median_minutes * 60) if median_minutes is not None else None
        ),
        median_first_response_note=(
            _first_response_note(len(response_waits))
            if response_waits
            else FIRST_RESPONSE_NONE
        ),
        badges=tuple(badges),
    )
