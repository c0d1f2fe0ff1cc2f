"""Each page answers the right person, and refuses (404, 403, log-in) the wrong one."""

import pytest
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation

from selfwork.catalog.services import listing_hide
from selfwork.web.tests.conftest import page_text


class TestHome:
    def test_given_communities_and_listings_when_anyone_opens_home_then_both_show(
        self, client, community, provider, member_of, make_listing
    ):
        member_of(community, provider)
        make_listing(provider, community, title="Fox in gouache")
        response = client.get(reverse("web:home"))
        html = page_text(response)
        assert response.status_code == 200
        assert "Illustrators&#x27; Guild" in html
        assert "Fox in gouache" in html
        assert "€40.00" in html

    def test_given_a_viewer_who_prefers_nzd_when_they_open_home_then_prices_are_converted(
        self, login, community, provider, member_of, make_listing
    ):
        member_of(community, provider)
        make_listing(provider, community)
        provider.preferred_currency = "NZD"
        provider.save()
        html = page_text(login(provider).get(reverse("web:home")))
        assert "≈ NZ$" in html

    def test_given_the_base_layout_when_rendered_then_it_has_landmarks_and_a_skip_link(
        self, client, db
    ):
        html = page_text(client.get(reverse("web:home")))
        assert 'href="#main"' in html and 'id="main"' in html
        assert "<header" in html and "<footer" in html and 'aria-label="Main"' in html
        assert "/api/v1/docs" in html
        # Whatever name the static storage gives it (hashed once collected).
        assert static("vendor/htmx/htmx.min.js") in html


class TestErrorPages:
    def test_given_a_server_error_when_the_500_page_renders_then_it_needs_no_context(
        self,
    ):
        from django.template.loader import render_to_string

        html = render_to_string("500.html")
        assert "Something went wrong on our side" in html

    def test_given_an_unknown_address_when_opened_then_the_styled_404_shows(
        self, client, db
    ):
        response = client.get("/no/such/page/")
        assert response.status_code == 404
        assert "find that page" in page_text(response)


class TestCommunityPages:
    def test_given_a_public_community_when_anyone_opens_it_then_it_shows_its_rules(
        self, client, community
    ):
        response = client.get(reverse("web:community", args=["guild"]))
        html = page_text(response)
        assert response.status_code == 200
        assert "Provider fee" in html and "5%" in html
        assert "Log in to join" in html

    def test_given_a_private_community_when_an_outsider_opens_it_then_it_is_404(
        self, client, login, private_community, stranger
    ):
        url = reverse("web:community", args=["back-room"])
        assert client.get(url).status_code == 404
        assert login(stranger).get(url).status_code == 404

    @pytest.mark.parametrize("name", ["community_members", "community_settings"])
    def test_given_a_private_community_when_an_outsider_opens_its_subpages_then_404(
        self, login, private_community, stranger, name
    ):
        assert (
            login(stranger).get(reverse(f"web:{name}", args=["back-room"])).status_code
            == 404
        )

    def test_given_a_private_community_when_its_host_opens_it_then_it_shows(
        self, login, private_community, host
    ):
        response = login(host).get(reverse("web:community", args=["back-room"]))
        assert response.status_code == 200
        assert "Private community" in page_text(response)

    def test_given_a_member_who_is_not_host_when_they_open_settings_then_403(
        self, login, community, buyer, member_of
    ):
        member_of(community, buyer)
        response = login(buyer).get(reverse("web:community_settings", args=["guild"]))
        assert response.status_code == 403
        assert "Only the community" in page_text(response)

    def test_given_a_visitor_when_they_open_settings_then_they_are_sent_to_log_in(
        self, client, community
    ):
        response = client.get(reverse("web:community_settings", args=["guild"]))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))

    def test_given_the_host_when_they_open_settings_then_every_section_shows(
        self, login, community, host
    ):
        response = login(host).get(reverse("web:community_settings", args=["guild"]))
        html = page_text(response)
        assert response.status_code == 200
        for title in (
            "General",
            "Categories",
            "Custom listing fields",
            "Join requests",
        ):
            assert title in html

    def test_given_communities_when_the_list_opens_then_private_ones_stay_hidden(
        self, client, community, private_community
    ):
        html = page_text(client.get(reverse("web:communities")))
        assert "Illustrators&#x27; Guild" in html
        assert "The Back Room" not in html

    def test_given_members_when_the_member_list_opens_then_they_are_listed(
        self, client, community, buyer, member_of
    ):
        member_of(community, buyer)
        html = page_text(client.get(reverse("web:community_members", args=["guild"])))
        assert "@bruno" in html and "@hana" in html


