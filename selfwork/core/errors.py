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


class NotPermitted(SelfworkError):
    status = 403
    code = "not_permitted"
    title = "Not permitted"


class NotFound(SelfworkError):
    status = 404
    code = "not_found"
    title = "Not found"


class Conflict(SelfworkError):
    status = 409
    code = "conflict"
    title = "Conflict"


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
