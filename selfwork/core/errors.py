"""Anticipated failures. Each has a stable ``code`` that becomes an API problem code.

Services raise these; interfaces translate them (API: RFC 9457 problem details,
web: a form error or a status page). Nothing else should reach a user as a 5xx.

Every code is declared once, with the HTTP status it answers with and a sentence
saying what it means: an error class declares its own (its docstring's first
sentence), and codes raised with a general class (``InvalidInput(..., code=…)``)
are declared in a table in their app's ``errors.py`` with :func:`declare` (a code
several apps raise, here). The OpenAPI document lists them all
(:func:`declared_codes`), and the tests refuse a code that is not declared.
"""

import importlib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ErrorCode:
    """A stable problem code: the status it answers with and what it means."""

    code: str
    status: int
    meaning: str
    app: str


_DECLARED: dict[str, ErrorCode] = {}


def _register(entry: ErrorCode) -> None:
    known = _DECLARED.get(entry.code)
    if known is not None and known != entry:
        raise TypeError(
            f"The error code {entry.code!r} is declared twice "
            f"({known.app}: {known.status}; {entry.app}: {entry.status})."
        )
    _DECLARED[entry.code] = entry


def _app_of(module: str) -> str:
    # selfwork.<app>.errors → <app>
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[0] == "selfwork" else module


def declare(module: str, *codes: tuple[str, int, str]) -> None:
    """Declare the codes an app raises with a general error class.

    ``declare(__name__, ("unknown_sort", 422, "The sort is not one the search knows."))``
    """
    for code, status, meaning in codes:
        _register(ErrorCode(code, status, meaning, _app_of(module)))


_loaded = False


def declared_codes() -> dict[str, ErrorCode]:
    """Every declared code, once each app's ``errors`` module is loaded."""
    global _loaded
    if _loaded:
        return _DECLARED
    from django.apps import apps

    for config in apps.get_app_configs():
        if not config.name.startswith("selfwork."):
            continue
        try:
            importlib.import_module(f"{config.name}.errors")
        except ModuleNotFoundError as missing:
            if missing.name != f"{config.name}.errors":
                raise
    _loaded = True
    return _DECLARED


def _first_sentence(text: str | None) -> str:
    first = " ".join((text or "").strip().split("\n\n")[0].split())
    return first


class SelfworkError(Exception):
    """Base of every anticipated failure."""

    status = 400
    code = "bad_request"
    title = "Bad request"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "code" in cls.__dict__:
            _register(
                ErrorCode(
                    cls.code,
                    cls.status,
                    _first_sentence(cls.__doc__) or f"{cls.title}.",
                    _app_of(cls.__module__),
                )
            )

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


# Codes several apps raise with a general class.
declare(
    __name__,
    ("amount_not_positive", 422, "An amount must be more than zero."),
    ("amount_too_large", 422, "An amount is larger than selfwork can hold."),
    ("bad_fx_file", 422, "A reference-rate file lacks a column or holds a bad row."),
    (
        "community_not_found",
        404,
        "No community has that address (or you may not see it).",
    ),
    ("currency_mismatch", 422, "Amounts that must share a currency do not."),
    ("empty_file", 422, "The uploaded file is empty."),
    ("file_too_large", 413, "The file is larger than the limit for its kind."),
    ("image_too_large", 413, "The image has more pixels than the limit."),
    (
        "invalid_amount",
        422,
        "An amount is not a decimal number in its currency's units.",
    ),
    ("invalid_card", 422, "The card number is not one a card can have."),
    ("invalid_cursor", 422, "The cursor is not one this server gave out."),
    ("invalid_floor", 422, "A balance floor is out of the range allowed."),
    ("invalid_kind", 422, "The kind is not one of those the field allows."),
    ("invalid_money", 422, "A price is not an amount in a currency (or is in hours)."),
    (
        "invalid_reference",
        422,
        "A reference is not an opaque id of letters, digits, ':._-'.",
    ),
    ("listing_not_found", 404, "No listing has that id (or you may not see it)."),
    (
        "markup_not_allowed",
        422,
        "Plain text may not hold HTML tags or control characters.",
    ),
    ("not_an_image", 415, "The file is not an image selfwork accepts, or is damaged."),
    ("not_author", 403, "Only the author of the post, brief or question may do that."),
    ("out_of_range", 422, "A number is outside the range the field allows."),
    ("required", 422, "A field the request needs is missing or empty."),
    ("too_long", 422, "A text is longer than its field allows."),
    ("too_precise", 422, "An amount has more decimals than its currency."),
    ("unknown_choice", 422, "A value is not one of the choices the field offers."),
    (
        "unknown_currency",
        422,
        "The currency is not one in current use (ISO 4217), nor HOUR.",
    ),
    ("unknown_mode", 422, "The mode is not one selfwork knows."),
    ("unknown_upload", 422, "An upload id names none of your uploads."),
    ("unknown_upload_kind", 422, "An upload's kind is image or file."),
    (
        "unsupported_file",
        415,
        "A deliverable is not a PDF, image, ZIP archive or plain text.",
    ),
    ("uploads_busy", 429, "The server is busy with other images; send this one again."),
)
