"""Template helpers: money, Markdown, prices in the viewer's currency, mode names.

Exchange rates are read once per request (``fx_table`` is one query) and kept on the
request, however many cards a page shows.
"""

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from selfwork.catalog.cards import price_summary_of
from selfwork.communities.models import Mode
from selfwork.core.formats import (
    date_format,
    datetime_format,
    money_format,
    relative_format,
)
from selfwork.core.fx import fx_convert, fx_table
from selfwork.core.money import HOUR, Money
from selfwork.core.text import markdown_render

register = template.Library()

DEFAULT_CURRENCY = "EUR"
_MODE_LABELS = dict(Mode.choices)
_MODE_HINTS = {
    "made_to_order": _("Made for you, to your wishes"),
    "service": _("Packages with delivery times"),
    "rental": _("Borrow for a fee, with a deposit"),
    "lend": _("Borrow for free or for time credits"),
    "swap": _("Trade it for something"),
    "gift": _("Free to a good home"),
    "timebank": _("Paid in hours, an hour for an hour"),
}


def viewer_currency(request) -> str:
    """The currency a person sees prices in: their preference, else EUR."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user.preferred_currency or DEFAULT_CURRENCY
    return DEFAULT_CURRENCY


def request_rates(request) -> dict[str, Decimal]:
    """The reference rates, read once per request."""
    if request is None:
        return fx_table()
    rates = getattr(request, "_selfwork_fx", None)
    if rates is None:
        rates = fx_table()
        request._selfwork_fx = rates
    return rates


@register.filter
def money(minor: Any, unit: str | None = None) -> str:
    """``{{ 4000|money:"EUR" }}`` → ``€40.00`` (``40,00 €`` in French); a Money
    object needs no argument. Hours read ``1.5 hours``."""
    if isinstance(minor, Money):
        return money_format(minor)
    if minor in (None, "") or not unit:
        return ""
    return money_format(Money(int(minor), unit))


@register.filter
def local_date(value: Any) -> str:
    """A date (or a datetime's day in the viewer's time zone) in their language."""
    if not isinstance(value, dt.date):
        return ""
    return date_format(value)


@register.filter
def local_datetime(value: Any) -> str:
    """A moment in the viewer's time zone and language: ``Mar 14, 2026, 4:30 PM``."""
    if not isinstance(value, dt.datetime):
        return ""
    return datetime_format(value)


@register.filter
def relative(value: Any) -> str:
    """How far a moment is from now, in words: ``in 2 days``, ``3 hours ago``."""
    if not isinstance(value, dt.datetime):
        return ""
    return relative_format(value)


@register.filter
def markdown(value: str) -> str:
    """Render member-written Markdown through the allow-list sanitiser."""
    return mark_safe(markdown_render(value or ""))  # noqa: S308 - sanitised by nh3


@register.filter
def mode_label(mode: str) -> str:
    return str(_MODE_LABELS.get(mode, mode))


@register.filter
def mode_hint(mode: str) -> str:
    return str(_MODE_HINTS.get(mode, ""))


@register.simple_tag(takes_context=True)
def in_my_currency(context, minor: Any, unit: str | None = None) -> str:
    """``≈ NZ$41.20`` for a price in another currency than the viewer's, else ''."""
    return in_my_currency_for(context.get("request"), minor, unit)


def in_my_currency_for(request, minor: Any, unit: str | None = None) -> str:
    """What ``{% in_my_currency %}`` shows, for the viewer of ``request``."""
    if isinstance(minor, Money):
        price = minor
    elif minor in (None, "") or not unit:
        return ""
    else:
        price = Money(int(minor), unit)
    if price.unit == HOUR:
        return ""
    target = viewer_currency(request)
    if price.unit == target:
        return ""
    converted = fx_convert(price, target, request_rates(request))
    if converted is None:
        return ""
    return gettext("≈ %(price)s") % {"price": money_format(converted)}


@register.filter
def price_summary(listing) -> dict[str, Any]:
    """What a card says about price: ``{"text": "€40.00", "several": True, ...}``.

    A card row carries it; a listing's is worked out from its prefetched modes
    and packages, with no query.
    """
    stored = getattr(listing, "card_price", None)
    summary = dict(stored) if stored is not None else price_summary_of(listing)
    # The stored summary holds the amount; its words are written in the viewer's
    # language and number format here, not once for everyone.
    if summary["free"]:
        summary["text"] = pgettext("price", "Free")
    else:
        summary["text"] = money_format(Money(summary["minor"], summary["unit"]))
    return summary


