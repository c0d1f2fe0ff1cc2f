"""Reads: a member's notifications, their unread count, their preferences."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from selfwork.core.errors import InvalidInput
from selfwork.core.pagination import cursor_decode, cursor_encode
from selfwork.notifications.models import (
    Channel,
    Kind,
    Notification,
    Preference,
    StoredEmail,
)

# What a member is told when they chose nothing: everything in the app and by
# e-mail, as before notifications had preferences.
DEFAULT_CHANNEL = Channel.EMAIL


def notifications_for(*, member) -> QuerySet[Notification]:
    """Return ``member``'s notifications, newest first."""
    return Notification.objects.filter(member=member).order_by("-created_at", "-pk")


def notifications_unread_count(*, member) -> int:
    """Return how many of ``member``'s notifications are unread, in one query."""
    return Notification.objects.filter(member=member, read_at__isnull=True).count()


def preferences_for(*, member) -> dict[str, str]:
    """Return ``member``'s channel for every kind, defaults filled in."""
    chosen = dict(
        Preference.objects.filter(member=member).values_list("kind", "channel")
    )
    return {kind: chosen.get(kind, DEFAULT_CHANNEL) for kind in Kind.values}


def channels_for(*, members: list, kind: str) -> dict[int, str]:
    """Return each of ``members``' channel for ``kind`` (by member pk), in one query."""
    chosen = dict(
        Preference.objects.filter(
            member__in=[m.pk for m in members], kind=kind
        ).values_list("member_id", "channel")
    )
    return {m.pk: chosen.get(m.pk, DEFAULT_CHANNEL) for m in members}


@dataclass(frozen=True)
class NotificationPage:
    items: list[Notification]
    next: str | None


def notifications_page(*, member, cursor: str | None, limit: int) -> NotificationPage:
    """Return one page of ``member``'s notifications, newest first.

    The cursor is the position of the last one shown (a keyset), so a page read
    while new notifications arrive neither repeats nor skips one.

    :raises InvalidInput: a cursor this server did not give out.
    """
    rows = notifications_for(member=member)
    after = cursor_decode(cursor)
    if after:
        try:
            at = dt.datetime.fromisoformat(str(after["t"]))
            pk = int(after["i"])
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInput(
                gettext("The cursor is not one this server gave out."),
                field="cursor",
                code="invalid_cursor",
            ) from exc
        rows = rows.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=pk))
    page = list(rows[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    following = (
        cursor_encode({"t": page[-1].created_at.isoformat(), "i": page[-1].pk})
        if more
        else None
    )
    return NotificationPage(items=page, next=following)


def stored_emails() -> QuerySet[StoredEmail]:
    """Return the e-mails kept instead of sent, newest first."""
    return StoredEmail.objects.order_by("-created_at", "-pk")


def emails_failing() -> QuerySet[Notification]:
    """Return the notifications whose e-mail failed: given up on (bounced, or out
    of retries) or waiting for another try after an error; newest first."""
    return (
        Notification.objects.filter(
            Q(email=Notification.Email.FAILED)
            | Q(email=Notification.Email.PENDING, email_attempts__gt=0)
            & ~Q(email_error="")
        )
        .select_related("member")
        .order_by("-created_at", "-pk")
    )
