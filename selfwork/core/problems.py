"""RFC 9457 problem responses, and the guarantee that every /api/ answer is one.

Errors are declared once, as ``core.errors`` classes (or an app's ``errors.py``)
carrying their status and stable code; this module only renders them.
"""

import json
import logging
import sys
from typing import Any

from django.conf import settings
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.defaults import server_error as django_server_error

from selfwork.core.errors import (
    ERROR_FOR_STATUS,
    CsrfFailed,
    DatabaseBusy,
    MethodNotAllowed,
    SelfworkError,
    declared_codes,
)
from selfwork.core.logs import log_context_get
from selfwork.core.throttle import rate_limit_headers

PROBLEM_MEDIA_TYPE = "application/problem+json"
API_PREFIX = "/api/"

logger = logging.getLogger("selfwork.api")


def problem_response(
    status: int, code: str, title: str, detail: str, /, **extra: Any
) -> HttpResponse:
    """Build an RFC 9457 problem-details response.

    An error's extra members never replace the standard ones (an error that says
    which ``status`` a record is in must not change the response's ``status``).
    """
    body: dict[str, Any] = {
        "type": f"https://selfwork.dev/problems/{code}",
        "title": title,
        "status": status,
        "code": code,
        "detail": detail,
    }
    for key, value in extra.items():
        body.setdefault(key, value)
    # The id the logs of this request carry: a caller who quotes it in a report
    # leads the operator to the lines.
    if request_id := log_context_get("request_id"):
        body.setdefault("request_id", request_id)
    return HttpResponse(
        json.dumps(body), status=status, content_type=PROBLEM_MEDIA_TYPE
    )


class UndeclaredErrorCode(Exception):
    """A problem's code is not declared (``core.errors.declare``), or not with its status."""


def _check_declared(error: SelfworkError) -> None:
    declared = declared_codes().get(error.code)
    if declared is not None and declared.status == error.status:
        return
    message = f"The problem code {error.code!r} ({error.status}) is not declared" + (
        "" if declared is None else f" with that status (it is {declared.status})"
    )
    if settings.SELFWORK_ERROR_CODES_STRICT:
        raise UndeclaredErrorCode(message)
    logger.error(message)


def problem_for(error: SelfworkError) -> HttpResponse:
    """The problem response of an anticipated failure."""
    _check_declared(error)
    return problem_response(
        error.status, error.code, error.title, error.detail, **error.extra
    )


def is_api(request: HttpRequest) -> bool:
    """Say whether ``request`` is for the API, wherever the site is mounted.

    ``path_info`` leaves out the prefix a proxy serves the site under
    (``SCRIPT_NAME``), so ``/market/api/v1/…`` is the API as much as ``/api/v1/…``.
    """
    return request.path_info.startswith(API_PREFIX)


def _stand_in(request: HttpRequest, response: HttpResponse) -> SelfworkError:
    status = response.status_code
    if status == 405:
        allowed = response.get("Allow", "")
        return MethodNotAllowed(
            f"{request.method} is not allowed here; allowed: {allowed or 'none'}."
        )
    error = ERROR_FOR_STATUS.get(status)
    if error is None:
        # A status no declared error stands for: keep it, with the nearest class.
        error = ERROR_FOR_STATUS[500 if status >= 500 else 400]
        stand_in = error(f"The request was refused ({status}).")
        stand_in.status = status
        return stand_in
    return error(
        "The request could not be served."
        if status >= 500
        else "The request was refused before it reached the API."
    )


class ApiProblemMiddleware:
    """Outermost: any /api/ error answer that is not yet a problem becomes one.

    The API's own handlers answer with problems; this catches what Django and
    django-ninja answer before or around them: a 405 for a method a path lacks,
    the 400 for a Host header that is not allowed, a 500 page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if is_api(request):
            rate_limit_headers(request, response)
        if (
            response.status_code < 400
            or not is_api(request)
            or response.get("Content-Type", "").startswith(PROBLEM_MEDIA_TYPE)
            or response.streaming
        ):
            return response
        problem = problem_for(_stand_in(request, response))
        for header in (
            "Allow",
            "Retry-After",
            "WWW-Authenticate",
            "RateLimit-Limit",
            "RateLimit-Remaining",
            "RateLimit-Reset",
        ):
            if header in response:
                problem[header] = response[header]
        return problem


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: a problem under /api/, Django's page elsewhere."""
    if is_api(request):
        return problem_for(
            CsrfFailed(
                "The API does not use cookies: send Authorization: Bearer <token> "
                "and no session cookie."
            )
        )
    return django_csrf_failure(request, reason=reason)


def database_busy(exc: BaseException | None) -> bool:
    """Whether ``exc`` is SQLite giving up on a lock another writer held too long."""
    return isinstance(exc, OperationalError) and (
        "database is locked" in str(exc) or "database table is locked" in str(exc)
    )


BUSY_DETAIL = (
    "Too many changes are being written right now; nothing was changed. Try "
    "again in a moment."
)


def busy_response(request: HttpRequest) -> HttpResponse:
    """A 503 with ``Retry-After``: a problem under /api/, a page elsewhere."""
    if is_api(request):
        response = problem_for(DatabaseBusy(BUSY_DETAIL))
    else:
        response = HttpResponse(render_to_string("503.html", request=None), status=503)
    response["Retry-After"] = "1"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: a write that waited out SQLite's lock is a 503 to retry.

    Django calls this while handling the exception, whichever layer raised it
    (a view, or a middleware such as the token check's bookkeeping write).
    """
    if database_busy(sys.exc_info()[1]):
        logger.warning("database busy on %s %s", request.method, request.path)
        return busy_response(request)
    return django_server_error(request)
