"""User text: plain names and Markdown, checked on the way in and sanitised on the way out.

Refusing markup in plain fields (instead of silently stripping it) tells the person
what went wrong and keeps what is stored equal to what they typed.
"""

import re

import nh3
from django.utils.translation import gettext
from markdown_it import MarkdownIt

from selfwork.core.errors import InvalidInput

# What a browser would read as the start of a tag: "<" directly followed by a
# letter, "/", "!" or "?". "A5 < A4" is text, not markup.
_TAG = re.compile(r"</?[a-zA-Z!?]")
_SCRIPT_URL = re.compile(r"(?i)\b(javascript|vbscript|data)\s*:")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h3",
    "h4",
    "h5",
    "h6",
    "a",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}


def plain_check(
    value: str, *, field: str, max_length: int, required: bool = True
) -> str:
    """Return ``value`` stripped, or raise if it is empty, too long or holds markup."""
    if not isinstance(value, str):
        raise InvalidInput(
            gettext("%(field)s must be text.") % {"field": field}, field=field
        )
    value = value.strip()
    if required and not value:
        raise InvalidInput(
            gettext("%(field)s is required.") % {"field": field},
            field=field,
            code="required",
        )
    if len(value) > max_length:
        raise InvalidInput(
            gettext("%(field)s is %(value)s characters; the limit is %(max_length)s.")
            % {"field": field, "value": len(value), "max_length": max_length},
            field=field,
            code="too_long",
        )
    if _TAG.search(value) or _CONTROL.search(value.replace("\n", "").replace("\t", "")):
        raise InvalidInput(
            gettext("%(field)s may not contain HTML tags or control characters.")
            % {"field": field},
            field=field,
            code="markup_not_allowed",
        )
    return value


def markdown_check(
    value: str, *, field: str, max_length: int, required: bool = False
) -> str:
    """Return Markdown ``value`` if it is within limits and holds no raw HTML or script URL."""
    value = plain_check_length(
        value, field=field, max_length=max_length, required=required
    )
    if _TAG.search(value):
        raise InvalidInput(
            gettext("%(field)s is Markdown; raw HTML tags are not allowed.")
            % {"field": field},
            field=field,
            code="markup_not_allowed",
        )
    if _SCRIPT_URL.search(value):
        raise InvalidInput(
            gettext(
                "%(field)s may not link to javascript:, vbscript: or data: addresses."
            )
            % {"field": field},
            field=field,
            code="markup_not_allowed",
        )
    return value


def plain_check_length(
    value: str, *, field: str, max_length: int, required: bool
) -> str:
    if not isinstance(value, str):
        raise InvalidInput(
            gettext("%(field)s must be text.") % {"field": field}, field=field
        )
    value = value.strip()
    if required and not value:
        raise InvalidInput(
            gettext("%(field)s is required.") % {"field": field},
            field=field,
            code="required",
        )
    if len(value) > max_length:
        raise InvalidInput(
            gettext("%(field)s is %(value)s characters; the limit is %(max_length)s.")
            % {"field": field, "value": len(value), "max_length": max_length},
            field=field,
            code="too_long",
        )
    return value


def markdown_render(value: str) -> str:
    """Render Markdown to HTML through an allow-list sanitiser (safe to mark safe)."""
    html = _markdown.render(value or "")
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
