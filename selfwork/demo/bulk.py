"""A large, varied marketplace for benchmarks: ``selfwork bench seed --listings N``.

People, communities and categories go through the services (a few dozen rows, so
the ledger accounts they open are the services' own). Listings, their modes and
packages are written with bulk inserts in batches: a million through
``listing_create`` would take about an hour, in batches it takes minutes. The rows
carry exactly what ``listing_create`` would derive (``tags_text``, the "from"
price in ``price_minor``/``price_unit``/``sort_price``); the full-text index fills
itself (the SQLite triggers, the PostgreSQL generated column). No listing touches
the ledger, so ``selfwork audit`` passes on the result.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction

from selfwork.accounts.models import Member
from selfwork.accounts.services import api_token_create, member_signup
from selfwork.catalog.cards import listing_cards_refresh
from selfwork.catalog.models import Listing, ListingMode, ListingPackage
from selfwork.communities.models import Category, Community, Mode
from selfwork.communities.services import (
    category_create,
    community_create,
    community_join,
)
from selfwork.exchanges.models import Exchange
from selfwork.exchanges.services import exchange_order

BASE_TIME = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
BATCH = 5000
PASSWORD = "bench-password-2026"

# Words of three selectivities: a few common ones (a tag on an eighth of the
# listings), many ordinary ones, and rare ones (one listing in ~10,000).
COMMON = ["portrait", "drill", "camera", "bag", "logo", "cover", "tent", "lesson"]
ORDINARY = [
    "oak",
    "walnut",
    "linen",
    "wool",
    "canvas",
    "leather",
    "brass",
    "copper",
    "ceramic",
    "glass",
    "paper",
    "velvet",
    "vintage",
    "modern",
    "rustic",
    "minimal",
    "bold",
    "tiny",
    "large",
    "folding",
    "cordless",
    "waterproof",
    "handmade",
    "painted",
    "carved",
    "woven",
    "knitted",
    "printed",
    "restored",
    "tuned",
    "sharpened",
    "bicycle",
    "kayak",
    "ladder",
    "mixer",
    "sander",
    "router",
    "lantern",
    "stove",
    "hammock",
    "jacket",
    "quilt",
    "poster",
    "sticker",
    "mural",
    "sketch",
    "caricature",
    "mascot",
    "banner",
    "flyer",
    "invitation",
    "menu",
    "guitar",
    "violin",
    "piano",
    "drum",
    "ukulele",
    "yoga",
    "pilates",
    "spanish",
    "french",
    "maths",
    "coding",
    "garden",
    "hedge",
    "lawn",
    "fence",
    "shelf",
    "table",
    "chair",
    "lamp",
    "mirror",
    "frame",
    "vase",
    "bowl",
    "mug",
]
RARE = [f"zephyr{n:04d}" for n in range(100)]
CITIES = [
    ("Lyon", "FR"),
    ("Leeds", "GB"),
    ("Porto", "PT"),
    ("Austin", "US"),
    ("Ghent", "BE"),
    ("Bremen", "DE"),
]
CURRENCIES = ["EUR", "EUR", "EUR", "GBP", "USD"]
COMMUNITIES = [("makers", "Makers"), ("guild", "Guild"), ("riverside", "Riverside")]
CATEGORIES = [("art", "Art"), ("tools", "Tools"), ("lessons", "Lessons")]


@dataclass
class _Market:
    communities: list[Community]
    members: list[Member]
    categories: dict[int, list[Category]]


def _market(members: int) -> _Market:
    """Hosts, members, communities and categories, through the services."""
    people = [
        member_signup(
            username=f"bench{n}",
            email=f"bench{n}@example.com",
            password=PASSWORD,
            now=BASE_TIME,
        )
        for n in range(members)
    ]
    host = people[0]
    communities = [
        community_create(creator=host, slug=slug, name=name, now=BASE_TIME)
        for slug, name in COMMUNITIES
    ]
    categories: dict[int, list[Category]] = {}
    for community in communities:
        for person in people[1:]:
            community_join(community=community, member=person, now=BASE_TIME)
        categories[community.pk] = [
            category_create(community=community, actor=host, slug=slug, name=name)
            for slug, name in CATEGORIES
        ]
    return _Market(communities, people, categories)


def _modes_for(
    rng: random.Random, listing: Listing, currency: str
) -> list[ListingMode]:
    """One or two modes with their terms; service modes carry packages."""
    chosen = rng.sample(
        [m.value for m in Mode if m != Mode.TIMEBANK], rng.randint(1, 2)
    )
    modes = []
    for mode in chosen:
        row = ListingMode(listing=listing, mode=mode)
        if mode in (Mode.MADE_TO_ORDER, Mode.RENTAL):
            row.price_minor = rng.randint(2, 400) * 100 + rng.choice([0, 50, 99])
            row.unit = currency
        if mode == Mode.RENTAL:
            row.rental_unit = ListingMode.RentalUnit.DAY
            row.deposit_minor = rng.choice([0, 2000, 5000])
        if mode == Mode.SERVICE:
            row.unit = currency
        if mode == Mode.SWAP:
            row.wants = rng.choice(ORDINARY)
        modes.append(row)
    return modes


def _packages_for(rng: random.Random, mode: ListingMode) -> list[ListingPackage]:
    if mode.mode != Mode.SERVICE:
        return []
    base = rng.randint(10, 200) * 100
    return [
        ListingPackage(
            mode=mode,
            name=name,
            price_minor=base * (n + 1),
            unit=mode.unit,
            delivery_days=3 + 2 * n,
            revisions=n,
            position=n,
        )
        for n, name in enumerate(["Basic", "Standard", "Premium"][: rng.randint(1, 3)])
    ]


def _listing(rng: random.Random, market: _Market, n: int, currency: str) -> Listing:
    common = COMMON[n % len(COMMON)]
    words = rng.sample(ORDINARY, 4)
    tags = [common, words[0]]
    if n % 97 == 0:
        tags.append(RARE[(n // 97) % len(RARE)])
    community = market.communities[n % len(market.communities)]
    city, country = CITIES[rng.randrange(len(CITIES))]
    return Listing(
        community=community,
        owner=market.members[rng.randrange(len(market.members))],
        title=f"{words[1].title()} {common} {words[2]}",
        description=(
            f"A {words[3]} {common} offered by a neighbour in {city}. "
            f"{rng.choice(ORDINARY).title()} and {rng.choice(ORDINARY)}, "
            "ready when you are."
        ),
        tags=tags,
        tags_text=" ".join(tags),
        category=rng.choice(market.categories[community.pk] + [None]),
        city=city,
        country=country,
        created_at=BASE_TIME + dt.timedelta(seconds=37 * n),
        updated_at=BASE_TIME + dt.timedelta(seconds=37 * n),
    )


def _from_price(modes: list[ListingMode], packages: list[ListingPackage]):
    """The lowest price among modes and packages, as ``listing_create`` derives it."""
    prices = [(p.price_minor, p.unit) for p in packages]
    prices += [(m.price_minor, m.unit) for m in modes if m.price_minor is not None]
    return min(prices) if prices else None


@transaction.atomic
def _write_batch(rng: random.Random, market: _Market, start: int, size: int) -> None:
    listings, modes, packages = [], [], []
    for n in range(start, start + size):
        currency = rng.choice(CURRENCIES)
        listing = _listing(rng, market, n, currency)
        its_modes = _modes_for(rng, listing, currency)
        its_packages = [p for m in its_modes for p in _packages_for(rng, m)]
        price = _from_price(its_modes, its_packages)
        listing.price_minor = price[0] if price else None
        listing.price_unit = price[1] if price else ""
        listing.sort_price = price[0] if price else 0
        listings.append(listing)
        modes.append(its_modes)
        packages.append(its_packages)
    # Each mode and package already points at its unsaved parent; Django copies
    # the parent's new id into the child when the child is inserted.
    Listing.objects.bulk_create(listings)
    ListingMode.objects.bulk_create([m for its in modes for m in its])
    ListingPackage.objects.bulk_create([p for its in packages for p in its])
    listing_cards_refresh(listing_ids=[listing.pk for listing in listings])


def bench_seed(*, listings: int, members: int = 20, seed: int = 2026) -> Iterator[int]:
    """Write ``listings`` varied listings; yield how many are written after each batch."""
    rng = random.Random(seed)
    market = _market(members)
    written = 0
    while written < listings:
        size = min(BATCH, listings - written)
        _write_batch(rng, market, written, size)
        written += size
        yield written


@dataclass(frozen=True)
class BenchCustomer:
    """A member with open orders, and the API token to read them with."""

    username: str
    token: str
    exchanges: list[str]


def bench_orders(*, count: int) -> BenchCustomer:
    """Place ``count`` orders through the services, all by one customer.

    Orders on made-to-order listings in euros, the communities' currency: each
    starts an exchange awaiting payment, so nothing reaches the ledger yet.
    """
    customer = Member.objects.get(username="bench1")
    listings = (
        Listing.objects.filter(modes__mode=Mode.MADE_TO_ORDER, price_unit="EUR")
        .exclude(owner=customer)
        .order_by("pk")[:count]
    )
    orders: list[Exchange] = [
        exchange_order(
            listing=listing,
            customer=customer,
            mode=Mode.MADE_TO_ORDER,
            now=BASE_TIME + dt.timedelta(days=400),
        )
        for listing in listings
    ]
    token = api_token_create(
        member=customer, now=BASE_TIME + dt.timedelta(days=400), name="bench"
    )
    return BenchCustomer(customer.username, token, [str(e.public_id) for e in orders])
