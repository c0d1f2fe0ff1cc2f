"""Editing a profile and portfolio; the dashboard's communities, listings and tokens."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from selfwork.accounts.models import ApiToken, PortfolioItem
from selfwork.core.models import Upload
from selfwork.web.tests.conftest import page_text


def _profile(**overrides):
    data = {
        "action": "profile",
        "display_name": "Priya K.",
        "bio": "I draw *maps*.",
        "skills": "maps, ink",
        "languages": "English, Marathi",
        "city": "Pune",
        "country": "in",
        "time_zone": "Asia/Kolkata",
        "preferred_currency": "INR",
        "commission_status": "waitlist",
        "commission_slots": "2",
    }
    data.update(overrides)
    return data


class TestProfileEdit:
    def test_given_the_form_when_saved_then_every_field_is_stored(
        self, login, provider
    ):
        response = login(provider).post(reverse("web:profile_edit"), _profile())
        assert response["Location"] == reverse("web:profile", args=["priya"])
        provider.refresh_from_db()
        assert provider.display_name == "Priya K."
        assert provider.skills == ["maps", "ink"]
        assert provider.country == "IN" and provider.time_zone == "Asia/Kolkata"
        assert provider.preferred_currency == "INR"
        assert (provider.commission_status, provider.commission_slots) == (
            "waitlist",
            2,
        )

    def test_given_an_avatar_when_saved_then_the_profile_shows_it(
        self, login, provider, png_bytes
    ):
        client = login(provider)
        client.post(
            reverse("web:profile_edit"),
            _profile(avatar=SimpleUploadedFile("me.png", png_bytes(), "image/png")),
        )
        provider.refresh_from_db()
        assert provider.avatar is not None
        html = page_text(client.get(reverse("web:profile", args=["priya"])))
        # The profile's large avatar is the 192-pixel square, not the upload.
        assert f"/media/{provider.avatar.thumbnail('portrait')['jpeg']}" in html
        assert f'src="{provider.avatar.url}"' not in html

    def test_given_a_bad_country_when_saved_then_the_error_shows_and_nothing_changes(
        self, login, provider, png_bytes
    ):
        response = login(provider).post(
            reverse("web:profile_edit"),
            _profile(
                country="India",
                avatar=SimpleUploadedFile("me.png", png_bytes(), "image/png"),
            ),
        )
        assert response.status_code == 422
        assert "id_country_error" in page_text(response)
        provider.refresh_from_db()
        assert provider.display_name == "priya" and provider.avatar is None
        assert Upload.objects.count() == 0

    def test_given_markup_in_the_bio_when_saved_then_it_is_refused(
        self, login, provider
    ):
        response = login(provider).post(
            reverse("web:profile_edit"), _profile(bio="<script>alert(1)</script>")
        )
        assert response.status_code == 422
        assert "raw HTML tags are not allowed" in page_text(response)

    def test_given_an_image_when_added_to_the_portfolio_then_it_shows_and_can_go(
        self, login, provider, png_bytes
    ):
        client = login(provider)
        client.post(
            reverse("web:profile_edit"),
            {
                "action": "portfolio_add",
                "image": SimpleUploadedFile("map.png", png_bytes(), "image/png"),
                "caption": "Map of Pune",
            },
        )
        item = PortfolioItem.objects.get(member=provider)
        assert "Map of Pune" in page_text(
            client.get(reverse("web:profile", args=["priya"]))
        )
        client.post(
            reverse("web:profile_edit"), {"action": "portfolio_remove", "item": item.pk}
        )
        assert not PortfolioItem.objects.exists()

    def test_given_a_file_that_is_no_image_when_added_to_the_portfolio_then_it_says_so(
        self, login, provider
    ):
        response = login(provider).post(
            reverse("web:profile_edit"),
            {
                "action": "portfolio_add",
                "image": SimpleUploadedFile("map.png", b"nope", "image/png"),
            },
        )
        assert response.status_code == 415
        assert "id_image_error" in page_text(response)
        assert not Upload.objects.exists()


class TestDashboard:
    def test_given_memberships_and_listings_when_opened_then_both_show_with_status(
        self, login, provider, community, member_of, make_listing
    ):
        member_of(community, provider)
        make_listing(provider, community, title="Fox portrait")
        html = page_text(login(provider).get(reverse("web:dashboard")))
        assert "Illustrators&#x27; Guild" in html and "Member" in html
        assert "Fox portrait" in html and "Visible" in html

    def test_given_a_new_token_when_created_then_it_shows_once_and_works(
        self, login, provider, client
    ):
        client = login(provider)
        client.post(reverse("accounts:token_create"), {"name": "shop sync"})
        html = page_text(client.get(reverse("web:dashboard")))
        token = html.split('id="new-token" class="token-box" readonly value="', 1)[1]
        token = token.split('"', 1)[0]
        assert token.startswith("sw_")
        assert "shop sync" in html
        assert token not in page_text(client.get(reverse("web:dashboard")))
        me = client.get("/api/v1/members/me", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert me.status_code == 200

    def test_given_a_token_when_revoked_then_it_is_gone(self, login, provider, now):
        from selfwork.accounts.services import api_token_create

        api_token_create(member=provider, now=now, name="old")
        token = ApiToken.objects.get()
        login(provider).post(reverse("accounts:token_revoke", args=[token.pk]))
        assert not ApiToken.objects.exists()

    def test_given_someone_elses_token_when_revoking_then_it_stays(
        self, login, provider, buyer, now
    ):
        from selfwork.accounts.services import api_token_create

        api_token_create(member=buyer, now=now)
        token = ApiToken.objects.get()
        login(provider).post(reverse("accounts:token_revoke", args=[token.pk]))
        assert ApiToken.objects.filter(pk=token.pk).exists()
