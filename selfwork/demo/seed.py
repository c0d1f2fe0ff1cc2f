"""The demo marketplace: three communities, their members and listings, seeded once.

The seed first draws a plan — who joins what, when, and what they list at which
price — from a fixed random generator and the demo's present, the moment its history
ends: the same seed and the same present give the same demo on every machine, and
another present gives the same demo moved in time. Then it writes the plan through
the same services the web UI and the API call (sign-up, profile, uploads,
communities, listings), which makes the demo a proof that those services work
together.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction

from selfwork.accounts.models import Member
from selfwork.accounts.services import member_signup, member_update, portfolio_add
from selfwork.boards.demo import boards_demo_seed
from selfwork.catalog.services import availability_set, listing_create
from selfwork.communities.models import Community, Membership
from selfwork.communities.services import (
    category_create,
    community_create,
    community_join,
    listing_field_create,
    membership_approve,
    membership_set_role,
)
from selfwork.conversations.demo import conversations_demo_seed
from selfwork.core.uploads import upload_create
from selfwork.demo import art
from selfwork.demo.communities import COMMUNITIES, CONDITIONS
from selfwork.demo.offers import (
    GUILD_OFFERS,
    MAKERS_OFFERS,
    RIVERSIDE_OFFERS,
    SHARING_CALENDAR,
    Away,
    Offer,
)
from selfwork.demo.people import (
    GUILD,
    HOSTS,
    MAKERS,
    MODERATORS,
    PEOPLE,
    RIVERSIDE,
    Person,
)
from selfwork.exchanges.demo import exchanges_demo_seed
from selfwork.payments.demo import payments_demo_seed

SEED = 2026
# The tests' present; ``selfwork demo`` seeds up to the hour it runs instead.
BASE_TIME = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
# Passes the password validators: 18 characters, not common, unlike any username.
DEMO_PASSWORD = "demo-password-2026"
OPERATOR = "operator"
DEMO_SLUGS = tuple(c.slug for c in COMMUNITIES)

# Rough euro rates, only to turn the offers' euro prices into round local prices.
_RATES = {"EUR": Decimal("1"), "USD": Decimal("1.1"), "GBP": Decimal("0.85")}
_RATES["AUD"] = Decimal("1.65")
_CURRENCIES = {
    GUILD: ("AUD", "USD", "EUR", "GBP"),
    MAKERS: ("EUR", "USD", "GBP"),
    RIVERSIDE: ("EUR",),
}
_FALLBACK = {GUILD: "USD", MAKERS: "EUR", RIVERSIDE: "EUR"}
_OFFERS = {GUILD: GUILD_OFFERS, MAKERS: MAKERS_OFFERS, RIVERSIDE: RIVERSIDE_OFFERS}

# Service tiers per category: name, price factor, delivery days, revisions, what it is.
_TIERS: dict[str, tuple[tuple[str, float, int, int, str], ...]] = {
    "portraits": (
        (
            "Head and shoulders",
            1.0,
            7,
            1,
            "One person on a plain or softly textured ground.",
        ),
        (
            "Half figure",
            1.6,
            10,
            2,
            "Down to the waist, with hands and a simple setting.",
        ),
        ("Full scene", 2.5, 14, 3, "Full figure in a detailed setting of your choice."),
    ),
    "book-covers": (
        (
            "Ebook front cover",
            1.0,
            14,
            2,
            "Front cover at 2560×1600 with title and name.",
        ),
        (
            "Paperback wrap",
            1.4,
            18,
            2,
            "Front, spine and back to your printer's template.",
        ),
        (
            "Launch set",
            2.0,
            24,
            3,
            "Paperback, hardback and audiobook plus social banners.",
        ),
    ),
    "album-art": (
        ("Single cover", 1.0, 7, 2, "One square cover, 3000×3000, streaming-ready."),
        (
            "Album front and back",
            1.7,
            12,
            3,
            "Front, back with track list, and a banner.",
        ),
        (
            "Full vinyl package",
            2.6,
            21,
            3,
            "Sleeve, labels, inner sleeve and print files.",
        ),
    ),
    "logos": (
        ("Logo essentials", 1.0, 7, 2, "Two concepts, one refined logo, vector files."),
        (
            "Logo and brand board",
            1.7,
            12,
            3,
            "Logo, colours, type pairing, usage sheet.",
        ),
        (
            "Complete identity",
            2.8,
            21,
            4,
            "Logo family, stationery, social kit, guide.",
        ),
    ),
    "bags": (
        ("Small fix", 1.0, 5, 0, "A strap, a buckle or a split seam."),
        ("New strap", 2.0, 7, 0, "A new leather or webbing strap, fitted."),
        (
            "Full restoration",
            4.0,
            14,
            0,
            "Re-stitching, edges, lining and conditioning.",
        ),
    ),
    "ceramics": (
        (
            "Taster hour",
            1.0,
            14,
            0,
            "One hour on the wheel; two pieces fired and glazed.",
        ),
        ("Three-week course", 2.6, 28, 0, "Three sessions, up to six pieces fired."),
    ),
    "knitwear": (
        ("One hole", 1.0, 5, 0, "One hole or worn patch, darned."),
        ("Up to five holes", 2.5, 7, 0, "Up to five repairs on one garment."),
        ("Garment rescue", 4.0, 14, 0, "Cuffs, elbows and hems re-knitted."),
    ),
    "jewellery": (
        ("Simple repair", 1.0, 5, 0, "A chain, clasp or jump ring."),
        ("Ring resizing", 1.6, 7, 0, "Up or down by up to three sizes."),
        ("Restoration", 3.0, 14, 0, "Stones reset, polished and checked."),
    ),
    "woodwork": (
        ("Morning workshop", 1.0, 14, 0, "Three hours, one spoon, tea and cake."),
        (
            "Full day with a bowl",
            1.8,
            14,
            0,
            "A spoon in the morning, a bowl after lunch.",
        ),
        ("Private group of four", 3.5, 21, 0, "A workshop just for your group."),
    ),
}

# Made-to-order options per category: (name, [(label, price factor)]).
_OPTIONS: dict[str, tuple[tuple[str, tuple[tuple[str, float], ...]], ...]] = {
    "portraits": (
        ("Size", (("A5", 0), ("A4", 0.35), ("A3", 0.8))),
        ("Frame", (("No frame", 0), ("Oak frame", 0.6), ("Black frame", 0.5))),
    ),
    "book-covers": (
        ("Format", (("Ebook", 0), ("Ebook and paperback", 0.4), ("Every format", 0.8))),
    ),
    "album-art": (
        ("Size", (("A4", 0), ("A3", 0.5), ("A2", 1.0))),
        ("Paper", (("Matte cotton rag", 0), ("Satin", 0))),
    ),
    "logos": (
        ("Size", (("A5", 0), ("A4", 0.4), ("A3", 0.9))),
        ("Ink", (("Black", 0), ("Gold foil", 0.5))),
    ),
    "bags": (
        ("Colour", (("Olive", 0), ("Navy", 0), ("Sand", 0), ("Rust", 0))),
        ("Size", (("Standard", 0), ("Large", 0.2))),
    ),
    "ceramics": (
        (
            "Glaze",
            (("Celadon", 0), ("Tenmoku", 0), ("Speckled white", 0), ("Ocean", 0.1)),
        ),
        ("Size", (("Standard", 0), ("Large", 0.25))),
    ),
    "knitwear": (
        ("Size", (("S", 0), ("M", 0), ("L", 0), ("XL", 0.1))),
        ("Colour", (("Oatmeal", 0), ("Forest green", 0), ("Navy", 0), ("Cream", 0))),
    ),
    "jewellery": (
        ("Finish", (("Polished", 0), ("Brushed", 0), ("Oxidised", 0.1))),
        ("Gift box", (("No box", 0), ("Gift box", 0.1))),
    ),
    "woodwork": (
        ("Size", (("Small", 0), ("Medium", 0.3), ("Large", 0.6))),
        ("Finish", (("Food-safe oil", 0), ("Beeswax", 0))),
    ),
}

_PORTFOLIO_MOTIF = {
    "portraits": "portrait",
    "book-covers": "book",
    "album-art": "album",
    "logos": "logo",
}


@dataclass
class MemberPlan:
    person: Person
    signed_up_at: dt.datetime
    # (community slug, when they joined); hosts join by creating.
    joins: list[tuple[str, dt.datetime]]


@dataclass
class ListingPlan:
    owner: str
    community: str
    title: str
    description: str
    tags: list[str]
    category: str
    custom: dict[str, Any]
    modes: list[dict[str, Any]]
    created_at: dt.datetime
    motif: str
    pictures: int
    # availability_set keywords for rental and lend listings; None for the rest.
    calendar: dict[str, Any] | None = None
    kind: str = "offer"


@dataclass
class DemoPlan:
    # The demo's present: its history ends here and its timers fall due after.
    now: dt.datetime
    communities_created_at: dict[str, dt.datetime]
    members: list[MemberPlan]
    listings: list[ListingPlan] = field(default_factory=list)


def _minute(at: dt.datetime) -> dt.datetime:
    return at.replace(second=0, microsecond=0)


def _price(euros: float, currency: str) -> int:
    """A round local price: whole units under 20, otherwise to the nearest 5."""
    value = (Decimal(str(euros)) * _RATES[currency]).quantize(Decimal(1), ROUND_HALF_UP)
    if value >= 20:
        value = (value / 5).quantize(Decimal(1), ROUND_HALF_UP) * 5
    return max(int(value), 1)


def _money(units: int, currency: str) -> dict[str, str]:
    return {"amount": f"{units}.00", "currency": currency}


def _hours(amount: str) -> str:
    value = Decimal(amount).normalize()
    return f"{value:f} hour" + ("" if value == 1 else "s")


def _euros(amount: str) -> str:
    return f"€{Decimal(amount).normalize():f}"


def _first(person: Person) -> str:
    return person.name.split()[0]


def _service_mode(
    offer: Offer, base: int, currency: str, rng: random.Random, *, commercial: bool
) -> tuple[dict[str, Any], list[str]]:
    tiers = _TIERS[offer.category]
    count = min(len(tiers), rng.choice((1, 2, 3, 3)))
    packages = []
    lines = []
    for name, factor, days, revisions, what in tiers[:count]:
        price = _price(base * factor, currency)
        packages.append(
            {
                "name": name,
                "description": what,
                "price": _money(price, currency),
                "delivery_days": days,
                "revisions": revisions,
                "commercial_use": commercial,
            }
        )
        extra = (
            f", {revisions} revision{'s' if revisions != 1 else ''}"
            if revisions
            else ""
        )
        lines.append(f"- **{name}** — {price} {currency}, {days} days{extra}. {what}")
    return {"mode": "service", "packages": packages}, lines


def _made_mode(
    offer: Offer, base: int, currency: str, rng: random.Random
) -> tuple[dict[str, Any], list[str]]:
    choices = _OPTIONS[offer.category]
    if len(choices) > 1 and rng.random() < 0.3:
        choices = choices[:1]
    price = _price(base, currency)
    options = []
    lines = []
    for name, labels in choices:
        option_choices = []
        for label, factor in labels:
            choice: dict[str, Any] = {"label": label}
            if factor:
                choice["price_delta"] = _money(
                    _price(base * factor, currency), currency
                )
            option_choices.append(choice)
        options.append({"name": name, "choices": option_choices})
        lines.append(f"- **{name}:** {', '.join(label for label, _ in labels)}")
    prompts = [
        {"prompt": text, "required": required} for text, required in offer.prompts
    ]
    if prompts:
        lines.append("- **Personalised:** you tell me the details when you order.")
    mode = {
        "mode": "made_to_order",
        "price": _money(price, currency),
        "options": options,
        "personalisation": prompts,
    }
    return mode, lines


def _sharing_modes(offer: Offer) -> tuple[list[dict[str, Any]], list[str]]:
    modes: list[dict[str, Any]] = []
    lines: list[str] = []
    terms = offer.terms
    for mode in offer.modes:
        if mode == "rental":
            unit = terms["unit"]
            modes.append(
                {
                    "mode": "rental",
                    "price": {"amount": terms["price"], "currency": "EUR"},
                    "unit": unit,
                    "deposit": {"amount": terms["deposit"], "currency": "EUR"},
                }
            )
            lines.append(
                f"- **Rent it:** {_euros(terms['price'])} per {unit}, with a "
                f"{_euros(terms['deposit'])} deposit you get back when it comes home "
                "in one piece."
            )
        elif mode == "lend":
            if "hours" in terms:
                modes.append(
                    {
                        "mode": "lend",
                        "hours": {"amount": terms["hours"], "currency": "HOUR"},
                    }
                )
                lines.append(
                    f"- **Borrow it** for {_hours(terms['hours'])} of time credit."
                )
            else:
                modes.append({"mode": "lend"})
                lines.append(
                    "- **Borrow it for free** — just bring it back when you said."
                )
        elif mode == "swap":
            modes.append({"mode": "swap", "wants": terms.get("wants", "")})
            lines.append(
                f"- **Swap:** I'd love {terms.get('wants', 'anything useful')}."
            )
        elif mode == "gift":
            modes.append({"mode": "gift"})
            lines.append("- **Free:** collect it within a week, no strings attached.")
        elif mode == "timebank":
            modes.append(
                {
                    "mode": "timebank",
                    "hours": {"amount": terms["hours"], "currency": "HOUR"},
                }
            )
            lines.append(
                f"- **Time bank:** {_hours(terms['hours'])} of time credit. An hour of "
                "anyone's time is worth an hour."
            )
    return modes, lines


_INTROS = (
    "Made by {first} in {city}.",
    "{first} works from {city} and replies in {languages}.",
    "From {first}'s studio in {city}.",
    "{first} has been doing this for years, from {city}.",
)
_STEPS = {
    "service": (
        "#### How it works\n\n"
        "1. Order a package and tell me about the piece; send references if you have "
        "them.\n"
        "2. I send a first sketch or draft, and you ask for the changes your package "
        "includes.\n"
        "3. You accept the final work, and I'm paid the same day."
    ),
    "made_to_order": (
        "Every piece is made after you order it, so allow a little time. Ask me "
        "anything before you order."
    ),
    "sharing": (
        "Pick-up and return by arrangement; message me first. Please treat it like "
        "your own."
    ),
}


def _calendar(offer: Offer, *, now: dt.datetime) -> dict[str, Any]:
    """The offer's calendar with its blocked periods placed from ``now``."""
    calendar = dict(offer.calendar or SHARING_CALENDAR)
    if "blocked" in calendar:
        away: list[Away] = calendar["blocked"]
        calendar["blocked"] = [a.period(now.date()) for a in away]
    return calendar


