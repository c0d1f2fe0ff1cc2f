"""Serving a community at its own domain (``market.example.org``).

A request whose host is none of the operator's (``ALLOWED_HOSTS``) is looked up
among the communities' domains. When one has it, the request is marked with
``request.community_domain`` (that community's slug) and its host is admitted
for the request (``selfwork.core.hosts``); the home page and the search then
serve that community alone. Any other host gets Django's 400, as before.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port, validate_host

from selfwork.communities.selectors import community_slug_for_domain
from selfwork.core.hosts import (
    configured_hosts,
    served_domain_reset,
    served_domain_set,
)


def _raw_host(request: HttpRequest) -> str:
    # What HttpRequest.get_host() reads, before it validates anything.
    if settings.USE_X_FORWARDED_HOST and "HTTP_X_FORWARDED_HOST" in request.META:
        return request.META["HTTP_X_FORWARDED_HOST"]
    return request.META.get("HTTP_HOST") or request.META.get("SERVER_NAME", "")


class CommunityDomainMiddleware:
    """Mark requests for a community's own domain and admit that host."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.community_domain = None  # type: ignore[attr-defined]
        domain, _port = split_domain_port(_raw_host(request))
        if not domain or validate_host(
            domain, configured_hosts(settings.ALLOWED_HOSTS)
        ):
            return self.get_response(request)
        slug = community_slug_for_domain(domain)
        if slug is None:
            return self.get_response(request)
        request.community_domain = slug  # type: ignore[attr-defined]
        token = served_domain_set(domain)
        try:
            return self.get_response(request)
        finally:
            served_domain_reset(token)
