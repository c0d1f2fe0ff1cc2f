"""A newcomer's first five minutes, in a real browser.

Sign up, start a community, publish a listing with an image, and find it by search.
"""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.django_db(transaction=True)


def a_picture(tmp_path) -> str:
    path = tmp_path / "lighthouse.png"
    image = Image.new("RGB", (320, 240), (40, 90, 160))
    for x in range(140, 180):
        for y in range(60, 220):
            image.putpixel((x, y), (240, 240, 230))
    out = io.BytesIO()
    image.save(out, "PNG")
    path.write_bytes(out.getvalue())
    return str(path)


def test_a_newcomer_publishes_a_listing_and_finds_it(live_server, page: Page, tmp_path):
    from selfwork.catalog.models import Listing

    # Given a newcomer who signs up
    page.goto(f"{live_server.url}/signup/")
    page.fill("input[name=username]", "marama")
    page.fill("input[name=email]", "marama@example.com")
    page.fill("input[name=password]", "kite-over-the-harbour-42")
    page.get_by_role("button", name="Sign up").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))

    # When she starts a community
    page.goto(f"{live_server.url}/communities/new/")
    page.fill("input[name=name]", "Harbour Makers")
    page.fill("input[name=slug]", "harbour-makers")
    page.fill("textarea[name=description]", "Made by the **harbour**, for the harbour.")
    page.get_by_role("button", name="Start community").click()
    expect(page).to_have_url(re.compile(r"/c/harbour-makers/$"))
    expect(page.get_by_role("heading", name="Harbour Makers")).to_be_visible()

    # And publishes a made-to-order listing with an image
    page.goto(f"{live_server.url}/listings/new/?community=harbour-makers")
    page.fill("input[name=title]", "Hand-printed lighthouse poster")
    page.fill(
        "textarea[name=description]", "A two-colour *screen print* of the old light."
    )
    page.set_input_files("input[name=images]", a_picture(tmp_path))
    page.check("input[name=mode_made_to_order]")
    page.fill("input[name=made_to_order_price]", "45.00")
    page.get_by_role("button", name="Publish listing").click()
    expect(page).to_have_url(re.compile(r"/listings/[0-9a-f-]{36}/$"))
    expect(
        page.get_by_role("heading", name="Hand-printed lighthouse poster")
    ).to_be_visible()
    listing = Listing.objects.get(title="Hand-printed lighthouse poster")
    assert listing.images.count() == 1
    assert listing.price_minor == 4500
    image = page.locator("main img").first
    expect(image).to_be_visible()
    assert page.evaluate("(img) => img.naturalWidth", image.element_handle()) == 320

    # Then a search for a word of it finds it, while typing
    page.goto(f"{live_server.url}/search/")
    page.locator("#q").press_sequentially("lighthou", delay=20)
    card = page.locator("#results .listing-card").filter(has_text="lighthouse poster")
    expect(card).to_have_count(1)

    # And a search for something else does not
    page.goto(f"{live_server.url}/search/?q=chainsaw")
    expect(page.locator("#results .listing-card")).to_have_count(0)
