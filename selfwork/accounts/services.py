"""Writes on members: sign-up, log-in (rate-limited), profiles, portfolios, API tokens."""

import datetime as dt
import re
import secrets
import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from selfwork.accounts.models import ApiToken, LoginAttempt, Member, PortfolioItem
from selfwork.accounts.selectors import TIME_ZONE_SET
from selfwork.core.errors import (
    Conflict,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    RateLimited,
)
from selfwork.core.models import Upload
from selfwork.core.money import unit_check
from selfwork.core.text import markdown_check, plain_check

USERNAME = re.compile(r"^[a-z0-9](?:[a-z0-9_-]{1,28}[a-z0-9])$")
COUNTRY = re.compile(r"^[A-Z]{2}$")
MAX_PORTFOLIO = 24


def _username_check(username: Any) -> str:
    if not isinstance(username, str) or not USERNAME.match(username):
        raise InvalidInput(
            "A username is 3 to 30 lower-case letters, digits, '-' or '_', "
            "starting and ending with a letter or digit.",
            field="username",
            code="invalid_username",
        )
    return username


def _email_check(email: Any) -> str:
    try:
        if not isinstance(email, str) or len(email) > 254:
            raise ValidationError("bad")
        validate_email(email)
    except ValidationError as exc:
        raise InvalidInput(
            "That is not an email address.", field="email", code="invalid_email"
        ) from exc
    return email.strip().lower()


def _password_check(password: Any, member: Member) -> str:
    if not isinstance(password, str):
        raise InvalidInput(
            "A password is required.", field="password", code="weak_password"
        )
    try:
        password_validation.validate_password(password, member)
    except ValidationError as exc:
        raise InvalidInput(
            " ".join(exc.messages), field="password", code="weak_password"
        ) from exc
    return password


@transaction.atomic
def member_signup(
    *,
    username: str,
    email: str,
    password: str,
    now: dt.datetime,
    display_name: str = "",
) -> Member:
    """Create a member account.

    :raises InvalidInput: for a malformed username or email, or a weak password.
    :raises Conflict: if the username or email is taken.
    """
    username = _username_check(username)
    email = _email_check(email)
    display_name = plain_check(
        display_name or username, field="display_name", max_length=80
    )
    member = Member(
        username=username, email=email, display_name=display_name, date_joined=now
    )
    _password_check(password, member)
    if Member.objects.filter(username=username).exists():
        raise Conflict(f"The username '{username}' is taken.", code="username_taken")
    if Member.objects.filter(email__iexact=email).exists():
        raise Conflict("An account with that email already exists.", code="email_taken")
    member.set_password(password)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as exc:  # a racing sign-up took the name first
        raise Conflict(
            f"The username '{username}' is taken.", code="username_taken"
        ) from exc
    return member


def member_authenticate(
    *, username: str, password: str, address: str | None, now: dt.datetime
) -> Member:
    """Check a username and password, counting failures per account and per address.

    :raises RateLimited: after too many recent failures for the account or address.
    :raises NotAuthenticated: if the credentials are wrong.
    """
    window_start = now - dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    limit = settings.LOGIN_MAX_FAILURES
    recent = LoginAttempt.objects.filter(attempted_at__gte=window_start)
    if recent.filter(username=str(username)[:150]).count() >= limit or (
        address and recent.filter(address=address).count() >= limit * 4
    ):
        raise RateLimited(
            "Too many failed log-ins. Wait 15 minutes and try again.",
            code="login_rate_limited",
        )
    member = Member.objects.filter(username=username, is_active=True).first()
    if member is None or not member.check_password(password):
        LoginAttempt.objects.create(
            username=str(username)[:150], address=address, attempted_at=now
        )
        raise NotAuthenticated(
            "The username or password is wrong.", code="bad_credentials"
        )
    LoginAttempt.objects.filter(username=username).delete()
    Member.objects.filter(pk=member.pk).update(last_login=now)
    return member


