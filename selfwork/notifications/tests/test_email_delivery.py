"""Sending notification e-mails through a real SMTP server that refuses, fails or
speaks TLS: bounces are given up at once, other failures retried with growing
pauses, and staff see both on the operator's mail page."""

import datetime as dt
import os
import socket
import ssl
import subprocess
import sys

import pytest
from aiosmtpd.controller import Controller

from selfwork.notifications import services
from selfwork.notifications.models import Notification
from selfwork.notifications.tasks import EMAIL_MAX_ATTEMPTS, notification_emails_send

pytestmark = pytest.mark.django_db


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Refusing:
    """An SMTP server that answers RCPT with ``reply`` (550: no such mailbox)."""

    def __init__(self, reply: str) -> None:
        self.reply = reply
        self.messages: list[bytes] = []

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        if self.reply.startswith("250"):
            envelope.rcpt_tos.append(address)
        return self.reply

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def smtp(settings):
    """``smtp(reply)``: a real SMTP server on loopback answering RCPT with ``reply``."""
    started = []

    def start(reply: str, **kwargs) -> Refusing:
        handler = Refusing(reply)
        controller = Controller(
            handler, hostname="127.0.0.1", port=free_port(), **kwargs
        )
        controller.start()
        started.append(controller)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = controller.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 5
        return handler

    yield start
    for controller in started:
        controller.stop()


@pytest.fixture
def paid(provider, now):
    return services.notify(
        member=provider,
        kind="paid",
        title="“Portrait” is paid for.",
        body="The exchange is now: In progress.",
        link="/exchanges/x/",
        now=now,
    )


class TestBounces:
    def test_a_mailbox_that_does_not_exist_is_given_up_at_once(
        self, smtp, paid, now, provider, browse_as
    ):
        smtp("550 5.1.1 No such mailbox here")
        assert notification_emails_send(now=now) == 0
        paid.refresh_from_db()
        assert paid.email == Notification.Email.FAILED
        assert paid.email_attempts == 1 and paid.email_available_at is None
        assert paid.email_error.startswith("refused by the mail server: 550")
        # Nothing is tried again, however late.
        later = now + dt.timedelta(days=30)
        assert notification_emails_send(now=later) == 0
        paid.refresh_from_db()
        assert paid.email_attempts == 1

        provider.is_staff = True
        provider.save()
        page = browse_as(provider).get("/operator/mail/").content.decode()
        assert "E-mails that failed" in page
        assert "550 5.1.1 No such mailbox here" in page
        assert "Given up" in page and provider.email in page

    def test_a_passing_refusal_is_tried_again_with_growing_pauses_then_given_up(
        self, smtp, paid, now
    ):
        smtp("451 4.3.0 Try again later")
        at, pauses = now, []
        for _ in range(EMAIL_MAX_ATTEMPTS):
            assert notification_emails_send(now=at) == 0
            paid.refresh_from_db()
            if paid.email == Notification.Email.FAILED:
                break
            assert paid.email_error.startswith("refused by the mail server: 451")
            pauses.append(paid.email_available_at - at)
            # Not before the pause is over.
            assert notification_emails_send(now=at + pauses[-1] / 2) == 0
            at = paid.email_available_at
        assert paid.email == Notification.Email.FAILED
        assert paid.email_attempts == EMAIL_MAX_ATTEMPTS
        assert pauses[0] == dt.timedelta(minutes=10)
        assert all(b == 2 * a for a, b in zip(pauses, pauses[1:], strict=False))
        assert len(pauses) == EMAIL_MAX_ATTEMPTS - 1

    def test_a_server_that_is_down_is_tried_again_and_then_reached(
        self, smtp, paid, now, settings
    ):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
        settings.EMAIL_TIMEOUT = 5
        assert notification_emails_send(now=now) == 0
        paid.refresh_from_db()
        assert paid.email == Notification.Email.PENDING
        assert "ConnectionRefusedError" in paid.email_error
        assert paid.email_available_at == now + dt.timedelta(minutes=10)

        server = smtp("250 OK")
        assert notification_emails_send(now=paid.email_available_at) == 1
        paid.refresh_from_db()
        assert paid.email == Notification.Email.SENT
        assert len(server.messages) == 1


@pytest.fixture
def certificate(tmp_path):
    """A self-signed certificate for 127.0.0.1, made with Debian's openssl."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
            "-keyout", str(key), "-out", str(cert), "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


class TestSmtps:
    def test_an_smtps_url_means_tls_on_connect(self, tmp_path):
        env = {
            **os.environ,
            "SELFWORK_DATA_DIR": str(tmp_path),
            "SELFWORK_EMAIL_URL": "smtps://mailer:p%40ss@127.0.0.1:2465",
        }
        shown = subprocess.run(
            [
                sys.executable, "-c",
                "from selfwork.config import settings as s; "
                "print(s.EMAIL_USE_SSL, s.EMAIL_USE_TLS, s.EMAIL_PORT, "
                "s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD, "
                "getattr(s, 'EMAIL_BACKEND', 'smtp'))",
            ],
            env=env, capture_output=True, text=True, check=True,
        ).stdout.split()  # fmt: skip
        assert shown == [
            "True",
            "False",
            "2465",
            "mailer",
            "p@ss",
            "smtp",
        ]

    def test_mail_goes_over_tls_on_connect_to_a_trusted_server(
        self, smtp, certificate, paid, now, settings, monkeypatch
    ):
        cert, key = certificate
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        server = smtp("250 OK", ssl_context=context)
        settings.EMAIL_USE_SSL = True
        # The client checks the server's certificate against the system's
        # authorities; this one is trusted through OpenSSL's own variable.
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        assert notification_emails_send(now=now) == 1
        assert len(server.messages) == 1
        assert b"/exchanges/x/" in server.messages[0]

    def test_an_untrusted_certificate_is_refused_and_tried_again(
        self, smtp, certificate, paid, now, settings
    ):
        cert, key = certificate
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        server = smtp("250 OK", ssl_context=context)
        settings.EMAIL_USE_SSL = True
        assert notification_emails_send(now=now) == 0
        paid.refresh_from_db()
        assert paid.email == Notification.Email.PENDING
        assert "CERTIFICATE_VERIFY_FAILED" in paid.email_error
        assert server.messages == []
