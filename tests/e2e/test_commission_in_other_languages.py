"""A commission from search to acceptance in Spanish and in German, with no English left.

Bruno and Priya both prefer the language under test (their profile's language).
Bruno searches, opens Priya's listing, orders a package and pays; Priya delivers;
Bruno accepts; Priya looks at her wallet. The browser is driven by ids, names and
the user content the test wrote, never by English words. On every page visited,
every visible text, and the label, placeholder, title and value of every control,
is compared with the language's catalogue: a text that is an English message the
catalogue translates differently is English the page forgot to translate. Money
and dates must read as the language writes them.
"""

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from selfwork.core.formats import date_format, money_format
from selfwork.core.money import Money
from tests.e2e.conftest import confirm_next

pytestmark = pytest.mark.django_db(transaction=True)

LOCALE_DIR = Path(__file__).resolve().parents[2] / "selfwork" / "locale"
SCREENS = Path("/work/screens")
# What the test itself wrote: titles, names, notes. Never checked for English.
USER_CONTENT = {
    "Book cover illustration",
    "Ink and watercolour covers for poetry and novels.",
    "Full colour",
    "Illustrators' Guild",
    "Bruno",
    "Priya",
    "Hana",
    "A lighthouse at dusk, for a poetry book.",
    "The cover, as agreed.",
}

# Every visible text node, and the words a control shows or announces.
SENTENCES = (
    "p, li, dt, dd, th, td, label, legend, h1, h2, h3, h4, a, button, span, strong"
)
NAMED = "[aria-label], [placeholder], [title], button, input[type=submit], input[type=button]"
VISIBLE_TEXTS = """([sentences, named]) => {
    const texts = [document.title];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement;
        if (!parent || parent.closest("script, style, template, noscript")) continue;
        if (!parent.checkVisibility({visibilityProperty: true})) continue;
        texts.push(node.textContent);
    }
    // A sentence with inline markup is one text spread over several nodes.
    for (const el of document.body.querySelectorAll(sentences)) {
        if (el.checkVisibility({visibilityProperty: true})) texts.push(el.innerText);
    }
    for (const el of document.querySelectorAll(named)) {
        for (const name of ["aria-label", "placeholder", "title"]) {
            if (el.hasAttribute(name)) texts.push(el.getAttribute(name));
        }
        if (el.matches("button, input[type=submit], input[type=button]") && el.value) {
            texts.push(el.value);
        }
    }
    return texts;
}"""


def words(text: str) -> str:
    return " ".join(text.split())


@cache
def untranslated_english(language: str) -> frozenset[str]:
    """The English messages ``language``'s catalogue translates into other words."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / "django.po"
    with path.open("rb") as po:
        catalogue = read_po(po, locale=language)
    english: set[str] = set()
    for message in catalogue:
        if not message.id or message.fuzzy:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = (
            message.string if isinstance(message.string, tuple) else (message.string,)
        )
        for msgid in ids:
            # A message with placeholders never shows as it is written.
            if "%(" in msgid or "{" in msgid:
                continue
            if any(s and words(s) != words(msgid) for s in strings):
                english.add(words(msgid))
    return frozenset(english - USER_CONTENT)


def english_left(page: Page, language: str) -> list[str]:
    """The English messages ``page`` shows that the catalogue translates."""
    english = untranslated_english(language)
    shown = {words(t) for t in page.evaluate(VISIBLE_TEXTS, [SENTENCES, NAMED]) if t}
    return [f"{page.url}: {text!r}" for text in sorted(shown & english)]


@pytest.fixture
def guild():
    """Priya's book covers in the guild; Bruno a member. Languages are set per test."""
    from selfwork.accounts.services import member_signup
    from selfwork.catalog.services import listing_create
    from selfwork.communities.services import community_create, community_join

    at = timezone.now()

    def signup(username, name):
        return member_signup(
            username=username,
            email=f"{username}@example.com",
            password="a long enough passphrase",
            display_name=name,
            now=at,
        )

    hana, bruno, priya = (
        signup("hana", "Hana"),
        signup("bruno", "Bruno"),
        signup("priya", "Priya"),
    )
    guild = community_create(
        creator=hana,
        slug="guild",
        name="Illustrators' Guild",
        now=at,
        settings={"currency": "EUR", "fee_percent": "5"},
    )
    community_join(community=guild, member=bruno, now=at)
    community_join(community=guild, member=priya, now=at)
    listing_create(
        owner=priya,
        community=guild,
        title="Book cover illustration",
        description="Ink and watercolour covers for poetry and novels.",
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
    return {"bruno": bruno, "priya": priya}


def browser_of(browser: Browser, base: str, member, language: str) -> Page:
    """``member``'s own browser, logged in, preferring ``language`` on the profile.

    The browser itself asks for English, so only the profile chooses the language.
    """
    member.language = language
    member.save(update_fields=["language"])
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        locale="en-US",
        extra_http_headers={"Accept-Language": "en"},
    )
    client = Client()
    client.force_login(member)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
    )
    return context.new_page()


