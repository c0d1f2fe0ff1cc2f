"""A branded community in a real browser: its accent colour reaches the page under
the Content-Security-Policy, its logo shows, and its own pages are one click away."""

import io
import os
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.django_db(transaction=True)

SCREENS = Path(os.environ.get("SELFWORK_SCREENS", "/work/screens"))


@pytest.fixture
def branded():
    from PIL import Image

    from selfwork.accounts.services import member_signup
    from selfwork.communities.services import community_create, community_update
    from selfwork.core.uploads import upload_create

    at = timezone.now()
    host = member_signup(
        username="tui", email="tui@example.com", password="a long passphrase!", now=at
    )
    community = community_create(
        creator=host,
        slug="harbour-makers",
        name="Harbour Makers",
        now=at,
        settings={"tagline": "Prints, repairs and tools by the harbour."},
    )
    out = io.BytesIO()
    Image.new("RGB", (96, 96), (29, 78, 216)).save(out, "PNG")
    logo = upload_create(owner=host, data=out.getvalue(), now=at)
    community_update(
        community=community,
        actor=host,
        changes={
            "logo": str(logo.public_id),
            "accent_color": "#1d4ed8",
            "about": "A co-op of **makers** on the harbour since 2019.",
            "rules": "1. Be kind.\n2. Credit the maker.",
            "contact": "Find us at the Saturday market.",
        },
    )
    return community


def test_the_accent_colour_and_logo_reach_the_page_under_the_policy(
    live_server, page: Page, branded
):
    violations: list[str] = []
    page.on(
        "console",
        lambda m: (
            violations.append(m.text) if "Content Security Policy" in m.text else None
        ),
    )
    page.goto(f"{live_server.url}/c/{branded.slug}/")
    page.wait_for_load_state("networkidle")
    accent = page.evaluate(
        "getComputedStyle(document.documentElement)"
        ".getPropertyValue('--community-accent').trim()"
    )
    assert accent == "#1d4ed8"
    expect(page.locator("img.community-logo")).to_be_visible()
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / "brand.png"), full_page=False)
    page.get_by_role("link", name="Rules").click()
    expect(page.locator(".prose")).to_contain_text("Credit the maker.")
    assert violations == []
