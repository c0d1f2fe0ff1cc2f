"""Notifications: preferences decide what is shown and e-mailed; the digest comes once
a day; the bell counts in one query; the API pages and marks read."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from selfwork.notifications import selectors, services
from selfwork.notifications.mail import KIND_IN_A_SENTENCE
from selfwork.notifications.models import Digest, Kind, Notification
from selfwork.notifications.tasks import digests_send, notification_emails_send

pytestmark = pytest.mark.django_db


@pytest.fixture
def tell(now):
    """``tell(member, kind="paid", at=minutes)``: one notification, as the apps send."""

    def make(member, kind="paid", at=0, title="“Portrait” is paid for."):
        return services.notify(
            member=member,
            kind=kind,
            title=title,
            body="The exchange is now: In progress.",
            link="/exchanges/x/",
            now=now + dt.timedelta(minutes=at),
        )

    return make


class TestPreferences:
    def test_by_default_a_notification_is_shown_and_emailed(
        self, tell, provider, smtp_server, now
    ):
        tell(provider)
        assert notification_emails_send(now=now) == 1
        (message,) = smtp_server.messages
        assert message["To"] == provider.email
        assert Notification.objects.get().email == "sent"

    def test_email_off_sends_nothing_and_keeps_it_in_the_app(
        self, tell, provider, smtp_server, now
    ):
        services.preferences_set(member=provider, choices={"paid": "in_app"}, now=now)
        tell(provider)
        assert notification_emails_send(now=now) == 0
        assert smtp_server.messages == []
        assert Notification.objects.get().email == "none"

    def test_off_is_not_even_shown(self, tell, provider, now):
        services.preferences_set(member=provider, choices={"paid": "off"}, now=now)
        assert tell(provider) is None
        assert tell(provider, kind="delivered") is not None
        assert list(Notification.objects.values_list("kind", flat=True)) == [
            "delivered"
        ]

    def test_an_unknown_kind_or_channel_is_refused_and_nothing_stored(
        self, provider, now
    ):
        from selfwork.core.errors import InvalidInput
        from selfwork.notifications.models import Preference

        for choices in ({"paid": "pigeon"}, {"gossip": "email"}):
            with pytest.raises(InvalidInput):
                services.preferences_set(member=provider, choices=choices, now=now)
        assert not Preference.objects.exists()


class TestDailyDigest:
    def test_one_email_a_day_gathers_the_days_news(
        self, tell, provider, smtp_server, now
    ):
        services.preferences_set(
            member=provider, choices={"paid": "digest", "message": "digest"}, now=now
        )
        tell(provider)
        tell(provider, kind="message", at=5, title="Bruno wrote to you.")
        assert notification_emails_send(now=now) == 0
        # Not during the day the news came ...
        assert digests_send(now=now + dt.timedelta(hours=10)) == 0
        # ... but the next morning, once.
        next_morning = now + dt.timedelta(days=1)
        assert digests_send(now=next_morning) == 1
        assert digests_send(now=next_morning + dt.timedelta(hours=3)) == 0
        (digest,) = smtp_server.messages
        body = digest.get_content()
        assert "“Portrait” is paid for." in body
        assert "Bruno wrote to you." in body
        assert digest["List-Unsubscribe"]
        assert Digest.objects.get().count == 2

        # News of that day waits for the day after.
        tell(provider, at=24 * 60 + 30)
        assert digests_send(now=next_morning + dt.timedelta(hours=5)) == 0
        assert digests_send(now=next_morning + dt.timedelta(days=1)) == 1
        assert len(smtp_server.messages) == 2


class TestUnsubscribe:
    def test_a_forged_token_is_refused_without_a_500(self, client):
        page = client.get("/unsubscribe/not-a-token/")
        assert page.status_code == 404
        assert "not valid" in page.content.decode()
        assert client.post("/unsubscribe/not-a-token/").status_code == 404

    def test_the_digest_link_stops_every_email(self, provider, client, tell, now):
        token = services.unsubscribe_token(member=provider, kind="*")
        tell(provider)
        assert client.post(f"/unsubscribe/{token}/").status_code == 200
        assert set(selectors.preferences_for(member=provider).values()) == {"in_app"}
        # What was waiting to be e-mailed is not sent either.
        assert Notification.objects.get().email == "none"

    @pytest.mark.parametrize("kind", Kind.values)
    def test_every_kind_reads_in_a_sentence_as_its_label_does(self, kind):
        # Given a kind, when the unsubscribe page names it inside a sentence,
        # then it is the settings label in lower case, from a message of its own.
        assert str(KIND_IN_A_SENTENCE[Kind(kind)]) == str(Kind(kind).label).lower()

    def test_the_unsubscribe_page_names_the_kind_in_a_sentence(self, provider, client):
        token = services.unsubscribe_token(member=provider, kind="paid")
        page = client.get(f"/unsubscribe/{token}/").content.decode()
        assert "Stop e-mails about payments to" in page


class TestBellAndPages:
    def test_the_bell_counts_unread_in_one_query(self, tell, provider, browse_as):
        for n in range(3):
            tell(provider, at=n)
        browser = browse_as(provider)
        with CaptureQueriesContext(connection) as queries:
            page = browser.get("/dashboard/")
        assert page.status_code == 200
        assert 'data-unread="3"' in page.content.decode()
        counts = [
            q["sql"]
            for q in queries.captured_queries
            if "notifications_notification" in q["sql"] and "COUNT" in q["sql"]
        ]
        assert len(counts) == 1

    def test_opening_a_notification_marks_it_read(self, tell, provider, browse_as):
        notification = tell(provider)
        browser = browse_as(provider)
        listed = browser.get("/notifications/")
        assert "“Portrait” is paid for." in listed.content.decode()
        opened = browser.get(f"/notifications/{notification.public_id}/")
        assert opened.status_code == 302
        assert opened["Location"] == "/exchanges/x/"
        notification.refresh_from_db()
        assert notification.read_at is not None
        assert "data-unread" not in browser.get("/notifications/").content.decode()

    def test_another_members_notification_is_not_found(
        self, tell, provider, buyer, browse_as
    ):
        notification = tell(provider)
        assert (
            browse_as(buyer)
            .get(f"/notifications/{notification.public_id}/")
            .status_code
            == 404
        )
        notification.refresh_from_db()
        assert notification.read_at is None

    def test_settings_page_saves_a_choice(self, provider, browse_as):
        browser = browse_as(provider)
        assert browser.get("/settings/notifications/").status_code == 200
        saved = browser.post("/settings/notifications/", {"message": "digest"})
        assert saved.status_code == 302
        assert selectors.preferences_for(member=provider)["message"] == "digest"
        refused = browser.post("/settings/notifications/", {"message": "<b>x</b>"})
        assert refused.status_code == 302
        assert selectors.preferences_for(member=provider)["message"] == "digest"

    def test_titles_are_escaped(self, tell, provider, browse_as):
        tell(provider, title="<script>alert(1)</script> paid.")
        html = browse_as(provider).get("/notifications/").content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;" in html

    def test_the_operator_mail_page_is_for_staff(
        self, provider, browse_as, settings, tell, now
    ):
        settings.EMAIL_BACKEND = "selfwork.notifications.backends.StoredEmailBackend"
        tell(provider)
        notification_emails_send(now=now)
        assert browse_as(provider).get("/operator/mail/").status_code == 403
        provider.is_staff = True
        provider.save()
        page = browse_as(provider).get("/operator/mail/")
        assert page.status_code == 200
        assert "“Portrait” is paid for." in page.content.decode()


class TestApi:
    def test_lists_newest_first_by_cursor_and_marks_read(
        self, tell, provider, buyer, api_as
    ):
        made = [tell(provider, at=n, title=f"Step {n}.") for n in range(5)]
        tell(buyer)
        api = api_as(provider)
        first = api.get("/notifications", {"limit": 3})
        assert first.status_code == 200
        data = first.json()
        assert [i["title"] for i in data["items"]] == ["Step 4.", "Step 3.", "Step 2."]
        assert data["unread"] == 5
        second = api.get("/notifications", {"limit": 3, "cursor": data["next"]}).json()
        assert [i["title"] for i in second["items"]] == ["Step 1.", "Step 0."]
        assert second["next"] is None

        marked = api.post("/notifications/read", {"ids": [str(made[0].public_id)]})
        assert marked.json() == {"marked": 1, "unread": 4}
        # Someone else's id is ignored, as if it did not exist.
        others = Notification.objects.get(member=buyer)
        assert api.post(
            "/notifications/read", {"ids": [str(others.public_id)]}
        ).json() == {"marked": 0, "unread": 4}
        assert Notification.objects.get(member=buyer).read_at is None
        assert api.post("/notifications/read", {}).json() == {
            "marked": 4,
            "unread": 0,
        }

    def test_bad_input_is_a_problem_not_a_500(self, provider, api_as):
        api = api_as(provider)
        assert api.get("/notifications", {"cursor": "bogus"}).status_code == 422
        assert (
            api.post("/notifications/read", {"ids": ["not-a-uuid"]}).status_code == 422
        )
        assert api.post("/notifications/read", {"ids": "x"}).status_code == 422

    def test_preferences_read_and_change(self, provider, api_as):
        api = api_as(provider)
        assert (
            api.get("/notifications/preferences").json()["channels"]["paid"] == "email"
        )
        changed = api.patch("/notifications/preferences", {"channels": {"paid": "off"}})
        assert changed.status_code == 200
        assert changed.json()["channels"]["paid"] == "off"
        refused = api.patch(
            "/notifications/preferences", {"channels": {"paid": "loud"}}
        )
        assert refused.status_code == 422

    def test_anonymous_is_401(self, anonymous_api):
        assert anonymous_api.get("/notifications").status_code == 401
        assert anonymous_api.post("/notifications/read", {}).status_code == 401


def test_the_bell_counts_unread_notifications_in_a_language_whose_plural_rule_computes(
    buyer, tell, browse_as
):
    # Given two unread notifications for a member who reads Spanish
    buyer.language = "es"
    buyer.save(update_fields=["language"])
    tell(buyer)
    tell(buyer, at=1)

    # When they open a page with the bell in the header
    response = browse_as(buyer).get("/notifications/")

    # Then the bell says so in Spanish (the rule takes n % 1000000)
    assert response.status_code == 200
    assert "2 notificaciones sin leer" in response.content.decode()
