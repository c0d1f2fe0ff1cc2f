"""Where a webhook may go, and the one POST that takes it there.

The server calls URLs its users chose, so a URL must not reach what only the
server can: its own loopback, the private network it runs in, a cloud's metadata
service. The host is resolved and every address checked when an endpoint is
registered and again at each send, and the request is made to the address that
was checked (the ``Host`` header and TLS name stay the URL's), so a name that
resolves elsewhere a second later (DNS rebinding) gains nothing. Redirects are
not followed: a 3xx is an answer, and a failed one.
"""

import dataclasses
import http.client
import ipaddress
import socket
import ssl
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext

from selfwork.webhooks.errors import WebhookUrlInvalid, WebhookUrlPrivate

# Cloud metadata services, refused even where private addresses are allowed.
METADATA = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("fd00:ec2::254"),
}
_Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclasses.dataclass(frozen=True)
class Target:
    """A checked URL: its parts, and the address the request goes to."""

    scheme: str
    host: str
    port: int
    path: str
    address: str


@dataclasses.dataclass(frozen=True)
class Answer:
    """What a receiver said: its status (None when it never answered) or the error."""

    status: int | None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _private(address: _Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def url_parse(url: object) -> tuple[str, str, int, str]:
    """Split an absolute http(s) URL into scheme, host, port and path with query.

    :raises WebhookUrlInvalid: for anything else.
    """
    if not isinstance(url, str) or not url or len(url) > 2000:
        raise WebhookUrlInvalid(
            gettext(
                "url must be an absolute http or https URL of at most 2000 characters."
            ),
            field="url",
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise WebhookUrlInvalid(
            gettext("url cannot be read as a URL."), field="url"
        ) from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookUrlInvalid(
            gettext("url must be an absolute http or https URL."), field="url"
        )
    if parts.username or parts.password:
        raise WebhookUrlInvalid(
            gettext("url may not carry a user name or password."), field="url"
        )
    if any(c.isspace() for c in url):
        raise WebhookUrlInvalid(gettext("url may not contain spaces."), field="url")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    default = 443 if parts.scheme == "https" else 80
    return parts.scheme, parts.hostname, port or default, path


def url_check(url: object) -> Target:
    """Resolve ``url``'s host and return the target to call.

    :raises WebhookUrlInvalid: if it is not an http(s) URL or its host does not resolve.
    :raises WebhookUrlPrivate: if any address it resolves to is not public (unless
        SELFWORK_WEBHOOK_ALLOW_PRIVATE is set; metadata services never).
    """
    scheme, host, port, path = url_parse(url)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise WebhookUrlInvalid(
            gettext("The host %(host)s cannot be resolved.") % {"host": host[:100]},
            field="url",
        ) from exc
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]
    if not addresses:
        raise WebhookUrlInvalid(
            gettext("The host %(host)s cannot be resolved.") % {"host": host[:100]},
            field="url",
        )
    allowed = settings.SELFWORK_WEBHOOK_ALLOW_PRIVATE
    for address in addresses:
        if address in METADATA or (not allowed and _private(address)):
            raise WebhookUrlPrivate(
                gettext(
                    "The host %(host)s resolves to %(address)s, an address this "
                    "server does not call (loopback, private, link-local or "
                    "reserved)."
                )
                % {"host": host[:100], "address": address},
                field="url",
            )
    return Target(scheme, host, port, path, str(addresses[0]))


class _CheckedHTTPSConnection(http.client.HTTPSConnection):
    """TLS to the checked address, verified against the URL's own host name."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address
        self._tls = ssl.create_default_context()

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)


def post(url: str, *, body: bytes, headers: dict[str, str]) -> Answer:
    """POST ``body`` to ``url`` once, checked again, without following redirects,
    waiting ``SELFWORK_WEBHOOK_TIMEOUT`` seconds (10) at most for each step.

    Never raises for the receiver's faults: a refused address, a timeout, a
    reset connection are an ``Answer`` with no status and the reason.
    """
    try:
        target = url_check(url)
    except (WebhookUrlInvalid, WebhookUrlPrivate) as exc:
        return Answer(None, exc.detail)
    timeout = settings.SELFWORK_WEBHOOK_TIMEOUT
    connection: http.client.HTTPConnection
    if target.scheme == "https":
        connection = _CheckedHTTPSConnection(target, timeout)
    else:
        connection = http.client.HTTPConnection(
            target.address, target.port, timeout=timeout
        )
    host = target.host if ":" not in target.host else f"[{target.host}]"
    default = 443 if target.scheme == "https" else 80
    try:
        connection.putrequest("POST", target.path, skip_host=True)
        connection.putheader(
            "Host", host if target.port == default else f"{host}:{target.port}"
        )
        for name, value in {
            "Content-Type": "application/json",
            "User-Agent": "selfwork-webhooks/1",
            "Content-Length": str(len(body)),
            **headers,
        }.items():
            connection.putheader(name, value)
        connection.endheaders(body)
        response = connection.getresponse()
        response.read(64 * 1024)
        return Answer(response.status)
    except TimeoutError:
        return Answer(None, f"No answer within {timeout:g} seconds.")
    except (OSError, http.client.HTTPException) as exc:
        return Answer(None, f"{type(exc).__name__}: {exc}"[:300])
    finally:
        connection.close()