class TestListingPage:
    def test_given_community_fields_when_a_listing_fills_them_then_they_show(
        self, client, community, host, provider, member_of, make_listing
    ):
        from selfwork.communities.services import listing_field_create

        member_of(community, provider)
        listing_field_create(
            community=community, actor=host, key="medium", label="Medium", kind="text"
        )
        filled = make_listing(provider, community, custom={"medium": "Gouache"})
        html = page_text(client.get(reverse("web:listing", args=[filled.public_id])))
        assert "<dt>Medium</dt><dd>Gouache</dd>" in html

    def test_given_a_listing_without_community_fields_then_they_cost_no_query(
        self, client, community, host, provider, member_of, make_listing
    ):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from selfwork.communities.services import listing_field_create

        member_of(community, provider)
        listing_field_create(
            community=community, actor=host, key="medium", label="Medium", kind="text"
        )
        plain = make_listing(provider, community)
        filled = make_listing(provider, community, custom={"medium": "Gouache"})
        counts = {}
        for listing in (plain, filled):
            url = reverse("web:listing", args=[listing.public_id])
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counts[listing.pk] = len(captured)
        assert counts[plain.pk] == counts[filled.pk] - 1

    def test_given_a_listing_when_anyone_opens_it_then_terms_and_owner_show(
        self, client, community, provider, member_of, make_listing
    ):
        member_of(community, provider)
        listing = make_listing(
            provider,
            community,
            modes=[
                {
                    "mode": "service",
                    "packages": [
                        {
                            "name": "Sketch",
                            "price": {"amount": "45", "currency": "EUR"},
                            "delivery_days": 5,
                            "revisions": 1,
                        }
                    ],
                },
                {
                    "mode": "rental",
                    "price": {"amount": "12.50", "currency": "EUR"},
                    "unit": "day",
                    "deposit": {"amount": "50", "currency": "EUR"},
                },
            ],
            description="**Bold** words",
        )
        response = client.get(reverse("web:listing", args=[listing.public_id]))
        html = page_text(response)
        assert response.status_code == 200
        assert "Sketch" in html and "5 days" in html and "€45.00" in html
        assert "€12.50" in html and "per day" in html and "Deposit €50.00" in html
        assert reverse("web:profile", args=["priya"]) in html
        assert "<strong>Bold</strong> words" in html
        assert "Edit listing" not in html

    def test_given_the_owner_when_they_open_their_listing_then_they_can_manage_it(
        self, login, community, provider, member_of, make_listing
    ):
        member_of(community, provider)
        listing = make_listing(provider, community)
        html = page_text(
            login(provider).get(reverse("web:listing", args=[listing.public_id]))
        )
        assert (
            "Edit listing" in html and "Hide from search" in html and "Delete" in html
        )

    def test_given_a_hidden_listing_when_others_open_it_then_404_but_the_owner_sees_it(
        self, client, login, community, provider, member_of, make_listing, now
    ):
        member_of(community, provider)
        listing = make_listing(provider, community)
        listing_hide(listing=listing, actor=provider, now=now)
        url = reverse("web:listing", args=[listing.public_id])
        assert client.get(url).status_code == 404
        response = login(provider).get(url)
        assert response.status_code == 200
        assert "This listing is hidden" in page_text(response)

    def test_given_someone_else_when_they_open_the_editor_then_404(
        self, login, community, provider, buyer, member_of, make_listing
    ):
        member_of(community, provider)
        listing = make_listing(provider, community)
        response = login(buyer).get(
            reverse("web:listing_edit", args=[listing.public_id])
        )
        assert response.status_code == 404

    def test_given_a_listing_in_a_private_community_when_an_outsider_opens_it_then_404(
        self, login, private_community, host, stranger, make_listing
    ):
        listing = make_listing(host, private_community)
        url = reverse("web:listing", args=[listing.public_id])
        assert login(stranger).get(url).status_code == 404


