"""Per request: an id in the logs and the response, and the request metrics.

``RequestContextMiddleware`` is the outermost middleware. It takes the caller's
``X-Request-ID`` when it is a plain token (a proxy's), or makes one; binds it to
every log line of the request; answers with it; counts the request by its URL
pattern (``api/v1/exchanges/<uuid:public_id>``, never the raw path, so a
metric's labels stay few) and status; and logs each 429 it lets through.

Under gunicorn the counters live in ``PROMETHEUS_MULTIPROC_DIR`` (``selfwork
serve`` sets it), so each worker process's counts add up in /metrics.
"""

import logging
import time

from django.http import HttpRequest, HttpResponse
from prometheus_client import Counter, Histogram

from selfwork.core.logs import log_context_bind, log_context_clear, request_id_sane
from selfwork.core.throttle import client_address

REQUEST_ID_HEADER = "X-Request-ID"
UNMATCHED = "<unmatched>"

logger = logging.getLogger("selfwork.requests")

REQUESTS = Counter(
    "selfwork_http_requests",
    "HTTP requests answered, by URL pattern, method and status.",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "selfwork_http_request_duration_seconds",
    "Time to answer an HTTP request, by URL pattern and method.",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
# Methods outside this list are counted as OTHER: a label must not take any
# value a client sends.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def request_route(request: HttpRequest) -> str:
    """The URL pattern that answered ``request``, or ``<unmatched>``."""
    match = getattr(request, "resolver_match", None)
    if match is None or not match.route:
        return UNMATCHED
    return str(match.route)


class RequestContextMiddleware:
    """Bind a request id to the logs, answer with it, and count the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        log_context_clear()
        request_id = request_id_sane(request.headers.get(REQUEST_ID_HEADER))
        log_context_bind(request_id=request_id)
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            route = request_route(request)
            method = request.method if request.method in METHODS else "OTHER"
            REQUESTS.labels(route, method, str(response.status_code)).inc()
            LATENCY.labels(route, method).observe(time.perf_counter() - started)
            if response.status_code == 429:
                logger.info(
                    "request throttled",
                    extra={
                        "route": route,
                        "method": method,
                        "address": client_address(request),
                        "retry_after": response.get("Retry-After"),
                    },
                )
            return response
        finally:
            log_context_clear()
