"""Uploaded images: checked by content, capped, re-encoded and stripped of metadata."""

import io
import struct
import zlib

import pytest
from PIL import ExifTags, Image

from selfwork.core.errors import InvalidInput, PayloadTooLarge, UnsupportedMedia
from selfwork.core.images import image_clean
from selfwork.core.models import Upload
from selfwork.core.uploads import upload_create


def png_declaring(width: int, height: int) -> bytes:
    """A tiny, valid-looking PNG whose header claims ``width`` × ``height`` pixels."""
    out = io.BytesIO()
    Image.new("L", (1, 1)).save(out, "PNG")
    data = out.getvalue()
    # The IHDR chunk follows the 8-byte signature: length, type, 13 bytes, CRC.
    header = bytearray(data[16:29])
    header[0:8] = struct.pack(">II", width, height)
    crc = struct.pack(">I", zlib.crc32(b"IHDR" + bytes(header)) & 0xFFFFFFFF)
    return data[:16] + bytes(header) + crc + data[33:]


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SpyCam"
    exif[ExifTags.Base.Model] = "Model X1"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (51.0, 30.0, 12.0),
        ExifTags.GPS.GPSLongitudeRef: "W",
        ExifTags.GPS.GPSLongitude: (0.0, 7.0, 39.0),
    }
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 200, 30)).save(
        out, "JPEG", exif=exif, comment=b"taken at home"
    )
    data = out.getvalue()
    # Make sure the fixture really carries what the upload must strip.
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    return data