def _listing_plan(
    offer: Offer,
    *,
    community: str,
    owner: Person,
    joined_at: dt.datetime,
    now: dt.datetime,
    rng: random.Random,
) -> ListingPlan:
    style = rng.choice(owner.styles) if owner.styles else ""
    title = offer.title.format(style=style, Style=style.capitalize())
    tags = [t.format(style=style) for t in offer.tags]
    pitch = offer.pitch.format(style=style, Style=style.capitalize())
    currency = owner.currency
    if currency not in _CURRENCIES[community]:
        currency = _FALLBACK[community]
    custom: dict[str, Any] = {}
    commercial = False
    if community == GUILD:
        custom = {"style": style}
        commercial = offer.category != "portraits" or rng.random() < 0.2
    elif community == MAKERS and offer.material:
        custom = {"material": offer.material}
    elif community == RIVERSIDE and offer.category != "skills":
        custom = {"condition": rng.choices(CONDITIONS, weights=(3, 5, 2))[0]}

    if "service" in offer.modes:
        mode, lines = _service_mode(
            offer, offer.price, currency, rng, commercial=commercial
        )
        modes, steps = [mode], _STEPS["service"]
        heading = "#### Packages"
    elif "made_to_order" in offer.modes:
        mode, lines = _made_mode(offer, offer.price, currency, rng)
        modes, steps = [mode], _STEPS["made_to_order"]
        heading = "#### Options"
    else:
        modes, lines = _sharing_modes(offer)
        steps = _STEPS["sharing"]
        heading = "#### Ways to get it"

    intro = rng.choice(_INTROS).format(
        first=_first(owner), city=owner.city, languages=" or ".join(owner.languages[:2])
    )
    parts = [pitch, intro, heading + "\n\n" + "\n".join(lines), steps]
    if community == GUILD:
        rights = (
            "Commercial use is included."
            if commercial
            else "For personal use; ask about commercial rights."
        )
        parts.insert(2, f"*Medium: {style}.* {rights}")
    created_at = _minute(joined_at + (now - joined_at) * rng.uniform(0.05, 0.97))
    return ListingPlan(
        owner=owner.username,
        community=community,
        title=title,
        description="\n\n".join(parts),
        tags=tags,
        category=offer.category,
        custom=custom,
        modes=modes,
        created_at=created_at,
        motif=offer.motif,
        pictures=2 if rng.random() < 0.2 else 1,
        calendar=_calendar(offer, now=now)
        if {"rental", "lend"} & set(offer.modes)
        else None,
        kind=offer.kind,
    )


