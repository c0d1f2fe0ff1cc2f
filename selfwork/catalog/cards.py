"""Card rows: what a page of listings shows of each one, pre-rendered.

A listing's card (``ListingCard``) holds the JSON text of its list API item as the
API sends it, less the members other apps own or that depend on who reads:
the community's and category's slugs, the owner's username and display name
(communities and accounts sit below the catalog and cannot tell it they
changed), and the price in the viewer's currency. A page of listings is one
query over ``catalog_listing`` (its indexes do the filtering and sorting) that
joins the card, the owner, the community and the category and returns plain
tuples; the response is written from them as text, with no model objects and no
second validation (decision 0029).

The catalog's services call ``listing_cards_refresh`` in the transaction of every
write that changes what a card shows; ``selfwork cards rebuild`` rewrites all.
It also copies each listing's status and price onto its mode rows, which a page
of one mode sorted by price reads (decision 0036).
"""

import itertools
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import connections, router
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from selfwork.catalog.models import (
    Listing,
    ListingCard,
    ListingImage,
    ListingMode,
    ListingPackage,
)
from selfwork.catalog.out import ListingOut, listing_out
from selfwork.catalog.terms import terms_record
from selfwork.core.formats import money_format
from selfwork.core.fx import fx_convert
from selfwork.core.generations import LISTINGS, generation_bump
from selfwork.core.models import Upload
from selfwork.core.money import HOUR, Money

# The item's members joined in when a page is read, not stored in the card.
READ_TIME = ("community", "owner", "owner_name", "category", "price_in_viewer_currency")
BATCH = 500


def listing_prefetches(to_attr: bool) -> list[Prefetch]:
    """Modes with their packages, and images with their uploads, in order.

    ``to_attr`` stores plain lists (``Listing.mode_rows`` and friends read them):
    no QuerySet is built per row, which is what a page of cards needs. Without
    it, ``listing.modes.all()`` stays prefetched for the code of a single listing.
    """

    def named(name: str) -> dict[str, str]:
        return {"to_attr": f"prefetched_{name}"} if to_attr else {}

    packages = Prefetch(
        "packages",
        queryset=ListingPackage.objects.order_by("position", "pk"),
        **named("packages"),
    )
    return [
        Prefetch(
            "modes",
            queryset=ListingMode.objects.order_by("pk").prefetch_related(packages),
            **named("modes"),
        ),
        Prefetch(
            "images",
            queryset=ListingImage.objects.select_related("upload"),
            **named("images"),
        ),
    ]


def _listings(ids: list[int]) -> QuerySet[Listing]:
    return (
        Listing.objects.filter(pk__in=ids)
        .select_related("community", "owner", "category")
        .prefetch_related(*listing_prefetches(to_attr=True))
    )


def card_item(listing: Listing) -> str:
    """The stored part of ``listing``'s list item, as JSON text.

    Built by the API's own builder and passed through the response schema once,
    here, so a page read later sends exactly what the schema would have sent.
    """
    raw = listing_out(listing, viewer_currency=HOUR, rates={})
    item = ListingOut.model_validate(raw).model_dump(mode="json")
    for key in READ_TIME:
        del item[key]
    return json.dumps(item, ensure_ascii=False, separators=(",", ":"))


def price_summary_of(listing: Listing) -> dict[str, Any]:
    """What a card says about price: ``{"text": "€40.00", "several": True, ...}``.

    Reads the prefetched modes and packages; no query.
    """
    if listing.price_minor is None:
        return {"text": "Free", "free": True, "several": False}
    count = 0
    for mode in listing.mode_rows:
        if mode.price_minor is not None:
            count += 1
        count += len(mode.package_rows)
    return {
        "text": money_format(Money(listing.price_minor, listing.price_unit)),
        "free": False,
        "several": count > 1,
        "minor": listing.price_minor,
        "unit": listing.price_unit,
    }


