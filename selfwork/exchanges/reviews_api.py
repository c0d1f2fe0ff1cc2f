"""API: reviews of exchanges, replies and hiding, and members' public reputation.

- ``POST /exchanges/{id}/reviews`` writes the caller's review (201);
  ``GET /exchanges/{id}/reviews`` reads the caller's and, once published, the
  other party's.
- ``POST /reviews/{id}/reply`` is the reviewed member's one public reply;
  ``POST /reviews/{id}/hide`` is a host's or operator's, with a reason.
- ``GET /members/{username}/reviews`` lists published reviews, newest first.
  (``GET /members/{username}``, the profile with ``reputation``, is in
  ``selfwork.api.members``: it also reads conversations, which sit above.)
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from selfwork.accounts import selectors as accounts
from selfwork.accounts.api import MemberOut
from selfwork.core.api import (
    PROBLEMS,
    BodyIn,
    Cursor,
    Instant,
    PublicId,
    QueryIn,
    caller,
    documented,
    member_auth,
    now,
)
from selfwork.core.openapi import markdown, plain
from selfwork.core.pagination import offset_page
from selfwork.exchanges import reputation, selectors, services
from selfwork.exchanges.models import Review
from selfwork.exchanges.services.reviews import REASON_MAX, TEXT_MAX

exchange_reviews_router = Router(tags=["reviews"], auth=member_auth)
reviews_router = Router(tags=["reviews"], auth=member_auth)
member_reputation_router = Router(tags=["members"])


class ReviewIn(BodyIn):
    rating: int = Field(ge=1, le=5)
    text: str = Field(
        max_length=20000,
        json_schema_extra=documented(**markdown(max_length=TEXT_MAX, required=True)),
        description="Markdown (no raw HTML).",
    )
    communication: int | None = Field(
        None, ge=1, le=5, description="The customer's rating only."
    )
    quality: int | None = Field(None, ge=1, le=5, description="The customer's only.")
    on_time: int | None = Field(None, ge=1, le=5, description="The customer's only.")


class ReviewReplyIn(BodyIn):
    text: str = Field(
        max_length=20000,
        json_schema_extra=documented(**markdown(max_length=TEXT_MAX, required=True)),
        description="Markdown (no raw HTML).",
    )


class HideIn(BodyIn):
    reason: str = Field(
        max_length=5000,
        json_schema_extra=documented(**plain(max_length=REASON_MAX)),
        description="Why the review breaks the rules.",
    )


class ReviewPartyOut(Schema):
    username: str
    name: str


class ReviewOut(Schema):
    id: PublicId
    author: ReviewPartyOut
    subject: ReviewPartyOut
    author_role: str = Field(description="customer or provider: the author's side.")
    rating: int
    text: str | None = Field(description="Markdown; null when a host hid the review.")
    communication: int | None
    quality: int | None
    on_time: int | None
    listing: PublicId | None = Field(
        description="The listing reviewed, if any (its id)."
    )
    created_at: Instant
    published_at: Instant | None = Field(
        description="Null while only its author may read it."
    )
    reply: str | None
    replied_at: Instant | None
    hidden: bool
    hidden_reason: str | None = Field(
        description="Shown to the parties and the community's overseers only."
    )


class ExchangeReviewsOut(Schema):
    items: list[ReviewOut]
    open: bool = Field(description="Whether the caller may still write a review.")
    closes_at: Instant | None
    published_at: Instant | None


class ReviewPage(Schema):
    items: list[ReviewOut]
    next: str | None


class RatingOut(Schema):
    mean: str | None = Field(description="The mean to one decimal place, e.g. 4.7.")
    count: int


class BadgeOut(Schema):
    code: str
    label: str
    description: str


class ReputationOut(Schema):
    as_provider: RatingOut
    as_customer: RatingOut
    completed_exchanges: int
    completion_rate: str | None = Field(description="0 to 1, as provider.")
    on_time_rate: str | None = Field(description="0 to 1, as provider.")
    repeat_customers: int
    member_since: Instant
    median_first_response_seconds: int | None
    median_first_response_note: str
    badges: list[BadgeOut]


class MemberWithReputationOut(MemberOut):
    reputation: ReputationOut


class ReviewPageQuery(QueryIn):
    cursor: Cursor = None
    limit: int = Field(20, ge=1, le=100)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def review_out(review: Review, *, viewer=None) -> dict[str, Any]:
    """A review as the API shows it to ``viewer``."""
    exchange = review.exchange
    # Only a hidden review asks who the viewer is (a query): lists of
    # published reviews leave hidden ones out.
    insider = (
        review.is_hidden
        and viewer is not None
        and (
            viewer.pk in (exchange.customer_id, exchange.provider_id)
            or services.review_can_hide(review=review, member=viewer)
        )
    )
    return {
        "id": str(review.public_id),
        "author": {"username": review.author.username, "name": review.author.name},
        "subject": {"username": review.subject.username, "name": review.subject.name},
        "author_role": review.author_role,
        "rating": review.rating,
        "text": None if review.is_hidden else review.text,
        "communication": review.communication,
        "quality": review.quality,
        "on_time": review.on_time,
        "listing": str(exchange.listing.public_id) if exchange.listing else None,
        "created_at": review.created_at.isoformat(),
        "published_at": _iso(review.published_at),
        "reply": review.reply or None,
        "replied_at": _iso(review.replied_at),
        "hidden": review.is_hidden,
        "hidden_reason": review.hidden_reason if insider else None,
    }


def _exchange_reviews(exchange, member, at: dt.datetime) -> dict[str, Any]:
    items = reputation.reviews_of_exchange(exchange=exchange, member=member)
    return {
        "items": [review_out(r, viewer=member) for r in items],
        "open": reputation.review_open_for(exchange=exchange, member=member, at=at),
        "closes_at": _iso(exchange.reviews_close_at),
        "published_at": _iso(exchange.reviews_published_at),
    }


@exchange_reviews_router.get(
    "/{exchange_id}/reviews", response={200: ExchangeReviewsOut, **PROBLEMS}
)
def exchange_reviews_read(request: HttpRequest, exchange_id: PublicId):
    """Your review of the exchange, and the other party's once both are published."""
    member = caller(request)
    exchange = selectors.exchange_get_for_party(public_id=exchange_id, member=member)
    return _exchange_reviews(exchange, member, now())


