"""Every step of an exchange a party should know of reaches them: in the app, and by
e-mail through a real SMTP server, with links that work from the mail client."""

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client

from selfwork.exchanges import services
from selfwork.notifications.models import Notification
from selfwork.notifications.tasks import notification_emails_send

pytestmark = pytest.mark.django_db

BASE = "https://market.example.org"


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.SELFWORK_BASE_URL = BASE


def told(member):
    return list(
        Notification.objects.filter(member=member)
        .order_by("created_at", "pk")
        .values_list("kind", flat=True)
    )


def link_in(body: str, label: str) -> str:
    match = re.search(rf"{label}: (\S+)", body)
    assert match, body
    return match.group(1)


class TestACommissionTellsEachPartyWhatTheOtherDid:
    def test_each_step_is_one_notification_to_the_other_party(
        self, commission, move, buyer, provider
    ):
        move(commission, buyer, "pay")
        move(commission, provider, "deliver", at=1, note="First draft")
        move(commission, buyer, "request_changes", at=2, note="Bluer sky, please.")
        move(commission, provider, "deliver", at=3, note="Bluer")
        move(commission, buyer, "accept", at=4)

        assert told(provider) == [
            "requested",
            "paid",
            "changes_requested",
            "accepted",
        ]
        assert told(buyer) == ["delivered", "delivered"]
        accepted = Notification.objects.get(member=provider, kind="accepted")
        assert accepted.title == "“Book cover illustration” is accepted."
        assert f"{buyer.name} chose “Accept”." in accepted.body
        assert accepted.link == f"/exchanges/{commission.public_id}/"

    def test_a_reminder_is_told_to_both(self, commission, later):
        from selfwork.exchanges.tasks import timers_run_due

        # The commission's unpaid order reminds the buyer and provider, if its
        # process has a reminder; every notice names its kind either way.
        timers_run_due(now=later(days=30))
        kinds = set(Notification.objects.values_list("kind", flat=True))
        assert kinds <= {"requested", "reminder", "exchange"}


class TestTheEmailsArrive:
    def test_through_a_real_smtp_server_with_links_that_work(
        self, commission, move, buyer, provider, smtp_server, later
    ):
        move(commission, buyer, "pay")
        assert notification_emails_send(now=later(minutes=1)) == 2
        ordered, paid = smtp_server.messages
        assert paid["To"] == provider.email
        assert paid["Subject"] == "“Book cover illustration” is paid for."
        body = paid.get_content()
        assert f"Hello {provider.name}," in body
        link = link_in(body, "Open it")
        assert link == f"{BASE}/exchanges/{commission.public_id}/"

        # The link opens the exchange for the provider, once logged in.
        browser = Client()
        browser.force_login(provider)
        page = browser.get(urlsplit(link).path)
        assert page.status_code == 200
        assert "Book cover illustration" in page.content.decode()

    def test_unsubscribing_with_one_click_needs_no_log_in_and_is_honoured(
        self, commission, move, buyer, provider, smtp_server, later, portrait, package
    ):
        move(commission, buyer, "pay")
        notification_emails_send(now=later(minutes=1))
        paid = smtp_server.messages[-1]
        header = paid["List-Unsubscribe"]
        assert paid["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        url = str(header).strip().strip("<>")
        assert url.startswith(f"{BASE}/unsubscribe/")
        assert url == link_in(
            paid.get_content(), "To stop these e-mails with one click"
        )

        anonymous = Client(enforce_csrf_checks=True)
        asked = anonymous.get(urlsplit(url).path)
        assert asked.status_code == 200
        assert "Stop e-mails about payments" in asked.content.decode()
        # What a mail client sends for RFC 8058's one click: a bare POST.
        done = anonymous.post(urlsplit(url).path, {"List-Unsubscribe": "One-Click"})
        assert done.status_code == 200
        assert "no more e-mails about payments" in done.content.decode()

        # The next payment is still told in the app, but not e-mailed.
        again = services.exchange_order(
            listing=portrait,
            customer=buyer,
            mode="service",
            package=package("Sketch"),
            now=later(minutes=2),
        )
        move(again, buyer, "pay", at=2)
        sent = len(smtp_server.messages)
        notification_emails_send(now=later(minutes=3))
        assert [str(m["Subject"]).strip() for m in smtp_server.messages[sent:]] == [
            f"{buyer.name} ordered “Book cover illustration”."
        ]
        assert Notification.objects.filter(member=provider, kind="paid").count() == 2
