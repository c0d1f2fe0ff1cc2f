"""A branded community's pages, its own domain, and the operator's legal pages."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from selfwork.communities.services import community_update
from selfwork.core.models import LegalPage
from selfwork.web.tests.conftest import page_text

DOMAIN = "market.example.org"


@pytest.fixture
def branded(community, host):
    community_update(
        community=community,
        actor=host,
        changes={
            "accent_color": "#0f766e",
            "about": "We draw **together** since 2019.",
            "rules": "1. Credit the artist.",
            "contact": "Ask in the forum.",
        },
    )
    return community


@pytest.fixture
def fresh_domains():
    """Forget remembered domains: the cache outlives a rolled-back test."""
    cache.clear()
    yield
    cache.clear()


class TestBrandedCommunityPage:
    def test_the_page_links_its_stylesheet_and_its_own_pages(self, client, branded):
        html = page_text(client.get(reverse("web:community", args=["guild"])))
        assert '<link rel="stylesheet" href="/c/guild/brand.css">' in html
        for page in ("about", "rules", "contact"):
            assert f'href="/c/guild/{page}/"' in html

    def test_the_stylesheet_sets_the_accent_as_custom_properties(self, client, branded):
        response = client.get("/c/guild/brand.css")
        assert response.status_code == 200
        assert response["Content-Type"] == "text/css; charset=utf-8"
        css = page_text(response)
        assert "--community-accent: #0f766e;" in css
        assert "--brand: #0f766e;" in css
        # Served from this origin, so the CSP keeps refusing inline styles.
        assert "style-src 'self'" in response["Content-Security-Policy"]

    def test_a_colour_that_does_not_read_is_left_out_of_the_stylesheet(
        self, client, branded
    ):
        # Stored without the service's check, as colours saved before the rule were.
        type(branded).objects.filter(pk=branded.pk).update(accent_color="#ffcc00")
        css = page_text(client.get("/c/guild/brand.css"))
        assert "--brand" not in css

    def test_the_strong_shade_is_darkened_for_the_pale_surfaces(
        self, client, branded, host
    ):
        community_update(
            community=branded, actor=host, changes={"accent_color": "#3b6fc0"}
        )
        css = page_text(client.get("/c/guild/brand.css"))
        assert "--brand: #3b6fc0;" in css
        assert "--brand-strong: #3b6fc0;" not in css

    def test_an_unbranded_community_links_no_stylesheet_or_pages(
        self, client, community
    ):
        html = page_text(client.get(reverse("web:community", args=["guild"])))
        assert "brand.css" not in html
        assert "/c/guild/about/" not in html

    def test_the_logo_shows_beside_the_name(self, client, branded, host, png_bytes):
        from selfwork.core.uploads import upload_create

        logo = upload_create(owner=host, data=png_bytes(), now=branded.created_at)
        community_update(
            community=branded, actor=host, changes={"logo": str(logo.public_id)}
        )
        html = page_text(client.get(reverse("web:community", args=["guild"])))
        assert f'class="community-logo" src="{logo.url}"' in html
        assert 'alt="Illustrators&#x27; Guild logo"' in html

    def test_the_about_page_renders_its_markdown(self, client, branded):
        response = client.get("/c/guild/about/")
        assert response.status_code == 200
        html = page_text(response)
        assert "We draw <strong>together</strong> since 2019." in html
        assert 'aria-current="page">About</a>' in html

    def test_rules_and_contact_have_pages_too(self, client, branded):
        assert "Credit the artist." in page_text(client.get("/c/guild/rules/"))
        assert "Ask in the forum." in page_text(client.get("/c/guild/contact/"))

    def test_a_page_not_written_is_404_saying_so(self, client, community):
        response = client.get("/c/guild/rules/")
        assert response.status_code == 404
        assert "have not written this page yet" in page_text(response)

    def test_a_private_communitys_pages_and_style_are_404_to_outsiders(
        self, client, private_community, host
    ):
        community_update(
            community=private_community,
            actor=host,
            changes={"about": "Secret.", "accent_color": "#1d4ed8"},
        )
        assert client.get("/c/back-room/about/").status_code == 404
        assert client.get("/c/back-room/brand.css").status_code == 404


class TestBrandingSettingsForm:
    def _post(self, client, **data):
        return client.post(
            reverse("web:community_settings", args=["guild"]),
            {"action": "branding", **{f"branding-{k}": v for k, v in data.items()}},
        )

    def test_the_host_saves_the_accent_and_pages(self, login, host, community):
        response = self._post(
            login(host), accent_color="#1D4ED8", about="Hello.", domain=DOMAIN
        )
        assert response.status_code == 302
        community.refresh_from_db()
        assert (community.accent_color, community.about, community.domain) == (
            "#1d4ed8",
            "Hello.",
            DOMAIN,
        )

    def test_a_pale_accent_shows_the_ratio_beside_the_field(
        self, login, host, community
    ):
        response = self._post(login(host), accent_color="#ffcc00")
        assert response.status_code == 422
        html = page_text(response)
        assert "has a contrast of 1.41:1 against the page background" in html
        community.refresh_from_db()
        assert community.accent_color == ""

    def test_a_logo_file_is_uploaded_and_shown(self, login, host, community, png_bytes):
        from django.core.files.uploadedfile import SimpleUploadedFile

        client = login(host)
        response = self._post(
            client, logo=SimpleUploadedFile("logo.png", png_bytes(32, 32))
        )
        assert response.status_code == 302
        community.refresh_from_db()
        assert community.logo is not None and community.logo.owner == host

    def test_a_member_cannot_post_branding(self, login, buyer, member_of, community):
        member_of(community, buyer)
        response = self._post(login(buyer), accent_color="#1d4ed8")
        assert response.status_code == 403


@pytest.mark.usefixtures("fresh_domains")
class TestOwnDomain:
    def test_the_home_page_at_the_domain_is_the_community(self, client, branded, host):
        community_update(community=branded, actor=host, changes={"domain": DOMAIN})
        response = client.get("/", HTTP_HOST=DOMAIN)
        assert response.status_code == 200
        html = page_text(response)
        assert "<h1>Illustrators&#x27; Guild</h1>" in html
        assert "/c/guild/brand.css" in html

    def test_the_header_and_title_name_the_community_not_selfwork(
        self, client, branded, host
    ):
        community_update(community=branded, actor=host, changes={"domain": DOMAIN})
        html = page_text(client.get("/", HTTP_HOST=DOMAIN))
        header = html.split('class="logo"', 1)[1].split("</a>", 1)[0]
        assert "Illustrators&#x27; Guild" in header
        assert "selfwork" not in header
        title = html.split("<title>", 1)[1].split("</title>", 1)[0]
        assert title.endswith("· Illustrators&#x27; Guild")

    def test_the_sites_own_host_keeps_selfworks_name(self, client, community):
        html = page_text(client.get("/"))
        assert (
            html.split("<title>", 1)[1].split("</title>", 1)[0].endswith("· selfwork")
        )

    def test_the_host_name_is_matched_whatever_its_case_and_port(
        self, client, community, host
    ):
        community_update(community=community, actor=host, changes={"domain": DOMAIN})
        response = client.get("/", HTTP_HOST="Market.Example.org:8443")
        assert response.status_code == 200
        assert "Illustrators&#x27; Guild" in page_text(response)

    def test_search_at_the_domain_stays_in_the_community(
        self, client, community, host, now, make_listing
    ):
        from selfwork.communities.services import community_create

        elsewhere = community_create(
            creator=host, slug="elsewhere", name="Else", now=now
        )
        make_listing(host, community, title="Heron in ink")
        make_listing(host, elsewhere, title="Heron in oil")
        community_update(community=community, actor=host, changes={"domain": DOMAIN})
        html = page_text(client.get("/search/", {"q": "heron"}, HTTP_HOST=DOMAIN))
        assert "Heron in ink" in html
        assert "Heron in oil" not in html
        # The same search on the site's own host finds both.
        both = page_text(client.get("/search/", {"q": "heron"}))
        assert "Heron in ink" in both and "Heron in oil" in both

    def test_an_unknown_host_is_400(self, client, community):
        assert client.get("/", HTTP_HOST="nobody.example.org").status_code == 400

    def test_a_detached_domain_is_400_again(self, client, community, host):
        community_update(community=community, actor=host, changes={"domain": DOMAIN})
        assert client.get("/", HTTP_HOST=DOMAIN).status_code == 200
        community_update(community=community, actor=host, changes={"domain": None})
        # The change forgets the remembered host once committed.
        cache.clear()
        assert client.get("/", HTTP_HOST=DOMAIN).status_code == 400

    def test_a_private_communitys_domain_is_404_to_outsiders_and_open_to_members(
        self, client, private_community, host, browse_as
    ):
        community_update(
            community=private_community, actor=host, changes={"domain": DOMAIN}
        )
        assert client.get("/", HTTP_HOST=DOMAIN).status_code == 404
        response = browse_as(host).get("/", HTTP_HOST=DOMAIN)
        assert response.status_code == 200
        assert "The Back Room" in page_text(response)

    def test_the_sites_own_host_still_shows_the_directory(self, client, community):
        html = page_text(client.get("/"))
        assert "<h1>Illustrators&#x27; Guild</h1>" not in html


class TestLegalPages:
    def test_every_footer_links_the_three_pages(self, client, community):
        for url in ("/", "/c/guild/", "/communities/"):
            html = page_text(client.get(url))
            assert 'href="/legal/terms/">Terms of use</a>' in html
            assert 'href="/legal/privacy/">Privacy notice</a>' in html
            assert 'href="/legal/imprint/">Imprint</a>' in html

    def test_a_written_page_renders_its_markdown(self, client, db):
        LegalPage.objects.create(kind="imprint", body="Run by **Example Co-op**.")
        response = client.get("/legal/imprint/")
        assert response.status_code == 200
        assert "Run by <strong>Example Co-op</strong>." in page_text(response)

    def test_a_page_not_written_is_404_saying_so(self, client, db):
        LegalPage.objects.create(kind="terms", body="   ")
        for kind in ("terms", "privacy"):
            response = client.get(f"/legal/{kind}/")
            assert response.status_code == 404
            assert "has not written this page yet" in page_text(response)

    def test_an_unknown_kind_is_404(self, client, db):
        assert client.get("/legal/cookies/").status_code == 404

    def test_raw_html_in_a_legal_page_is_not_rendered(self, client, db):
        LegalPage.objects.create(kind="privacy", body="<script>x()</script>Hello")
        html = page_text(client.get("/legal/privacy/"))
        assert "<script>x()" not in html