@exchange_reviews_router.post(
    "/{exchange_id}/reviews", response={201: ReviewOut, **PROBLEMS}
)
def exchange_review_create(
    request: HttpRequest, exchange_id: PublicId, payload: ReviewIn
):
    """Review the other party of an exchange that ended successfully, once.

    Hidden from them until they have reviewed you too, or the window closes.
    """
    member = caller(request)
    exchange = selectors.exchange_get_for_party(public_id=exchange_id, member=member)
    review = services.review_submit(
        exchange=exchange,
        author=member,
        review=services.ReviewIn(**payload.model_dump()),
        now=now(),
    )
    review = reputation.review_get(public_id=review.public_id, member=member)
    return Status(201, review_out(review, viewer=member))


@reviews_router.post("/{review_id}/reply", response={200: ReviewOut, **PROBLEMS})
def review_reply(request: HttpRequest, review_id: PublicId, payload: ReviewReplyIn):
    """Reply once, publicly, to a published review about you."""
    member = caller(request)
    review = reputation.review_get(public_id=review_id, member=member)
    review = services.review_reply(
        review=review, member=member, text=payload.text, now=now()
    )
    return review_out(review, viewer=member)


@reviews_router.post("/{review_id}/hide", response={200: ReviewOut, **PROBLEMS})
def review_hide(request: HttpRequest, review_id: PublicId, payload: HideIn):
    """Hide a published review that breaks the community's rules (hosts, staff).

    The reason is kept and shown to the parties; the rating leaves the figures.
    """
    member = caller(request)
    review = reputation.review_get(public_id=review_id, member=member)
    review = services.review_hide(
        review=review, actor=member, reason=payload.reason, now=now()
    )
    return review_out(review, viewer=member)


def reputation_out(figures: reputation.Reputation) -> dict[str, Any]:
    """A member's reputation as the API shows it."""

    def rating(value: reputation.Rating) -> dict[str, Any]:
        mean = str(value.mean) if value.mean is not None else None
        return {"mean": mean, "count": value.count}

    def rate(value) -> str | None:
        return str(value) if value is not None else None

    return {
        "as_provider": rating(figures.as_provider),
        "as_customer": rating(figures.as_customer),
        "completed_exchanges": figures.completed_exchanges,
        "completion_rate": rate(figures.completion_rate),
        "on_time_rate": rate(figures.on_time_rate),
        "repeat_customers": figures.repeat_customers,
        "member_since": figures.member_since.isoformat(),
        "median_first_response_seconds": figures.median_first_response_seconds,
        "median_first_response_note": figures.median_first_response_note,
        "badges": [
            {"code": b.code, "label": b.label, "description": b.description}
            for b in figures.badges
        ],
    }


@member_reputation_router.get(
    "/{username}/reviews", response={200: ReviewPage, **PROBLEMS}
)
def member_reviews(request: HttpRequest, username: str, query: Query[ReviewPageQuery]):
    """Published reviews about a member, newest first."""
    member = accounts.member_get(username=username)
    page, following = offset_page(
        reputation.reviews_of_member(member=member),
        cursor=query.cursor,
        limit=query.limit,
    )
    viewer = request.user if request.user.is_authenticated else None
    return {"items": [review_out(r, viewer=viewer) for r in page], "next": following}
