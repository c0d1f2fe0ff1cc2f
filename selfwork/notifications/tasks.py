"""Background work: send the e-mails notifications owe, and the daily digests.

Each e-mail is leased in a short transaction, sent outside any transaction, and
its result recorded in another (decision 0016): an SMTP server that hangs holds
no lock, and a worker that dies mid-send leaves a lease that runs out, so an
e-mail is sent at least once.
"""

import datetime as dt
import logging
import smtplib

from django.db import IntegrityError, connection, transaction
from django.db.models import F

from selfwork.notifications.mail import digest_email, notification_email
from selfwork.notifications.models import Digest, Notification

logger = logging.getLogger("selfwork.worker")
EMAIL_LEASE = dt.timedelta(minutes=10)
EMAIL_RETRY_AFTER = dt.timedelta(minutes=5)
EMAIL_MAX_ATTEMPTS = 8


def _email_lease(now: dt.datetime) -> Notification | None:
    with transaction.atomic():
        rows = Notification.objects.filter(
            email=Notification.Email.PENDING, email_available_at__lte=now
        ).order_by("email_available_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        notification = rows.first()
        if notification is None:
            return None
        leased = Notification.objects.filter(
            pk=notification.pk,
            email=Notification.Email.PENDING,
            email_available_at=notification.email_available_at,
        ).update(
            email_available_at=now + EMAIL_LEASE,
            email_attempts=F("email_attempts") + 1,
        )
    if leased != 1:
        return _email_lease(now)
    notification.email_attempts += 1
    return notification


def smtp_refusal(exc: BaseException) -> tuple[int | None, bool]:
    """The SMTP reply code of a failed send, and whether it is final (a bounce).

    A 5xx answer (550 "no such mailbox" to RCPT, 554 to the message) will not
    change on a retry; a 4xx answer, a timeout or a server that is down may.
    """
    code: int | None = None
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [reply[0] for reply in exc.recipients.values()]
        code = min(codes) if codes else None
    elif isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
    return code, code is not None and 500 <= code < 600


def notification_emails_send(*, now: dt.datetime, limit: int = 100) -> int:
    """E-mail up to ``limit`` notifications waiting to be sent; return how many went.

    A failed send is retried with growing pauses (10 minutes, then doubling),
    at most eight times, then marked ``failed`` with the reason; a send the
    server refused for good (a 5xx reply, a bounce) is marked ``failed`` at
    once. Either way the notification stays in the app, and staff see the
    failure on the operator's mail page.
    """
    sent = 0
    for _ in range(limit):
        notification = _email_lease(now)
        if notification is None:
            break
        try:
            notification_email(notification).send()
        except Exception as exc:  # noqa: BLE001 - an SMTP server, a network
            code, final = smtp_refusal(exc)
            retry = not final and notification.email_attempts < EMAIL_MAX_ATTEMPTS
            retry_at = (
                now + EMAIL_RETRY_AFTER * 2**notification.email_attempts
                if retry
                else None
            )
            logger.warning(
                "e-mail bounced" if final else "e-mail send failed",
                extra={
                    "notification": str(notification.public_id),
                    "attempt": notification.email_attempts,
                    "smtp_code": code,
                    "error": _email_error(exc, code)[:300],
                    "retry_at": retry_at.isoformat() if retry_at else None,
                },
            )
            Notification.objects.filter(
                pk=notification.pk, email=Notification.Email.PENDING
            ).update(
                email=Notification.Email.PENDING
                if retry
                else Notification.Email.FAILED,
                email_available_at=retry_at,
                email_error=_email_error(exc, code)[:300],
            )
            continue
        Notification.objects.filter(
            pk=notification.pk, email=Notification.Email.PENDING
        ).update(email=Notification.Email.SENT, emailed_at=now, email_available_at=None)
        sent += 1
    return sent


def _email_error(exc: BaseException, code: int | None) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        replies = "; ".join(
            f"{reply[0]} {reply[1].decode(errors='replace')}"
            for reply in exc.recipients.values()
        )
        return f"refused by the mail server: {replies}"
    if code is not None:
        return f"{code} {exc}"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _digest_start_of(now: dt.datetime) -> dt.datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def digests_send(*, now: dt.datetime, limit: int = 100) -> int:
    """Send each member with digest notifications from before today one e-mail a day.

    A digest gathers what waited for it up to midnight (UTC); what arrives
    during the day waits for tomorrow's. The ``Digest`` row, unique per member
    and day, is the claim; a send that fails gives the claim back, to be tried
    again on the next round. Return how many digests went.
    """
    midnight = _digest_start_of(now)
    waiting = (
        Notification.objects.filter(
            email=Notification.Email.DIGEST, created_at__lt=midnight
        )
        .exclude(member__in=Digest.objects.filter(sent_on=now.date()).values("member"))
        .values_list("member", flat=True)
        .distinct()
        .order_by("member")[:limit]
    )
    sent = 0
    for member_id in list(waiting):
        try:
            with transaction.atomic():
                digest = Digest.objects.create(
                    member_id=member_id, sent_on=now.date(), created_at=now
                )
        except IntegrityError:
            continue  # another worker has it
        rows = list(
            Notification.objects.filter(
                member_id=member_id,
                email=Notification.Email.DIGEST,
                created_at__lt=midnight,
            )
            .select_related("member")
            .order_by("created_at", "pk")
        )
        if not rows:
            digest.delete()
            continue
        try:
            digest_email(member=rows[0].member, notifications=rows).send()
        except Exception as exc:  # noqa: BLE001 - an SMTP server, a network
            logger.warning(
                "digest e-mail failed",
                extra={"error": f"{type(exc).__name__}: {exc}"[:300]},
            )
            digest.delete()
            continue
        Notification.objects.filter(pk__in=[n.pk for n in rows]).update(
            email=Notification.Email.SENT, emailed_at=now
        )
        Digest.objects.filter(pk=digest.pk).update(sent_at=now, count=len(rows))
        sent += 1
    return sent
