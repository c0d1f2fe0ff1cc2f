"""What every router of the API shares: auth check, money and problem schemas, errors.

The bearer token is resolved once, by ``accounts.middleware.BearerTokenMiddleware``;
routers only ask whether ``request.user`` is a member.
"""

import json
import logging
from collections.abc import Callable
from typing import Annotated, Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone, translation
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.responses import NinjaJSONEncoder
from ninja.security.base import AuthBase
from pydantic import (
    BaseModel,
    ConfigDict,
    ModelWrapValidatorHandler,
    WithJsonSchema,
    model_validator,
)

from selfwork.core.errors import (
    ERROR_FOR_STATUS,
    BadRequest,
    InternalError,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    RateLimited,
    SelfworkError,
    declared_codes,
)
from selfwork.core.idempotency import body_too_large
from selfwork.core.logs import REQUEST_ID
from selfwork.core.money import Money
from selfwork.core.openapi import SCHEMAS, refs_resolve
from selfwork.core.problems import (
    PROBLEM_MEDIA_TYPE,
    busy_response,
    database_busy,
    problem_for,
)
from selfwork.core.throttle import REFUSAL

# Every schema's validator is built when first used, not when its module is
# imported: most of a process's schemas (and the models ninja makes around them
# for each operation) never validate anything in it. About 11 MB per worker.
# Set on ninja's base before any router defines a schema: each router imports
# this module first.
Schema.model_config["defer_build"] = True

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


# What the OpenAPI document says of every text field: no NUL (refused below).
PLAIN_TEXT = "^[^\\x00]*$"
CURSOR_PATTERN = "^[A-Za-z0-9_-]*$"

Cursor = Annotated[
    str | None,
    Field(
        None,
        max_length=200,
        # Documented, not enforced by pydantic: a forged cursor keeps its own
        # stable code, invalid_cursor.
        json_schema_extra={"format": "cursor", "pattern": CURSOR_PATTERN},
        description="Opaque: the `next` of the previous page, unchanged, with the "
        "same filters. Any other value is a 422 `invalid_cursor`.",
    ),
]


def documented(**keywords: Any) -> dict[str, Any]:
    """OpenAPI keywords a service enforces with its own problem code.

    ``Field(json_schema_extra=documented(pattern=SLUG.pattern))`` tells clients the
    rule without letting pydantic refuse first with a generic ``invalid_input``:
    the stable code a client sees stays the service's (``invalid_slug``).
    """
    names = {"min_length": "minLength", "max_length": "maxLength"}
    return {names.get(k, k): v for k, v in keywords.items()}


def documented_not_null(**keywords: Any) -> Callable[[dict[str, Any]], None]:
    """``documented(...)`` for an optional field the service refuses as ``null``.

    The field may be left out (``str | None = None`` in Python), but a ``null``
    sent for it is refused by the service, so the document does not offer it.
    """
    extra = documented(**keywords)

    def amend(schema: dict[str, Any]) -> None:
        branches = [b for b in schema.pop("anyOf", []) if b != {"type": "null"}]
        if len(branches) == 1:
            schema.update(branches[0])
        elif branches:
            schema["anyOf"] = branches
        schema.pop("default", None)
        schema.update(extra)

    return amend


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
        model = handler(data)
        # Unknown members are ignored, as the OpenAPI document allows, here and in
        # nested objects; only what is read (what the model kept) must be free of NUL.
        _refuse_nul(model.model_dump())
        for name, field in cls.model_fields.items():
            key = field.alias or name
            if key not in data:
                continue
            sent, kept = data[key], getattr(model, name)
            expected = type(kept)
            if expected in _JSON_TYPES and type(sent) is not expected:
                if expected is float and type(sent) is int:
                    continue
                # JSON Schema counts 5.0 as an integer; so does the API.
                if expected is int and type(sent) is float and sent.is_integer():
                    continue
                raise ValueError(f"{key} must be {_JSON_TYPES[expected]}.")
        return model


class Out(BaseModel):
    """A response the server builds itself, checked by pydantic alone.

    ninja's ``Schema`` resolves every field of every nested object through a
    wrapper made for ORM rows; for dicts the server just built it only costs
    time (a third of a page of 24 listings).
    """

    model_config = ConfigDict(from_attributes=True)


