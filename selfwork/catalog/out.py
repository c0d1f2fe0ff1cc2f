"""What the API answers about a listing: the response schemas, and ``listing_out``,
which builds one listing's item from its rows (the card writer and the webhooks
use it; pages of listings read the cards it wrote, ``catalog.cards``)."""

from decimal import Decimal
from typing import Any

from ninja import Field

from selfwork.catalog.models import Listing, ListingMode
from selfwork.core.api import Instant, MoneyOut, Out, PublicId
from selfwork.core.fx import fx_convert
from selfwork.core.money import Money


class PackageOut(Out):
    id: PublicId
    name: str
    description: str
    price: MoneyOut
    delivery_days: int
    revisions: int
    commercial_use: bool = Field(
        description="The buyer may use the work commercially (else personal use)."
    )
    credit_required: bool = Field(description="The buyer must credit the provider.")


class ChoiceOut(Out):
    label: str
    price_delta: MoneyOut


class OptionOut(Out):
    name: str
    choices: list[ChoiceOut]


class PromptOut(Out):
    prompt: str
    required: bool = False


class ModeOut(Out):
    mode: str
    price: MoneyOut | None = None
    hours: MoneyOut | None = None
    unit: str | None = None
    deposit: MoneyOut | None = None
    options: list[OptionOut] = []
    personalisation: list[PromptOut] = []
    wants: str = ""
    packages: list[PackageOut] = []


class ListingRatingOut(Out):
    mean: str | None = Field(
        description="The mean of its customers' published ratings (1 to 5), to "
        "one decimal place; null before the first."
    )
    count: int


class ListingOut(Out):
    id: PublicId
    title: str
    description: str
    community: str
    owner: str
    owner_name: str
    status: str
    kind: str = Field(
        description="offer, or request: the owner asks for help (timebank), and "
        "whoever answers it gives the time and earns the hours."
    )
    tags: list[str]
    category: str | None
    custom: dict[str, Any]
    city: str
    country: str
    modes: list[ModeOut]
    price: MoneyOut | None
    price_in_viewer_currency: MoneyOut | None
    images: list[str]
    rating: ListingRatingOut
    created_at: Instant
    updated_at: Instant
    url: str


class ListingPageOut(Out):
    items: list[ListingOut]
    next: str | None


def _mode_out(row: ListingMode) -> dict[str, Any]:
    out: dict[str, Any] = {
        "mode": row.mode,
        "wants": row.wants,
        "personalisation": row.personalisation,
    }
    if row.price_minor is not None:
        money = Money(row.price_minor, row.unit).as_dict()
        out["hours" if row.unit == "HOUR" else "price"] = money
    if row.mode == "rental":
        out["unit"] = row.rental_unit
        out["deposit"] = Money(row.deposit_minor, row.unit).as_dict()
    out["options"] = [
        {
            "name": o["name"],
            "choices": [
                {
                    "label": c["label"],
                    "price_delta": Money(c["price_delta_minor"], row.unit).as_dict(),
                }
                for c in o["choices"]
            ],
        }
        for o in row.options
    ]
    out["packages"] = [
        {
            "id": str(p.public_id),
            "name": p.name,
            "description": p.description,
            "price": Money(p.price_minor, p.unit).as_dict(),
            "delivery_days": p.delivery_days,
            "revisions": p.revisions,
            "commercial_use": p.commercial_use,
            "credit_required": p.credit_required,
        }
        for p in row.package_rows
    ]
    return out


def listing_out(
    listing: Listing, *, viewer_currency: str, rates: dict[str, Decimal]
) -> dict:
    price = (
        Money(listing.price_minor, listing.price_unit) if listing.price_minor else None
    )
    converted = (
        fx_convert(price, viewer_currency, rates)
        if price is not None and price.unit != "HOUR"
        else None
    )
    return {
        "id": str(listing.public_id),
        "title": listing.title,
        "description": listing.description,
        "community": listing.community.slug,
        "owner": listing.owner.username,
        "owner_name": listing.owner.name,
        "status": listing.status,
        "kind": listing.kind,
        "tags": listing.tags,
        "category": listing.category.slug if listing.category else None,
        "custom": listing.custom,
        "city": listing.city,
        "country": listing.country,
        "modes": [_mode_out(m) for m in listing.mode_rows],
        "price": MoneyOut.of(price),
        "price_in_viewer_currency": MoneyOut.of(converted),
        "images": [i.upload.url for i in listing.image_rows],
        "rating": {
            "mean": str(listing.rating_mean) if listing.rating_count else None,
            "count": listing.rating_count,
        },
        "created_at": listing.created_at.isoformat(),
        "updated_at": listing.updated_at.isoformat(),
        "url": f"/listings/{listing.public_id}/",
    }
