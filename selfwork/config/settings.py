"""Settings, read from the environment (see docs/configuration in the README).

Every knob an operator turns is a ``SELFWORK_*`` variable; nothing secret is kept in
the repository. The secret key is generated once into the data directory.
"""

import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlsplit

import dj_database_url

from selfwork.core.hosts import SiteHosts
from selfwork.core.media_settings import (
    media_image_sources,
    media_storages,
    media_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(os.environ.get("SELFWORK_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    if key := os.environ.get("SELFWORK_SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        # Written once, readable by the owner only; every app server sharing the
        # data directory signs sessions with the same key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("SELFWORK_DEBUG", False)
# The operator's host names; a community's own domain is admitted per request,
# once CommunityDomainMiddleware finds it in the database (selfwork.core.hosts).
ALLOWED_HOSTS = SiteHosts(
    h.strip()
    for h in os.environ.get("SELFWORK_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
)
CSRF_TRUSTED_ORIGINS = [
    o.strip()
    for o in os.environ.get("SELFWORK_CSRF_TRUSTED_ORIGINS", "").split(",")
    if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "ninja",
    "selfwork.core",
    "selfwork.accounts",
    "selfwork.ledger",
    "selfwork.notifications",
    "selfwork.communities",
    "selfwork.catalog",
    "selfwork.payments",
    "selfwork.exchanges",
    "selfwork.briefs",
    "selfwork.boards",
    "selfwork.conversations",
    "selfwork.webhooks",
    # After accounts: its admin adds the data-request actions to the members'.
    "selfwork.privacy",
    "selfwork.web",
]

MIDDLEWARE = [
    # First of all: the request id every log line of the request carries, and
    # the request metrics, which must see every answer, errors included.
    "selfwork.core.observability.RequestContextMiddleware",
    # Outermost, so that whatever answers an /api/ request with an error (Django
    # itself, before any view) still answers with problem+json.
    "selfwork.core.problems.ApiProblemMiddleware",
    # Before the first query: whether this request may read from the replica
    # (removes itself when no replica is configured).
    "selfwork.core.replicas.ReplicaReadsMiddleware",
    # Before anything asks for request.get_host(): admits a community's domain.
    "selfwork.communities.domains.CommunityDomainMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: the switcher's cookie, else Accept-Language (URLs carry no
    # language prefix); the signed-in member's preference is applied below.
    "selfwork.core.i18n.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "selfwork.accounts.middleware.BearerTokenMiddleware",
    # Once the member is known: their preferred language and their time zone.
    "selfwork.accounts.middleware.MemberLocaleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "selfwork.core.idempotency.IdempotencyMiddleware",
]

ROOT_URLCONF = "selfwork.config.urls"
WSGI_APPLICATION = "selfwork.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "selfwork.notifications.context.unread_notifications",
                "selfwork.communities.context.site_community",
            ],
            # ``{% url %}``, its answers kept per process (web/templatetags/urls.py).
            "builtins": ["selfwork.web.templatetags.urls"],
        },
    },
]

# The page cache of visitors' listing pages lives in "default" (each process's
# memory). "template_fragments" keeps the parts of pages that depend on the
# language alone ({% cache None name LANGUAGE_CODE %}: the footer, the header's
# search form, the home page's hero): they change only with the code, so they
# are kept for the life of the process.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "template_fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "template-fragments",
        "TIMEOUT": None,
    },
}

