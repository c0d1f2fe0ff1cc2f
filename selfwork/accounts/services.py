"""Writes on members: sign-up, log-in (rate-limited), profiles, portfolios, API tokens."""

import datetime as dt
import logging
import re
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from selfwork.accounts.errors import LoginRateLimited
from selfwork.accounts.models import ApiToken, LoginOrigin, Member, PortfolioItem
from selfwork.accounts.selectors import TIME_ZONE_SET
from selfwork.core.errors import (
    Conflict,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    NotPermitted,
)
from selfwork.core.generations import LISTINGS, generation_bump
from selfwork.core.logs import username_digest
from selfwork.core.models import Upload
from selfwork.core.money import unit_check
from selfwork.core.parse import int_parse, upload_ids_parse
from selfwork.core.text import markdown_check, plain_check
from selfwork.core.throttle import (
    address_bucket,
    rate_clear,
    rate_hit_all,
    rate_refund,
    wait_text,
)

logger = logging.getLogger("selfwork.accounts")

USERNAME = re.compile(r"^[a-z0-9](?:[a-z0-9_-]{1,28}[a-z0-9])$")
COUNTRY = re.compile(r"^[A-Z]{2}$")
# The e-mail addresses a member may sign up with: a dot-atom local part and a
# host name with a top-level domain; what Django's validator also asks, stated
# plainly enough for the OpenAPI document (no quoted names, no address literals).
EMAIL = re.compile(
    r"^[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
MAX_EMAIL = 254
MAX_PORTFOLIO = 24


def _username_check(username: Any) -> str:
    if not isinstance(username, str) or not USERNAME.match(username):
        raise InvalidInput(
            gettext(
                "A username is 3 to 30 lower-case letters, digits, '-' or "
                "'_', starting and ending with a letter or digit."
            ),
            field="username",
            code="invalid_username",
        )
    return username


def _email_check(email: Any) -> str:
    try:
        if not isinstance(email, str) or len(email) > MAX_EMAIL:
            raise ValidationError("bad")
        if not EMAIL.match(email):
            raise ValidationError("bad")
        validate_email(email)
    except ValidationError as exc:
        raise InvalidInput(
            gettext("That is not an email address."),
            field="email",
            code="invalid_email",
        ) from exc
    return email.strip().lower()


def _password_check(password: Any, member: Member) -> str:
    if not isinstance(password, str):
        raise InvalidInput(
            gettext("A password is required."), field="password", code="weak_password"
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
        raise Conflict(
            gettext("The username '%(username)s' is taken.") % {"username": username},
            code="username_taken",
        )
    if Member.objects.filter(email__iexact=email).exists():
        raise Conflict(
            gettext("An account with that email already exists."), code="email_taken"
        )
    member.set_password(password)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as exc:  # a racing sign-up took the name first
        raise Conflict(
            gettext("The username '%(username)s' is taken.") % {"username": username},
            code="username_taken",
        ) from exc
    return member


def _login_origins(*, address: str | None, device: str | None) -> dict[str, str]:
    """The digests a log-in's origin is known by: its device and its address."""
    origins = {}
    if device:
        origins["device"] = LoginOrigin.digest_of("device", device)
    if network := address_bucket(address):
        origins["address"] = LoginOrigin.digest_of("address", network)
    return origins


def member_authenticate(
    *,
    username: str,
    password: str,
    address: str | None,
    now: dt.datetime,
    device: str | None = None,
) -> Member:
    """Check a username and password under the log-in limits; every way in calls this.

    Each attempt takes its place in the limits *before* the password is checked,
    so N concurrent guesses against a limit of N get at most N checks. The limits
    (``LOGIN_*`` settings) count attempts per account from one origin (``device``
    when it logged in to this account before, else the address); per address; and
    per account over all origins. An origin that logged in to the account before
    is spared the last two, so strangers guessing at a public username (or
    sharing an address with the member) cannot lock the member out. A success
    clears its origin's count and gives back its other places.

    :raises LoginRateLimited: when a limit is reached; the password is not checked.
    :raises NotAuthenticated: if the credentials are wrong.
    """
    name = str(username)[:150]
    member = Member.objects.filter(username=name, is_active=True).first()
    origins = _login_origins(address=address, device=device)
    known = (
        set(
            LoginOrigin.objects.filter(
                member=member, digest__in=origins.values()
            ).values_list("digest", flat=True)
        )
        if member is not None and origins
        else set()
    )
    account = name.lower()
    if origins.get("device") in known:
        pair = f"login:pair:{account}:device:{origins['device']}"
    else:
        pair = f"login:pair:{account}:{address_bucket(address) or 'unknown'}"
    buckets = [(pair, settings.LOGIN_MAX_FAILURES)]
    if not known:
        if network := address_bucket(address):
            buckets.append(
                (f"login:address:{network}", settings.LOGIN_ADDRESS_MAX_FAILURES)
            )
        buckets.append(
            (f"login:account:{account}", settings.LOGIN_ACCOUNT_MAX_FAILURES)
        )
    verdict = rate_hit_all(
        buckets=buckets, seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS, now=now
    )
    if not verdict.allowed:
        _login_failed_log(name, address, reason="rate_limited")
        raise LoginRateLimited(
            gettext("Too many failed log-ins. Wait %(value)s and try again.")
            % {"value": wait_text(verdict.retry_after)},
            retry_after=verdict.retry_after,
        )
    if member is None:
        # Hash anyway: an unknown name must take as long as a wrong password.
        make_password(password)
        _login_failed_log(name, address, reason="bad_credentials")
        raise NotAuthenticated(
            gettext("The username or password is wrong."), code="bad_credentials"
        )
    if not member.check_password(password):
        _login_failed_log(name, address, reason="bad_credentials")
        raise NotAuthenticated(
            gettext("The username or password is wrong."), code="bad_credentials"
        )
    rate_clear(bucket=pair)
    for bucket, _ in buckets[1:]:
        rate_refund(bucket=bucket)
    LoginOrigin.objects.bulk_create(
        [
            LoginOrigin(member=member, digest=d, last_seen_at=now)
            for d in origins.values()
        ],
        update_conflicts=True,
        unique_fields=["member", "digest"],
        update_fields=["last_seen_at"],
    )
    Member.objects.filter(pk=member.pk).update(last_login=now)
    return member


def _login_failed_log(username: str, address: str | None, *, reason: str) -> None:
    # The name as a digest: a mistyped password is often typed into the name
    # field, and a log is no place for it.
    logger.info(
        "log-in failed",
        extra={
            "username_digest": username_digest(username),
            "address": address,
            "reason": reason,
        },
    )


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
        raise NotFound(gettext("No such token."))


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
                    gettext("country is a two-letter ISO code such as NZ."),
                    field="country",
                )
        elif field == "time_zone":
            if value not in TIME_ZONE_SET:
                raise InvalidInput(
                    gettext("'%(value)s' is not a time zone.")
                    % {"value": str(value)[:64]},
                    field="time_zone",
                )
        elif field == "preferred_currency":
            value = unit_check(value, field="preferred_currency", allow_hours=False)
        elif field == "language":
            value = _language_check(value)
        elif field in {"skills", "languages"}:
            value = _tags_check(value, field=field)
        elif field == "commission_status":
            if value not in Member.CommissionStatus.values:
                raise InvalidInput(
                    gettext("commission_status is one of open, waitlist, closed."),
                    field="commission_status",
                )
        elif field == "commission_slots":
            value = int_parse(value, field=field, low=0, high=100)
        elif field == "away":
            value = bool(value)
        elif field == "avatar":
            value = _own_image(member, value, field="avatar") if value else None
        else:
            raise InvalidInput(
                gettext("'%(field)s' cannot be changed.") % {"field": field},
                field=field,
            )
        setattr(member, field, value)
    member.save()
    # Pages of listings show the owner's name and avatar.
    generation_bump(LISTINGS)
    return member


def _language_check(value: Any) -> str:
    # Empty follows the browser; null is not a language (nor empty).
    if value == "":
        return ""
    known = {code for code, _name in settings.LANGUAGES}
    if not isinstance(value, str) or value.lower() not in known:
        raise InvalidInput(
            gettext("language is one of %(languages)s, or empty.")
            % {"languages": ", ".join(sorted(known))},
            field="language",
        )
    return value.lower()


def member_language_set(*, member: Member, language: str) -> Member:
    """Save ``language`` (a code of ``LANGUAGES``, or empty) as ``member``'s preference.

    :raises InvalidInput: if the site does not speak ``language``.
    """
    member.language = _language_check(language)
    member.save(update_fields=["language"])
    return member


def _tags_check(value: Any, *, field: str) -> list[str]:
    if not isinstance(value, list) or len(value) > 20:
        raise InvalidInput(
            gettext("%(field)s is a list of at most 20 words.") % {"field": field},
            field=field,
        )
    return [plain_check(v, field=field, max_length=40) for v in value]


def _own_image(member: Member, upload_id: Any, *, field: str) -> Upload:
    return upload_ids_parse([upload_id], owner=member, field=field, limit=1)[0]


@transaction.atomic
def portfolio_add(
    *, member: Member, upload_id: str, caption: str = ""
) -> PortfolioItem:
    """Add one of ``member``'s uploaded images to the end of their portfolio."""
    image = _own_image(member, upload_id, field="image")
    caption = plain_check(caption, field="caption", max_length=200, required=False)
    count = member.portfolio.count()
    if count >= MAX_PORTFOLIO:
        # The request is fine; the portfolio's state refuses it (409, like a
        # taken name): removing an image makes the same request succeed.
        raise Conflict(
            gettext("A portfolio holds at most %(MAX_PORTFOLIO)s images.")
            % {"MAX_PORTFOLIO": MAX_PORTFOLIO},
            code="portfolio_full",
        )
    return PortfolioItem.objects.create(
        member=member, image=image, caption=caption, position=count
    )


def portfolio_remove(*, member: Member, item_id: int) -> None:
    """Remove an image from ``member``'s portfolio."""
    if PortfolioItem.objects.filter(member=member, pk=item_id).delete()[0] == 0:
        raise NotFound(gettext("No such portfolio image."))


def member_password_confirm(*, member: Member, password: Any) -> None:
    """Check that ``password`` is ``member``'s own, before an irreversible step.

    :raises NotPermitted: ``wrong_password`` (403): the member is signed in (not
        a failed log-in, 401), and a well-formed password is not a bad value (422)
        but one that does not permit the step.
    """
    if not isinstance(password, str) or not member.check_password(password[:500]):
        raise NotPermitted(
            gettext("That is not your password."),
            code="wrong_password",
            field="password",
        )


def _closed_username() -> str:
    while True:
        name = f"closed-{secrets.token_hex(5)}"
        if not Member.objects.filter(username=name).exists():
            return name


@transaction.atomic
def member_erase(*, member: Member, now: dt.datetime) -> Member:
    """Erase ``member``'s personal data and make the account impossible to use.

    The row stays, so exchanges, reviews and the books keep pointing at it, under
    a pseudonym (``closed-<random>``) that nothing links to the person: name,
    e-mail, bio, avatar, portfolio, skills, place, tokens and the devices it
    logged in from are removed, and the password can never match. ``Member.name``
    then reads "a former member" wherever the member's content is still shown.
    Running it again changes nothing.
    """
    if member.closed_at is not None:
        return member
    images = [member.avatar_id, *member.portfolio.values_list("image_id", flat=True)]
    ApiToken.objects.filter(member=member).delete()
    LoginOrigin.objects.filter(member=member).delete()
    PortfolioItem.objects.filter(member=member).delete()
    member.username = _closed_username()
    member.first_name = member.last_name = member.display_name = ""
    member.email = ""
    member.bio = member.city = member.country = ""
    member.skills = []
    member.languages = []
    member.language = ""
    member.time_zone = "UTC"
    member.avatar = None
    member.commission_status = Member.CommissionStatus.CLOSED
    member.commission_slots = 0
    member.away = True
    member.is_active = member.is_staff = member.is_superuser = False
    member.set_unusable_password()
    member.closed_at = now
    member.save()
    generation_bump(LISTINGS)
    member.groups.clear()
    member.user_permissions.clear()
    for upload in Upload.objects.filter(pk__in=[i for i in images if i]):
        # The file goes with the row; an image still shown elsewhere (a listing,
        # a message) was uploaded again for it and is not among these.
        if not _upload_in_use(upload):
            upload.file.delete(save=False)
            upload.delete()
    return member


def _upload_in_use(upload: Upload) -> bool:
    """Whether any row other than the profile still points at ``upload``."""
    for relation in Upload._meta.related_objects:
        model = relation.related_model
        if model in (Member, PortfolioItem) or not isinstance(model, type):
            continue
        if model._default_manager.filter(**{relation.field.name: upload}).exists():
            return True
    return False
