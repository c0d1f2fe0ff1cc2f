"""A drill rented for two days, in two real browsers, under the strict CSP.

Nell (a neighbour) finds Priya's cordless drill, picks two days beside its
calendar and sees the rent and the deposit before anything is held; she books
and pays with the sandbox card. Priya approves and hands the drill over with a
photo of it; Nell returns it; Priya closes the rental. Priya's wallet shows the
rent less the community's fee, and Nell's deposit shows as released.
"""

import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import confirm_next
from tests.e2e.test_content_security_policy import LISTEN

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a long enough passphrase"


@pytest.fixture
def people():
    """Riverside Share with a 5% provider fee; Priya's drill is 6.00 EUR a day
    with a 40.00 EUR deposit."""
    from selfwork.accounts.services import member_signup
    from selfwork.catalog.services import listing_create
    from selfwork.communities.services import community_create, community_join

    at = timezone.now()

    def signup(username, name):
        member = member_signup(
            username=username,
            email=f"{username}@example.com",
            password=PASSWORD,
            now=at,
        )
        member.display_name = name
        member.save()
        return member

    host = signup("siobhan", "Siobhán")
    nell = signup("nell", "Nell")
    priya = signup("priya", "Priya")
    share = community_create(
        creator=host,
        slug="riverside",
        name="Riverside Share",
        now=at,
        settings={"currency": "EUR", "fee_percent": "5"},
    )
    community_join(community=share, member=nell, now=at)
    community_join(community=share, member=priya, now=at)
    drill = listing_create(
        owner=priya,
        community=share,
        title="Cordless drill",
        modes=[
            {
                "mode": "rental",
                "price": {"amount": "6.00", "currency": "EUR"},
                "unit": "day",
                "deposit": {"amount": "40.00", "currency": "EUR"},
            }
        ],
        now=at,
    )
    return {"drill": drill}


def logged_in(
    browser: Browser, base: str, username: str, violations: list[str]
) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    return context, page


def reported(page: Page) -> list[str]:
    return page.evaluate("window.__cspViolations || []")


def a_photo(tmp_path) -> str:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (320, 240), (40, 120, 200)).save(out, "PNG")
    path = tmp_path / "drill.png"
    path.write_bytes(out.getvalue())
    return str(path)


def state_is(page: Page, label: str) -> None:
    expect(page.locator(".state-badge")).to_have_text(label)


def test_a_drill_rented_for_two_days_from_listing_to_released_deposit(
    live_server, browser: Browser, people, tmp_path
):
    from selfwork.exchanges.models import Exchange

    base = live_server.url
    violations: list[str] = []
    nell_context, nell = logged_in(browser, base, "nell", violations)
    priya_context, priya = logged_in(browser, base, "priya", violations)
    first = timezone.localdate() + dt.timedelta(days=10)
    last = first + dt.timedelta(days=1)

    # Nell picks two days beside the drill's calendar and sees the price
    nell.goto(f"{base}/listings/{people['drill'].public_id}/")
    expect(nell.locator("#booking-calendar")).to_be_visible()
    nell.fill("#rental-start", first.isoformat())
    nell.fill("#rental-end", last.isoformat())
    quote = nell.locator("#rental-quote")
    expect(quote.locator(".quote-rent")).to_have_text("2 days × €6.00 = €12.00")
    expect(quote.locator(".quote-total")).to_have_text("€12.00")
    expect(quote.locator(".quote-deposit")).to_contain_text("€40.00 held on your card")
    expect(quote).to_contain_text("Moderate: full refund until 5 days before")
    assert not Exchange.objects.exists()

    # books them, and pays the rent with the sandbox card
    nell.get_by_role("button", name="Book these dates").click()
    expect(nell).to_have_url(re.compile(r"/exchanges/[0-9a-f-]{36}/$"))
    room_url = nell.url
    state_is(nell, "Requested")
    expect(nell.locator(".deposit-status")).to_contain_text("€40.00")
    card = nell.locator("input[name=card]")
    card.fill("4242 4242 4242 4242")
    asked = confirm_next(nell)
    nell.get_by_role("button", name="Pay €12.00").click()
    state_is(nell, "Waiting for the owner")
    assert asked and asked[0].startswith("Pay €12.00 for")
    expect(nell.locator(".deposit-status")).to_contain_text("Held on the card")

    # Priya sees it on her dashboard, approves, and hands the drill over with a photo
    priya.goto(f"{base}/dashboard/")
    priya.goto(room_url)
    priya.locator("#transition-approve").get_by_role("button", name="Approve").click()
    state_is(priya, "Booked")
    priya.goto(f"{base}/dashboard/")
    handovers = priya.locator(".rentals-due")
    expect(handovers).to_contain_text("To hand over")
    handovers.get_by_role("link", name="Cordless drill").click()
    expect(priya).to_have_url(room_url)
    handover = priya.locator("#transition-handover")
    handover.locator("textarea[name=note]").fill("Fully charged, two bits.")
    handover.locator("input[name=photos]").set_input_files(a_photo(tmp_path))
    handover.get_by_role("button", name="Hand over").click()
    state_is(priya, "In use")
    photo = priya.locator(".photo-grid img").first
    expect(photo).to_be_visible()
    # The photo has loaded (not only laid out) and is the one uploaded
    assert (
        photo.evaluate("async img => { await img.decode(); return img.naturalWidth }")
        == 320
    )

    # Nell sees the photo too, and returns the drill
    nell.reload()
    state_is(nell, "In use")
    expect(nell.locator(".photo-grid img")).to_have_count(1)
    nell.locator("#transition-return").get_by_role("button", name="Return").click()
    state_is(nell, "Returned")

    # Priya closes it
    priya.reload()
    priya.locator("#transition-close").get_by_role("button", name="Close").click()
    state_is(priya, "Completed")

    # Priya's wallet: €12.00 less the 5% fee
    priya.goto(f"{base}/wallet/")
    balance = priya.locator(".balance-card").filter(has_text="EUR")
    expect(
        balance.locator("dt", has_text="Available").locator(
            "xpath=following-sibling::dd[1]"
        )
    ).to_have_text("€11.40")

    # Nell's deposit is released, and her card holds nothing
    nell.reload()
    state_is(nell, "Completed")
    expect(nell.locator(".deposit-status")).to_contain_text("Released")
    nell.goto(f"{base}/wallet/")
    held = nell.locator(".balance-card").filter(has_text="EUR")
    expect(
        held.locator("dt", has_text="Deposits held").locator(
            "xpath=following-sibling::dd[1]"
        )
    ).to_have_text("€0.00")

    assert violations + reported(nell) + reported(priya) == []
    exchange = Exchange.objects.get()
    assert (exchange.state, exchange.total_minor) == ("completed", 1200)
    nell_context.close()
    priya_context.close()
