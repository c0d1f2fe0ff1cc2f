"""Anticipated failures. Each has a stable ``code`` that becomes an API problem code.

Services raise these; interfaces translate them (API: RFC 9457 problem details,
web: a form error or a status page). Nothing else should reach a user as a 5xx.
"""

from typing import Any


class SelfworkError(Exception):
    """Base of every anticipated failure."""

    status = 400
    code = "bad_request"
    title = "Bad request"

    def __init__(self, detail: str, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        self.extra = extra


class BadRequest(SelfworkError):
    """The request cannot be read at all: a body that is not JSON, a broken multipart."""

    status = 400
    code = "bad_request"
    title = "Bad request"


class InvalidIdempotencyKey(BadRequest):
    """The ``Idempotency-Key`` header is empty, too long or not printable."""

    code = "invalid_idempotency_key"


class InvalidInput(SelfworkError):
    """The request is well-formed but a value is wrong (422)."""

    status = 422
    code = "invalid_input"
    title = "Invalid input"

    def __init__(
        self,
        detail: str,
        *,
        field: str | None = None,
        code: str | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail, code=code, **extra)
        self.field = field
        if field is not None:
            self.extra.setdefault("field", field)


class NotAuthenticated(SelfworkError):
    status = 401
    code = "not_authenticated"
    title = "Not authenticated"


class InvalidToken(NotAuthenticated):
    """The bearer token is unknown or revoked."""

    code = "invalid_token"


class NotPermitted(SelfworkError):
    status = 403
    code = "not_permitted"
    title = "Not permitted"


class CsrfFailed(NotPermitted):
    """A cross-site request check failed. The API itself takes no cookies, so only
    a browser posting to a path the API does not serve can meet this."""

    code = "csrf_failed"
    title = "CSRF check failed"


class NotFound(SelfworkError):
    status = 404
    code = "not_found"
    title = "Not found"


class MethodNotAllowed(SelfworkError):
    """The path exists, but not for this HTTP method (the ``Allow`` header says which)."""

    status = 405
    code = "method_not_allowed"
    title = "Method not allowed"


class Conflict(SelfworkError):
    status = 409
    code = "conflict"
    title = "Conflict"


class RequestInFlight(Conflict):
    """A request with the same ``Idempotency-Key`` is still being served."""

    code = "idempotency_request_in_flight"
    title = "Request in flight"


class IdempotencyKeyReused(SelfworkError):
    """The ``Idempotency-Key`` was used before with a different request (422)."""

    status = 422
    code = "idempotency_key_reused"
    title = "Idempotency key reused"


class PayloadTooLarge(SelfworkError):
    status = 413
    code = "payload_too_large"
    title = "Payload too large"


class UnsupportedMedia(SelfworkError):
    status = 415
    code = "unsupported_media_type"
    title = "Unsupported media type"


class RateLimited(SelfworkError):
    """Too many requests of one kind; ``retry_after`` seconds until the next is allowed.

    Interfaces send it as the ``Retry-After`` header (API) or in the message (web).
    """

    status = 429
    code = "rate_limited"
    title = "Too many requests"

    def __init__(
        self, detail: str, *, retry_after: int, code: str | None = None, **extra: Any
    ) -> None:
        super().__init__(detail, code=code, **extra)
        self.retry_after = retry_after


class DatabaseBusy(SelfworkError):
    """The database stayed locked by other writers past its wait; nothing was changed.

    SQLite lets one writer at a time; under a burst of writes one that waited its
    whole timeout gives up. Retrying after a moment is safe.
    """

    status = 503
    code = "database_busy"
    title = "Busy"


class InternalError(SelfworkError):
    """A failure nobody anticipated; it is logged, and nothing was changed."""

    status = 500
    code = "internal_error"
    title = "Internal error"


# The error a bare HTTP status stands for, when a response carries no problem of its
# own (a framework's 405, a 400 from a refused Host header).
ERROR_FOR_STATUS: dict[int, type[SelfworkError]] = {
    error.status: error
    for error in (
        BadRequest,
        NotAuthenticated,
        NotPermitted,
        NotFound,
        MethodNotAllowed,
        Conflict,
        PayloadTooLarge,
        UnsupportedMedia,
        InvalidInput,
        RateLimited,
        InternalError,
    )
}