def demo_plan(*, seed: int = SEED, now: dt.datetime = BASE_TIME) -> DemoPlan:
    """Draw the whole demo from ``seed``, its history ending at ``now``.

    The same seed gives the same demo; another ``now`` (a whole number of minutes)
    moves every time by the difference, and the owners' blocked periods stay on
    their days (Christmas stays at Christmas).
    """
    rng = random.Random(seed)
    founded = {
        spec.slug: _minute(now - dt.timedelta(days=420 - 3 * i))
        for i, spec in enumerate(COMMUNITIES)
    }
    host_of = {username: slug for slug, username in HOSTS.items()}
    members = []
    for person in PEOPLE:
        if person.username in host_of:
            signed_up = founded[host_of[person.username]] - dt.timedelta(days=2)
        else:
            signed_up = _minute(now - dt.timedelta(days=rng.uniform(120, 400)))
        joins = []
        for slug in person.communities:
            if HOSTS[slug] == person.username:
                continue
            start = max(signed_up, founded[slug])
            joins.append(
                (slug, _minute(start + dt.timedelta(hours=rng.uniform(1, 96))))
            )
        members.append(MemberPlan(person, signed_up, joins))
    plan = DemoPlan(now=now, communities_created_at=founded, members=members)

    joined_at = {
        (m.person.username, slug): at for m in members for slug, at in m.joins
    } | {(username, slug): founded[slug] for slug, username in HOSTS.items()}
    people = {p.username: p for p in PEOPLE}
    load: Counter[str] = Counter()
    for spec in COMMUNITIES:
        for offer in _OFFERS[spec.slug]:
            if offer.owner:
                owner = people[offer.owner]
            else:
                eligible = [
                    p
                    for p in PEOPLE
                    if spec.slug in p.communities and offer.category in p.crafts
                ]
                fewest = min(load[p.username] for p in eligible)
                owner = rng.choice([p for p in eligible if load[p.username] == fewest])
            load[owner.username] += 1
            plan.listings.append(
                _listing_plan(
                    offer,
                    community=spec.slug,
                    owner=owner,
                    joined_at=joined_at[(owner.username, spec.slug)],
                    now=now,
                    rng=rng,
                )
            )
    plan.listings.sort(key=lambda x: (x.created_at, x.title))
    return plan


