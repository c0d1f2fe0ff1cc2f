"""Host validation that also admits the host names communities attach to themselves.

Django checks the ``Host`` header in ``HttpRequest.get_host()``, which calls
``validate_host(domain, settings.ALLOWED_HOSTS)``; that function only iterates
over the setting. ``settings.ALLOWED_HOSTS`` is therefore a ``SiteHosts``: the
operator's list, plus — while one request is served — the community domain that
``CommunityDomainMiddleware`` found in the database for that request. The domain
lives in a context variable, so it is seen by that request (its thread, or its
task under ASGI) and by no other. A host neither listed nor attached to a
community is still refused by Django with its 400.

Settings cannot query the database (they load before the apps), which is why the
lookup is the middleware's and this class only reads what it decided.
"""

from collections.abc import Iterator
from contextvars import ContextVar

_served_domain: ContextVar[str | None] = ContextVar("served_domain", default=None)


class SiteHosts(list):
    """``ALLOWED_HOSTS``: the configured patterns and the current community domain."""

    def __iter__(self) -> Iterator[str]:
        yield from super().__iter__()
        served = _served_domain.get()
        if served:
            yield served

    def __contains__(self, host: object) -> bool:
        return host in list(self)

    def configured(self) -> list[str]:
        """The patterns the operator configured, without any community domain."""
        return list(super().__iter__())


def configured_hosts(allowed_hosts) -> list[str]:
    """The operator's own host patterns, whatever ``ALLOWED_HOSTS`` holds."""
    if isinstance(allowed_hosts, SiteHosts):
        return allowed_hosts.configured()
    return list(allowed_hosts)


def served_domain_set(domain: str | None):
    """Admit ``domain`` for the current request; returns a token to reset with."""
    return _served_domain.set(domain)


def served_domain_reset(token) -> None:
    _served_domain.reset(token)
