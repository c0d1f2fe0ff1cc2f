"""Background work: send the e-mails notifications owe, and the daily digests.

Each e-mail is leased in a short transaction, sent outside any transaction, and
its result recorded in another (decision 0016): an SMTP server that hangs holds
no lock, and a worker that dies mid-send leaves a lease that runs out, so an
e-mail is sent at least once.
"""

import datetime as dt
import logging

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


def notification_emails_send(*, now: dt.datetime, limit: int = 100) -> int:
    """E-mail up to ``limit`` notifications waiting to be sent; return how many went.

    A failed send is retried with growing pauses, at most eight times, then
    marked ``failed`` with the reason; the notification stays in the app.
    """
    sent = 0
    for _ in range(limit):
        notification = _email_lease(now)
        if notification is None:
            break
        try:
            notification_email(notification).send()
        except Exception as exc:  # noqa: BLE001 - an SMTP server, a network
            logger.warning("notification %s e-mail failed: %s", notification.pk, exc)
            retry = notification.email_attempts < EMAIL_MAX_ATTEMPTS
            Notification.objects.filter(
                pk=notification.pk, email=Notification.Email.PENDING
            ).update(
                email=Notification.Email.PENDING
                if retry
                else Notification.Email.FAILED,
                email_available_at=now
                + EMAIL_RETRY_AFTER * 2**notification.email_attempts
                if retry
                else None,
                email_error=str(exc)[:300],
            )
            continue
        Notification.objects.filter(
            pk=notification.pk, email=Notification.Email.PENDING
        ).update(email=Notification.Email.SENT, emailed_at=now, email_available_at=None)
        sent += 1
    return sent


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
            logger.warning("digest for member %s failed: %s", member_id, exc)
            digest.delete()
            continue
        Notification.objects.filter(pk__in=[n.pk for n in rows]).update(
            email=Notification.Email.SENT, emailed_at=now
        )
        Digest.objects.filter(pk=digest.pk).update(sent_at=now, count=len(rows))
        sent += 1
    return sent