class TestImageClean:
    @pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "GIF"])
    def test_accepts_the_common_formats(self, png_bytes, fmt):
        clean = image_clean(png_bytes(30, 20, fmt=fmt))
        assert (clean.width, clean.height) == (30, 20)
        reopened = Image.open(io.BytesIO(clean.content))
        assert reopened.size == (30, 20)
        assert clean.content_type == f"image/{clean.extension}"

    def test_accepts_a_multi_picture_jpeg_from_a_phone(self):
        out = io.BytesIO()
        first, second = Image.new("RGB", (20, 10)), Image.new("RGB", (20, 10))
        first.save(out, "MPO", save_all=True, append_images=[second])
        assert Image.open(io.BytesIO(out.getvalue())).format == "MPO"
        clean = image_clean(out.getvalue())
        assert clean.extension == "jpeg"

    @pytest.mark.parametrize(
        "data",
        [
            b"just some text, not an image",
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
            b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,
        ],
    )
    def test_refuses_what_is_not_an_image(self, data):
        with pytest.raises(UnsupportedMedia) as refused:
            image_clean(data)
        assert refused.value.code == "not_an_image"

    def test_refuses_a_truncated_image(self, png_bytes):
        data = png_bytes(200, 200, color=(1, 2, 3), fmt="JPEG")
        with pytest.raises(UnsupportedMedia):
            image_clean(data[: len(data) // 2])

    def test_refuses_formats_it_does_not_serve(self, png_bytes):
        with pytest.raises(UnsupportedMedia):
            image_clean(png_bytes(10, 10, fmt="BMP"))
        with pytest.raises(UnsupportedMedia):
            image_clean(png_bytes(10, 10, fmt="TIFF"))

    def test_refuses_an_empty_file(self):
        with pytest.raises(InvalidInput):
            image_clean(b"")

    def test_refuses_more_bytes_than_the_cap(self, png_bytes):
        with pytest.raises(PayloadTooLarge) as refused:
            image_clean(png_bytes(), max_bytes=100)
        assert refused.value.code == "file_too_large"

    @pytest.mark.parametrize("side", [8_000, 20_000, 65_000])
    def test_refuses_a_decompression_bomb_from_its_header(self, side):
        bomb = png_declaring(side, side)
        assert len(bomb) < 100
        with pytest.raises(PayloadTooLarge) as refused:
            image_clean(bomb)
        assert refused.value.code == "image_too_large"

    def test_refuses_a_photo_sized_png_over_the_default_cap_before_decoding(self):
        # Given a PNG whose header claims 6324 × 6324 pixels (40 million, the
        # old cap) and whose pixel data would not even decode
        data = png_declaring(6324, 6324)
        # When it is cleaned, then it is refused for its size, not as damaged:
        # the header alone decided
        with pytest.raises(PayloadTooLarge) as refused:
            image_clean(data)
        assert refused.value.code == "image_too_large"
        assert "6324×6324" in refused.value.detail
        assert "16,000,000" in refused.value.detail

    def test_stores_a_big_but_allowed_png_downscaled(self, png_bytes):
        # Given a 3000 × 2000 PNG, under the pixel cap
        data = png_bytes(3000, 2000)
        # When it is cleaned
        clean = image_clean(data)
        # Then it is stored with its longest side at 2048 and its shape kept
        assert (clean.width, clean.height) == (2048, 1365)
        assert Image.open(io.BytesIO(clean.content)).size == (2048, 1365)

    def test_keeps_every_pixel_of_a_deliverable(self, buyer, now, png_bytes):
        # Given a provider delivering a 3000 × 2000 illustration
        upload = upload_create(
            owner=buyer, data=png_bytes(3000, 2000), now=now, kind="file"
        )
        # Then the buyer gets it at full size
        assert (upload.width, upload.height) == (3000, 2000)

    def test_decodes_a_big_jpeg_scaled_down_so_it_fits_the_cap(self, png_bytes):
        # Given a 4800 × 3600 JPEG: 17.3 million declared pixels, over the cap,
        # that decodes at half size to 4.3 million
        data = png_bytes(4800, 3600, fmt="JPEG")
        # When it is cleaned, then it is accepted and stored at 2048 wide
        clean = image_clean(data)
        assert (clean.width, clean.height) == (2048, 1536)

    def test_honours_a_lower_pixel_cap(self, png_bytes, settings):
        settings.UPLOAD_MAX_PIXELS = 100
        with pytest.raises(PayloadTooLarge):
            image_clean(png_bytes(11, 10))
        assert image_clean(png_bytes(10, 10)).width == 10

    def test_strips_exif_and_gps_and_comments(self):
        clean = image_clean(jpeg_with_gps())
        reopened = Image.open(io.BytesIO(clean.content))
        assert not reopened.getexif()
        assert "exif" not in reopened.info
        assert "comment" not in reopened.info
        assert b"SpyCam" not in clean.content
        assert b"taken at home" not in clean.content

    def test_strips_text_xmp_and_colour_profile_chunks_from_a_png(self):
        from PIL import ImageCms, PngImagePlugin

        profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
        meta = PngImagePlugin.PngInfo()
        meta.add_text("Author", "Someone Private")
        meta.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>51.5N 0.1W</x:xmpmeta>")
        out = io.BytesIO()
        Image.new("RGB", (10, 10)).save(out, "PNG", icc_profile=profile, pnginfo=meta)
        clean = image_clean(out.getvalue())
        assert Image.open(io.BytesIO(clean.content)).info == {}
        assert b"Someone Private" not in clean.content
        assert b"xmpmeta" not in clean.content

    def test_drops_bytes_hidden_after_the_image(self, png_bytes):
        smuggled = png_bytes() + b"<?php system($_GET['c']); ?>"
        assert b"<?php" not in image_clean(smuggled).content

    def test_turns_the_image_upright_as_its_exif_says(self):
        exif = Image.Exif()
        exif[ExifTags.Base.Orientation] = 6  # rotate 90° clockwise to view
        out = io.BytesIO()
        Image.new("RGB", (40, 20)).save(out, "JPEG", exif=exif)
        clean = image_clean(out.getvalue())
        assert (clean.width, clean.height) == (20, 40)


class TestUploadCreate:
    def test_stores_the_reencoded_image_under_a_random_name(self, buyer, now):
        data = jpeg_with_gps()
        upload = upload_create(owner=buyer, data=data, now=now)
        assert upload.owner == buyer
        assert upload.content_type == "image/jpeg"
        name = upload.file.name.rsplit("/", 1)[-1]
        stem, extension = name.split(".")
        assert len(stem) == 32 and int(stem, 16) >= 0
        assert extension == "jpeg"
        with upload.file.open("rb") as handle:
            stored = handle.read()
        assert stored != data
        assert upload.size_bytes == len(stored)
        reopened = Image.open(io.BytesIO(stored))
        assert not reopened.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert not reopened.getexif()

    def test_two_uploads_of_the_same_file_get_different_names(
        self, buyer, now, png_bytes
    ):
        first = upload_create(owner=buyer, data=png_bytes(), now=now)
        second = upload_create(owner=buyer, data=png_bytes(), now=now)
        assert first.file.name != second.file.name

    def test_stores_nothing_for_a_refused_file(self, buyer, now):
        with pytest.raises(UnsupportedMedia):
            upload_create(owner=buyer, data=b"not an image", now=now)
        assert not Upload.objects.exists()
