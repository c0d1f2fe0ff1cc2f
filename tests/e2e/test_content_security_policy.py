"""Under the Content-Security-Policy, in a real browser: no page trips it, and htmx
still searches while you type (decision 0012)."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a long enough passphrase"

# Collected in the page itself, before any of its scripts run.
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


@pytest.fixture
def watched(page: Page):
    """The page, and every CSP violation its console or its documents report."""
    reported: list[str] = []
    page.on(
        "console",
        lambda message: (
            reported.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    page.add_init_script(LISTEN)

    def violations() -> list[str]:
        return reported + page.evaluate("window.__cspViolations || []")

    return page, violations


@pytest.fixture
def market():
    from selfwork.accounts.services import member_signup
    from selfwork.catalog.services import listing_create
    from selfwork.communities.services import community_create, community_join

    at = timezone.now()
    host = member_signup(
        username="tui", email="tui@example.com", password=PASSWORD, now=at
    )
    host.is_staff = host.is_superuser = True
    host.save()
    community = community_create(
        creator=host, slug="harbour-makers", name="Harbour Makers", now=at
    )
    maker = member_signup(
        username="rangi", email="rangi@example.com", password=PASSWORD, now=at
    )
    community_join(community=community, member=maker, now=at)
    listing = listing_create(
        owner=maker,
        community=community,
        title="Lighthouse screen print",
        description="Two colours, on cotton paper.",
        modes=[{"mode": "made_to_order", "price": {"amount": "45", "currency": "EUR"}}],
        now=at,
    )
    return community, listing


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main").get_by_role("button", name=re.compile("Log in")).click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))


def test_no_page_trips_the_policy_and_htmx_still_works(live_server, watched, market):
    page, violations = watched
    community, listing = market
    base = live_server.url

    # Given the pages a visitor opens
    for path in [
        "/",
        "/communities/",
        f"/c/{community.slug}/",
        f"/listings/{listing.public_id}/",
        "/signup/",
        "/no-such-page/",
    ]:
        response = page.goto(base + path)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
    # When she searches while typing (htmx swaps the results in)
    page.goto(f"{base}/search/")
    page.locator("#q").press_sequentially("lighthou", delay=20)
    card = page.locator("#results .listing-card").filter(has_text="Lighthouse")
    # Then the results arrive, and htmx injected no inline style of its own
    expect(card).to_have_count(1)
    assert page.locator("head style").count() == 0
    # And the member's own pages are fine too
    log_in(page, base, "rangi")
    for path in ["/dashboard/", "/listings/new/", f"/c/{community.slug}/"]:
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
    # And nothing anywhere broke the policy
    assert violations() == []


def test_the_admin_and_the_api_docs_work_under_the_policy(live_server, watched, market):
    page, violations = watched
    base = live_server.url
    # Given the interactive API docs, served locally
    page.goto(f"{base}/api/v1/docs")
    # Then Swagger UI renders the API's operations
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=15_000)
    # And an operator can log in to the admin and open a list and a form
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", "tui")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    page.goto(f"{base}/admin/accounts/member/")
    page.wait_for_load_state("networkidle")
    page.goto(f"{base}/admin/accounts/member/add/")
    page.wait_for_load_state("networkidle")
    assert violations() == []
