"""Every page type passes axe-core with no serious or critical violation.

One browser test per language: the data is seeded once through the services, then
four visitors (nobody, a buyer, a provider, the host who also operates the platform) walk
every kind of page on one live server. Violations are collected page by page and
asserted at the end, so a failure lists them all.
"""

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext

from tests.e2e.axe import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a long enough passphrase"
# The languages the pages are checked in; a new catalogue adds its code here.
LANGUAGES = ["en", "es"]
# 4.66:1 on the page background, too pale for the menu's highlight: the strong
# shade the stylesheet derives must carry the links there.
ACCENT = "#3b6fc0"


@pytest.fixture
def marketplace(png_bytes):
    """A guild with an accent colour, a listing with two images, a brief with an
    offer, a paid commission, a board post, a conversation and notifications."""
    from selfwork.accounts.services import member_signup
    from selfwork.boards.services import post_create
    from selfwork.briefs.services import brief_create, offer_create
    from selfwork.catalog.services import listing_create
    from selfwork.communities.services import (
        community_create,
        community_join,
        community_update,
    )
    from selfwork.conversations.services import conversation_start
    from selfwork.core.uploads import upload_create
    from selfwork.exchanges import services
    from selfwork.payments.gateways import CARD_SUCCEEDS

    at = timezone.now()

    def signup(username, name):
        return member_signup(
            username=username,
            email=f"{username}@example.com",
            password=PASSWORD,
            display_name=name,
            now=at,
        )

    hana = signup("hana", "Hana")
    hana.is_staff = True
    hana.save()
    bruno = signup("bruno", "Bruno")
    priya = signup("priya", "Priya")
    guild = community_create(
        creator=hana,
        slug="guild",
        name="Illustrators' Guild",
        now=at,
        settings={"currency": "EUR", "fee_percent": "5"},
    )
    community_update(
        community=guild,
        actor=hana,
        changes={"accent_color": ACCENT, "about": "We draw, ink and paint."},
        now=at,
    )
    community_join(community=guild, member=bruno, now=at)
    community_join(community=guild, member=priya, now=at)
    cover = listing_create(
        owner=priya,
        community=guild,
        title="Book cover illustration",
        description="Ink and watercolour covers for poetry and novels.",
        images=[
            str(upload_create(owner=priya, data=png_bytes(color=c), now=at).public_id)
            for c in ((40, 90, 160), (200, 120, 40))
        ],
        modes=[
            {
                "mode": "service",
                "packages": [
                    {
                        "name": "Full colour",
                        "price": {"amount": "120.00", "currency": "EUR"},
                        "delivery_days": 10,
                        "revisions": 2,
                    }
                ],
            }
        ],
        now=at,
    )
    exchange = services.exchange_order(
        listing=cover,
        customer=bruno,
        mode="service",
        package=str(cover.modes.get().packages.get().public_id),
        now=at,
    )
    exchange = services.exchange_transition(
        exchange=exchange,
        actor=bruno,
        name="pay",
        params={"card": CARD_SUCCEEDS},
        now=at,
    )
    brief = brief_create(
        author=bruno,
        community=guild,
        title="A map for my novel",
        description="A hand-drawn map of an island, for the endpapers.",
        budget_min={"amount": "100", "currency": "EUR"},
        budget_max={"amount": "200", "currency": "EUR"},
        now=at,
    )
    offer_create(
        brief=brief,
        provider=priya,
        price={"amount": "150", "currency": "EUR"},
        delivery_days=7,
        message="I drew three island maps this year.",
        now=at,
    )
    post = post_create(
        community=guild,
        author=bruno,
        kind="question",
        title="Which paper for ink washes?",
        body="Hot or cold pressed?",
        now=at,
    )
    started = conversation_start(
        sender=bruno, to="priya", body="Do you paint maps too?", now=at
    )
    return {
        "members": (hana, bruno, priya),
        "cover": cover,
        "exchange": exchange,
        "brief": brief,
        "post": post,
        "conversation": started.conversation,
    }


