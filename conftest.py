"""Fixtures every test shares: the clock, members, a community, an API client.

App tests live beside their app, cross-app journeys under tests/; this root
conftest reaches both.
"""

import datetime as dt
import itertools
import json
import os

os.environ.setdefault("SELFWORK_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
# Webhook receivers in tests run on 127.0.0.1 (workers the tests start read it
# from here; this process's settings from the fixture below).
os.environ.setdefault("SELFWORK_WEBHOOK_ALLOW_PRIVATE", "true")

# The live server runs in a thread of this process; Playwright's sync API runs an
# event loop in this thread too, which makes Django refuse ORM calls from tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

# The suite shares two cores with whatever else the machine runs: property tests
# are judged by what they find, not by how fast examples are drawn.
settings.register_profile(
    "selfwork", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("selfwork")

# Two test processes, Chromium and the live server share two cores: under that
# load a page can take longer than Playwright's 5 s to answer a click. Waiting
# longer costs a passing test nothing.
expect.set_options(timeout=15_000)

CHROMIUM = os.environ.get("SELFWORK_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium: pytest-playwright takes no flag for the browser's path."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}}


def _length(item) -> int:
    """0 for what takes long (a browser, a live server, a module marked ``slow``),
    1 for what commits (races, worker processes), 2 for the rest."""
    names = set(getattr(item, "fixturenames", ()))
    if {"page", "browser", "live_server"} & names or item.get_closest_marker("slow"):
        return 0
    marker = item.get_closest_marker("django_db")
    if "transactional_db" in names or (marker and marker.kwargs.get("transaction")):
        return 1
    return 2


def _long_modules_first(items) -> None:
    """Order the modules that take long first, then the rest by size.

    pytest-xdist (``--dist loadfile --no-loadscope-reorder``) hands out whole
    modules in this order; the long ones first keeps both processes busy to the
    end, rather than one running a browser journey alone while the other waits.
    """
    modules: dict = {}
    for item in items:
        modules.setdefault(item.path, []).append(item)
    ordered = sorted(
        modules.values(), key=lambda tests: (min(map(_length, tests)), -len(tests))
    )
    items[:] = [item for tests in ordered for item in tests]


DATABASE = {"db", "transactional_db", "live_server", "django_db_setup"}

# Modules that check what selfwork answers over HTTP, and the demo's content. They
# call the services and selectors whose own tests run on both engines; what they add
# (validation, rendering, permissions, problem answers, the demo's data) comes out
# the same on either engine.
_ANSWER_FOLDERS = {("selfwork", "web", "tests")}
_ANSWER_MODULES = {
    "test_views",
    "test_pages",
    "test_web_pages",
    "test_problems",
    "test_authorisation",
    "test_branding",
    "test_languages",
    "test_demo",
    "test_seed",
}


def _checks_answers_or_demo(path) -> bool:
    name = path.stem
    return (
        path.parts[-4:-1] in _ANSWER_FOLDERS
        or name in _ANSWER_MODULES
        or name == "test_api"
        or name.startswith("test_api_")
        or name.endswith(("_api", "_web"))
    )


def _skip_reason_on_postgres(item) -> str | None:
    names = set(getattr(item, "fixturenames", ()))
    if item.get_closest_marker("once"):
        # A test that runs selfwork on its own SQLite file does the same work
        # in either suite: running it twice only costs time.
        return "runs on its own SQLite file: once, in the SQLite suite"
    if not (DATABASE & names or item.get_closest_marker("django_db")):
        # pytest-django lets a test reach the database only through these; a
        # test without them computes the same on either engine.
        return "touches no database: the same on either engine, run in the SQLite suite"
    if os.environ.get("SELFWORK_ALL_ON_POSTGRES") == "1":
        return None
    both = "run in the SQLite suite (SELFWORK_ALL_ON_POSTGRES=1 for both)"
    if {"page", "browser"} & names:
        return f"a browser journey: {both}"
    if _checks_answers_or_demo(item.path):
        return f"checks HTTP answers or the demo: {both}"
    return None


def pytest_collection_modifyitems(config, items):
    _long_modules_first(items)
    # On PostgreSQL the suite runs what the engine decides: services, selectors,
    # money, races, search, constraints, migrations, the journeys. What comes out
    # the same on either engine runs once, on SQLite.
    if not os.environ.get("SELFWORK_DATABASE_URL", "").startswith("postgres"):
        return
    for item in items:
        reason = _skip_reason_on_postgres(item)
        if reason:
            item.add_marker(pytest.mark.skip(reason=reason))


PASSWORD = "a long enough passphrase"
_serial = itertools.count(1)


@pytest.fixture(autouse=True, scope="session")
def undeclared_problem_codes_fail_the_test():
    # Checked when a problem is answered (core.problems); the tests refuse what
    # production only logs.
    from django.conf import settings as django_settings

    django_settings.SELFWORK_ERROR_CODES_STRICT = True


@pytest.fixture(autouse=True, scope="session")
def community_domains_admitted(django_test_environment):
    """Keep ALLOWED_HOSTS a SiteHosts, as in production.

    Django's test set-up replaces the setting with a plain list (adding
    "testserver"); wrapped again, a community's own domain is admitted per
    request exactly as it is when the site runs.
    """
    from django.conf import settings as django_settings

    from selfwork.core.hosts import SiteHosts

    django_settings.ALLOWED_HOSTS = SiteHosts(django_settings.ALLOWED_HOSTS)


@pytest.fixture(autouse=True)
def image_decode_slots_per_test_process(settings, tmp_path_factory):
    """Give each test process its own decode slots, as each server has its own.

    Parallel test processes share one data directory; without this, one process
    decoding the demo's pictures would make another's upload a 429.
    """
    settings.UPLOAD_LOCK_DIR = tmp_path_factory.getbasetemp() / "image-locks"


@pytest.fixture(autouse=True)
def webhook_receivers_on_this_machine(settings):
    """Let webhooks reach the tests' receivers on 127.0.0.1; the SSRF tests say no."""
    settings.SELFWORK_WEBHOOK_ALLOW_PRIVATE = True


@pytest.fixture(autouse=True)
def quick_password_hashing(request, settings):
    """Hash with MD5 in tests: Argon2 spends ~0.2 s per member by design.

    Tests marked ``real_hashing`` keep the production hashers.
    """
    if request.node.get_closest_marker("real_hashing") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        return True
    return bool({"transactional_db", "live_server"} & set(request.fixturenames))


@pytest.fixture(autouse=True)
def ledger_rows_cleared_after_committing_tests(request):
    """Let Django's flush run after tests that commit ledger rows on SQLite.

    The ledger's triggers refuse the flush's ``DELETE FROM`` once posted rows
    exist (PostgreSQL flushes with TRUNCATE, which they do not guard).
    """
    if not _is_transactional(request):
        yield
        return
    # Set the database up inside this fixture, so this teardown runs before its flush.
    request.getfixturevalue("transactional_db")
    yield
    from django.db import connection

    if connection.vendor == "sqlite":
        from selfwork.ledger.testing import ledger_rows_delete

        ledger_rows_delete()


@pytest.fixture(autouse=True)
def cached_pages_forgotten():
    """Every test starts with an empty cache: each test's database starts its
    generation counters over, so a page one test cached could match another's key.
    The process versions a server keeps once read are forgotten too, so that the
    queries a test counts do not depend on the tests that ran before it."""
    from django.core.cache import cache

    from selfwork.exchanges.engine import load

    cache.clear()
    load._versions_read.clear()


@pytest.fixture(autouse=True)
def fx_reference_rates(request):
    """Every database test starts with the reference exchange rates the migrations load.

    A test that commits (live server, races) ends with a flush that empties every
    table, the rates included; without this, the tests after it in the same
    process would see no rates.
    """
    wants_db = {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    if not wants_db and request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("transactional_db" if _is_transactional(request) else "db")
    from selfwork.core.testing import fx_reference_rates_ensure

    fx_reference_rates_ensure()


@pytest.fixture
def now():
    return dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def make_member(db, now):
    from selfwork.accounts.services import member_signup

    def make(username: str | None = None, **profile):
        name = username or f"member{next(_serial)}"
        member = member_signup(
            username=name, email=f"{name}@example.com", password=PASSWORD, now=now
        )
        for field, value in profile.items():
            setattr(member, field, value)
        if profile:
            member.save()
        return member

    return make


@pytest.fixture
def host(make_member):
    return make_member("hana", country="NZ", city="Wellington")


@pytest.fixture
def provider(make_member):
    return make_member("priya", country="IN", city="Pune")


@pytest.fixture
def buyer(make_member):
    return make_member("bruno", country="BR", city="Recife")


@pytest.fixture
def stranger(make_member):
    return make_member("sam")


@pytest.fixture
def community(host, now):
    from selfwork.communities.services import community_create

    return community_create(
        creator=host,
        slug="guild",
        name="Illustrators' Guild",
        now=now,
        settings={"currency": "EUR", "fee_percent": "5"},
    )


@pytest.fixture
def member_of(now):
    """Make ``member`` an active member of ``community``."""
    from selfwork.communities.services import community_join

    def join(community, member):
        return community_join(community=community, member=member, now=now)

    return join


class Api:
    """A JSON client for /api/v1 that speaks as one member (or nobody)."""

    def __init__(self, client, token: str | None = None):
        self.client = client
        self.token = token

    def _headers(self, headers):
        extra = {
            f"HTTP_{k.upper().replace('-', '_')}": v for k, v in (headers or {}).items()
        }
        if self.token:
            extra["HTTP_AUTHORIZATION"] = f"Bearer {self.token}"
        return extra

    def get(self, path, params=None, headers=None):
        return self.client.get(f"/api/v1{path}", params or {}, **self._headers(headers))

    def post(self, path, body=None, headers=None):
        return self.client.post(
            f"/api/v1{path}",
            json.dumps(body if body is not None else {}),
            content_type="application/json",
            **self._headers(headers),
        )

    def patch(self, path, body=None, headers=None):
        return self.client.patch(
            f"/api/v1{path}",
            json.dumps(body or {}),
            content_type="application/json",
            **self._headers(headers),
        )

    def put(self, path, body=None, headers=None):
        return self.client.put(
            f"/api/v1{path}",
            json.dumps(body or {}),
            content_type="application/json",
            **self._headers(headers),
        )

    def delete(self, path, headers=None):
        return self.client.delete(f"/api/v1{path}", **self._headers(headers))

    def upload(self, data: bytes, name="image.png", headers=None):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return self.client.post(
            "/api/v1/uploads",
            {"file": SimpleUploadedFile(name, data)},
            **self._headers(headers),
        )


@pytest.fixture
def api_as(client, now):
    """``api_as(member)`` is an API client holding a fresh token of ``member``."""
    from selfwork.accounts.services import api_token_create

    def make(member=None):
        token = api_token_create(member=member, now=now) if member is not None else None
        return Api(client, token)

    return make


@pytest.fixture
def browse_as():
    """``browse_as(member)``: a logged-in browser client (``None``: anonymous)."""
    from django.test import Client

    def make(member=None):
        client = Client()
        if member is not None:
            client.force_login(member)
        return client

    return make


@pytest.fixture
def anonymous_api(client):
    return Api(client)


@pytest.fixture
def png_bytes():
    """A small real PNG image, made on the spot."""
    import io

    from PIL import Image

    def make(width=64, height=48, color=(200, 80, 40), fmt="PNG", **save):
        out = io.BytesIO()
        Image.new("RGB", (width, height), color).save(out, fmt, **save)
        return out.getvalue()

    return make


class Mailbox:
    """What a real SMTP server (aiosmtpd, on a free loopback port) received."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        from email import message_from_bytes, policy

        self.messages.append(
            message_from_bytes(envelope.content, policy=policy.default)
        )
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    """Send the app's mail through a real SMTP server and collect it."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    try:
        yield mailbox
    finally:
        controller.stop()


class S3Media:
    """A bucket on a real S3-compatible server (moto's), and a client to look in it."""

    def __init__(self, endpoint: str, bucket: str):
        import boto3

        self.endpoint = endpoint
        self.bucket = bucket
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id="media-test",
            aws_secret_access_key="media-test-secret",
            region_name="us-east-1",
        )

    def stored(self) -> set[str]:
        listed = self.client.list_objects_v2(Bucket=self.bucket)
        return {item["Key"] for item in listed.get("Contents", [])}

    def env(self) -> dict[str, str]:
        return {
            "SELFWORK_MEDIA_S3_BUCKET": self.bucket,
            "SELFWORK_MEDIA_S3_ENDPOINT_URL": self.endpoint,
            "SELFWORK_MEDIA_S3_ACCESS_KEY": "media-test",
            "SELFWORK_MEDIA_S3_SECRET_KEY": "media-test-secret",
            "SELFWORK_MEDIA_S3_REGION": "us-east-1",
        }


@pytest.fixture(scope="session")
def s3_endpoint():
    """moto's S3 server, over HTTP on a free loopback port, for the whole run."""
    import logging

    from moto.server import ThreadedMotoServer

    # One line per request would bury a failing test's own output.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_media(s3_endpoint, settings):
    """Media on a fresh bucket of the S3 server, through the settings operators use.

    Changing ``STORAGES`` makes Django drop the storages it built (and
    ``default_storage``), so the next file saved goes to the bucket.
    """
    import uuid

    from selfwork.core.media_settings import media_storages

    media = S3Media(s3_endpoint, f"media-{uuid.uuid4().hex[:16]}")
    media.client.create_bucket(Bucket=media.bucket)
    settings.STORAGES = media_storages(media.env(), media_root=settings.MEDIA_ROOT)
    return media
