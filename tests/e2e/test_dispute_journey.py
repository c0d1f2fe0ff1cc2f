"""A dispute decided by staff in the browser, and the money in both wallets.

Bruno paid €120.00 for a book cover and disputed it; Olga (staff) opens the
disputes console, reads the dispute, looks at a 50 % split before confirming,
confirms it with a reason, and sees the outcome. Bruno's wallet shows €60.00
refunded to his card; Priya's shows €57.00 (€60.00 less the 5 % fee).
"""

import os
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a long enough passphrase"
SCREENS = os.environ.get("SELFWORK_SCREENS", "/work/screens")


@pytest.fixture
def dispute():
    """A guild (5 % fee), a €120.00 commission paid by Bruno and disputed by him."""
    from selfwork.accounts.services import member_signup
    from selfwork.catalog.services import listing_create
    from selfwork.communities.services import community_create, community_join
    from selfwork.exchanges import services
    from selfwork.payments.gateways import CARD_SUCCEEDS

    at = timezone.now()

    def signup(username, **profile):
        member = member_signup(
            username=username,
            email=f"{username}@example.com",
            password=PASSWORD,
            now=at,
        )
        for field, value in profile.items():
            setattr(member, field, value)
        member.save()
        return member

    host = signup("hana", display_name="Hana")
    signup("olga", display_name="Olga", is_staff=True)
    bruno = signup("bruno", display_name="Bruno")
    priya = signup("priya", display_name="Priya")
    guild = community_create(
        creator=host,
        slug="guild",
        name="Illustrators' Guild",
        now=at,
        settings={"currency": "EUR", "fee_percent": "5"},
    )
    community_join(community=guild, member=bruno, now=at)
    community_join(community=guild, member=priya, now=at)
    cover = listing_create(
        owner=priya,
        community=guild,
        title="Book cover illustration",
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
    package = cover.modes.get(mode="service").packages.get()
    exchange = services.exchange_order(
        listing=cover,
        customer=bruno,
        mode="service",
        package=str(package.public_id),
        now=at,
    )
    for name, params in (
        ("pay", {"card": CARD_SUCCEEDS}),
        ("dispute", {"reason": "The cover is not what we agreed."}),
    ):
        services.exchange_transition(
            exchange=exchange, actor=bruno, name=name, params=params, now=at
        )
    return exchange


def logged_in(
    browser: Browser, base: str, username: str
) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    return context, page


def wallet_value(page: Page, label: str):
    return (
        page.locator(".balance-card")
        .filter(has_text="EUR")
        .locator("dt", has_text=label)
        .locator("xpath=following-sibling::dd[1]")
    )


def test_staff_decide_a_dispute_and_both_wallets_show_the_money(
    live_server, browser: Browser, dispute
):
    base = live_server.url
    context, olga = logged_in(browser, base, "olga")

    olga.goto(f"{base}/operator/disputes/")
    row = olga.locator("tr").filter(has_text="Book cover illustration")
    expect(row).to_contain_text("€120.00")
    expect(row).to_contain_text("Bruno")
    expect(row).to_contain_text("Illustrators' Guild")
    row.get_by_role("link", name="Book cover illustration").click()

    expect(olga.get_by_role("heading", name="Decide")).to_be_visible()
    expect(olga.locator(".timeline")).to_contain_text(
        "The cover is not what we agreed."
    )
    olga.get_by_label("50 %").check()
    olga.get_by_role("button", name="Show the outcome").click()
    outcome = olga.locator("#outcome")
    expect(outcome).to_contain_text(
        "Refund the customer: 50 % — €60.00; the provider receives €57.00 after "
        "the fee (€3.00)."
    )
    olga.get_by_label("Why you decide so").fill("Half of the work was as agreed.")
    os.makedirs(SCREENS, exist_ok=True)
    olga.screenshot(path=os.path.join(SCREENS, "disputes.png"), full_page=True)
    olga.get_by_role("button", name="Confirm the decision").click()

    decision = olga.locator("#decision")
    expect(decision).to_contain_text(
        "Refunded to the customer: €60.00. Paid to the provider: €57.00 (fees €3.00)."
    )
    expect(decision).to_contain_text("Half of the work was as agreed.")
    expect(olga.locator("#dispute-state")).to_have_text("Resolved")
    olga.goto(f"{base}/operator/disputes/")
    expect(olga.get_by_text("No dispute is waiting for you.")).to_be_visible()
    context.close()

    context, bruno = logged_in(browser, base, "bruno")
    bruno.goto(f"{base}/wallet/")
    expect(wallet_value(bruno, "Refunded to your card")).to_have_text("€60.00")
    expect(wallet_value(bruno, "In escrow, paid by you")).to_have_text("€0.00")
    context.close()

    context, priya = logged_in(browser, base, "priya")
    priya.goto(f"{base}/wallet/")
    expect(wallet_value(priya, "Available")).to_have_text("€57.00")
    expect(wallet_value(priya, "In escrow for your work")).to_have_text("€0.00")
    context.close()
