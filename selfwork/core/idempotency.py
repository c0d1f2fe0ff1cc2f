"""``Idempotency-Key`` for every POST of the API, in one place.

A retry with the same key and the same body gets the first response again, byte
for byte; the same key with a different body is refused with 422. The first
request claims the key before it runs, so two racing retries cannot both act: the
loser is told the first is still in flight (409).

A response that carries a secret (a bearer token) is stored with the secret
withheld: the replay says the request succeeded, and the secret lives only in
the first answer, as a token shown once should. Records are kept for 24 hours
(Stripe's window), then ``idempotency_records_purge`` deletes them.
"""

import datetime as dt
import hashlib
import json
import re

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from selfwork.core.errors import (
    IdempotencyKeyReused,
    InvalidIdempotencyKey,
    PayloadTooLarge,
    RequestInFlight,
)
from selfwork.core.models import IdempotencyRecord
from selfwork.core.problems import is_api, problem_for
from selfwork.core.throttle import client_address

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
# Printable ASCII, not only spaces: what a header carries unchanged everywhere.
KEY_PATTERN = re.compile(r"[\x20-\x7e]*[\x21-\x7e][\x20-\x7e]*")
# A claim whose request died (process killed) is released after this long.
STALE_CLAIM = dt.timedelta(minutes=5)
# How long a key is remembered: a retry after this is a new request.
KEPT_FOR = dt.timedelta(hours=24)
_WITHHOLD = "_selfwork_idempotency_withhold"


def idempotency_withhold(request: HttpRequest, *fields: str) -> None:
    """Store this request's response without ``fields`` (set to null) for replays.

    For endpoints whose answer holds a secret: the record is readable by anyone
    with database access, and a replay must not hand the secret out again.
    """
    setattr(request, _WITHHOLD, fields)


def _stored_body(request: HttpRequest, response: HttpResponse) -> bytes:
    fields = getattr(request, _WITHHOLD, ())
    if not fields:
        return response.content
    try:
        body = json.loads(response.content)
    except ValueError:
        return b""
    if isinstance(body, dict):
        for field in fields:
            if field in body:
                body[field] = None
    return json.dumps(body).encode()


def idempotency_records_purge(*, now: dt.datetime) -> int:
    """Delete the records of keys first used more than 24 hours before ``now``."""
    return IdempotencyRecord.objects.filter(created_at__lt=now - KEPT_FOR).delete()[0]


def body_too_large() -> PayloadTooLarge:
    """The error for a request body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``."""
    return PayloadTooLarge(
        f"The request body is over {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."
    )


def _scope(request: HttpRequest) -> str:
    # Scope keys by member, not by token: a client that signs in again and
    # retries with a fresh token is still retrying the same request.
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        credentials = f"member:{user.pk}"
    else:
        credentials = "anonymous:" + (client_address(request) or "")
    return hashlib.sha256(credentials.encode()).hexdigest()


class IdempotencyMiddleware:
    """Replays the first response to an API POST that carries an ``Idempotency-Key``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None or not is_api(request):
            return self.get_response(request)
        if len(key) > MAX_KEY_LENGTH or not KEY_PATTERN.fullmatch(key):
            return problem_for(
                InvalidIdempotencyKey(
                    f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable ASCII characters."
                )
            )
        try:
            body = request.body
        except RequestDataTooBig:
            # Refused before anything ran: the key stays free for a smaller retry.
            return problem_for(body_too_large())
        digest = hashlib.sha256()
        digest.update(request.path.encode())
        digest.update(b"\0")
        digest.update(body)
        request_hash = digest.hexdigest()
        scope = _scope(request)
        now = timezone.now()

        record = self._claim(scope=scope, key=key, request_hash=request_hash, now=now)
        if record is not None:
            if record.request_hash != request_hash:
                return problem_for(
                    IdempotencyKeyReused(
                        f"The {HEADER} '{key[:60]}' was already used with a "
                        "different request."
                    )
                )
            if record.status_code is None:
                return problem_for(
                    RequestInFlight(
                        f"A request with {HEADER} '{key[:60]}' is still being processed."
                    )
                )
            replay = HttpResponse(
                bytes(record.body),
                status=record.status_code,
                content_type=record.content_type,
            )
            replay["Idempotent-Replayed"] = "true"
            return replay

        response = self.get_response(request)
        if response.status_code >= 500 or response.streaming:
            # Nothing was acknowledged; let the client try again with the same key.
            IdempotencyRecord.objects.filter(scope=scope, key=key).delete()
        else:
            IdempotencyRecord.objects.filter(scope=scope, key=key).update(
                status_code=response.status_code,
                content_type=response.get("Content-Type", ""),
                body=_stored_body(request, response),
                completed_at=timezone.now(),
            )
        return response

    def _claim(
        self, *, scope: str, key: str, request_hash: str, now
    ) -> IdempotencyRecord | None:
        """Claim the key for this request; return the earlier record if it was taken."""
        IdempotencyRecord.objects.filter(
            scope=scope,
            key=key,
            completed_at__isnull=True,
            created_at__lt=now - STALE_CLAIM,
        ).delete()
        try:
            with transaction.atomic():
                IdempotencyRecord.objects.create(
                    scope=scope, key=key, request_hash=request_hash, created_at=now
                )
        except IntegrityError:
            return IdempotencyRecord.objects.get(scope=scope, key=key)
        return None
