"""Listing cards as HTML, written out in Python rather than by a template per card.

A page of 24 cards cost about 17 ms in Django's template engine (0.7 ms a card:
an include, a dozen tags and filters, three URL reversals, each resolved
through the context stack), most of a search page's time. Here a card is one
string joined from its escaped values; what every card shares (the words, the
URLs' fixed parts) is worked out once per page (decision 0032).

The markup is that of the template it replaces (``web/_listing_card.html``):
the same elements, classes, words and escaping. The words come from the same
message ids, so every translation applies unchanged. A card reads the names a
``Listing`` offers a template, so card rows (``catalog.cards.CardView``) and
listings alike are shown by it.
"""

import html
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from django.http import HttpRequest
from django.urls import reverse
from django.utils.formats import localize
from django.utils.functional import Promise
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext, pgettext

from selfwork.web.templatetags.selfwork import (
    hue,
    in_my_currency_for,
    initials,
    mode_label,
    picture,
    price_summary,
)


def _e(value: Any) -> str:
    """``value`` escaped for HTML, as ``conditional_escape`` escapes it.

    Django's own goes through ``keep_lazy`` on every call, which costs more than
    the escaping itself when a page escapes some 500 values.
    """
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


class _Route:
    """One named URL with one argument, reversed once: ``route.url(value)``.

    Reversing costs about 30 µs (the resolver's patterns, the script prefix); a
    page of cards would reverse three per card. ``sample`` is a value the
    route's converter accepts, reversed in place of the real ones, which are
    quoted as ``reverse`` quotes them.
    """

    def __init__(self, name: str, sample: str):
        self.head, self.tail = reverse(name, args=[sample]).split(sample)

    def url(self, value: Any) -> str:
        """The path for ``value``, escaped for an attribute."""
        return _e(f"{self.head}{quote(str(value), safe=_SAFE)}{self.tail}")


# What ``reverse`` leaves unquoted in a path.
_SAFE = RFC3986_SUBDELIMS + "/~:@"


class CardWriter:
    """Writes the cards of one page for one request (its language and currency).

    What is the same on every card (the words, the URLs' fixed parts) is worked
    out once, here.
    """

    def __init__(self, request: HttpRequest | None, *, hide_community: bool = False):
        self.request = request
        self.hide_community = hide_community
        self.community = _Route("web:community", "card-slug")
        self.listing = _Route("web:listing", "00000000-0000-0000-0000-00000000ca7d")
        self.profile = _Route("web:profile", "card-username")
        # Words are looked up outside the f-strings: makemessages cannot see into
        # an f-string's expressions.
        hidden = gettext("Hidden")
        free = pgettext("price", "Free")
        several = pgettext("price", "from")
        self.ways = _e(gettext("Ways to exchange"))
        self.hidden = f'<span class="badge badge-muted card-flag">{_e(hidden)}</span>'
        self.free = f'<span class="price-main">{_e(free)}</span>'
        self.several = f'<span class="price-from">{_e(several)}</span> '
        self.chips: dict[str, str] = {}

    def card(self, listing: Any) -> str:
        """One card in its list item, as escaped HTML."""
        owner = listing.owner
        if self.hide_community:
            eyebrow = ""
        else:
            community = listing.community
            eyebrow = (
                f'<a class="card-eyebrow raised" href="{self.community.url(community.slug)}">'
                f"{_e(community.name)}</a>"
            )
        place = (
            f'<span class="place-line">{_e(listing.city)}</span>'
            if listing.city
            else ""
        )
        return (
            '<li><article class="card listing-card"><div class="card-media">'
            f"{self._media(listing)}"
            f"{self.hidden if listing.status == 'hidden' else ''}"
            f'</div><div class="card-body">{eyebrow}'
            '<h3 class="card-title"><a class="stretched" '
            f'href="{self.listing.url(listing.public_id)}">{_e(listing.title)}</a></h3>'
            f'<p class="price">{self._price(listing)}</p>'
            f"{_rating(listing.rating_mean, listing.rating_count)}"
            f'<ul class="chips" aria-label="{self.ways}">'
            f"{''.join(self._chip(mode) for mode in listing.card_modes)}</ul>"
            '<div class="card-foot"><a class="owner-line raised" '
            f'href="{self.profile.url(owner.username)}">{_avatar(owner)}'
            f"<span>{_e(owner.name)}</span></a>{place}</div>"
            "</div></article></li>"
        )

    def _chip(self, mode: str) -> str:
        chip = self.chips.get(mode)
        if chip is None:
            chip = f'<li class="chip chip-{_e(mode)}">{_e(mode_label(mode))}</li>'
            self.chips[mode] = chip
        return chip

    def _media(self, listing: Any) -> str:
        image = listing.card_image
        if image:
            return picture(image, "card")
        return (
            f'<div class="media-placeholder hue-{hue(listing.title)}" aria-hidden="true">'
            f"<span>{_e(initials(listing.title))}</span></div>"
        )

    def _price(self, listing: Any) -> str:
        price = price_summary(listing)
        if price["free"]:
            return self.free
        fx = in_my_currency_for(self.request, price["minor"], price["unit"])
        if fx:
            fx = f' <span class="price-fx">{_e(fx)}</span>'
        return (
            f"{self.several if price['several'] else ''}"
            f'<span class="price-main">{_e(price["text"])}</span>{fx}'
        )


def _rating(mean: Any, count: int) -> str:
    """What ``web/_rating.html`` shows for a card: nothing before the first review."""
    if not count:
        return ""
    # The message ids of the template's {% blocktranslate %}: the words are not
    # escaped (they are the site's own), the values are.
    words = ngettext(
        "Rated %(mean)s out of 5 in %(counter)s review.",
        "Rated %(mean)s out of 5 in %(counter)s reviews.",
        count,
    ) % {"mean": _e(localize(mean)), "counter": _e(localize(count))}
    return (
        '<p class="rating-line"><span class="rating-star" aria-hidden="true">★</span>'
        f" {words}</p>"
    )


def _avatar(member: Any) -> str:
    """What ``web/_avatar.html`` shows at size ``xs``."""
    if member.avatar:
        return picture(member.avatar, "avatar", css_class="avatar avatar-xs")
    return (
        '<span class="avatar avatar-xs avatar-initials '
        f'hue-{hue(member.username)}" aria-hidden="true">{_e(initials(member.name))}</span>'
    )


def listing_cards_html(
    listings: Iterable[Any], *, request: HttpRequest | None, hide_community=False
) -> SafeString:
    """Each of ``listings`` as a card in a list item, for ``request``'s viewer."""
    writer = CardWriter(request, hide_community=hide_community)
    return mark_safe(  # noqa: S308 - every value escaped by _e
        "\n".join(writer.card(listing) for listing in listings)
    )
