"""Logs: readable lines for people, JSON lines for machines, with a request id.

Code logs through the standard library (``logging.getLogger("selfwork.…")``)
and passes facts as ``extra={...}``; structlog's formatter turns each record
into one line, adding the level, the logger, a UTC timestamp and whatever the
current request or job bound with ``log_context_bind`` (its ``request_id`` or
``job``). ``SELFWORK_LOG_FORMAT=json`` picks JSON; anything else, key=value text.

What is logged is chosen field by field: amounts, currencies, public ids, states
and addresses. Never a password, a token, a webhook secret or a card number.
"""

import contextvars
import hashlib
import logging
import re
import uuid
from typing import Any

import structlog

# An incoming X-Request-ID is kept only when it is a short, plain token: it goes
# into every log line, so it must not be a way to write into the logs.
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:@-]{1,128}$")


def request_id_sane(value: str | None) -> str:
    """Return ``value`` if it is a plain token a proxy might send, else a new id."""
    if value and REQUEST_ID.match(value):
        return value
    return uuid.uuid4().hex


def log_context_bind(**values: Any) -> None:
    """Add ``values`` to every line logged from here on in this request or job."""
    structlog.contextvars.bind_contextvars(**values)


def log_context_clear() -> None:
    """Forget what the last request or job bound (each starts afresh)."""
    structlog.contextvars.clear_contextvars()


def log_context_get(name: str) -> Any:
    """What the current request or job bound as ``name``, or None."""
    return structlog.contextvars.get_contextvars().get(name)


def log_on_commit(logger: logging.Logger, message: str, fields: dict[str, Any]) -> None:
    """Log ``message`` once the current transaction commits (a rolled-back change
    is no news), with the request id or job of the code that made the change."""
    from django.db import transaction

    context = contextvars.copy_context()
    transaction.on_commit(
        lambda: context.run(logger.info, message, extra=fields), robust=True
    )


def username_digest(username: str) -> str:
    """A short digest that tells repeated attempts on one name apart without
    writing the name (often an e-mail address) into the logs."""
    return hashlib.sha256(username.strip().lower().encode()).hexdigest()[:12]


def log_formatter(format: str = "text") -> logging.Formatter:
    """The formatter ``settings.LOGGING`` uses: JSON lines or key=value text."""
    renderer: Any
    if format == "json":
        renderer = structlog.processors.JSONRenderer(sort_keys=False)
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=False, pad_event_to=0)
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.stdlib.ExtraAdder(),
            structlog.processors.TimeStamper(fmt="iso", utc=True),
        ],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )
