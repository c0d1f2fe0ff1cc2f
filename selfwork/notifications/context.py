"""The unread count the bell in every page's header shows."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from selfwork.notifications.selectors import notifications_unread_count


def unread_notifications(request: HttpRequest) -> dict:
    """``unread_notifications``: counted once per page, and only if a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": SimpleLazyObject(
            lambda: notifications_unread_count(member=user)
        )
    }
