"""Deliverables: checked by content, stored privately, fetched by signed per-member links."""

import datetime as dt
import io
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from selfwork.core.errors import PayloadTooLarge, UnsupportedMedia
from selfwork.core.uploads import upload_create
from selfwork.exchanges.downloads import delivery_file_url, download_token

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def zip_bytes():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("cover/front.txt", "the front cover")
    return out.getvalue()


class TestUploadsOfFiles:
    @pytest.mark.parametrize(
        "data,content_type",
        [
            (PDF, "application/pdf"),
            (zip_bytes(), "application/zip"),
            (
                "Notes on the cover — ünïcode ok.\n".encode(),
                "text/plain; charset=utf-8",
            ),
        ],
    )
    def test_accepted_kinds_are_stored_as_they_are(
        self, provider, now, data, content_type
    ):
        upload = upload_create(owner=provider, data=data, now=now, kind="file")
        assert upload.kind == "file"
        assert upload.content_type == content_type
        assert upload.file.name.startswith("private/")
        with upload.file.open("rb") as handle:
            assert handle.read() == data

    def test_images_are_re_encoded_without_metadata(self, provider, now, png_bytes):
        upload = upload_create(
            owner=provider, data=png_bytes(fmt="JPEG"), now=now, kind="file"
        )
        assert upload.content_type == "image/jpeg"
        assert (upload.width, upload.height) == (64, 48)

    @pytest.mark.parametrize(
        "data",
        [
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00",  # a Windows program
            b"PK\x03\x04 not really a zip",
            b"\x00\x01\x02binary",
            b"GIF89a\x01\x00\x01\x00",
        ],
    )
    def test_other_content_is_refused_whatever_its_name(self, provider, now, data):
        with pytest.raises(UnsupportedMedia):
            upload_create(owner=provider, data=data, now=now, kind="file")

    def test_the_size_is_capped_by_a_setting(self, provider, now, settings):
        settings.SELFWORK_DELIVERY_MAX_BYTES = 10
        with pytest.raises(PayloadTooLarge):
            upload_create(owner=provider, data=PDF, now=now, kind="file")

    def test_media_does_not_serve_private_files(self, provider, now, client):
        upload = upload_create(owner=provider, data=PDF, now=now, kind="file")
        for path in (
            f"/media/{upload.file.name}",
            f"/media/uploads/../{upload.file.name}",
            f"/media//{upload.file.name}",
            f"/media/./{upload.file.name}",
        ):
            assert client.get(path).status_code == 404, path


@pytest.fixture
def delivered(commission, move, buyer, provider, now):
    """The commission, paid and delivered with a PDF; returns (exchange, upload)."""
    upload = upload_create(owner=provider, data=PDF, now=now, kind="file")
    exchange = move(commission, buyer, "pay")
    exchange = move(
        exchange, provider, "deliver", note="Proof", files=[str(upload.public_id)]
    )
    return exchange, upload


def logged_in(member):
    client = Client()
    client.force_login(member)
    return client


class TestLinks:
    def test_each_party_downloads_with_their_own_link(self, delivered, buyer, provider):
        from django.utils import timezone

        _, upload = delivered
        for member in (buyer, provider):
            url = delivery_file_url(upload=upload, member=member, now=timezone.now())
            response = logged_in(member).get(url)
            assert response.status_code == 200
            assert b"".join(response.streaming_content) == PDF
            assert response["Content-Type"] == "application/pdf"
            assert response["Cache-Control"] == "private, no-store"
            assert "attachment" in response["Content-Disposition"]

    def test_a_link_used_by_another_member_is_404(
        self, delivered, buyer, provider, stranger, host
    ):
        from django.utils import timezone

        _, upload = delivered
        url = delivery_file_url(upload=upload, member=buyer, now=timezone.now())
        for other in (stranger, provider, host):
            assert logged_in(other).get(url).status_code == 404

    def test_a_stranger_with_their_own_signed_link_still_gets_404(
        self, delivered, stranger
    ):
        from django.utils import timezone

        _, upload = delivered
        url = delivery_file_url(upload=upload, member=stranger, now=timezone.now())
        assert logged_in(stranger).get(url).status_code == 404

    def test_an_expired_link_is_404(self, delivered, buyer):
        from django.utils import timezone

        _, upload = delivered
        url = delivery_file_url(
            upload=upload, member=buyer, now=timezone.now() - dt.timedelta(hours=3)
        )
        assert logged_in(buyer).get(url).status_code == 404

    def test_a_forged_or_guessed_token_is_404(self, delivered, buyer):
        from django.utils import timezone

        _, upload = delivered
        token = download_token(
            upload=upload, member=buyer, expires_at=timezone.now() + dt.timedelta(1)
        )
        forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
        client = logged_in(buyer)
        assert (
            client.get(reverse("exchange_download", args=[forged])).status_code == 404
        )
        assert (
            client.get(reverse("exchange_download", args=["guess"])).status_code == 404
        )

    def test_logged_out_visitors_are_sent_to_log_in(self, delivered, buyer):
        from django.utils import timezone

        _, upload = delivered
        url = delivery_file_url(upload=upload, member=buyer, now=timezone.now())
        response = Client().get(url)
        assert response.status_code == 302
        assert "login" in response["Location"]

    def test_before_delivery_is_revealed_the_customer_cannot_download(
        self, commission, move, buyer, provider, now
    ):
        from django.utils import timezone

        from selfwork.exchanges.models import Delivery

        upload = upload_create(owner=provider, data=PDF, now=now, kind="file")
        exchange = move(commission, buyer, "pay")
        # A delivery recorded without a reveal (as a process may choose to).
        delivery = Delivery.objects.create(exchange=exchange, number=1, created_at=now)
        delivery.files.set([upload])
        url = delivery_file_url(upload=upload, member=buyer, now=timezone.now())
        assert logged_in(buyer).get(url).status_code == 404
        url = delivery_file_url(upload=upload, member=provider, now=timezone.now())
        assert logged_in(provider).get(url).status_code == 200
