"""The one authentication backend: Django's own log-ins (the admin) use our limits."""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone

from selfwork.accounts.devices import device_of
from selfwork.accounts.services import member_authenticate
from selfwork.core.errors import NotAuthenticated, RateLimited
from selfwork.core.throttle import client_address


class MemberBackend(ModelBackend):
    """``ModelBackend`` whose password check is ``member_authenticate``.

    A refusal by the limits raises ``PermissionDenied``, which stops Django from
    asking any other backend, and is kept on the request for the page to show.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ):
        if username is None or password is None:
            return None
        try:
            return member_authenticate(
                username=username,
                password=password,
                address=client_address(request) if request is not None else None,
                device=device_of(request) if request is not None else None,
                now=timezone.now(),
            )
        except NotAuthenticated:
            return None
        except RateLimited as exc:
            if request is not None:
                request.login_refusal = exc  # type: ignore[attr-defined]
            raise PermissionDenied(exc.detail) from exc
