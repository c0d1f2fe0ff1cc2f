"""Which language a page speaks, the header's switcher, and the member's time zone.

The order of choice: the switcher (Django's language cookie), then the signed-in
member's preferred language, then Accept-Language, then English. The API follows
Accept-Language alone.
"""

import re

import pytest
from django.conf import settings
from django.utils import timezone

from selfwork.accounts.models import Member
from selfwork.core.testing import catalogue_write

LANGUAGE_ERROR = "language is one of %(languages)s, or empty."


def page_language(response) -> str:
    match = re.search(r'<html lang="([^"]+)"', response.content.decode())
    assert match, "the page has no <html lang>"
    return match.group(1)


def choose(client, code: str) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = code


@pytest.fixture
def home():
    return "/"


class TestOrderOfChoice:
    def test_a_visitor_without_preferences_reads_english(self, db, browse_as, home):
        assert page_language(browse_as(None).get(home)) == "en"

    @pytest.mark.parametrize(
        ("header", "expected"),
        [
            ("de-DE,de;q=0.9,en;q=0.5", "de"),
            ("pt-BR,pt;q=0.8", "pt-br"),
            ("fr-CA", "fr"),
            ("ja,zh;q=0.8", "en"),
        ],
    )
    def test_the_browser_s_languages_choose_for_a_visitor(
        self, db, browse_as, home, header, expected
    ):
        response = browse_as(None).get(home, HTTP_ACCEPT_LANGUAGE=header)
        assert page_language(response) == expected
        assert response["Content-Language"] == expected

    def test_a_member_s_preference_comes_before_the_browser_s(
        self, browse_as, make_member, home
    ):
        greta = make_member("greta", language="fr")
        response = browse_as(greta).get(home, HTTP_ACCEPT_LANGUAGE="de")
        assert page_language(response) == "fr"

    def test_a_member_without_a_preference_follows_the_browser(
        self, browse_as, make_member, home
    ):
        response = browse_as(make_member("greta")).get(home, HTTP_ACCEPT_LANGUAGE="es")
        assert page_language(response) == "es"

    def test_the_switcher_s_choice_comes_before_everything(
        self, browse_as, make_member, home
    ):
        client = browse_as(make_member("greta", language="fr"))
        choose(client, "es")
        response = client.get(home, HTTP_ACCEPT_LANGUAGE="de")
        assert page_language(response) == "es"

    def test_an_unknown_cookie_is_ignored(self, browse_as, make_member, home):
        client = browse_as(make_member("greta", language="fr"))
        choose(client, "tlh")
        assert page_language(client.get(home)) == "fr"


class TestSwitcher:
    def test_the_header_offers_every_language_with_the_current_one_selected(
        self, db, browse_as, home
    ):
        html = browse_as(None).get(home, HTTP_ACCEPT_LANGUAGE="de").content.decode()
        assert 'action="/i18n/setlang/"' in html
        for code, name in settings.LANGUAGES:
            assert f'value="{code}" lang="{code}"' in html
            assert name in html
        assert '<option value="de" lang="de" selected>' in html
        assert '<button type="submit"' in html  # works without script

    def test_a_visitor_s_choice_is_kept_in_the_cookie_and_back_where_they_were(
        self, db, browse_as
    ):
        client = browse_as(None)
        response = client.post(
            "/i18n/setlang/", {"language": "de", "next": "/search/?q=drill"}
        )
        assert response.status_code == 302
        assert response["Location"] == "/search/?q=drill"
        assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
        assert page_language(client.get("/", HTTP_ACCEPT_LANGUAGE="fr")) == "de"

    def test_a_member_s_choice_becomes_their_preferred_language(
        self, browse_as, make_member
    ):
        greta = make_member("greta")
        browse_as(greta).post("/i18n/setlang/", {"language": "pt-br", "next": "/"})
        greta.refresh_from_db()
        assert greta.language == "pt-br"
        # Another browser of hers, which never chose, speaks it too.
        assert page_language(browse_as(greta).get("/")) == "pt-br"

    def test_an_unknown_language_changes_nothing(self, browse_as, make_member):
        greta = make_member("greta", language="fr")
        client = browse_as(greta)
        response = client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
        assert response.status_code == 302
        assert settings.LANGUAGE_COOKIE_NAME not in client.cookies
        greta.refresh_from_db()
        assert greta.language == "fr"

    def test_a_link_elsewhere_is_not_followed(self, db, browse_as):
        response = browse_as(None).post(
            "/i18n/setlang/", {"language": "de", "next": "https://evil.example/"}
        )
        assert response["Location"] == "/"


class TestProfile:
    def test_the_settings_page_saves_the_preferred_language(
        self, browse_as, make_member
    ):
        greta = make_member("greta")
        client = browse_as(greta)
        page = client.get("/settings/profile/").content.decode()
        assert 'name="language"' in page
        form = {
            "action": "profile",
            "display_name": "Greta",
            "time_zone": "Europe/Berlin",
            "preferred_currency": "EUR",
            "commission_status": "open",
            "commission_slots": "3",
            "language": "de",
        }
        response = client.post("/settings/profile/", form)
        assert response.status_code == 302, response.content.decode()[:2000]
        greta.refresh_from_db()
        assert greta.language == "de"

    def test_the_api_reads_and_sets_it_and_refuses_an_unknown_one(
        self, api_as, make_member
    ):
        greta = make_member("greta")
        api = api_as(greta)
        assert api.patch("/members/me", {"language": "es"}).status_code == 200
        assert api.get("/members/me").json()["language"] == "es"
        refused = api.patch("/members/me", {"language": "tlh"})
        assert refused.status_code == 422
        assert refused.json()["field"] == "language"
        assert api.patch("/members/me", {"language": None}).status_code == 422
        assert api.patch("/members/me", {"language": ""}).json()["language"] == ""
        assert Member.objects.get(pk=greta.pk).language == ""


class TestApiDetail:
    @pytest.fixture
    def german(self, settings, tmp_path):
        catalogue_write(
            tmp_path,
            "de",
            {LANGUAGE_ERROR: "language ist eine von %(languages)s oder leer."},
        )
        settings.LOCALE_PATHS = [tmp_path]

    def test_detail_is_in_the_language_accept_language_asks_for(
        self, german, api_as, make_member
    ):
        api = api_as(make_member("greta"))
        body = api.patch(
            "/members/me", {"language": "tlh"}, headers={"Accept-Language": "de"}
        ).json()
        assert body["code"] == "invalid_input"
        assert body["detail"].startswith("language ist eine von ")

    def test_detail_stays_english_without_accept_language(
        self, german, api_as, make_member
    ):
        # Even for a member who prefers German, and with the switcher's cookie:
        # the API takes no cookies and keeps its English for clients.
        greta = make_member("greta", language="de")
        api = api_as(greta)
        api.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
        body = api.patch("/members/me", {"language": "tlh"}).json()
        assert body["detail"].startswith("language is one of ")


class TestTimeZone:
    def test_a_member_s_zone_is_active_for_their_request_and_not_the_next(
        self, browse_as, make_member
    ):
        kiri = make_member("kiri", time_zone="Pacific/Auckland")
        browse_as(kiri).get("/")
        assert timezone.get_current_timezone_name() == "Pacific/Auckland"
        browse_as(None).get("/")
        assert timezone.get_current_timezone_name() == settings.TIME_ZONE
