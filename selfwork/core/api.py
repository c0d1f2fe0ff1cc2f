"""What every router of the API shares: auth check, money and problem schemas, errors.

The bearer token is resolved once, by ``accounts.middleware.BearerTokenMiddleware``;
routers only ask whether ``request.user`` is a member.
"""

import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security.base import AuthBase
from pydantic import ModelWrapValidatorHandler, model_validator

from selfwork.core.errors import SelfworkError
from selfwork.core.idempotency import problem_response
from selfwork.core.money import Money

logger = logging.getLogger("selfwork.api")


class MemberAuth(AuthBase):
    """Requires a member, authenticated by ``Authorization: Bearer <token>``."""

    openapi_type = "http"
    openapi_scheme = "bearer"

    def __call__(self, request: HttpRequest):
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None


member_auth = MemberAuth()


def caller(request: HttpRequest) -> Any:
    """The member making an authenticated request (endpoints with ``member_auth``)."""
    return request.user


def _refuse_nul(value: Any) -> None:
    # PostgreSQL cannot store or even compare text holding NUL; refuse it at the
    # door, as Django's forms do, instead of failing deep in a query (a 500).
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("Text may not contain NUL characters.")
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_nul(key)
            _refuse_nul(item)
    elif isinstance(value, list):
        for item in value:
            _refuse_nul(item)


class QueryIn(Schema):
    """Base of every query-string schema: no NUL characters in any value."""

    @model_validator(mode="wrap")
    @classmethod
    def _plain_text(cls, data: Any, handler: ModelWrapValidatorHandler[Any]) -> Any:
        _refuse_nul(data)
        return handler(data)


_JSON_TYPES = {bool: "true or false", int: "a whole number", float: "a number"}


class BodyIn(Schema):
    """Base of every request body: a JSON object, never a list or a bare value.

    ninja's Schema reads attributes from any object, so without this check a body
    of ``[1, 2]`` would pass as an empty object wherever every field is optional.
    Booleans and numbers keep their JSON type: pydantic would read ``0`` as
    ``false`` and ``"5"`` as ``5``, which the OpenAPI document does not allow.
    """

    @model_validator(mode="wrap")
    @classmethod
    def _an_object(cls, data: Any, handler: ModelWrapValidatorHandler[Any]) -> Any:
        if isinstance(data, cls):
            return handler(data)
        if not isinstance(data, dict):
            raise ValueError("The body must be a JSON object.")
        _refuse_nul(data)
        model = handler(data)
        for name, field in cls.model_fields.items():
            key = field.alias or name
            if key not in data:
                continue
            sent, kept = data[key], getattr(model, name)
            expected = type(kept)
            if expected in _JSON_TYPES and type(sent) is not expected:
                if expected is float and type(sent) is int:
                    continue
                raise ValueError(f"{key} must be {_JSON_TYPES[expected]}.")
        return model


class MoneyOut(Schema):
    amount: str
    currency: str

    @staticmethod
    def of(money: Money | None) -> dict[str, str] | None:
        return money.as_dict() if money is not None else None


class Problem(Schema):
    """An RFC 9457 problem: ``code`` is stable, ``detail`` is for people."""

    type: str
    title: str
    status: int
    code: str
    detail: str


PROBLEMS = {
    400: Problem,
    401: Problem,
    403: Problem,
    404: Problem,
    409: Problem,
    413: Problem,
    415: Problem,
    422: Problem,
    429: Problem,
}


def now():
    """The time a request is served at; services are told it explicitly."""
    return timezone.now()


def _validation_detail(errors: list[dict]) -> str:
    first = errors[0] if errors else {}
    where = ".".join(
        str(p) for p in first.get("loc", ()) if p not in ("body", "payload")
    )
    message = first.get("msg", "invalid")
    return f"{where}: {message}" if where else str(message)


PROBLEM_MEDIA_TYPE = "application/problem+json"


def document_problems(api: NinjaAPI) -> None:
    """Make the OpenAPI document say what errors really are: ``application/problem+json``.

    django-ninja documents every response with the renderer's media type
    (``application/json``); clients and schema checkers would then expect that
    for a 4xx, while the API sends RFC 9457 problems.
    """
    build = api.get_openapi_schema

    def get_openapi_schema(**kwargs: Any) -> Any:
        schema = build(**kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content")
                    if str(status).startswith(("4", "5")) and content:
                        response["content"] = {
                            PROBLEM_MEDIA_TYPE: next(iter(content.values()))
                        }
        return schema

    api.get_openapi_schema = get_openapi_schema  # type: ignore[method-assign]


def install_error_handlers(api: NinjaAPI) -> None:
    """Turn every failure into problem+json; no input may produce a bare 500."""
    document_problems(api)

    @api.exception_handler(SelfworkError)
    def selfwork_error(request: HttpRequest, exc: SelfworkError) -> HttpResponse:
        response = problem_response(
            exc.status, exc.code, exc.title, exc.detail, **exc.extra
        )
        if "retry_after" in exc.extra:
            response["Retry-After"] = str(exc.extra["retry_after"])
        return response

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))}
            for e in exc.errors
        ]
        return problem_response(
            422,
            "invalid_input",
            "Invalid input",
            _validation_detail(errors),
            errors=errors,
        )

    @api.exception_handler(AuthenticationError)
    def authentication_error(
        request: HttpRequest, exc: AuthenticationError
    ) -> HttpResponse:
        return problem_response(
            401,
            "not_authenticated",
            "Not authenticated",
            "Send Authorization: Bearer <token>; get a token from "
            "POST /api/v1/auth/token.",
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = {
            400: "bad_request",
            401: "not_authenticated",
            403: "not_permitted",
            404: "not_found",
            405: "method_not_allowed",
            429: "rate_limited",
        }
        return problem_response(
            exc.status_code,
            code.get(exc.status_code, "http_error"),
            "Request refused",
            exc.message,
        )

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem_response(404, "not_found", "Not found", "Nothing here.")

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("unexpected error on %s %s", request.method, request.path)
        return problem_response(
            500,
            "internal_error",
            "Internal error",
            "Something went wrong on our side; nothing was changed.",
        )