class TestProfile:
    def test_given_a_member_when_anyone_opens_their_profile_then_it_shows(
        self, client, provider, community, member_of, make_listing
    ):
        member_of(community, provider)
        make_listing(
            provider,
            community,
            modes=[
                {
                    "mode": "service",
                    "packages": [
                        {
                            "name": "Sketch",
                            "price": {"amount": "40", "currency": "EUR"},
                            "delivery_days": 3,
                        }
                    ],
                }
            ],
        )
        provider.bio = "I paint *foxes*."
        provider.save()
        response = client.get(reverse("web:profile", args=["priya"]))
        html = page_text(response)
        assert response.status_code == 200
        assert "<em>foxes</em>" in html
        assert "Open · 3 of 3 slots free" in html

    def test_given_a_member_who_offers_nothing_then_no_commission_status_shows(
        self, client, buyer
    ):
        response = client.get(reverse("web:profile", args=[buyer.username]))
        html = page_text(response)
        assert response.status_code == 200
        for status in ("Open ·", "Slots full", "Waitlist", "Commissions closed"):
            assert status not in html

    def test_given_no_such_member_when_the_profile_opens_then_404(self, client, db):
        assert client.get(reverse("web:profile", args=["ghost"])).status_code == 404


class TestLoginRequired:
    @pytest.mark.parametrize(
        "name",
        ["web:dashboard", "web:profile_edit", "web:listing_new", "web:community_new"],
    )
    def test_given_a_visitor_when_they_open_a_members_page_then_they_must_log_in(
        self, client, db, name
    ):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login") + "?next=")


class TestAdmin:
    @pytest.mark.parametrize(
        "model",
        [
            "accounts/member",
            "communities/community",
            "communities/membership",
            "catalog/listing",
        ],
    )
    def test_given_an_operator_when_they_open_the_admin_lists_then_they_render(
        self, login, host, community, make_listing, model
    ):
        make_listing(host, community)
        host.is_staff = host.is_superuser = True
        host.save()
        assert login(host).get(f"/admin/{model}/").status_code == 200


def _footer(html: str) -> str:
    return html[html.index('<footer class="site-footer">') :]


class TestPartsKeptPerLanguage:
    """The footer, the header's search form and the home page's hero and steps
    are rendered once per language and process (settings.CACHES)."""

    def test_each_language_gets_its_own_and_keeps_it(self, client, db):
        try:
            pages = [
                page_text(
                    client.get(reverse("web:home"), HTTP_ACCEPT_LANGUAGE=language)
                )
                for language in ("en", "es", "en", "es")
            ]
        finally:
            translation.deactivate()
        english, spanish = pages[0], pages[1]
        assert "Open source, AGPL-3.0" in english and "How it works" in english
        assert "Código abierto, AGPL-3.0" in spanish and "Cómo funciona" in spanish
        assert "How it works" not in spanish and "Cómo funciona" not in english
        assert _footer(pages[2]) == _footer(english)
        assert _footer(pages[3]) == _footer(spanish)

    def test_kept_parts_hold_nothing_of_the_visitor(self, client, login, db, provider):
        seen = _footer(page_text(client.get(reverse("web:home"))))
        mine = _footer(page_text(login(provider).get(reverse("web:home"))))
        assert mine == seen
        assert provider.username not in mine
        assert "csrf" not in mine.lower()