@pytest.mark.parametrize("language", ["es", "de"])
def test_a_commission_from_search_to_acceptance_speaks_the_members_language(
    live_server, browser: Browser, guild, language
):
    base = live_server.url
    SCREENS.mkdir(parents=True, exist_ok=True)
    price = money_format(Money(minor=12000, unit="EUR"), locale=language)
    paid_out = money_format(Money(minor=11400, unit="EUR"), locale=language)
    today = date_format(timezone.localdate(), locale=language)
    left: list[str] = []

    def visited(page: Page) -> None:
        expect(page.locator("html")).to_have_attribute("lang", language)
        left.extend(english_left(page, language))

    customer = browser_of(browser, base, guild["bruno"], language)
    provider = browser_of(browser, base, guild["priya"], language)

    # Bruno searches from the header's search box
    customer.goto(base + "/")
    visited(customer)
    customer.fill("#site-q", "cover")
    customer.press("#site-q", "Enter")
    expect(customer).to_have_url(re.compile(r"/search/\?q=cover"))
    visited(customer)
    customer.screenshot(path=str(SCREENS / f"{language}-search.png"), full_page=True)

    # opens Priya's listing and sees its price as his language writes it
    customer.get_by_role("link", name="Book cover illustration").first.click()
    expect(customer).to_have_url(re.compile(r"/listings/[0-9a-f-]{36}/$"))
    expect(customer.locator("main")).to_contain_text(price)
    visited(customer)

    # orders the package, with a note
    customer.locator("a[href$='/order/']").click()
    expect(customer).to_have_url(re.compile(r"/order/$"))
    visited(customer)
    customer.fill("#order-requirements", "A lighthouse at dusk, for a poetry book.")
    customer.locator("form.form button[type=submit]").click()
    expect(customer).to_have_url(re.compile(r"/exchanges/[0-9a-f-]{36}/$"))
    room = customer.url
    expect(customer.locator(".total")).to_have_text(price)
    visited(customer)

    # and pays with the sandbox card, answering the confirmation
    asked = confirm_next(customer)
    customer.locator("#transition-pay button[type=submit]").click()
    expect(customer.locator("#transition-pay")).to_have_count(0)
    assert asked and price in asked[0], asked
    assert "Pay" not in asked[0]
    visited(customer)
    customer.screenshot(path=str(SCREENS / f"{language}-room.png"), full_page=True)

    # Priya delivers, with a note
    provider.goto(room)
    visited(provider)
    deliver = provider.locator("#transition-deliver")
    deliver.locator("textarea[name=note]").fill("The cover, as agreed.")
    deliver.locator("button[type=submit]").click()
    expect(provider.locator("#transition-deliver")).to_have_count(0)
    visited(provider)

    # Bruno accepts the work
    customer.reload()
    expect(customer.locator(".delivery")).to_contain_text("The cover, as agreed.")
    visited(customer)
    asked = confirm_next(customer)
    customer.locator("#transition-accept button[type=submit]").click()
    expect(customer.locator("#transition-accept")).to_have_count(0)
    assert asked
    visited(customer)

    # Priya's wallet: €120.00 less the 5% fee, released today
    provider.goto(base + "/wallet/")
    visited(provider)
    history = provider.locator("table").filter(has_text=paid_out)
    expect(history.first).to_contain_text(today)
    provider.screenshot(path=str(SCREENS / f"{language}-wallet.png"), full_page=True)

    from selfwork.exchanges.models import Exchange

    assert Exchange.objects.get().state == "completed"
    customer.context.close()
    provider.context.close()
    assert not left, "English left on the pages:\n" + "\n".join(sorted(set(left)))
