"""``selfwork media thumbnails``: what it says and how it exits."""

import pytest

from selfwork.cli import main
from selfwork.core.models import Upload
from selfwork.core.uploads import upload_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def older_image(provider, now, png_bytes):
    """An image stored before thumbnails existed."""
    upload = upload_create(owner=provider, data=png_bytes(), now=now)
    Upload.objects.filter(pk=upload.pk).update(thumbnails=None)
    upload.refresh_from_db()
    return upload


def test_says_how_many_images_got_thumbnails(older_image, capsys):
    assert main(["media", "thumbnails"]) == 0
    assert "Made the thumbnails of 1 image(s)." in capsys.readouterr().out
    older_image.refresh_from_db()
    assert older_image.thumbnail("card") is not None


def test_exits_1_and_names_each_image_it_could_not_do(older_image, capsys):
    older_image.file.storage.delete(older_image.file.name)
    assert main(["media", "thumbnails"]) == 1
    assert f"no thumbnails for {older_image.public_id}" in capsys.readouterr().err
