"""Media on S3-compatible storage: public images by thumbnail, deliverables private.

Runs against moto's S3 server on a loopback port, over HTTP, configured the way an
operator configures selfwork (``SELFWORK_MEDIA_S3_*``).
"""

import re
import urllib.error
import urllib.request

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from selfwork.catalog.services import listing_create
from selfwork.core.images import THUMBNAIL_FORMATS, THUMBNAIL_SIZES
from selfwork.core.uploads import upload_create
from selfwork.exchanges.downloads import delivery_file_url

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def fetch(url: str) -> tuple[int, bytes, dict[str, str]]:
    """GET ``url`` as a stranger would: no credentials, no cookies."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
            headers = {k.lower(): v for k, v in response.headers.items()}
            return response.status, response.read(), headers
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), {k.lower(): v for k, v in exc.headers.items()}


def image_urls(html: str) -> list[str]:
    """Every address an <img> or a <source> of ``html`` may load."""
    return re.findall(r'<(?:img|source)\b[^>]*?\b(?:src|srcset)="([^"]+)"', html)


def logged_in(member) -> Client:
    client = Client()
    client.force_login(member)
    return client


class TestPublicImages:
    def test_an_avatar_is_in_the_bucket_and_the_profile_shows_its_thumbnail(
        self, s3_media, provider, now, png_bytes, client
    ):
        upload = upload_create(owner=provider, data=png_bytes(300, 200), now=now)
        provider.avatar = upload
        provider.save(update_fields=["avatar"])

        stored = s3_media.stored()
        assert upload.file.name in stored
        for size in THUMBNAIL_SIZES:
            for fmt in THUMBNAIL_FORMATS:
                assert upload.thumbnails[size.name][fmt] in stored

        page = client.get(reverse("web:profile", args=[provider.username]))
        urls = [u for u in image_urls(page.content.decode()) if s3_media.bucket in u]
        assert urls, "the profile shows the avatar from the bucket"
        assert not any(u.endswith(upload.file.name) for u in urls)
        status, body, headers = fetch(urls[0])
        assert status == 200
        assert headers["content-type"] in {"image/webp", "image/jpeg"}
        assert (
            body
            == s3_media.client.get_object(
                Bucket=s3_media.bucket, Key=urls[0].split(f"/{s3_media.bucket}/", 1)[1]
            )["Body"].read()
        )

    def test_a_listing_page_shows_gallery_thumbnails_from_the_bucket(
        self, s3_media, community, host, now, png_bytes, client
    ):
        image = upload_create(owner=host, data=png_bytes(1600, 1200), now=now)
        listing = listing_create(
            owner=host,
            community=community,
            title="Ink portrait",
            modes=[
                {"mode": "made_to_order", "price": {"amount": "40", "currency": "EUR"}}
            ],
            images=[str(image.public_id)],
            now=now,
        )
        page = client.get(reverse("web:listing", args=[listing.public_id]))
        html = page.content.decode()
        gallery = image.thumbnails["gallery"]
        assert (gallery["width"], gallery["height"]) == (1200, 900)
        assert f"/{s3_media.bucket}/{gallery['webp']}" in html
        assert f"/{s3_media.bucket}/{gallery['jpeg']}" in html
        assert image.file.name not in html
        status, _, headers = fetch(
            f"{s3_media.endpoint}/{s3_media.bucket}/{gallery['webp']}"
        )
        assert (status, headers["content-type"]) == (200, "image/webp")


@pytest.fixture
def delivered_on_s3(s3_media, commission, move, buyer, provider, now):
    """A commission paid and delivered with a PDF stored in the bucket."""
    upload = upload_create(owner=provider, data=PDF, now=now, kind="file")
    exchange = move(commission, buyer, "pay")
    move(exchange, provider, "deliver", note="Proof", files=[str(upload.public_id)])
    return upload


class TestDeliverables:
    def test_a_deliverable_is_in_the_bucket_but_not_readable_without_a_signature(
        self, s3_media, delivered_on_s3
    ):
        upload = delivered_on_s3
        assert upload.file.name.startswith("private/")
        assert upload.file.name in s3_media.stored()
        status, body, _ = fetch(
            f"{s3_media.endpoint}/{s3_media.bucket}/{upload.file.name}"
        )
        assert status == 403
        assert PDF not in body

    def test_the_apps_link_redirects_a_party_to_a_presigned_url_that_works(
        self, s3_media, delivered_on_s3, buyer, provider
    ):
        upload = delivered_on_s3
        for member in (buyer, provider):
            url = delivery_file_url(upload=upload, member=member, now=timezone.now())
            response = logged_in(member).get(url)
            assert response.status_code == 302
            assert response["Cache-Control"] == "private, no-store"
            location = response["Location"]
            assert location.startswith(
                f"{s3_media.endpoint}/{s3_media.bucket}/private/"
            )
            assert "X-Amz-Signature=" in location
            assert "X-Amz-Expires=300" in location
            status, body, headers = fetch(location)
            assert (status, body) == (200, PDF)
            assert headers["content-type"] == "application/pdf"
            assert headers["content-disposition"].startswith("attachment;")

    def test_an_unauthorised_viewer_gets_404_and_no_presigned_url(
        self, s3_media, delivered_on_s3, buyer, stranger
    ):
        upload = delivered_on_s3
        own = delivery_file_url(upload=upload, member=stranger, now=timezone.now())
        borrowed = delivery_file_url(upload=upload, member=buyer, now=timezone.now())
        for url in (own, borrowed):
            response = logged_in(stranger).get(url)
            assert response.status_code == 404
            assert "Location" not in response
            assert b"X-Amz" not in response.content
