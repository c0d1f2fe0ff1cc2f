"""STORAGES from the environment: the local disk unless a bucket is named."""

from pathlib import Path

from selfwork.core.media_settings import (
    media_image_sources,
    media_storages,
    media_url,
)

ROOT = Path("/srv/selfwork/media")


def test_without_a_bucket_both_storages_are_the_local_media_folder():
    storages = media_storages({}, media_root=ROOT)
    assert storages["default"]["BACKEND"].endswith("FileSystemStorage")
    assert storages["private"]["OPTIONS"] == {"location": str(ROOT)}
    assert media_url({}) == "/media/"


def test_with_a_bucket_public_media_are_public_and_deliverables_presigned():
    env = {
        "SELFWORK_MEDIA_S3_BUCKET": "market-media",
        "SELFWORK_MEDIA_S3_PRIVATE_BUCKET": "market-deliverables",
        "SELFWORK_MEDIA_S3_ENDPOINT_URL": "https://s3.example.net",
        "SELFWORK_MEDIA_URL": "https://cdn.example.org/media/",
    }
    storages = media_storages(env, media_root=ROOT)
    public, private = storages["default"]["OPTIONS"], storages["private"]["OPTIONS"]
    assert (public["bucket_name"], public["default_acl"]) == (
        "market-media",
        "public-read",
    )
    assert public["querystring_auth"] is False
    assert (public["custom_domain"], public["url_protocol"]) == (
        "cdn.example.org/media",
        "https:",
    )
    assert private["bucket_name"] == "market-deliverables"
    assert (private["default_acl"], private["querystring_auth"]) == ("private", True)
    assert private["querystring_expire"] == 300
    assert "custom_domain" not in private
    assert media_url(env) == "https://cdn.example.org/media/"


def test_deliverables_share_the_bucket_when_no_private_one_is_named():
    storages = media_storages({"SELFWORK_MEDIA_S3_BUCKET": "one"}, media_root=ROOT)
    assert storages["private"]["OPTIONS"]["bucket_name"] == "one"


def test_pages_may_load_images_from_the_bucket_or_the_cdn_only():
    assert media_image_sources({}) == []
    bucket = {"SELFWORK_MEDIA_S3_BUCKET": "media"}
    assert media_image_sources(bucket) == ["https://*.amazonaws.com"]
    endpoint = {**bucket, "SELFWORK_MEDIA_S3_ENDPOINT_URL": "http://minio.lan:9000"}
    assert media_image_sources(endpoint) == [
        "http://minio.lan:9000",
        "http://*.minio.lan:9000",
    ]
    cdn = {**endpoint, "SELFWORK_MEDIA_URL": "https://cdn.example.org/media/"}
    assert media_image_sources(cdn) == ["https://cdn.example.org"]
