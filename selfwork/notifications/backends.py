"""An e-mail backend for a site without an SMTP server: keep the mail, show it.

The demo and a fresh install have no mail server; instead of failing every
send (and retrying it eight times), the e-mails are stored and shown to staff
on the operator's mail page.
"""

from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from selfwork.notifications.models import StoredEmail


class StoredEmailBackend(BaseEmailBackend):
    """Store each message as a ``StoredEmail`` row instead of sending it."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        rows = [
            StoredEmail(
                to=", ".join(m.to)[:500],
                subject=str(m.subject)[:500],
                body=str(m.body),
                headers={k: str(v) for k, v in (m.extra_headers or {}).items()},
                created_at=timezone.now(),
            )
            for m in email_messages
        ]
        StoredEmail.objects.bulk_create(rows)
        return len(rows)