# What a string in an answer (or a path) holds, said in the document so that
# generated clients read it as a UUID, a moment or a day. The values stay the
# strings the server writes today (``str(public_id)``, ``isoformat()`` of an aware
# datetime, which is RFC 3339); tests/test_openapi_formats.py checks both.
# For a path parameter the type is documentation only: the selector parses the
# id and answers a malformed one with its own ``*_not_found`` (404), as before.
# The content type of an answer the server writes as JSON text itself.
JSON = "application/json; charset=utf-8"

PublicId = Annotated[
    str,
    WithJsonSchema({"type": "string", "format": "uuid"}),
]
"""A public id: a UUID, in its canonical hyphenated form in answers."""

Instant = Annotated[
    str,
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
"""A moment: an RFC 3339 date-time with its offset (``2025-03-01T09:30:00+00:00``)."""

Day = Annotated[
    str,
    WithJsonSchema({"type": "string", "format": "date"}),
]
"""A calendar day without a time: ``2025-03-01``."""


class MoneyOut(Out):
    amount: str
    currency: str

    @staticmethod
    def of(money: Money | None) -> dict[str, str] | None:
        return money.as_dict() if money is not None else None


class ProblemFieldError(Schema):
    loc: list[str] = Field(description="Where the value is: body, a field, an index.")
    msg: str


class Problem(Schema):
    """An RFC 9457 problem: ``code`` is stable, ``detail`` is for people.

    ``code`` is one of the declared codes (``x-error-codes`` in this document gives
    each one's status and meaning). Some problems carry more members: the
    ``field`` a value was wrong in, the validation ``errors``, whether the same
    request is worth sending again (``retryable``), and the ids they concern.
    """

    type: str
    title: str
    status: int
    code: str
    detail: str
    field: str | None = Field(None, description="The field the problem is about.")
    errors: list[ProblemFieldError] | None = Field(
        None, description="Every value the request got wrong, when it was not read."
    )
    retryable: bool | None = Field(
        None, description="Whether sending the same request again may succeed."
    )
    request_id: str | None = Field(
        default=None,
        description="The id of the request, as in X-Request-ID: the proxy's, or "
        "one the server made.",
        json_schema_extra={"pattern": REQUEST_ID.pattern},
    )


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


# Every POST takes one (core.idempotency): a retry with the same key and body gets
# the first answer again instead of acting twice.
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Any unique string (a UUID): a retry with the same key and body "
    "gets the first response again, for 24 hours; the same key with another body "
    "is refused (422 idempotency_key_reused).",
    "schema": {
        "type": "string",
        "format": "idempotency-key",
        "minLength": 1,
        "maxLength": 255,
        "pattern": "^[\\x20-\\x7e]*[\\x21-\\x7e][\\x20-\\x7e]*$",
    },
}


class SelfworkAPI(NinjaAPI):
    """The API's one instance: operation ids are the views' names (``listing_create``),
    short for generated clients, and unique across apps (a test holds them so)."""

    def get_openapi_operation_id(self, operation: Any) -> str:
        return str(operation.view_func.__name__)


