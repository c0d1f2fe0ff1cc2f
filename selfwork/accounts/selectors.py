"""Reads on members."""

import datetime as dt
import zoneinfo

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext

from selfwork.accounts.models import ApiToken, Member, PortfolioItem
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


def member_for_token(*, token: str, now: dt.datetime) -> Member | None:
    """Return the member a bearer token belongs to, or None; notes when it was used."""
    row = (
        ApiToken.objects.filter(
            digest=ApiToken.digest_of(token), member__is_active=True
        )
        .select_related("member")
        .first()
    )
    if row is None:
        return None
    # Record use at most once a minute: a write on every request would serialise
    # reads behind SQLite's single writer.
    if row.last_used_at is None or now - row.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.member


def api_tokens_list(*, member: Member) -> QuerySet[ApiToken]:
    """Return the member's API tokens, newest first."""
    return ApiToken.objects.filter(member=member).order_by("-created_at", "-pk")
