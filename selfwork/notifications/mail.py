"""The e-mails notifications become: absolute links and one-click unsubscribe."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from selfwork.notifications.models import Kind, Notification
from selfwork.notifications.services import member_language, unsubscribe_token


def absolute(path: str) -> str:
    """``path`` on this site as a link that works from a mail client."""
    if not path or "://" in path:
        return path
    return f"{settings.SELFWORK_BASE_URL.rstrip('/')}/{path.lstrip('/')}"


def _unsubscribe_url(member, kind: str) -> str:
    return absolute(
        reverse(
            "web:unsubscribe",
            kwargs={"token": unsubscribe_token(member=member, kind=kind)},
        )
    )


def _message(*, member, kind: str, subject: str, text: str) -> EmailMessage:
    unsubscribe = _unsubscribe_url(member, kind)
    footer = gettext(
        "You receive this e-mail because of your notification settings: "
        "%(settings)s\nTo stop these e-mails with one click: %(unsubscribe)s\n"
    ) % {
        "settings": absolute(reverse("web:notification_settings")),
        "unsubscribe": unsubscribe,
    }
    return EmailMessage(
        subject=subject,
        body=f"{text}\n\n-- \n{footer}",
        to=[member.email],
        headers={
            # RFC 8058: a mail client may unsubscribe by POSTing to the link.
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Content-Language": member_language(member),
        },
    )


# Every e-mail is written in its member's preferred language (the site's default
# when they chose none), whatever language the worker or request runs in.


def notification_email(notification: Notification) -> EmailMessage:
    """The e-mail telling its member one notification, in their language."""
    member = notification.member
    with translation.override(member_language(member)):
        lines = [gettext("Hello %(name)s,") % {"name": member.name}, ""]
        lines.append(notification.title)
        if notification.body:
            lines += ["", notification.body]
        if notification.link:
            lines += [
                "",
                gettext("Open it: %(link)s") % {"link": absolute(notification.link)},
            ]
        return _message(
            member=member,
            kind=notification.kind,
            subject=notification.title,
            text="\n".join(lines),
        )


def digest_email(*, member, notifications: list[Notification]) -> EmailMessage:
    """The daily e-mail gathering ``notifications``, oldest first, in their language."""
    count = len(notifications)
    with translation.override(member_language(member)):
        lines = [
            gettext("Hello %(name)s,") % {"name": member.name},
            "",
            ngettext(
                "Here is what happened since your last digest (%(count)d):",
                "Here is what happened since your last digest (%(count)d):",
                count,
            )
            % {"count": count},
        ]
        for n in notifications:
            lines += ["", f"* {n.title}"]
            if n.body:
                lines.append(f"  {n.body}")
            if n.link:
                lines.append(
                    "  " + gettext("Open it: %(link)s") % {"link": absolute(n.link)}
                )
        lines += [
            "",
            gettext("All your notifications: %(link)s")
            % {"link": absolute(reverse("web:notifications"))},
        ]
        return _message(
            member=member,
            kind="*",
            subject=ngettext(
                "Your daily digest: %(count)d notification",
                "Your daily digest: %(count)d notifications",
                count,
            )
            % {"count": count},
            text="\n".join(lines),
        )


# Each kind as it reads inside a sentence ("no more e-mails about payments"):
# its own message, since lowering a translated label is wrong in many languages.
KIND_IN_A_SENTENCE = {
    Kind.REQUESTED: _("new orders and booking requests"),
    Kind.PAID: _("payments"),
    Kind.DELIVERED: _("deliveries"),
    Kind.CHANGES_REQUESTED: _("requests for changes"),
    Kind.ACCEPTED: _("accepted work and completed exchanges"),
    Kind.PAID_OUT: _("money paid out"),
    Kind.REMINDER: _("reminders about exchanges"),
    Kind.EXCHANGE: _("other steps of an exchange"),
    Kind.MESSAGE: _("new messages"),
    Kind.REVIEW_PUBLISHED: _("published reviews"),
    Kind.MENTION: _("mentions on community boards"),
    Kind.JOIN_REQUEST: _("requests to join a community you host"),
    Kind.WEBHOOK_DISABLED: _("webhook endpoints that stopped receiving"),
}


def kind_label(kind: str) -> str:
    """What a kind is called inside a sentence, on the unsubscribe page."""
    if kind == "*":
        return gettext("all notifications")
    phrase = KIND_IN_A_SENTENCE.get(Kind(kind))
    return str(phrase) if phrase is not None else Kind(kind).label.lower()
