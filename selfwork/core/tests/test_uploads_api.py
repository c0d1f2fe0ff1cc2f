import fcntl
import io

import pytest
from PIL import Image

from selfwork.core.models import Upload
from selfwork.core.tests.test_images import jpeg_with_gps, png_declaring


def assert_problem(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == code


class TestUploadApi:
    def test_answers_201_with_an_id_and_the_cleaned_image(
        self, buyer, api_as, png_bytes
    ):
        response = api_as(buyer).upload(png_bytes(64, 48), name="holiday.png")
        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["width"], body["height"]) == (64, 48)
        assert body["content_type"] == "image/png"
        upload = Upload.objects.get(public_id=body["id"])
        assert upload.owner == buyer
        assert "holiday" not in body["url"]

    def test_an_image_answers_with_the_urls_of_its_thumbnails(
        self, buyer, api_as, png_bytes, client
    ):
        body = api_as(buyer).upload(png_bytes(640, 480)).json()
        assert set(body["thumbnails"]) == {"avatar", "portrait", "card", "gallery"}
        card = body["thumbnails"]["card"]
        assert (card["width"], card["height"]) == (480, 360)
        response = client.get(card["webp"])
        assert response.status_code == 200
        assert b"".join(response.streaming_content)[8:12] == b"WEBP"

    def test_a_deliverable_has_no_thumbnails(self, buyer, api_as, png_bytes):
        from django.core.files.uploadedfile import SimpleUploadedFile

        api = api_as(buyer)
        response = api.client.post(
            "/api/v1/uploads?kind=file",
            {"file": SimpleUploadedFile("proof.png", png_bytes())},
            HTTP_AUTHORIZATION=f"Bearer {api.token}",
        )
        assert response.status_code == 201, response.content
        assert response.json()["thumbnails"] == {}

    def test_the_stored_file_has_no_exif_or_gps(self, buyer, api_as, settings):
        body = api_as(buyer).upload(jpeg_with_gps(), name="IMG_0001.jpg").json()
        stored = Upload.objects.get(public_id=body["id"])
        with open(settings.MEDIA_ROOT / stored.file.name, "rb") as handle:
            reopened = Image.open(io.BytesIO(handle.read()))
        assert not reopened.getexif()
        assert "exif" not in reopened.info

    def test_a_hostile_file_name_is_never_used_on_disk(self, buyer, api_as, png_bytes):
        body = (
            api_as(buyer).upload(png_bytes(), name="../../../etc/cron.d/x.php").json()
        )
        name = Upload.objects.get(public_id=body["id"]).file.name
        assert name.startswith("uploads/")
        assert ".." not in name and "php" not in name and "cron" not in name

    def test_needs_a_member(self, db, anonymous_api, png_bytes):
        assert_problem(anonymous_api.upload(png_bytes()), 401, "not_authenticated")
        assert not Upload.objects.exists()

    @pytest.mark.parametrize(
        ("data", "name"),
        [
            (b"hello, I am a text file", "notes.png"),
            (b"GIF89a but not really", "anim.gif"),
            (b"<html><script>alert(1)</script></html>", "page.jpg"),
        ],
    )
    def test_refuses_what_is_not_an_image_with_415(self, buyer, api_as, data, name):
        assert_problem(api_as(buyer).upload(data, name=name), 415, "not_an_image")
        assert not Upload.objects.exists()

    def test_refuses_oversized_bytes_with_413(self, buyer, api_as, png_bytes, settings):
        settings.UPLOAD_MAX_BYTES = 2_000
        big = png_bytes(300, 300, color=(0, 0, 0), fmt="BMP")
        assert len(big) > 2_000
        assert_problem(api_as(buyer).upload(big), 413, "file_too_large")
        assert not Upload.objects.exists()

    def test_refuses_a_decompression_bomb_with_413(self, buyer, api_as):
        response = api_as(buyer).upload(png_declaring(20_000, 20_000))
        assert_problem(response, 413, "image_too_large")
        assert not Upload.objects.exists()

    def test_refuses_a_request_without_a_file(self, buyer, api_as):
        response = api_as(buyer).client.post(
            "/api/v1/uploads",
            {"other": "x"},
            HTTP_AUTHORIZATION=f"Bearer {api_as(buyer).token}",
        )
        assert response.status_code == 422
        assert not Upload.objects.exists()

    def test_refuses_an_empty_file(self, buyer, api_as):
        response = api_as(buyer).upload(b"", name="empty.png")
        assert 400 <= response.status_code < 500
        assert not Upload.objects.exists()

    def test_refuses_an_image_over_the_pixel_cap_with_a_413_saying_why(
        self, buyer, api_as
    ):
        # Given a small PNG that claims 6324 × 6324 pixels
        response = api_as(buyer).upload(png_declaring(6324, 6324))
        # Then it is refused for its pixels, read from its header
        assert_problem(response, 413, "image_too_large")
        assert "6324×6324" in response.json()["detail"]
        assert not Upload.objects.exists()

    def test_stores_a_big_image_downscaled(self, buyer, api_as, png_bytes):
        response = api_as(buyer).upload(png_bytes(2400, 3000))
        assert response.status_code == 201, response.content
        assert (response.json()["width"], response.json()["height"]) == (1638, 2048)

    def test_refuses_at_once_with_429_while_every_decode_slot_is_busy(
        self, buyer, api_as, png_bytes, settings
    ):
        # Given another worker of the server decoding an image (holding the slot)
        settings.UPLOAD_DECODE_SLOTS = 1
        settings.UPLOAD_LOCK_DIR.mkdir(parents=True, exist_ok=True)
        with open(settings.UPLOAD_LOCK_DIR / "image-decode-0.lock", "a+b") as held:
            fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
            # When a member uploads an image
            response = api_as(buyer).upload(png_bytes())
            # Then it is refused without waiting, with a time to retry after
            assert_problem(response, 429, "uploads_busy")
            assert response["Retry-After"] == "1"
            assert not Upload.objects.exists()
        # And once the slot is free, the same upload goes through
        assert api_as(buyer).upload(png_bytes()).status_code == 201