@register.filter
def initials(name: str) -> str:
    parts = [p for p in str(name or "").replace("_", " ").split() if p]
    if not parts:
        return "?"
    letters = parts[0][0] + (parts[1][0] if len(parts) > 1 else "")
    return letters.upper()


# Warm and calm hues that keep white or dark text readable on them.
_HUES = (12, 28, 42, 95, 150, 172, 196, 214, 258, 285, 330, 350)


@register.filter
def hue(text: str) -> int:
    """A stable hue for a name, for placeholder covers and initials avatars."""
    digest = hashlib.blake2s(str(text or "").encode(), digest_size=4).digest()
    return _HUES[int.from_bytes(digest, "big") % len(_HUES)]


@register.filter
def percent(value: Any) -> str:
    """``Decimal("5.00")`` → ``5%``; ``7.50`` → ``7.5%``."""
    if value in (None, ""):
        return ""
    number = Decimal(str(value)).normalize()
    return f"{number:f}%"


@register.filter
def get_item(mapping: dict, key: str) -> Any:
    if not isinstance(mapping, dict):
        return None
    return mapping.get(key)


@register.filter
def response_time(seconds: Any) -> str:
    """How long a median answer takes, in words: "within 5 minutes", "about 3 hours"."""
    if seconds in (None, ""):
        return ""
    minutes = max(1, round(int(seconds) / 60))
    if minutes < 60:
        return ngettext("within %(n)d minute", "within %(n)d minutes", minutes) % {
            "n": minutes
        }
    hours = round(minutes / 60)
    if hours < 48:
        return ngettext("about %(n)d hour", "about %(n)d hours", hours) % {"n": hours}
    days = round(hours / 24)
    return gettext("about %(n)d days") % {"n": days}


@register.simple_tag
def picture(
    upload, size: str = "card", alt: str = "", css_class: str = "", lazy: bool = True
) -> SafeString:
    """An image at one of the thumbnail sizes: WebP with a JPEG fallback.

    ``size`` is a name from ``core.images.THUMBNAIL_SIZES``. An image stored before
    thumbnails existed is shown as stored until ``selfwork media thumbnails``
    has made them.
    """
    if upload is None:
        return mark_safe("")  # noqa: S308 - empty
    thumb = upload.thumbnail(size)
    css = format_html(' class="{}"', css_class) if css_class else ""
    loading = mark_safe(' loading="lazy"') if lazy else ""
    if thumb is None:
        dims = (
            format_html(' width="{}" height="{}"', upload.width, upload.height)
            if upload.width and upload.height
            else ""
        )
        return format_html(
            '<img src="{}" alt="{}"{}{}{}>', upload.url, alt, css, dims, loading
        )
    storage = upload.file.storage
    return format_html(
        '<picture><source type="image/webp" srcset="{}">'
        '<img src="{}" alt="{}"{} width="{}" height="{}"{}></picture>',
        storage.url(thumb["webp"]),
        storage.url(thumb["jpeg"]),
        alt,
        css,
        thumb["width"],
        thumb["height"],
        loading,
    )


@register.simple_tag
def thumbnail_url(upload, size: str = "gallery") -> str:
    """The JPEG URL of ``upload`` at ``size``, or the stored image's URL."""
    thumb = upload.thumbnail(size) if upload is not None else None
    if upload is None:
        return ""
    if thumb is None:
        return upload.url
    return upload.file.storage.url(thumb["jpeg"])


class CaptureNode(template.Node):
    def __init__(self, nodelist: template.NodeList, name: str):
        self.nodelist = nodelist
        self.name = name

    def render(self, context: template.Context) -> str:
        # Rendered template output: escaped as it was rendered.
        context[self.name] = mark_safe(self.nodelist.render(context))  # noqa: S308
        return ""


@register.tag
def capture(parser: template.base.Parser, token: template.base.Token) -> CaptureNode:
    """``{% capture name %}…{% endcapture %}``: render once into ``name``, to
    show in more than one place (the menu shown inline and folded)."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("capture takes one name: {% capture name %}")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[1])
