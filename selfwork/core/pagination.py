"""Cursor pages for short, stable lists (communities, members).

Listings, the one list that grows without bound, page by keyset in their own
selector; these lists are small enough that a position cursor is exact and fast.
"""

import base64
import binascii
import json
from typing import TypeVar

from django.db.models import QuerySet
from django.utils.translation import gettext

from selfwork.core.errors import InvalidInput

T = TypeVar("T")


def cursor_encode(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def cursor_decode(cursor: str | None) -> dict:
    if not cursor:
        return {}
    try:
        data = json.loads(
            base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode())
        )
        if not isinstance(data, dict):
            raise ValueError
        return data
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidInput(
            gettext("The cursor is not one this server gave out."),
            field="cursor",
            code="invalid_cursor",
        ) from exc


def offset_page(
    rows: QuerySet, *, cursor: str | None, limit: int
) -> tuple[list, str | None]:
    """Return one page of ``rows`` (already ordered) and the cursor of the next."""
    position = cursor_decode(cursor).get("o", 0)
    if not isinstance(position, int) or position < 0 or position > 1_000_000:
        raise InvalidInput(
            gettext("The cursor is not one this server gave out."),
            field="cursor",
            code="invalid_cursor",
        )
    page = list(rows[position : position + limit + 1])
    more = len(page) > limit
    return page[:limit], cursor_encode({"o": position + limit}) if more else None
