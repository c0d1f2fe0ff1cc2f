"""The unread count the bell in every page's header shows."""

import operator

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject, new_method_proxy

from selfwork.notifications.selectors import notifications_unread_count


class LazyCount(SimpleLazyObject):
    """A number counted when first read, usable as a plural's count.

    gettext takes it for an ``int`` (the class is proxied) and computes the
    language's plural form with arithmetic (``n % 1000000`` in Spanish),
    which a plain ``SimpleLazyObject`` does not pass on.
    """

    __int__ = new_method_proxy(int)
    __index__ = new_method_proxy(operator.index)
    __mod__ = new_method_proxy(operator.mod)


def unread_notifications(request: HttpRequest) -> dict:
    """``unread_notifications``: counted once per page, and only if a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": LazyCount(
            lambda: notifications_unread_count(member=user)
        )
    }
