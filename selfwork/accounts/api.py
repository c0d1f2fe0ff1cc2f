"""API: sign-up, tokens, public profiles and the caller's own profile."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Path, Router, Schema
from ninja.responses import Status

from selfwork.accounts import selectors, services
from selfwork.accounts.models import Member
from selfwork.accounts.services import EMAIL, MAX_EMAIL, USERNAME
from selfwork.core.api import (
    PROBLEMS,
    BodyIn,
    Instant,
    PublicId,
    caller,
    documented,
    documented_not_null,
    member_auth,
    now,
)
from selfwork.core.errors import NotFound
from selfwork.core.idempotency import idempotency_withhold
from selfwork.core.openapi import (
    COUNTRY_OR_EMPTY,
    UPLOAD_ID,
    WORDS,
    markdown,
    plain,
    ref,
)
from selfwork.core.throttle import client_address, throttle_count, throttled

auth_router = Router(tags=["auth"])
members_router = Router(tags=["members"])


class SignupIn(BodyIn):
    username: str = Field(
        max_length=200, json_schema_extra=documented(pattern=USERNAME.pattern)
    )
    email: str = Field(
        max_length=300,
        json_schema_extra=documented(pattern=EMAIL.pattern, max_length=MAX_EMAIL),
    )
    password: str = Field(max_length=500)
    display_name: str = Field(
        "",
        max_length=200,
        json_schema_extra=documented(**plain(max_length=80, required=False)),
    )


class TokenIn(BodyIn):
    username: str = Field(max_length=200)
    password: str = Field(max_length=500)


WITHHELD = "null only when replayed for an Idempotency-Key: a token is shown once."


class TokenOut(Schema):
    token: str | None = Field(description=WITHHELD)


class PortfolioItemOut(Schema):
    id: int
    image: str
    caption: str


class MemberOut(Schema):
    id: PublicId
    username: str
    display_name: str
    bio: str
    avatar: str | None
    skills: list[str]
    languages: list[str]
    city: str
    country: str
    time_zone: str
    preferred_currency: str
    language: str = Field(
        description="The language of the member's e-mails and pages; empty: "
        "the browser's."
    )
    commission_status: str
    commission_slots: int
    away: bool
    joined_at: Instant
    portfolio: list[PortfolioItemOut]


class MeOut(MemberOut):
    email: str


class SignupOut(Schema):
    token: str | None = Field(description=WITHHELD)
    member: MeOut


def member_out(member: Member, *, private: bool = False) -> dict[str, Any]:
    data = {
        "id": str(member.public_id),
        "username": member.username,
        "display_name": member.name,
        "bio": member.bio,
        "avatar": member.avatar.url if member.avatar else None,
        "skills": member.skills,
        "languages": member.languages,
        "city": member.city,
        "country": member.country,
        "time_zone": member.time_zone,
        "preferred_currency": member.preferred_currency,
        "language": member.language,
        "commission_status": member.commission_status,
        "commission_slots": member.commission_slots,
        "away": member.away,
        "joined_at": member.date_joined.isoformat(),
        "portfolio": [
            {"id": p.pk, "image": p.image.url, "caption": p.caption}
            for p in member.portfolio.all()
        ],
    }
    if private:
        data["email"] = member.email
    return data


@auth_router.post(
    "/signup", response={201: SignupOut, **PROBLEMS}, throttle=throttled("signup")
)
def signup(request: HttpRequest, payload: SignupIn):
    """Create an account; the token is shown once (an idempotent replay withholds it)."""
    idempotency_withhold(request, "token")
    at = now()
    member = services.member_signup(
        username=payload.username,
        email=payload.email,
        password=payload.password,
        display_name=payload.display_name,
        now=at,
    )
    token = services.api_token_create(member=member, now=at, name="sign-up")
    return Status(201, {"token": token, "member": member_out(member, private=True)})


@auth_router.post("/token", response={200: TokenOut, **PROBLEMS})
def token(request: HttpRequest, payload: TokenIn):
    """Get a token; shown once (an idempotent replay withholds it)."""
    idempotency_withhold(request, "token")
    at = now()
    member = services.member_authenticate(
        username=payload.username,
        password=payload.password,
        address=client_address(request),
        now=at,
    )
    # Tokens per member are limited here and on the web page, where people ask
    # for them; services and fixtures issue them freely.
    throttle_count(scope="token", member_id=member.pk, address=None, now=at)
    return {"token": services.api_token_create(member=member, now=at, name="api")}


MARKDOWN_BIO = markdown(max_length=4000)


class MeUpdateIn(BodyIn):
    display_name: str | None = Field(
        None,
        max_length=500,
        json_schema_extra=documented_not_null(**plain(max_length=80)),
    )
    bio: str | None = Field(
        None, max_length=20000, json_schema_extra=documented_not_null(**MARKDOWN_BIO)
    )
    avatar: str | None = Field(
        None,
        max_length=64,
        description="An image id from POST /api/v1/uploads, or null or empty to remove it.",
        json_schema_extra=documented(
            anyOf=[UPLOAD_ID, {"const": ""}, {"type": "null"}]
        ),
    )
    skills: list[str] | None = Field(
        None, max_length=100, json_schema_extra=documented_not_null(**WORDS)
    )
    languages: list[str] | None = Field(
        None, max_length=100, json_schema_extra=documented_not_null(**WORDS)
    )
    city: str | None = Field(
        None,
        max_length=500,
        json_schema_extra=documented_not_null(**plain(max_length=80, required=False)),
    )
    country: str | None = Field(
        None,
        max_length=10,
        description="A two-letter ISO code (any case), or empty.",
        json_schema_extra=documented(pattern=COUNTRY_OR_EMPTY),
    )
    time_zone: str | None = Field(
        None,
        max_length=100,
        json_schema_extra=documented_not_null(**ref("TimeZone")),
    )
    preferred_currency: str | None = Field(
        None,
        max_length=10,
        json_schema_extra=documented_not_null(**ref("Currency")),
    )
    language: str | None = Field(
        None,
        max_length=10,
        description="A language code, or empty to follow Accept-Language.",
        json_schema_extra=documented_not_null(
            enum=["", *(code for code, _name in settings.LANGUAGES)]
        ),
    )
    commission_status: str | None = Field(
        None,
        max_length=20,
        json_schema_extra=documented_not_null(
            enum=list(Member.CommissionStatus.values)
        ),
    )
    commission_slots: int | None = Field(
        None, ge=0, le=100, json_schema_extra=documented_not_null()
    )
    away: bool | None = None


class PortfolioIn(BodyIn):
    image: str = Field(
        max_length=64,
        description="An image id from POST /api/v1/uploads.",
        json_schema_extra=documented(**UPLOAD_ID),
    )
    caption: str = Field(
        "",
        max_length=1000,
        json_schema_extra=documented(**plain(max_length=200, required=False)),
    )


@members_router.get("/me", response={200: MeOut, **PROBLEMS}, auth=member_auth)
def me(request: HttpRequest):
    return member_out(
        selectors.member_get(username=request.user.username), private=True
    )


@members_router.patch("/me", response={200: MeOut, **PROBLEMS}, auth=member_auth)
def me_update(request: HttpRequest, payload: MeUpdateIn):
    changes = payload.model_dump(exclude_unset=True)
    services.member_update(member=caller(request), changes=changes)
    return member_out(
        selectors.member_get(username=request.user.username), private=True
    )


@members_router.post(
    "/me/portfolio", response={201: PortfolioItemOut, **PROBLEMS}, auth=member_auth
)
def portfolio_add(request: HttpRequest, payload: PortfolioIn):
    item = services.portfolio_add(
        member=caller(request), upload_id=payload.image, caption=payload.caption
    )
    return Status(
        201, {"id": item.pk, "image": item.image.url, "caption": item.caption}
    )


@members_router.delete(
    "/me/portfolio/{item_id}", response={204: None, **PROBLEMS}, auth=member_auth
)
def portfolio_remove(request: HttpRequest, item_id: Path[int]):
    if not 1 <= item_id <= 2**62:
        raise NotFound(gettext("No such portfolio image."))
    services.portfolio_remove(member=caller(request), item_id=item_id)
    return Status(204, None)


# ``GET /members/{username}`` (the public profile with its reputation) is served
# by ``exchanges.reviews_api``: reputation is read from exchanges, above accounts.