def api_token_create(*, member: Member, now: dt.datetime, name: str = "") -> str:
    """Issue a new bearer token for ``member`` and return it; only its hash is kept."""
    token = "sw_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(
        member=member,
        digest=ApiToken.digest_of(token),
        prefix=token[:8],
        name=name[:80],
        created_at=now,
    )
    return token


def api_token_revoke(*, member: Member, token_id: int) -> None:
    """Revoke one of ``member``'s tokens."""
    if ApiToken.objects.filter(member=member, pk=token_id).delete()[0] == 0:
        raise NotFound("No such token.")


PROFILE_TEXT_LIMITS = {"display_name": 80, "city": 80}


@transaction.atomic
def member_update(*, member: Member, changes: dict[str, Any]) -> Member:
    """Update ``member``'s profile with the fields present in ``changes``.

    :raises InvalidInput: naming the first bad field.
    """
    for field, value in changes.items():
        if field in PROFILE_TEXT_LIMITS:
            value = plain_check(
                value,
                field=field,
                max_length=PROFILE_TEXT_LIMITS[field],
                required=field == "display_name",
            )
        elif field == "bio":
            value = markdown_check(value, field="bio", max_length=4000)
        elif field == "country":
            value = (value or "").strip().upper()
            if value and not COUNTRY.match(value):
                raise InvalidInput(
                    "country is a two-letter ISO code such as NZ.", field="country"
                )
        elif field == "time_zone":
            if value not in TIME_ZONE_SET:
                raise InvalidInput(
                    f"'{str(value)[:64]}' is not a time zone.", field="time_zone"
                )
        elif field == "preferred_currency":
            value = unit_check(value, field="preferred_currency", allow_hours=False)
        elif field in {"skills", "languages"}:
            value = _tags_check(value, field=field)
        elif field == "commission_status":
            if value not in Member.CommissionStatus.values:
                raise InvalidInput(
                    "commission_status is one of open, waitlist, closed.",
                    field="commission_status",
                )
        elif field == "commission_slots":
            if (
                not isinstance(value, int)
                or isinstance(value, bool)
                or not 0 <= value <= 100
            ):
                raise InvalidInput(
                    "commission_slots is a whole number from 0 to 100.", field=field
                )
        elif field == "away":
            value = bool(value)
        elif field == "avatar":
            value = _own_image(member, value, field="avatar") if value else None
        else:
            raise InvalidInput(f"'{field}' cannot be changed.", field=field)
        setattr(member, field, value)
    member.save()
    return member


def _tags_check(value: Any, *, field: str) -> list[str]:
    if not isinstance(value, list) or len(value) > 20:
        raise InvalidInput(f"{field} is a list of at most 20 words.", field=field)
    return [plain_check(v, field=field, max_length=40) for v in value]


def _own_image(member: Member, upload_id: Any, *, field: str) -> Upload:
    try:
        key = uuid.UUID(str(upload_id))
    except ValueError:
        key = None
    upload = (
        Upload.objects.filter(public_id=key, owner=member).first()
        if key is not None
        else None
    )
    if upload is None:
        raise InvalidInput(
            f"{field}: no upload '{str(upload_id)[:40]}' of yours.",
            field=field,
            code="unknown_upload",
        )
    return upload


@transaction.atomic
def portfolio_add(
    *, member: Member, upload_id: str, caption: str = ""
) -> PortfolioItem:
    """Add one of ``member``'s uploaded images to the end of their portfolio."""
    image = _own_image(member, upload_id, field="image")
    caption = plain_check(caption, field="caption", max_length=200, required=False)
    count = member.portfolio.count()
    if count >= MAX_PORTFOLIO:
        raise InvalidInput(
            f"A portfolio holds at most {MAX_PORTFOLIO} images.", code="portfolio_full"
        )
    return PortfolioItem.objects.create(
        member=member, image=image, caption=caption, position=count
    )


def portfolio_remove(*, member: Member, item_id: int) -> None:
    """Remove an image from ``member``'s portfolio."""
    if PortfolioItem.objects.filter(member=member, pk=item_id).delete()[0] == 0:
        raise NotFound("No such portfolio image.")
