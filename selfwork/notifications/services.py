"""Writes: telling members things, marking them read, choosing how to be told."""

import datetime as dt
import uuid
import zoneinfo
from collections.abc import Iterable

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext

from selfwork.core.errors import InvalidInput
from selfwork.notifications.errors import UnsubscribeLinkInvalid
from selfwork.notifications.models import Channel, Kind, Notification, Preference
from selfwork.notifications.selectors import channels_for, preferences_for

# A sentence, or one translated later (gettext_lazy, format_lazy).
StrOrPromise = str | Promise

UNSUBSCRIBE_SALT = "selfwork.notifications.unsubscribe"
READ_MAX_IDS = 100


def notify(
    *,
    member,
    kind: str,
    title: StrOrPromise,
    body: StrOrPromise = "",
    link: str = "",
    now: dt.datetime,
) -> Notification | None:
    """Tell ``member`` about something, as their preference for ``kind`` says.

    ``title`` and ``body`` are whole sentences in plain text; ``link`` is the path
    of the page it is about. Pass them lazily translated (``gettext_lazy``,
    ``format_lazy``): each is written down in the member's preferred language.
    Return the notification, or None when the member turned the kind off (or is
    no longer active).
    """
    created = notify_many(
        members=[member], kind=kind, title=title, body=body, link=link, now=now
    )
    return created[0] if created else None


def notify_many(
    *,
    members: Iterable,
    kind: str,
    title: StrOrPromise,
    body: StrOrPromise = "",
    link: str = "",
    now: dt.datetime,
) -> list[Notification]:
    """Tell each of ``members`` the same thing (see ``notify``), in two queries.

    The e-mail, if any, is not sent here: the notification waits for a worker,
    which sends it after this transaction commits and outside any transaction.
    """
    if kind not in Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    members = [m for m in members if m is not None and m.is_active]
    if not members:
        return []
    channels = channels_for(members=members, kind=kind)
    rows = []
    for member in members:
        channel = channels[member.pk]
        if channel == Channel.OFF:
            continue
        email = Notification.Email.NONE
        if member.email and channel == Channel.EMAIL:
            email = Notification.Email.PENDING
        elif member.email and channel == Channel.DIGEST:
            email = Notification.Email.DIGEST
        # A notification is read later, in the member's language and time zone,
        # whichever language the request that caused it was in.
        with (
            translation.override(member_language(member)),
            timezone.override(member_zone(member)),
        ):
            member_title, member_body = str(title), str(body)
        rows.append(
            Notification(
                member=member,
                kind=kind,
                title=member_title[:300],
                body=member_body,
                link=link[:500],
                created_at=now,
                email=email,
                email_available_at=now if email == Notification.Email.PENDING else None,
            )
        )
    return Notification.objects.bulk_create(rows)


def member_language(member) -> str:
    """The language a member's notifications and e-mails are written in."""
    return getattr(member, "language", "") or settings.LANGUAGE_CODE


def member_zone(member) -> zoneinfo.ZoneInfo | None:
    """The time zone a member's notifications speak of (None: the site's)."""
    try:
        return zoneinfo.ZoneInfo(member.time_zone) if member.time_zone else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def notifications_mark_read(*, member, ids: list[str] | None, now: dt.datetime) -> int:
    """Mark ``member``'s notifications read: those of ``ids``, or all; return how many.

    Ids that are not the member's are ignored, as if they did not exist.

    :raises InvalidInput: more than 100 ids, or one that is not a UUID.
    """
    rows = Notification.objects.filter(member=member, read_at__isnull=True)
    if ids is not None:
        if len(ids) > READ_MAX_IDS:
            raise InvalidInput(
                gettext("Mark at most %(READ_MAX_IDS)s notifications read at once.")
                % {"READ_MAX_IDS": READ_MAX_IDS},
                field="ids",
            )
        rows = rows.filter(public_id__in=_uuids(ids))
    return rows.update(read_at=now)


def _uuids(ids: list[str]) -> list[str]:
    try:
        return [str(uuid.UUID(str(i))) for i in ids]
    except ValueError as exc:
        raise InvalidInput(
            gettext("Each id must be a notification's id."), field="ids"
        ) from exc


@transaction.atomic
def preferences_set(*, member, choices: dict[str, str], now: dt.datetime) -> None:
    """Set ``member``'s channel for each kind in ``choices``.

    :raises InvalidInput: an unknown kind or channel (nothing is stored).
    """
    for kind, channel in choices.items():
        if kind not in Kind.values:
            raise InvalidInput(
                gettext("There is no kind of notification “%(kind)s”.")
                % {"kind": kind},
                field=kind,
            )
        if channel not in Channel.values:
            raise InvalidInput(
                gettext("Choose one of: %(value)s.")
                % {"value": ", ".join(Channel.values)},
                field=kind,
            )
    Preference.objects.bulk_create(
        [
            Preference(member=member, kind=kind, channel=channel, updated_at=now)
            for kind, channel in choices.items()
        ],
        update_conflicts=True,
        unique_fields=["member", "kind"],
        update_fields=["channel", "updated_at"],
    )


def unsubscribe_token(*, member, kind: str) -> str:
    """A signed token that stops ``member``'s e-mails of ``kind`` (or all, ``"*"``)."""
    return signing.dumps({"m": str(member.public_id), "k": kind}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_read(token: str) -> tuple[str, str]:
    """Return the member's public id and the kind an unsubscribe token names.

    :raises UnsubscribeLinkInvalid: a token this site did not sign.
    """
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature as exc:
        raise UnsubscribeLinkInvalid(
            gettext(
                "This unsubscribe link is not valid; change your e-mail "
                "settings on the notifications settings page instead."
            )
        ) from exc
    if not isinstance(data, dict) or not isinstance(data.get("m"), str):
        raise UnsubscribeLinkInvalid(gettext("This unsubscribe link is not valid."))
    kind = data.get("k")
    if kind != "*" and kind not in Kind.values:
        raise UnsubscribeLinkInvalid(gettext("This unsubscribe link is not valid."))
    return data["m"], kind


@transaction.atomic
def unsubscribe_apply(*, member, kind: str, now: dt.datetime) -> list[str]:
    """Stop e-mails of ``kind`` (``"*"``: of every kind) to ``member``.

    What was e-mailed (at once or in a digest) is still shown in the app; a kind
    already off stays off. Return the kinds that changed.
    """
    current = preferences_for(member=member)
    kinds = Kind.values if kind == "*" else [kind]
    changed = [k for k in kinds if current[k] in (Channel.EMAIL, Channel.DIGEST)]
    if changed:
        preferences_set(
            member=member, choices={k: Channel.IN_APP for k in changed}, now=now
        )
        # What is waiting to be sent is not sent either: the member said stop.
        Notification.objects.filter(
            member=member,
            kind__in=changed,
            email__in=[Notification.Email.PENDING, Notification.Email.DIGEST],
        ).update(email=Notification.Email.NONE, email_available_at=None)
    return changed