class _Progress:
    """Prints "Seeding members 12/38"-style progress, or nothing."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._progress: Any = None

    @contextmanager
    def running(self) -> Iterator[None]:
        if not self.enabled:
            yield
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        with Progress(
            TextColumn("Seeding {task.description:<12}"),
            BarColumn(),
            MofNCompleteColumn(),
        ) as progress:
            self._progress = progress
            yield
        self._progress = None

    def phase(self, name: str, total: int) -> Any:
        if self._progress is None:
            return None
        return self._progress.add_task(name, total=total)

    def advance(self, task: Any) -> None:
        if self._progress is not None and task is not None:
            self._progress.advance(task)


def demo_is_seeded() -> bool:
    """Whether the demo communities exist already."""
    return Community.objects.filter(slug__in=DEMO_SLUGS).exists()


def demo_seed(*, progress: bool = False, now: dt.datetime = BASE_TIME) -> None:
    """Seed the demo communities, members and listings once; later calls do nothing.

    ``now`` is the demo's present: its history ends there and its timers fall due
    after it. Everything is written in one transaction, so an interrupted seed
    leaves no half demo behind and the next call starts again cleanly.
    """
    if demo_is_seeded():
        if progress:
            print("The demo is already seeded.")
            _print_logins()
        return
    plan = demo_plan(now=now)
    bar = _Progress(progress)
    with bar.running(), transaction.atomic():
        _write(plan, bar)
    if progress:
        print(
            f"Seeded {len(plan.members)} members, {len(COMMUNITIES)} communities and "
            f"{len(plan.listings)} listings."
        )
        _print_logins()


def _print_logins() -> None:
    accounts = (
        (HOSTS[GUILD], "host of the Illustrators' Guild"),
        (HOSTS[MAKERS], "host of the Makers' Market"),
        (HOSTS[RIVERSIDE], "host of Riverside Share"),
        ("priya-raman", "a pet-portrait illustrator"),
        ("aoife-byrne", "a knitter, in the Makers' Market and Riverside Share"),
        (OPERATOR, "the operator: superuser for /admin/"),
    )
    print(f"\nDemo log-ins; every demo account's password is {DEMO_PASSWORD!r}:")
    for username, who in accounts:
        print(f"  {username:<16} {who}")


def _write(plan: DemoPlan, bar: _Progress) -> None:
    members: dict[str, Member] = {}
    task = bar.phase("members", len(plan.members) + 1)
    operator = member_signup(
        username=OPERATOR,
        email=f"{OPERATOR}@example.org",
        password=DEMO_PASSWORD,
        display_name="Demo Operator",
        now=plan.now - dt.timedelta(days=450),
    )
    # There is no service for granting the operator role: it is given by whoever
    # runs the server (``selfwork manage createsuperuser``), and the demo plays them.
    operator.is_staff = operator.is_superuser = True
    operator.save(update_fields=["is_staff", "is_superuser"])
    bar.advance(task)
    for m in plan.members:
        p = m.person
        member = member_signup(
            username=p.username,
            email=f"{p.username}@example.org",
            password=DEMO_PASSWORD,
            display_name=p.name,
            now=m.signed_up_at,
        )
        face = upload_create(
            owner=member,
            data=art.avatar(seed=f"avatar:{p.username}", name=p.name),
            now=m.signed_up_at,
        )
        changes: dict[str, Any] = {
            "bio": p.bio,
            "avatar": str(face.public_id),
            "city": p.city,
            "country": p.country,
            "time_zone": p.time_zone,
            "preferred_currency": p.currency,
            "language": p.language,
            "skills": list(p.skills),
            "languages": list(p.languages),
            "away": p.away,
        }
        if p.styles or MAKERS in p.communities[:1]:
            changes["commission_status"] = p.commission_status
            changes["commission_slots"] = p.commission_slots
        members[p.username] = member_update(member=member, changes=changes)
        bar.advance(task)

    task = bar.phase("communities", len(COMMUNITIES))
    communities: dict[str, Community] = {}
    for spec in COMMUNITIES:
        host = members[HOSTS[spec.slug]]
        community = community_create(
            creator=host,
            slug=spec.slug,
            name=spec.name,
            now=plan.communities_created_at[spec.slug],
            settings=spec.settings,
        )
        for slug, name in spec.categories:
            category_create(community=community, actor=host, slug=slug, name=name)
        for f in spec.fields:
            listing_field_create(
                community=community,
                actor=host,
                key=f.key,
                label=f.label,
                kind=f.kind,
                choices=list(f.choices),
            )
        communities[spec.slug] = community
        bar.advance(task)

    joins = sorted(
        (at, slug, m.person.username) for m in plan.members for slug, at in m.joins
    )
    task = bar.phase("memberships", len(joins))
    for at, slug, username in joins:
        community, member = communities[slug], members[username]
        membership = community_join(community=community, member=member, now=at)
        if membership.status == Membership.Status.PENDING:
            membership_approve(
                community=community,
                actor=members[HOSTS[slug]],
                member=member,
                now=at + dt.timedelta(hours=3),
            )
        bar.advance(task)
    for slug, username in MODERATORS.items():
        membership_set_role(
            community=communities[slug],
            actor=members[HOSTS[slug]],
            member=members[username],
            role="moderator",
        )

    task = bar.phase("listings", len(plan.listings))
    pictures: dict[str, list[tuple[str, str]]] = {}
    for item in plan.listings:
        owner = members[item.owner]
        images = []
        for n in range(item.pictures):
            upload = upload_create(
                owner=owner,
                data=art.picture(
                    motif=item.motif, seed=f"{item.title}:{n}", label=item.title
                ),
                now=item.created_at,
            )
            images.append(str(upload.public_id))
        listing = listing_create(
            owner=owner,
            community=communities[item.community],
            title=item.title,
            description=item.description,
            tags=item.tags,
            category=item.category,
            custom=item.custom,
            modes=item.modes,
            images=images,
            kind=item.kind,
            now=item.created_at,
        )
        if item.calendar is not None:
            availability_set(
                listing=listing, actor=owner, now=item.created_at, **item.calendar
            )
        if item.community == GUILD:
            pictures.setdefault(item.owner, []).append((images[0], item.title))
        bar.advance(task)

    illustrators = [m for m in plan.members if m.person.styles]
    task = bar.phase("portfolios", len(illustrators))
    for m in illustrators:
        member = members[m.person.username]
        motif = _PORTFOLIO_MOTIF.get(m.person.crafts[-1], "abstract")
        study = upload_create(
            owner=member,
            data=art.picture(
                motif=motif,
                seed=f"portfolio:{m.person.username}",
                label=f"{m.person.name} studio",
            ),
            now=plan.now - dt.timedelta(days=3),
        )
        portfolio_add(
            member=member,
            upload_id=str(study.public_id),
            caption="A personal piece from the sketchbook",
        )
        for upload_id, title in pictures.get(m.person.username, [])[:3]:
            portfolio_add(
                member=member, upload_id=upload_id, caption=f"Commission: {title}"
            )
        bar.advance(task)

    # A money history through the payments services: charges, refunds, releases
    # less fees, payouts, one declined card and cash confirmed by a host.
    task = bar.phase("payments", 1)
    payments_demo_seed(
        now=plan.now, rng=random.Random(SEED + 1), settled_by_hand=(RIVERSIDE,)
    )
    bar.advance(task)

    # Exchanges in every state of the commission and purchase processes.
    task = bar.phase("exchanges", 1)
    exchanges_demo_seed(now=plan.now, rng=random.Random(SEED + 2))
    bar.advance(task)

    # Lively boards: questions with accepted answers, ideas with votes, pinned
    # announcements, offers and wants, critique requests and tips.
    task = bar.phase("boards", 1)
    boards_demo_seed(now=plan.now)
    bar.advance(task)

    # Members asking before they order, borrow or swap; one of them asked about
    # the listing of the first commission before ordering it.
    task = bar.phase("conversations", 1)
    conversations_demo_seed(now=plan.now)
    bar.advance(task)
