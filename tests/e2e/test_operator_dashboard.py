"""The operator opens the dashboard, reads the charts, narrows to one community.

Seeded through the services: bags bought over the last days in a guild that
pays in EUR and a market that pays in USD, one more ordered and not yet paid.
"""

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a long enough passphrase"
SCREENSHOT = os.environ.get("SELFWORK_DASHBOARD_SCREENSHOT", "")


@pytest.fixture
def seeded():
    from selfwork.accounts.services import member_signup
    from selfwork.catalog.services import listing_create
    from selfwork.communities.services import community_create, community_join
    from selfwork.exchanges import services
    from selfwork.payments.gateways import CARD_SUCCEEDS

    today = timezone.now()

    def signup(username):
        return member_signup(
            username=username,
            email=f"{username}@example.com",
            password=PASSWORD,
            now=today - dt.timedelta(days=20),
        )

    operator = signup("olga")
    operator.is_staff = True
    operator.save()
    host, priya, bruno = signup("hana"), signup("priya"), signup("bruno")
    for slug, name, currency in (
        ("guild", "Illustrators' Guild", "EUR"),
        ("market", "Night Market", "USD"),
    ):
        community = community_create(
            creator=host,
            slug=slug,
            name=name,
            now=today - dt.timedelta(days=20),
            settings={"currency": currency, "fee_percent": "5"},
        )
        community_join(community=community, member=priya, now=today)
        community_join(community=community, member=bruno, now=today)
        for days_ago, price in (
            (12, "80.00"),
            (6, "120.00"),
            (2, "45.00"),
            (0, "60.00"),
        ):
            at = today - dt.timedelta(days=days_ago)
            bag = listing_create(
                owner=priya,
                community=community,
                title="Hand-stitched bag",
                modes=[
                    {
                        "mode": "made_to_order",
                        "price": {"amount": price, "currency": currency},
                    }
                ],
                now=at,
            )
            exchange = services.exchange_order(
                listing=bag, customer=bruno, mode="made_to_order", now=at
            )
            if days_ago == 0:
                continue  # ordered, not yet paid
            for actor, name_, params in (
                (bruno, "pay", {"card": CARD_SUCCEEDS}),
                (priya, "start_production", {}),
                (priya, "ship", {"tracking": "Post 1"}),
                (bruno, "confirm_receipt", {}),
            ):
                exchange = services.exchange_transition(
                    exchange=exchange, actor=actor, name=name_, params=params, now=at
                )
    return operator


def test_the_operator_reads_the_dashboard(live_server, page: Page, seeded):
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "olga")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))

    # From her own dashboard she opens the operator's
    page.get_by_role("link", name="Operator dashboard").click()
    expect(page).to_have_url(re.compile(r"/operator/dashboard/$"))
    expect(
        page.get_by_role("heading", name="Dashboard of all communities")
    ).to_be_visible()

    # Each currency has its own chart, drawn as an image with a name
    expect(page.get_by_role("img", name="Volume and fees in EUR")).to_be_visible()
    expect(page.get_by_role("img", name="Volume and fees in USD")).to_be_visible()
    expect(page.get_by_role("img", name="Exchanges by state now")).to_be_visible()
    expect(page.locator("figure")).to_have_count(7)

    # The numbers behind a chart open below it
    volume = page.locator(
        "figure", has=page.get_by_role("img", name="Volume and fees in EUR")
    )
    volume.get_by_text("The numbers").click()
    expect(volume.get_by_role("cell", name="€120.00")).to_be_visible()

    # She narrows to the guild over the last 90 days
    page.get_by_label("Community").select_option("guild")
    page.get_by_label("Period").select_option("90")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"community=guild&period=90$"))
    expect(page.get_by_role("img", name="Volume and fees in USD")).to_have_count(0)
    expect(page.get_by_role("img", name="Volume and fees in EUR")).to_be_visible()
    if SCREENSHOT:
        page.screenshot(path=SCREENSHOT, full_page=True)

    # And downloads the exchanges' numbers
    exchanges = page.locator(
        "figure", has=page.get_by_role("img", name="Exchanges started and completed")
    )
    with page.expect_download() as download:
        exchanges.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename == "selfwork-guild-exchanges.csv"
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.splitlines()[0] == "period,process,started,completed"
