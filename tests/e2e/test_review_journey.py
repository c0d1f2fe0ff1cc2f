"""Double-blind reviews after a completed commission, in two real browsers.

Priya sells book covers in the guild; Bruno's commission of one is delivered and
accepted. Bruno reviews Priya: she cannot read it yet. Priya reviews Bruno: both
reviews appear at once. Priya's profile and her listing's card in search then
show the new rating.
"""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a long enough passphrase"


@pytest.fixture
def completed():
    """Bruno's Full colour cover from Priya, paid, delivered and accepted now."""
    from selfwork.accounts.services import member_signup
    from selfwork.catalog.services import listing_create
    from selfwork.communities.services import community_create, community_join
    from selfwork.exchanges import services
    from selfwork.payments.gateways import CARD_SUCCEEDS

    at = timezone.now()

    def signup(username, name):
        member = member_signup(
            username=username,
            email=f"{username}@example.com",
            password=PASSWORD,
            display_name=name,
            now=at,
        )
        return member

    host = signup("hana", "Hana")
    bruno = signup("bruno", "Bruno")
    priya = signup("priya", "Priya")
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
    exchange = services.exchange_order(
        listing=cover,
        customer=bruno,
        mode="service",
        package=str(cover.modes.get().packages.get().public_id),
        now=at,
    )
    for actor, name, params in [
        (bruno, "pay", {"card": CARD_SUCCEEDS}),
        (priya, "deliver", {"note": "The cover, as agreed."}),
        (bruno, "accept", {}),
    ]:
        exchange = services.exchange_transition(
            exchange=exchange, actor=actor, name=name, params=params, now=at
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


def test_both_parties_review_and_the_rating_shows_on_profile_and_card(
    live_server, browser: Browser, completed
):
    base = live_server.url
    room = f"{base}/exchanges/{completed.public_id}/"
    customer_context, customer = logged_in(browser, base, "bruno")
    provider_context, provider = logged_in(browser, base, "priya")

    # Bruno reviews Priya, with sub-ratings
    customer.goto(room)
    reviews = customer.locator("#reviews")
    reviews.locator("input[name=rating][value='4']").check()
    reviews.locator("textarea[name=text]").fill("A *beautiful* cover, a day late.")
    reviews.locator("select[name=quality]").select_option("5")
    reviews.locator("select[name=on_time]").select_option("3")
    reviews.get_by_role("button", name="Publish your review").click()
    expect(customer.locator("#reviews")).to_contain_text(
        "Hidden until both of you have reviewed"
    )

    # Priya cannot read it yet; she reviews Bruno
    provider.goto(room)
    mine = provider.locator("#reviews")
    expect(mine).not_to_contain_text("beautiful")
    expect(mine.locator("select[name=quality]")).to_have_count(0)
    mine.locator("input[name=rating][value='5']").check()
    mine.locator("textarea[name=text]").fill("Clear brief, quick answers.")
    mine.get_by_role("button", name="Publish your review").click()
    expect(provider.locator(".message-success")).to_contain_text(
        "Both reviews are now published"
    )

    # Both are published together
    expect(provider.locator("#reviews")).to_contain_text("A beautiful cover")
    customer.reload()
    expect(customer.locator("#reviews")).to_contain_text("Clear brief, quick answers.")

    # Priya's profile and her card in search show the rating
    customer.goto(f"{base}/m/priya/")
    expect(customer.locator("#reputation-title").locator("..")).to_contain_text(
        "Rated 4.0 out of 5 in 1 review."
    )
    expect(customer.locator("#reviews")).to_contain_text("A beautiful cover")
    customer.goto(f"{base}/search/?sort=rating")
    card = customer.locator("article.listing-card").filter(
        has_text="Book cover illustration"
    )
    expect(card).to_contain_text("Rated 4.0 out of 5 in 1 review.")

    customer_context.close()
    provider_context.close()
