"""A buyer asks a provider about a listing before ordering, in two browsers.

Bruno opens Priya's portrait listing and presses "Message Priya"; his first try
holds HTML and is refused in the page, his second is sent. Priya sees "Messages
(1)" in the header, opens the conversation and replies; Bruno reads the reply,
and Priya's count is gone.
"""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a long enough passphrase"


@pytest.fixture
def portrait():
    """Priya's portrait service in the public guild, where Bruno is a member."""
    from selfwork.accounts.services import member_signup
    from selfwork.catalog.services import listing_create
    from selfwork.catalog.tests.payloads import MODES
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

    host = signup("hana", "Hana")
    guild = community_create(
        creator=host, slug="guild", name="Illustrators' Guild", now=at, settings={}
    )
    priya = signup("priya", "Priya")
    community_join(community=guild, member=priya, now=at)
    community_join(community=guild, member=signup("bruno", "Bruno"), now=at)
    return listing_create(
        owner=priya,
        community=guild,
        title="Pet portrait in watercolour",
        modes=[MODES["service"]],
        now=at,
    )


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


def test_a_buyer_asks_before_ordering_and_the_provider_replies(
    live_server, browser: Browser, portrait
):
    from selfwork.conversations.models import Message
    from selfwork.exchanges.models import Exchange
    from selfwork.notifications.models import Notification

    base = live_server.url
    buyer_context, buyer = logged_in(browser, base, "bruno")
    provider_context, provider = logged_in(browser, base, "priya")

    # Bruno opens the listing and asks first
    buyer.goto(f"{base}/listings/{portrait.public_id}/")
    buyer.get_by_role("link", name="Message Priya").click()
    expect(buyer.get_by_role("heading", name="Message Priya")).to_be_visible()
    expect(buyer.locator(".conversation-head")).to_contain_text(portrait.title)

    # HTML is refused in the page, and what he typed stays
    buyer.fill("textarea[name=body]", "<b>Hello</b>, can you paint two cats?")
    buyer.get_by_role("button", name="Send message").click()
    expect(buyer.locator("#message-form .error")).to_contain_text(
        "raw HTML tags are not allowed"
    )
    expect(buyer.locator("textarea[name=body]")).to_have_value(
        "<b>Hello</b>, can you paint two cats?"
    )
    assert not Message.objects.exists()

    buyer.fill("textarea[name=body]", "Hello! Can you paint **two** cats?")
    buyer.get_by_role("button", name="Send message").click()
    expect(buyer).to_have_url(re.compile(r"/messages/[0-9a-f-]{36}/"))
    expect(buyer.locator(".chat-body strong")).to_have_text("two")
    conversation_url = buyer.url.split("#")[0]
    assert Notification.objects.filter(kind="message").count() == 1

    # Priya sees the unread count in the header and opens the conversation
    provider.goto(f"{base}/dashboard/")
    # The bell counts the new message among her notifications
    expect(provider.locator(".bell .bell-count")).to_have_text("1")
    header = provider.locator(".nav-inline")
    header.get_by_role("link", name="Messages (1)").click()
    expect(provider).to_have_url(re.compile(r"/messages/$"))
    row = provider.locator(".inbox-row").filter(has_text="Bruno")
    expect(row).to_contain_text("1 unread message")
    expect(row).to_contain_text(portrait.title)
    row.get_by_role("link").click()
    expect(provider.locator(".chat-body strong")).to_have_text("two")
    expect(provider.locator(".chat").filter(has_text="New")).to_have_count(1)
    provider.fill("textarea[name=body]", "Gladly: two cats, *one* portrait.")
    provider.get_by_role("button", name="Send message").click()
    expect(provider.locator(".chat-mine")).to_contain_text("two cats, one portrait")
    expect(header.get_by_role("link", name="Messages", exact=True)).to_be_visible()

    # Bruno reads the reply, and has not ordered yet
    buyer.goto(f"{base}/dashboard/")
    buyer.locator(".nav-inline").get_by_role("link", name="Messages (1)").click()
    buyer.goto(conversation_url)
    expect(buyer.locator(".chat").last).to_contain_text("two cats, one portrait")
    assert not Exchange.objects.exists()

    for context in (buyer_context, provider_context):
        context.close()
