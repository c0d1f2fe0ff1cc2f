"""The device cookie: a random id a browser keeps once it has logged in.

A member's known devices are spared the account-wide log-in limit (see
``member_authenticate``). The cookie is signed, so only ids this site issued are
read; it says nothing about the member, and stealing it grants nothing but a
place in the limits.
"""

import secrets

from django.conf import settings
from django.http import HttpRequest, HttpResponse

COOKIE = "sw_device"
SALT = "selfwork.accounts.device"
MAX_AGE = 365 * 24 * 3600


def device_of(request: HttpRequest) -> str:
    """The id of the browser making ``request``: its cookie's, or a new one."""
    found = getattr(request, "_selfwork_device", None)
    if found is None:
        found = request.get_signed_cookie(COOKIE, default=None, salt=SALT)
        if not found:
            found = secrets.token_urlsafe(18)
            request._selfwork_device_new = True  # type: ignore[attr-defined]
        request._selfwork_device = found  # type: ignore[attr-defined]
    return found


def device_remember(request: HttpRequest, response: HttpResponse) -> None:
    """Give the browser its device cookie, if it logged in with a new id."""
    if getattr(request, "_selfwork_device_new", False):
        response.set_signed_cookie(
            COOKIE,
            device_of(request),
            salt=SALT,
            max_age=MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