# --- Database -------------------------------------------------------------------
DATABASE_URL = os.environ.get(
    "SELFWORK_DATABASE_URL", f"sqlite:///{DATA_DIR / 'selfwork.sqlite3'}"
)
_db = dj_database_url.parse(DATABASE_URL)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; synchronous=FULL because money
    # must survive a power cut; IMMEDIATE takes the write lock at BEGIN so two
    # writers queue instead of failing with "database is locked" mid-transaction.
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
        ),
    }
    _db["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
# Persistent connections on both engines: a new connection per request is an
# order of magnitude slower than reusing one.
_db["CONN_MAX_AGE"] = int(os.environ.get("SELFWORK_CONN_MAX_AGE", "600"))
_db["CONN_HEALTH_CHECKS"] = True
# Behind PgBouncer in transaction pooling mode each transaction may run on another
# server connection, so nothing may outlive one: no server-side cursors (a WITH
# HOLD cursor does), no prepared statements (named per server connection). The
# code keeps no other session state: no advisory locks, LISTEN, SET or temporary
# tables outside a transaction (README, "Scaling out").
SELFWORK_DATABASE_POOLER = (
    os.environ.get("SELFWORK_DATABASE_POOLER", "").strip().lower()
)
if SELFWORK_DATABASE_POOLER not in {"", "pgbouncer"}:
    raise ValueError(
        "SELFWORK_DATABASE_POOLER is 'pgbouncer' or empty, "
        f"not '{SELFWORK_DATABASE_POOLER}'."
    )


def _pooled(db: dj_database_url.DBConfig) -> dj_database_url.DBConfig:
    if not db["ENGINE"].endswith("postgresql"):
        return db
    if SELFWORK_DATABASE_POOLER == "pgbouncer":
        db["DISABLE_SERVER_SIDE_CURSORS"] = True
        db.setdefault("OPTIONS", {})["prepare_threshold"] = None
        return db
    # Prepared statements: PostgreSQL plans a statement each time it is sent, and
    # a listing query's joins took it 1-15 ms to plan against under 1 ms to run.
    # Sent with its values apart (server-side binding), a statement that comes
    # back is prepared on its fifth run in a connection, and PostgreSQL keeps one
    # plan for it. Left to choose (``plan_cache_mode = auto``) it went on planning
    # many of them at every call, for estimates, not time: a page of rentals free
    # on some dates took 30 ms where the kept plan took 1.2 (decision 0034).
    # Searches, whose best plan depends on their words, are sent with their
    # values written in (``core.compiled.planned_for_values``): never prepared.
    db.setdefault("OPTIONS", {}).update(
        server_side_binding=True,
        prepare_threshold=5,
        options="-c plan_cache_mode=force_generic_plan",
    )
    return db


DATABASES = {"default": _pooled(_db)}
# A streaming replica for reads that tolerate a little lag (search, public listing
# and profile pages); everything else, and a member who has just written, reads
# from the primary. selfwork.core.replicas decides, in one place.
DATABASE_REPLICA_URL = os.environ.get("SELFWORK_DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    _replica = dj_database_url.parse(DATABASE_REPLICA_URL)
    _replica["CONN_MAX_AGE"] = _db["CONN_MAX_AGE"]
    _replica["CONN_HEALTH_CHECKS"] = True
    # Tests see one database: the replica alias reads the test database.
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"] = _pooled(_replica)
    DATABASE_ROUTERS = ["selfwork.core.replicas.ReplicaRouter"]
# Seconds after a signed-in member's write during which their reads stay on the
# primary, so they see what they just wrote (a signed cookie carries the moment).
SELFWORK_READ_YOUR_WRITES_SECONDS = int(
    os.environ.get("SELFWORK_READ_YOUR_WRITES_SECONDS", "10")
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# dumpdata/loaddata keep times to the microsecond: the ledger's checksums cover them.
SERIALIZATION_MODULES = {
    "json": "selfwork.core.dumps.json",
    "jsonl": "selfwork.core.dumps.jsonl",
}

# --- Accounts -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.Member"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "web:home"
# The one authentication backend: every way in (web, API token, admin) goes
# through ``member_authenticate`` and its limits.
AUTHENTICATION_BACKENDS = ["selfwork.accounts.backends.MemberBackend"]
# Log-in attempts allowed inside the window (see docs/decisions/0010-…): per
# account from one address (or one known device); per address over all accounts;
# per account over all addresses that never logged in to it before.
LOGIN_MAX_FAILURES = int(os.environ.get("SELFWORK_LOGIN_MAX_FAILURES", "5"))
LOGIN_ADDRESS_MAX_FAILURES = int(
    os.environ.get("SELFWORK_LOGIN_ADDRESS_MAX_FAILURES", str(LOGIN_MAX_FAILURES * 4))
)
LOGIN_ACCOUNT_MAX_FAILURES = int(
    os.environ.get("SELFWORK_LOGIN_ACCOUNT_MAX_FAILURES", str(LOGIN_MAX_FAILURES * 4))
)
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("SELFWORK_LOGIN_WINDOW", "900"))

# --- Rate limits --------------------------------------------------------------------
# Proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated);
# without them every visitor behind the proxy would share the proxy's address.
SELFWORK_TRUSTED_PROXIES = [
    p.strip()
    for p in os.environ.get("SELFWORK_TRUSTED_PROXIES", "").split(",")
    if p.strip()
]
# "N/second|minute|hour|day" per member (and per e-mail address for resets); an
# address gets four times as much (one for anonymous sign-ups).
_THROTTLE_DEFAULTS = {
    "signup": "10/hour",
    "password_reset": "5/hour",
    "token": "20/hour",
    "uploads": "120/hour",
    "messages": "60/hour",
    "offers": "30/hour",
    "board_posts": "30/hour",
    "webhook_sends": "60/hour",
}
SELFWORK_THROTTLES = {
    scope: os.environ.get(f"SELFWORK_THROTTLE_{scope.upper()}", rate)
    for scope, rate in _THROTTLE_DEFAULTS.items()
}

# --- Mail -------------------------------------------------------------------------
# Links in e-mails are absolute, built from this: the address members reach the
# site at. The default is where `make run` serves.
SELFWORK_BASE_URL = os.environ.get("SELFWORK_BASE_URL", "http://127.0.0.1:8000").rstrip(
    "/"
)
# An SMTP server as one URL (smtp://user:password@host:port, smtps:// for TLS on
# connect, ?starttls for STARTTLS), or the SELFWORK_EMAIL_* variables one by one.
_email_url = urlsplit(os.environ.get("SELFWORK_EMAIL_URL", ""))
EMAIL_HOST = _email_url.hostname or os.environ.get("SELFWORK_EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = _email_url.port or int(os.environ.get("SELFWORK_EMAIL_PORT", "25"))
EMAIL_HOST_USER = unquote(_email_url.username or "") or os.environ.get(
    "SELFWORK_EMAIL_USER", ""
)
EMAIL_HOST_PASSWORD = unquote(_email_url.password or "") or os.environ.get(
    "SELFWORK_EMAIL_PASSWORD", ""
)
EMAIL_USE_TLS = _email_url.query == "starttls" or _env_bool("SELFWORK_EMAIL_TLS", False)
EMAIL_USE_SSL = _email_url.scheme == "smtps"
# A mail server that stops answering must not hold a worker for ever.
EMAIL_TIMEOUT = int(os.environ.get("SELFWORK_EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get(
    "SELFWORK_EMAIL_FROM", "selfwork <noreply@localhost>"
)
if os.environ.get("SELFWORK_EMAIL_BACKEND") == "console":
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
elif not _email_url.hostname and "SELFWORK_EMAIL_HOST" not in os.environ:
    # No mail server configured (the demo, a first install): keep the e-mails and
    # show them to staff at /operator/mail/ instead of failing to send them.
    EMAIL_BACKEND = "selfwork.notifications.backends.StoredEmailBackend"

# --- Static and media -------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Front-end packages come from npm (package.json) and are served from here, never
# from a CDN.
NODE_MODULES = Path(
    os.environ.get("SELFWORK_NODE_MODULES", BASE_DIR.parent / "node_modules")
)
STATICFILES_DIRS = [("vendor/htmx", NODE_MODULES / "htmx.org" / "dist")]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"
# Public media and private deliverables: the data directory's media/ folder, or an
# S3-compatible bucket when SELFWORK_MEDIA_S3_BUCKET is set (see "Storage" in the
# README and selfwork/core/media_settings.py).
STORAGES = media_storages(os.environ, media_root=MEDIA_ROOT)
MEDIA_URL = media_url(os.environ)

# Uploads: bytes and pixels, checked on the content.
UPLOAD_MAX_BYTES = int(
    os.environ.get("SELFWORK_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024))
)
# 16 million pixels: a 4,000-pixel square, or a 12-megapixel phone photo with room
# to spare. A PNG must be decoded whole, and one of 40 million pixels took seconds
# of CPU and hundreds of MB; a JPEG is decoded scaled down, so the cap counts the
# pixels it decodes to (a 48-megapixel photo decodes to 12).
UPLOAD_MAX_PIXELS = int(os.environ.get("SELFWORK_UPLOAD_MAX_PIXELS", str(16_000_000)))
# How many images one server decodes at once, across its gunicorn workers; an
# upload that finds them all busy is refused with a 429 and Retry-After.
UPLOAD_DECODE_SLOTS = int(os.environ.get("SELFWORK_UPLOAD_DECODE_SLOTS", "1"))
UPLOAD_LOCK_DIR = DATA_DIR / "locks"
# Deliverables of exchanges (PDF, images, ZIP, text), stored privately.
SELFWORK_DELIVERY_MAX_BYTES = int(
    os.environ.get("SELFWORK_DELIVERY_MAX_BYTES", str(50 * 1024 * 1024))
)
# A directory of the operator's own process files (*.toml), beside the built-ins.
SELFWORK_PROCESS_DIR = os.environ.get("SELFWORK_PROCESS_DIR", "")
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Payments ---------------------------------------------------------------------
# The gateway of communities that have not chosen one: "sandbox" (test cards,
# instant bank payouts) or "manual" (money settled outside, confirmed by a host).
SELFWORK_PAYMENT_GATEWAY = os.environ.get("SELFWORK_PAYMENT_GATEWAY", "sandbox")
# How long a card authorisation (a rental's deposit) lasts before it lapses, in
# days. Card networks drop an ordinary uncaptured authorisation after about a
# week, but give rental merchants (cars, lodging, equipment) an extended one of
# up to 31 days, which is what a deposit held across a booking needs.
SELFWORK_DEPOSIT_AUTHORISATION_DAYS = int(
    os.environ.get("SELFWORK_DEPOSIT_AUTHORISATION_DAYS", "31")
)

# --- Webhooks -------------------------------------------------------------------
# Whether endpoints may resolve to loopback, private or link-local addresses.
# Off in production (a webhook URL must not reach the server's own network);
# the tests and the demo, whose receivers run on 127.0.0.1, turn it on. Cloud
# metadata addresses are refused either way.
SELFWORK_WEBHOOK_ALLOW_PRIVATE = _env_bool("SELFWORK_WEBHOOK_ALLOW_PRIVATE", False)
# Seconds a receiver has to answer a delivery.
SELFWORK_WEBHOOK_TIMEOUT = float(os.environ.get("SELFWORK_WEBHOOK_TIMEOUT", "10"))

# How often each `selfwork worker` audits the whole ledger, in seconds.
SELFWORK_AUDIT_INTERVAL = int(os.environ.get("SELFWORK_AUDIT_INTERVAL", "3600"))

# --- Internationalisation ---------------------------------------------------------
# One catalogue for the whole project (selfwork/locale/<lang>/LC_MESSAGES/django.po),
# compiled to .mo files at install (`selfwork i18n compile`); see decision 0028.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("es", "Español"),
    ("fr", "Français"),
    ("de", "Deutsch"),
    ("pt-br", "Português (Brasil)"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The switcher's choice outlives the session (it is set before signing in too).
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Every problem code the API answers with is declared (core.errors.declare); an
# undeclared one is logged, and with this setting (the tests') refused outright.
SELFWORK_ERROR_CODES_STRICT = _env_bool("SELFWORK_ERROR_CODES_STRICT", False)

# --- Security -------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "selfwork.core.problems.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
HTTPS = _env_bool("SELFWORK_HTTPS", False)
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Plain-HTTP requests are redirected, except the health and readiness checks
    # and the metrics, which load balancers and scrapers often poll over plain
    # HTTP from inside the network.
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    # A year, subdomains included: what `check --deploy` and the HSTS preload
    # list ask for. Lower it with SELFWORK_HSTS_SECONDS while trying HTTPS out.
    SECURE_HSTS_SECONDS = int(os.environ.get("SELFWORK_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("SELFWORK_HSTS_INCLUDE_SUBDOMAINS", True)
    # Only the ``preload`` token; joining the browsers' list is a separate,
    # deliberate submission by the operator.
    SECURE_HSTS_PRELOAD = _env_bool("SELFWORK_HSTS_PRELOAD", True)

# Content-Security-Policy (decision 0012): scripts, styles, fonts and images only
# from this origin; no inline script or style, no eval. Pages keep their scripts
# in static files and their per-element colours in classes; uploaded images are
# served from /media/ on the same origin, or from the media bucket or CDN.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Public media on S3 or a CDN come from their own origin.
        "img-src": ["'self'", "data:", *media_image_sources(os.environ)],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Logs (README, "Logs"): one line per record on standard error, key=value text by
# default, JSON lines with SELFWORK_LOG_FORMAT=json; every line of a request or a
# worker job carries its request_id or job.
SELFWORK_LOG_FORMAT = os.environ.get("SELFWORK_LOG_FORMAT", "text").strip().lower()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "selfwork": {
            "()": "selfwork.core.logs.log_formatter",
            "format": "json" if SELFWORK_LOG_FORMAT == "json" else "text",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "selfwork"}
    },
    "root": {
        "handlers": ["console"],
        "level": os.environ.get("SELFWORK_LOG_LEVEL", "INFO"),
    },
    "loggers": {"django.request": {"level": "ERROR"}},
}

# --- Metrics and readiness (README, "Metrics and readiness") ----------------------
# /metrics answers a scraper that sends this token as a bearer token, or one
# calling from these addresses or networks (loopback only by default).
SELFWORK_METRICS_TOKEN = os.environ.get("SELFWORK_METRICS_TOKEN", "")
SELFWORK_METRICS_ALLOW = [
    a.strip()
    for a in os.environ.get("SELFWORK_METRICS_ALLOW", "127.0.0.1,::1").split(",")
    if a.strip()
]
# /readyz answers 503 when no worker has beaten its heart for this many seconds
# (0: do not ask about the worker, for sites that run none).
SELFWORK_READY_HEARTBEAT_SECONDS = int(
    os.environ.get("SELFWORK_READY_HEARTBEAT_SECONDS", "60")
)
