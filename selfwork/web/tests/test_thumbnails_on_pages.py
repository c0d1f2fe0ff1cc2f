"""List pages load thumbnails, never the images members uploaded."""

import re

import pytest
from django.urls import reverse

from selfwork.core.models import Upload
from selfwork.core.uploads import upload_create
from selfwork.web.tests.conftest import page_text

pytestmark = pytest.mark.django_db

THUMBNAIL = re.compile(
    r"^/media/uploads/.+\.(avatar|portrait|card|gallery)\.(webp|jpeg)$"
)


def image_urls(html: str) -> list[str]:
    return re.findall(r'<(?:img|source)\b[^>]*?\b(?:src|srcset)="([^"]+)"', html)


@pytest.fixture
def full_page(community, host, provider, member_of, make_listing, png_bytes, now):
    """24 listings with an image each, by two members with avatars."""
    member_of(community, provider)
    for owner in (host, provider):
        owner.avatar = upload_create(owner=owner, data=png_bytes(), now=now)
        owner.save(update_fields=["avatar"])
    for n in range(24):
        owner = provider if n % 2 else host
        image = upload_create(owner=owner, data=png_bytes(), now=now)
        make_listing(
            owner, community, title=f"Portrait {n}", images=[str(image.public_id)]
        )


class TestPagesOfCards:
    def test_a_page_of_24_cards_loads_thumbnails_only(self, client, full_page):
        html = page_text(client.get(reverse("web:search")))
        urls = image_urls(html)
        cards = [u for u in urls if ".card." in u]
        avatars = [u for u in urls if ".avatar." in u]
        # Each card offers its 480-pixel thumbnail twice: WebP and JPEG.
        assert len(cards) == 2 * 24
        assert len(avatars) >= 2 * 24
        originals = {u.url for u in Upload.objects.all()}
        assert not originals & set(urls)
        assert [u for u in urls if not THUMBNAIL.match(u)] == []
