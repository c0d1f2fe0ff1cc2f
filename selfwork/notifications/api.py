"""API: a member's notifications and how they want to be told.

``GET /notifications`` pages them newest first; ``POST /notifications/read``
marks all, or those of ``ids``, read; ``/notifications/preferences`` reads and
changes the channel of each kind.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

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
from selfwork.notifications import selectors, services
from selfwork.notifications.models import Channel, Kind, Notification

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: PublicId
    kind: str = Field(json_schema_extra=documented(enum=Kind.values))
    title: str = Field(description="A whole sentence, plain text.")
    body: str = Field(description="Plain text; may be empty.")
    link: str = Field(description="The path of the page it is about; may be empty.")
    read: bool
    read_at: Instant | None
    created_at: Instant


class NotificationPageOut(Schema):
    items: list[NotificationOut]
    next: str | None
    unread: int = Field(description="How many of all my notifications are unread.")


class NotificationQuery(QueryIn):
    cursor: Cursor = None
    limit: int = Field(30, ge=1, le=100)


class NotificationsReadIn(BodyIn):
    ids: list[str] | None = Field(
        None,
        max_length=services.READ_MAX_IDS,
        json_schema_extra=documented(items={"type": "string", "format": "uuid"}),
        description="The notifications to mark read; leave out to mark all read. "
        "Ids that are not mine are ignored.",
    )


class NotificationsReadOut(Schema):
    marked: int = Field(description="How many unread notifications became read.")
    unread: int


class NotificationPreferencesOut(Schema):
    channels: dict[str, str] = Field(
        description="For each kind, how I am told: " + ", ".join(Channel.values) + "."
    )


class NotificationPreferencesIn(BodyIn):
    channels: dict[str, str] = Field(
        max_length=len(Kind.values),
        json_schema_extra=documented(
            properties={kind: {"enum": list(Channel.values)} for kind in Kind.values},
            additionalProperties=False,
        ),
        description="The kinds to change, each with its channel: "
        + ", ".join(Channel.values)
        + ".",
    )


def notification_out(n: Notification) -> dict[str, Any]:
    return {
        "id": str(n.public_id),
        "kind": n.kind,
        "title": n.title,
        "body": n.body,
        "link": n.link,
        "read": n.read_at is not None,
        "read_at": n.read_at.isoformat() if n.read_at else None,
        "created_at": n.created_at.isoformat(),
    }


@router.get("", response={200: NotificationPageOut, **PROBLEMS}, auth=member_auth)
def notifications_list(request: HttpRequest, filters: Query[NotificationQuery]):
    """My notifications, newest first, a cursor page at a time."""
    member = caller(request)
    page = selectors.notifications_page(
        member=member, cursor=filters.cursor, limit=filters.limit
    )
    return {
        "items": [notification_out(n) for n in page.items],
        "next": page.next,
        "unread": selectors.notifications_unread_count(member=member),
    }


@router.post(
    "/read", response={200: NotificationsReadOut, **PROBLEMS}, auth=member_auth
)
def notifications_read(request: HttpRequest, payload: NotificationsReadIn):
    """Mark my notifications read: ``{"ids": [...]}``, or all of them with ``{}``."""
    member = caller(request)
    marked = services.notifications_mark_read(member=member, ids=payload.ids, now=now())
    return {
        "marked": marked,
        "unread": selectors.notifications_unread_count(member=member),
    }


@router.get(
    "/preferences",
    response={200: NotificationPreferencesOut, **PROBLEMS},
    auth=member_auth,
)
def notification_preferences_get(request: HttpRequest):
    """How I am told of each kind of notification."""
    return {"channels": selectors.preferences_for(member=caller(request))}


@router.patch(
    "/preferences",
    response={200: NotificationPreferencesOut, **PROBLEMS},
    auth=member_auth,
)
def notification_preferences_update(
    request: HttpRequest, payload: NotificationPreferencesIn
):
    """Change how I am told of some kinds: ``{"channels": {"message": "digest"}}``."""
    member = caller(request)
    services.preferences_set(member=member, choices=payload.channels, now=now())
    return {"channels": selectors.preferences_for(member=member)}