def document_problems(api: NinjaAPI) -> None:
    """Make the OpenAPI document say what errors really are: ``application/problem+json``.

    django-ninja documents every response with the renderer's media type
    (``application/json``); clients and schema checkers would then expect that
    for a 4xx, while the API sends RFC 9457 problems.
    """
    build = api.get_openapi_schema
    # The document changes only when the code does, and building it takes
    # seconds of CPU: it is built once per mount point and language, kept as
    # JSON text, and each caller gets its own copy.
    built: dict[tuple[str, str], str] = {}

    def get_openapi_schema(
        *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        if path_prefix is None:
            path_prefix = api.get_root_path(path_params or {})
        key = (path_prefix, translation.get_language() or "")
        if key not in built:
            document = _document(build(path_prefix=path_prefix))
            built[key] = json.dumps(document, cls=NinjaJSONEncoder)
        return json.loads(built[key])

    def _document(schema: Any) -> Any:
        components = schema.setdefault("components", {})
        components.setdefault("schemas", {}).update(SCHEMAS)
        _declare_codes(components)
        refs_resolve(schema)
        _declare_plain_text(schema)
        for operations in schema.get("paths", {}).values():
            if "post" in operations:
                operations["post"].setdefault("parameters", []).append(IDEMPOTENCY_KEY)
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content")
                    if str(status).startswith(("4", "5")) and content:
                        response["content"] = {
                            PROBLEM_MEDIA_TYPE: next(iter(content.values()))
                        }
        return schema

    api.get_openapi_schema = get_openapi_schema  # type: ignore[method-assign]


def _declare_codes(components: dict[str, Any]) -> None:
    """List every declared problem code: an enum on ``code``, and what each means."""
    codes = declared_codes()
    problem = components.get("schemas", {}).get("Problem")
    if problem is not None:
        problem["properties"]["code"]["enum"] = sorted(codes)
    components["x-error-codes"] = {
        code: {"status": entry.status, "meaning": entry.meaning, "app": entry.app}
        for code, entry in sorted(codes.items())
    }


def _declare_plain_text(node: Any) -> None:
    """Say in the document what ``_refuse_nul`` enforces: no text holds NUL."""
    if isinstance(node, dict):
        if node.get("type") == "string" and not (
            {"pattern", "format", "enum", "const", "$ref"} & set(node)
        ):
            node["pattern"] = PLAIN_TEXT
        # A map's keys are text too: {"<option name>": "<choice>"}.
        if node.get("type") == "object" and node.get("additionalProperties") not in (
            None,
            False,
        ):
            node.setdefault("propertyNames", {"pattern": PLAIN_TEXT})
        for value in node.values():
            _declare_plain_text(value)
    elif isinstance(node, list):
        for value in node:
            _declare_plain_text(value)


def install_error_handlers(api: NinjaAPI) -> None:
    """Turn every failure into problem+json; no input may produce a bare 500."""
    document_problems(api)

    @api.exception_handler(SelfworkError)
    def selfwork_error(request: HttpRequest, exc: SelfworkError) -> HttpResponse:
        response = problem_for(exc)
        if isinstance(exc, RateLimited):
            response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(Throttled)
    def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        # ninja adds Retry-After from the throttle's wait; the refusal says why.
        refusal = getattr(request, REFUSAL, None) or RateLimited(
            "Too many requests for now; try again later.", retry_after=60
        )
        return selfwork_error(request, refusal)

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))}
            for e in exc.errors
        ]
        return problem_for(InvalidInput(_validation_detail(errors), errors=errors))

    @api.exception_handler(AuthenticationError)
    def authentication_error(
        request: HttpRequest, exc: AuthenticationError
    ) -> HttpResponse:
        return problem_for(
            NotAuthenticated(
                "Send Authorization: Bearer <token>; get a token from "
                "POST /api/v1/auth/token."
            )
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        error = ERROR_FOR_STATUS.get(exc.status_code, BadRequest)(exc.message)
        error.status = exc.status_code
        return problem_for(error)

    @api.exception_handler(RequestDataTooBig)
    def body_over_the_limit(
        request: HttpRequest, exc: RequestDataTooBig
    ) -> HttpResponse:
        return problem_for(body_too_large())

    @api.exception_handler(MultiPartParserError)
    def broken_multipart(
        request: HttpRequest, exc: MultiPartParserError
    ) -> HttpResponse:
        # Django's message names what is wrong ("Invalid boundary in multipart").
        return problem_for(BadRequest(f"The multipart body cannot be read: {exc}"))

    @api.exception_handler(SuspiciousOperation)
    def suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        # Too many form fields or files, and the like: refused before any work.
        return problem_for(BadRequest(f"The request was refused: {exc}"))

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem_for(NotFound("Nothing here."))

    @api.exception_handler(OperationalError)
    def database_error(request: HttpRequest, exc: OperationalError) -> HttpResponse:
        if not database_busy(exc):
            return unexpected(request, exc)
        logger.warning("database busy on %s %s", request.method, request.path)
        return busy_response(request)

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("unexpected error on %s %s", request.method, request.path)
        return problem_for(
            InternalError("Something went wrong on our side; nothing was changed.")
        )
