"""Where media live: the local disk by default, S3-compatible storage when configured.

Read by the settings module (so it imports nothing from Django) and by tests that
point the storages at a server of their own.

Two named storages:

- ``default``: public media (avatars, listing and post images, their thumbnails),
  linked directly from pages;
- ``private``: deliverables of exchanges, never linked directly. On the local disk
  they live under ``private/`` in the media root, which ``/media/`` refuses to
  serve; on S3 they are written without public read access and fetched through
  presigned links a few minutes long, handed out by the app after it has checked
  the viewer.
"""

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# How long a presigned link to a private file stays valid: long enough to start a
# download, short enough that a forwarded link is soon useless.
PRIVATE_LINK_SECONDS = 300
STATIC_STORAGE = {"BACKEND": "selfwork.core.storage.StaticStorage"}
S3_BACKEND = "storages.backends.s3.S3Storage"


def media_storages(env: Mapping[str, str], *, media_root: Path) -> dict[str, Any]:
    """Return Django's ``STORAGES`` for the ``SELFWORK_MEDIA_*`` variables in ``env``."""
    bucket = env.get("SELFWORK_MEDIA_S3_BUCKET", "").strip()
    if not bucket:
        return {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "private": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                # The same folder as public media, under ``private/``, which the
                # app's /media/ refuses (and a proxy in front must refuse too).
                "OPTIONS": {"location": str(media_root)},
            },
            "staticfiles": STATIC_STORAGE,
        }
    common: dict[str, Any] = {
        "endpoint_url": env.get("SELFWORK_MEDIA_S3_ENDPOINT_URL") or None,
        "access_key": env.get("SELFWORK_MEDIA_S3_ACCESS_KEY") or None,
        "secret_key": env.get("SELFWORK_MEDIA_S3_SECRET_KEY") or None,
        "region_name": env.get("SELFWORK_MEDIA_S3_REGION") or None,
        # Names are random and never reused: skip the existence check (one HEAD
        # request per file) that finding a free name would cost.
        "file_overwrite": True,
        "signature_version": "s3v4",
    }
    public: dict[str, Any] = {
        **common,
        "bucket_name": bucket,
        "default_acl": "public-read",
        "querystring_auth": False,
        # Thumbnails and re-encoded images never change under their name.
        "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
    }
    if media_url := env.get("SELFWORK_MEDIA_URL", "").strip():
        parts = urlsplit(media_url)
        public["custom_domain"] = f"{parts.netloc}{parts.path}".rstrip("/")
        public["url_protocol"] = f"{parts.scheme or 'https'}:"
    private = {
        **common,
        "bucket_name": env.get("SELFWORK_MEDIA_S3_PRIVATE_BUCKET", "").strip()
        or bucket,
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": PRIVATE_LINK_SECONDS,
        "object_parameters": {"CacheControl": "private, no-store"},
    }
    return {
        "default": {"BACKEND": S3_BACKEND, "OPTIONS": public},
        "private": {"BACKEND": S3_BACKEND, "OPTIONS": private},
        "staticfiles": STATIC_STORAGE,
    }


def media_url(env: Mapping[str, str]) -> str:
    """The base URL of public media: ``SELFWORK_MEDIA_URL``, else ``/media/``."""
    url = env.get("SELFWORK_MEDIA_URL", "").strip()
    return url.rstrip("/") + "/" if url else "/media/"


def media_image_sources(env: Mapping[str, str]) -> list[str]:
    """The origins public media are loaded from, for the CSP's ``img-src``.

    None on the local disk (``/media/`` is this origin). On S3: the origin of
    ``SELFWORK_MEDIA_URL`` when set, else the endpoint's, with its subdomains for
    virtual-hosted bucket addresses (``https://*.amazonaws.com`` on AWS).
    """
    if media_url := env.get("SELFWORK_MEDIA_URL", "").strip():
        parts = urlsplit(media_url)
        return [f"{parts.scheme}://{parts.netloc}"] if parts.netloc else []
    if not env.get("SELFWORK_MEDIA_S3_BUCKET", "").strip():
        return []
    endpoint = env.get("SELFWORK_MEDIA_S3_ENDPOINT_URL", "").strip()
    if not endpoint:
        return ["https://*.amazonaws.com"]
    parts = urlsplit(endpoint)
    return [f"{parts.scheme}://{parts.netloc}", f"{parts.scheme}://*.{parts.netloc}"]
