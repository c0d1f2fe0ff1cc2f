"""Reads on members."""

import datetime as dt
import zoneinfo

from django.db import router
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext

from selfwork.accounts.models import ApiToken, Member, PortfolioItem
from selfwork.core.compiled import CompiledRead, Slot
from selfwork.core.errors import NotFound

TIME_ZONE_SET = frozenset(zoneinfo.available_timezones())


def member_get(*, username: str) -> Member:
    """Return the active member called ``username`` with avatar and portfolio loaded."""
    if "\x00" in username:
        # No username holds NUL, and PostgreSQL cannot even compare text with it.
        raise NotFound(gettext("No such member."), code="member_not_found")
    member = (
        Member.objects.filter(username=username, is_active=True)
        .select_related("avatar")
        .prefetch_related(
            Prefetch(
                "portfolio", queryset=PortfolioItem.objects.select_related("image")
            )
        )
        .first()
    )
    if member is None:
        raise NotFound(
            gettext("No member '%(username)s'.") % {"username": username[:40]},
            code="member_not_found",
        )
    return member


def _member_by_token(shape: None) -> QuerySet[Member]:
    return Member.objects.filter(
        api_tokens__digest=Slot("digest", ApiToken._meta.get_field("digest")),
        is_active=True,
    ).values_list(*_MEMBER_COLUMNS, "api_tokens__id", "api_tokens__last_used_at")[:1]


_MEMBER_COLUMNS = [f.attname for f in Member._meta.concrete_fields]
# Every API request by a member reads this: its SQL is written once (core.compiled).
_member_by_token_read = CompiledRead(Member, _member_by_token)


def member_for_token(*, token: str, now: dt.datetime) -> Member | None:
    """Return the member a bearer token belongs to, or None; notes when it was used."""
    found = _member_by_token_read.rows(digest=ApiToken.digest_of(token))
    if not found:
        return None
    *columns, token_id, last_used_at = found[0]
    # Record use at most once a minute: a write on every request would serialise
    # reads behind SQLite's single writer.
    if last_used_at is None or now - last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
    return Member.from_db(router.db_for_read(Member), _MEMBER_COLUMNS, columns)


def api_tokens_list(*, member: Member) -> QuerySet[ApiToken]:
    """Return the member's API tokens, newest first."""
    return ApiToken.objects.filter(member=member).order_by("-created_at", "-pk")
