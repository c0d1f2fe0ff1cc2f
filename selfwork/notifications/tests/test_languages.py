"""Notifications and e-mails are written in their member's preferred language,
whatever language the request or the worker that makes them runs in."""

import datetime as dt

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy

from selfwork.core.testing import catalogue_write
from selfwork.notifications import services
from selfwork.notifications.mail import digest_email
from selfwork.notifications.models import Notification
from selfwork.notifications.tasks import notification_emails_send

TITLE = "Your exchange is ready for review."


@pytest.fixture
def german(settings, tmp_path):
    catalogue_write(
        tmp_path,
        "de",
        {
            TITLE: "Dein Tausch wartet auf deine Prüfung.",
            "Hello %(name)s,": "Hallo %(name)s,",
            "Open it: %(link)s": "Öffnen: %(link)s",
        },
    )
    settings.LOCALE_PATHS = [tmp_path]


@pytest.fixture
def greta(make_member):
    return make_member("greta", display_name="Greta", language="de")


@pytest.fixture
def ewan(make_member):
    return make_member("ewan", display_name="Ewan")


def tell(members, now):
    # Caused by a French-speaking request: neither member reads French.
    with translation.override("fr"):
        return services.notify_many(
            members=members,
            kind="delivered",
            title=gettext_lazy(TITLE),
            link="/exchanges/x/",
            now=now,
        )


def test_each_member_s_notification_is_in_their_language(german, greta, ewan, now):
    by_member = {n.member_id: n for n in tell([greta, ewan], now)}
    assert by_member[greta.pk].title == "Dein Tausch wartet auf deine Prüfung."
    assert by_member[ewan.pk].title == TITLE


def test_the_e_mail_is_in_the_member_s_language(german, greta, ewan, now, smtp_server):
    tell([greta, ewan], now)
    Notification.objects.update(email=Notification.Email.PENDING)
    with translation.override("fr"):
        notification_emails_send(now=now + dt.timedelta(minutes=1))
    mails = {m["To"]: m for m in smtp_server.messages}
    german_mail = mails["greta@example.com"]
    assert german_mail["Subject"] == "Dein Tausch wartet auf deine Prüfung."
    assert german_mail["Content-Language"] == "de"
    text = german_mail.get_content()
    assert text.startswith("Hallo Greta,")
    assert "Öffnen: http" in text
    english = mails["ewan@example.com"].get_content()
    assert english.startswith("Hello Ewan,")
    assert "Open it: http" in english


def test_the_digest_is_in_the_member_s_language(german, greta, now):
    notifications = tell([greta], now)
    mail = digest_email(member=greta, notifications=notifications)
    assert mail.body.startswith("Hallo Greta,")
    assert "* Dein Tausch wartet auf deine Prüfung." in mail.body
