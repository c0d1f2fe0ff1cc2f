"""Signatures exactly as the Standard Webhooks specification defines them.

``webhook-signature`` is ``v1,<base64 HMAC-SHA256>`` of ``{id}.{timestamp}.{body}``,
keyed with the base64-decoded part of the secret after ``whsec_``; several
signatures (the current secret's and, after a rotation, the previous one's) are
separated by spaces, and a receiver accepts the message if any matches.
"""

import base64
import hashlib
import hmac
import secrets

PREFIX = "whsec_"
SECRET_BYTES = 32


def secret_new() -> str:
    """A fresh signing secret: ``whsec_`` and base64 of 32 random bytes."""
    return PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def signature(*, secret: str, message_id: str, timestamp: int, body: str) -> str:
    """``v1,<signature>`` of one message under one secret."""
    key = base64.b64decode(secret.removeprefix(PREFIX))
    signed = f"{message_id}.{timestamp}.{body}".encode()
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(
    *, secrets_in_use: list[str], message_id: str, timestamp: int, body: str
) -> dict[str, str]:
    """The three headers of a Standard Webhooks message, signed by every secret."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            signature(secret=s, message_id=message_id, timestamp=timestamp, body=body)
            for s in secrets_in_use
        ),
    }