def card_web(listing: Listing) -> str:
    """What the HTML card shows of ``listing`` itself, as JSON text."""
    image = listing.card_image
    mean = listing.rating_mean
    return json.dumps(
        {
            "id": str(listing.public_id),
            "title": listing.title,
            "status": listing.status,
            "city": listing.city,
            "price": price_summary_of(listing),
            "rating": [str(mean) if mean is not None else None, listing.rating_count],
            "modes": listing.card_modes,
            "image": None
            if image is None
            else [image.file.name, image.width, image.height, image.thumbnails],
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def listing_cards_refresh(*, listing_ids: Iterable[int]) -> int:
    """Rewrite the cards of ``listing_ids`` (those that still exist), and the
    copies of their status and price their mode rows keep; return how many.

    Called by the catalog's services in the transaction of the write, so a card
    never shows what was rolled back.
    """
    ids = sorted(set(listing_ids))
    written = 0
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        of_listing = Listing.objects.filter(pk=OuterRef("listing_id"))
        ListingMode.objects.filter(listing_id__in=batch).update(
            listing_status=Subquery(of_listing.values("status")[:1]),
            listing_price_unit=Subquery(of_listing.values("price_unit")[:1]),
            listing_sort_price=Subquery(of_listing.values("sort_price")[:1]),
        )
        cards = [
            ListingCard(
                listing_id=listing.pk, item=card_item(listing), web=card_web(listing)
            )
            for listing in _listings(batch)
        ]
        ListingCard.objects.bulk_create(
            cards,
            update_conflicts=True,
            unique_fields=["listing"],
            update_fields=["item", "web"],
        )
        _terms_record(batch)
        written += len(cards)
    generation_bump(LISTINGS)
    return written


def _terms_record(listing_ids: list[int]) -> None:
    """Keep the terms of these listings' text for SQLite's search (``catalog.terms``)."""
    if connections[router.db_for_write(Listing)].vendor != "sqlite":
        return
    texts = Listing.objects.filter(pk__in=listing_ids).values_list(
        "title", "tags_text", "description"
    )
    terms_record(" ".join(filter(None, row)) for row in texts)


def listing_cards_rebuild(*, missing_only: bool = False) -> Iterator[int]:
    """Rewrite every listing's card (or only the missing ones), a batch at a time;
    yield how many are written after each batch."""
    rows = Listing.objects.order_by("pk")
    if missing_only:
        rows = rows.filter(card__isnull=True)
    ids = rows.values_list("pk", flat=True).iterator(chunk_size=BATCH)
    written = 0
    while chunk := list(itertools.islice(ids, BATCH)):
        written += listing_cards_refresh(listing_ids=chunk)
        yield written


class CardRow(NamedTuple):
    """One listing of a page: its sort keys, what is joined in, and its card."""

    id: int
    created_at: Any
    rating_key: int
    sort_price: int
    price_minor: int | None
    price_unit: str
    community: str
    owner: str
    owner_display_name: str
    category: str | None
    item: str | None


COLUMNS = (
    "id",
    "created_at",
    "rating_key",
    "sort_price",
    "price_minor",
    "price_unit",
    "community__slug",
    "owner__username",
    "owner__display_name",
    "category__slug",
    "card__item",
)


def card_rows(rows: QuerySet[Listing]) -> list[CardRow]:
    """Read ``rows`` (filtered, ordered, sliced) as card rows: one query."""
    return card_rows_of(rows.values_list(*COLUMNS))


def card_rows_of(rows: Iterable[tuple]) -> list[CardRow]:
    """Card rows from rows of ``COLUMNS``."""
    return [CardRow(*row) for row in rows]


def card_json(row: CardRow, *, currency: str, rates: dict[str, Decimal]) -> str:
    """The list API item of ``row`` as JSON text, for a viewer who reads ``currency``."""
    converted = None
    if row.price_minor and row.price_unit != HOUR:
        converted = fx_convert(Money(row.price_minor, row.price_unit), currency, rates)
    item = row.item
    if item is None:  # a listing written around the services: build it now
        item = card_item(_listings([row.id]).get())
    head = {
        "community": row.community,
        "owner": row.owner,
        "owner_name": row.owner_display_name or row.owner,
        "category": row.category,
        "price_in_viewer_currency": converted.as_dict() if converted else None,
    }
    return json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1] + (
        "," + item[1:]
    )


def cards_page_json(
    rows: list[CardRow], *, next: str | None, currency: str, rates: dict[str, Decimal]
) -> str:
    """A page of list items, ``{"items": [...], "next": ...}``, as JSON text."""
    items = ",".join(card_json(r, currency=currency, rates=rates) for r in rows)
    return f'{{"items":[{items}],"next":{json.dumps(next)}}}'


# What an HTML card joins in from other apps: the community's name, the owner's
# name and avatar.
WEB_COLUMNS = (
    "id",
    "created_at",
    "rating_key",
    "sort_price",
    "community__slug",
    "community__name",
    "owner__username",
    "owner__display_name",
    "owner__avatar__file",
    "owner__avatar__width",
    "owner__avatar__height",
    "owner__avatar__thumbnails",
    "card__web",
)


class Named(NamedTuple):
    slug: str
    name: str


class Owner(NamedTuple):
    username: str
    name: str
    avatar: Upload | None


def _upload(name: str | None, width, height, thumbnails) -> Upload | None:
    """An image to show, from its stored columns (not saved, never queried)."""
    if not name:
        return None
    return Upload(file=name, width=width, height=height, thumbnails=thumbnails)


@dataclass
class CardView:
    """What ``web/_listing_card.html`` shows, read from a card row: the same names
    a ``Listing`` offers the template."""

    id: int
    created_at: Any
    rating_key: int
    sort_price: int
    community: Named
    owner: Owner
    public_id: str
    title: str
    status: str
    city: str
    card_price: dict[str, Any]
    rating_mean: str | None
    rating_count: int
    card_modes: list[str]
    card_image: Upload | None


def card_views(rows: QuerySet[Listing]) -> list[CardView]:
    """Read ``rows`` (filtered, ordered, sliced) as HTML cards: one query."""
    return card_views_of(rows.values_list(*WEB_COLUMNS))


def card_views_of(rows: Iterable[tuple]) -> list[CardView]:
    """HTML cards from rows of ``WEB_COLUMNS``."""
    views = []
    for row in rows:
        (pk, created, key, price, slug, community, username, display) = row[:8]
        web = row[12]
        if web is None:  # a listing written around the services: build it now
            web = card_web(_listings([pk]).get())
        card = json.loads(web)
        views.append(
            CardView(
                id=pk,
                created_at=created,
                rating_key=key,
                sort_price=price,
                community=Named(slug, community),
                owner=Owner(username, display or username, _upload(*row[8:12])),
                public_id=card["id"],
                title=card["title"],
                status=card["status"],
                city=card["city"],
                card_price=card["price"],
                rating_mean=card["rating"][0],
                rating_count=card["rating"][1],
                card_modes=card["modes"],
                card_image=_upload(*card["image"]) if card["image"] else None,
            )
        )
    return views
