"""Which database a query goes to when a streaming replica is configured.

The one place that decides. A request reads from the replica only when all hold:

- it is a safe request (GET, HEAD) to one of ``LAG_TOLERANT_ROUTES``: search,
  public listing and community pages and reads, public profiles;
- it carries no bearer token (an API client reading as a member is reading its
  own data, and keeps no cookie to tell us when it last wrote);
- the browser has not written lately: any unsafe request by a signed-in member
  sets a signed cookie, and for ``SELFWORK_READ_YOUR_WRITES_SECONDS`` after it the
  member's reads stay on the primary, so they see their new listing at once.

Even then, sessions are read from the primary, and so is anything read inside a
transaction (it belongs with the writes beside it). Every write goes to the
primary. Without ``SELFWORK_DATABASE_REPLICA_URL`` the router is not installed
and the middleware removes itself: every query goes to ``default``.
"""

import contextvars
from collections.abc import Callable

from django.conf import settings
from django.core import signing
from django.core.exceptions import MiddlewareNotUsed
from django.db import connections, models
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

PRIMARY = "default"
REPLICA = "replica"
# Route names (``namespace:name``) whose reads tolerate a little replication lag.
LAG_TOLERANT_ROUTES = frozenset(
    {
        "web:home",
        "web:search",
        "web:community",
        "web:listing",
        "web:profile",
        "api:listings_search",
        "api:listing_read",
        "api:member_profile",
        "api:member_reviews",
    }
)
# Read from the primary whatever the request: a session or token just created
# must be found by the next request.
PRIMARY_ONLY_MODELS = frozenset({"sessions.session"})
SAFE_METHODS = frozenset({"GET", "HEAD"})
WROTE_COOKIE = "selfwork_wrote"
_WROTE_SALT = "selfwork.core.replicas.wrote"

_replica_reads: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "selfwork_replica_reads", default=False
)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def reads_from(model: type[models.Model]) -> str:
    """The alias a read of ``model`` goes to at this point of this request."""
    if not _replica_reads.get() or not replica_configured():
        return PRIMARY
    if model._meta.label_lower in PRIMARY_ONLY_MODELS:
        return PRIMARY
    if connections[PRIMARY].in_atomic_block:
        return PRIMARY
    return REPLICA


class ReplicaRouter:
    """Reads to ``reads_from``; writes, relations and migrations to the primary."""

    def db_for_read(self, model: type[models.Model], **hints) -> str:
        return reads_from(model)

    def db_for_write(self, model: type[models.Model], **hints) -> str:
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # Both aliases are the same database, one of them a little behind.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool:
        return db == PRIMARY


def _wrote_lately(request: HttpRequest) -> bool:
    try:
        request.get_signed_cookie(
            WROTE_COOKIE,
            salt=_WROTE_SALT,
            max_age=settings.SELFWORK_READ_YOUR_WRITES_SECONDS,
        )
    except (KeyError, signing.BadSignature):
        return False
    return True


def request_reads_replica(request: HttpRequest) -> bool:
    """Whether this request's reads may be served by the replica."""
    if request.method not in SAFE_METHODS or "Authorization" in request.headers:
        return False
    if _wrote_lately(request):
        return False
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return match.view_name in LAG_TOLERANT_ROUTES


class ReplicaReadsMiddleware:
    """Send this request's lag-tolerant reads to the replica; remember writes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        if not replica_configured():
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _replica_reads.set(request_reads_replica(request))
        try:
            response = self.get_response(request)
        finally:
            _replica_reads.reset(token)
        if request.method not in SAFE_METHODS and self._signed_in(request):
            response.set_signed_cookie(
                WROTE_COOKIE,
                "1",
                salt=_WROTE_SALT,
                max_age=settings.SELFWORK_READ_YOUR_WRITES_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    @staticmethod
    def _signed_in(request: HttpRequest) -> bool:
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated)