def visitor(
    browser: Browser, base: str, language: str, member=None, width: int = 1280
) -> BrowserContext:
    """A browser context in ``language``, logged in as ``member`` if given.

    The Content-Security-Policy is bypassed only so that axe can be injected.
    """
    context = browser.new_context(
        viewport={"width": width, "height": 900},
        locale=language,
        extra_http_headers={"Accept-Language": language},
        bypass_csp=True,
    )
    cookies = [{"name": "django_language", "value": language, "url": base}]
    if member is not None:
        client = Client()
        client.force_login(member)
        session = client.cookies["sessionid"].value
        cookies.append({"name": "sessionid", "value": session, "url": base})
    context.add_cookies(cookies)
    return context


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_type_has_no_serious_axe_violation(
    live_server, browser: Browser, marketplace, language
):
    hana, bruno, priya = marketplace["members"]
    base = live_server.url
    listing = f"/listings/{marketplace['cover'].public_id}/"
    room = f"/exchanges/{marketplace['exchange'].public_id}/"
    brief = f"/briefs/{marketplace['brief'].public_id}/"
    post = f"/c/guild/board/{marketplace['post'].public_id}/"
    conversation = f"/messages/{marketplace['conversation'].public_id}/"
    # The listing, the brief and the post are seen by a member, with their forms.
    walks = {
        None: [
            "/",
            "/search/?q=cover",
            "/communities/",
            "/c/guild/",
            "/briefs/",
            "/c/guild/board/",
            "/m/priya/",
            "/signup/",
            "/login/",
            "/legal/terms/",
            "/does-not-exist/",
        ],
        bruno: [
            "/dashboard/",
            room,
            "/exchanges/",
            "/wallet/",
            "/settings/profile/",
            "/notifications/",
            "/messages/",
            conversation,
            brief,
            "/briefs/new/?community=guild",
            listing,
            post,
        ],
        # The provider's side of the room has the delivery form, with a file input.
        priya: [room, "/dashboard/", listing + "edit/"],
        hana: [
            "/operator/dashboard/",
            "/c/guild/dashboard/",
            "/c/guild/settings/",
            "/c/guild/members/",
            "/listings/new/?community=guild",
            "/operator/disputes/",
        ],
    }

    found: list[str] = []
    for member, paths in walks.items():
        context = visitor(browser, base, language, member)
        page = context.new_page()
        who = member.username if member else "anonymous"
        for path in paths:
            page.goto(base + path)
            found += axe_violations(page, f"{who} {path}")
        context.close()

    assert not found, "axe found serious or critical violations:\n" + "\n".join(found)


# Elements wider than the viewport are allowed only inside a box that scrolls or
# clips them (the gallery strip, a wide table) and that itself fits.
OVERFLOWING = """() => {
    const width = window.innerWidth;
    const found = [];
    const scrolled = document.scrollingElement.scrollWidth;
    if (scrolled > width) found.push(`the page scrolls sideways (${scrolled}px)`);
    const fits = (rect) => rect.left >= -1 && rect.right <= width + 1;
    for (const el of document.body.querySelectorAll("*")) {
        const rect = el.getBoundingClientRect();
        if (!rect.width || !rect.height || fits(rect)) continue;
        if (getComputedStyle(el).visibility === "hidden") continue;
        let clipped = false;
        let box = el.parentElement;
        for (; box && box !== document.body; box = box.parentElement) {
            const scrolls = getComputedStyle(box).overflowX !== "visible";
            if (scrolls && fits(box.getBoundingClientRect())) {
                clipped = true;
                break;
            }
        }
        if (clipped) continue;
        const classes = (el.getAttribute("class") || "").split(" ").filter(Boolean);
        const name = [el.tagName.toLowerCase(), ...classes].join(".");
        found.push(`${name} spans ${Math.round(rect.left)}..${Math.round(rect.right)}px`);
    }
    return found;
}"""


def test_pages_laid_out_right_to_left_stay_inside_the_viewport(
    live_server, browser: Browser, marketplace
):
    _hana, bruno, _priya = marketplace["members"]
    base = live_server.url
    paths = [
        "/",
        "/search/?q=cover",
        "/c/guild/",
        f"/listings/{marketplace['cover'].public_id}/",
        f"/briefs/{marketplace['brief'].public_id}/",
        f"/exchanges/{marketplace['exchange'].public_id}/",
        "/wallet/",
        "/dashboard/",
        "/c/guild/board/",
        f"/messages/{marketplace['conversation'].public_id}/",
    ]
    context = visitor(browser, base, "en", bruno)
    page = context.new_page()
    found: list[str] = []
    for width, height in [(1280, 900), (375, 740)]:
        page.set_viewport_size({"width": width, "height": height})
        for path in paths:
            page.goto(base + path)
            page.evaluate("() => { document.documentElement.dir = 'rtl'; }")
            assert page.evaluate("() => getComputedStyle(document.body).direction") == (
                "rtl"
            )
            found += [f"{width}px {path}: {o}" for o in page.evaluate(OVERFLOWING)]
    context.close()

    assert not found, "elements beyond the viewport, right to left:\n" + "\n".join(
        found
    )
