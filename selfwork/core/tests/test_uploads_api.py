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
