"""Thumbnails: made once at upload in WebP and JPEG, backfilled for older images."""

import io

import pytest
from django.core.files.storage import default_storage
from django.template import Context, Template
from PIL import Image

from selfwork.core.errors import PayloadTooLarge
from selfwork.core.images import THUMBNAIL_SIZES, image_clean, thumbnails_render
from selfwork.core.models import Upload
from selfwork.core.uploads import (
    thumbnails_backfill,
    upload_create,
    upload_files_delete,
    upload_thumbnails_make,
)


def sizes(clean) -> dict[str, tuple[int, int]]:
    return {t.name: (t.width, t.height) for t in clean.thumbnails}


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def render(upload, size="card") -> str:
    template = Template('{% load selfwork %}{% picture upload size alt="A fox" %}')
    return template.render(Context({"upload": upload, "size": size}))


class TestThumbnailsOfAnUpload:
    def test_every_size_in_webp_and_jpeg_from_one_decode(self, png_bytes):
        clean = image_clean(png_bytes(1600, 1200, fmt="JPEG"), thumbnails=True)
        assert sizes(clean) == {
            "gallery": (1200, 900),
            "card": (480, 360),
            "portrait": (192, 192),
            "avatar": (96, 96),
        }
        for thumb in clean.thumbnails:
            webp, jpeg = opened(thumb.webp), opened(thumb.jpeg)
            assert (webp.format, jpeg.format) == ("WEBP", "JPEG")
            assert webp.size == jpeg.size == (thumb.width, thumb.height)

    def test_a_small_image_is_never_scaled_up(self, png_bytes):
        clean = image_clean(png_bytes(40, 30), thumbnails=True)
        assert sizes(clean) == {
            "gallery": (40, 30),
            "card": (40, 30),
            "portrait": (30, 30),
            "avatar": (30, 30),
        }

    def test_transparency_is_kept_in_webp_and_laid_on_white_in_jpeg(self):
        out = io.BytesIO()
        Image.new("RGBA", (50, 50), (255, 0, 0, 0)).save(out, "PNG")
        clean = image_clean(out.getvalue(), thumbnails=True)
        card = clean.thumbnails[1]
        assert opened(card.webp).getpixel((0, 0))[3] == 0
        assert opened(card.jpeg).getpixel((0, 0)) >= (250, 250, 250)

    def test_none_without_being_asked_for(self, png_bytes):
        assert image_clean(png_bytes()).thumbnails == ()


@pytest.mark.django_db
class TestStoredThumbnails:
    def test_an_image_upload_stores_each_thumbnail_beside_it(
        self, provider, now, png_bytes
    ):
        upload = upload_create(owner=provider, data=png_bytes(600, 300), now=now)
        stem = upload.file.name.rsplit(".", 1)[0]
        assert set(upload.thumbnails) == {size.name for size in THUMBNAIL_SIZES}
        card = upload.thumbnail("card")
        assert (card["width"], card["height"]) == (480, 240)
        assert card["webp"] == f"{stem}.card.webp"
        for name in (card["webp"], card["jpeg"]):
            assert default_storage.exists(name)
        upload.refresh_from_db()
        assert upload.thumbnail("card") == card

    def test_a_page_shows_the_thumbnail_with_a_webp_source(
        self, provider, now, png_bytes
    ):
        upload = upload_create(owner=provider, data=png_bytes(600, 300), now=now)
        html = render(upload)
        card = upload.thumbnail("card")
        assert html == (
            f'<picture><source type="image/webp" srcset="/media/{card["webp"]}">'
            f'<img src="/media/{card["jpeg"]}" alt="A fox" width="480" height="240"'
            ' loading="lazy"></picture>'
        )

    def test_deleting_an_uploads_files_deletes_its_thumbnails_too(
        self, provider, now, png_bytes
    ):
        upload = upload_create(owner=provider, data=png_bytes(), now=now)
        names = [upload.file.name] + [
            name
            for thumb in upload.thumbnails.values()
            for name in (thumb["webp"], thumb["jpeg"])
        ]
        assert all(default_storage.exists(name) for name in names)
        upload_files_delete(upload=upload)
        assert not any(default_storage.exists(name) for name in names)

    def test_a_deliverable_has_no_thumbnails(self, provider, now, png_bytes):
        upload = upload_create(owner=provider, data=png_bytes(), now=now, kind="file")
        assert upload.thumbnails is None


@pytest.fixture
def older_image(provider, now, png_bytes):
    """An image stored before thumbnails existed."""
    upload = upload_create(owner=provider, data=png_bytes(900, 600), now=now)
    Upload.objects.filter(pk=upload.pk).update(thumbnails=None)
    upload.refresh_from_db()
    return upload


@pytest.mark.django_db
class TestOlderImages:
    def test_are_shown_as_stored_until_their_thumbnails_are_made(self, older_image):
        html = render(older_image)
        assert html == (
            f'<img src="{older_image.url}" alt="A fox" width="900" height="600"'
            ' loading="lazy">'
        )
        upload_thumbnails_make(upload=older_image)
        older_image.refresh_from_db()
        assert older_image.thumbnail("card")["width"] == 480
        assert older_image.url not in render(older_image)

    def test_the_backfill_makes_the_missing_thumbnails_once(self, older_image):
        assert thumbnails_backfill() == (1, [])
        older_image.refresh_from_db()
        assert default_storage.exists(older_image.thumbnail("gallery")["webp"])
        assert thumbnails_backfill() == (0, [])

    def test_the_backfill_reports_an_image_whose_file_is_gone(self, older_image):
        default_storage.delete(older_image.file.name)
        made, failed = thumbnails_backfill()
        assert made == 0
        assert [str(older_image.public_id)] == [line.split(" ")[0] for line in failed]
        older_image.refresh_from_db()
        assert older_image.thumbnails is None

    def test_backfill_keeps_the_pixel_cap(self, settings, png_bytes):
        settings.UPLOAD_MAX_PIXELS = 100
        with pytest.raises(PayloadTooLarge):
            thumbnails_render(png_bytes(20, 20))
