"""The three demo communities: their settings, categories and custom listing fields."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from selfwork.demo.people import GUILD, MAKERS, RIVERSIDE


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    kind: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class CommunitySpec:
    slug: str
    name: str
    settings: dict[str, Any]
    categories: tuple[tuple[str, str], ...]
    fields: tuple[FieldSpec, ...]


STYLES = ("watercolour", "ink", "digital", "oil")
MATERIALS = (
    "canvas",
    "leather",
    "linen",
    "cotton",
    "recycled",
    "glass",
    "stoneware",
    "porcelain",
    "wool",
    "alpaca",
    "silver",
    "gold",
    "resin",
    "oak",
    "walnut",
    "cherry",
    "beech",
    "pine",
)
CONDITIONS = ("like new", "good", "well used")

COMMUNITIES: tuple[CommunitySpec, ...] = (
    CommunitySpec(
        GUILD,
        "Illustrators' Guild",
        {
            "tagline": "Portraits, book covers, album art and logos, commissioned from "
            "independent illustrators.",
            "description": (
                "A guild of independent illustrators who take commissions from "
                "anywhere in the world.\n\n"
                "#### How a commission works\n\n"
                "1. Browse portfolios, or post a brief describing what you need.\n"
                "2. Order a package or accept an offer; your payment waits in escrow.\n"
                "3. See sketches, ask for the revisions your package includes, and "
                "accept the final art.\n"
                "4. The illustrator is paid **the same day** you accept.\n\n"
                "#### Guild rules\n\n"
                "- Each illustrator sets their prices, in their own currency.\n"
                "- The guild keeps 8%; a quarter of that goes to the community "
                "treasury, which pays for portfolio reviews and hardship grants.\n"
                "- Every listing says whether commercial use is included. If it "
                "does not, ask first."
            ),
            "currency": "USD",
            "fee_percent": "8",
            "treasury_share_percent": "25",
            "enabled_modes": ["made_to_order", "service"],
        },
        (
            ("portraits", "Portraits"),
            ("book-covers", "Book covers"),
            ("album-art", "Album art"),
            ("logos", "Logos"),
        ),
        (FieldSpec("style", "Style", "choice", STYLES),),
    ),
    CommunitySpec(
        MAKERS,
        "Makers' Market",
        {
            "tagline": "Bags, ceramics, knitwear, jewellery and woodwork, made to order "
            "by the people who design them.",
            "description": (
                "Nothing here is mass-produced. Every bag, mug, jumper, ring and "
                "board is made after you order it, often with your name, your "
                "measurements or your colours.\n\n"
                "- Makers set their own prices and lead times.\n"
                "- Your payment is held until you receive your piece and say it is "
                "right; then the maker is paid the same day.\n"
                "- A 6% fee keeps the market running; half goes to the treasury, "
                "which funds shared kilns and workshop space.\n"
                "- Seconds, offcuts and leftovers are swapped or given away, never "
                "binned."
            ),
            "currency": "EUR",
            "fee_percent": "6",
            "minimum_fee": "0.50",
            "treasury_share_percent": "50",
            "enabled_modes": ["made_to_order", "service", "swap", "gift"],
        },
        (
            ("bags", "Bags"),
            ("ceramics", "Ceramics"),
            ("knitwear", "Knitwear"),
            ("jewellery", "Jewellery"),
            ("woodwork", "Woodwork"),
        ),
        (FieldSpec("material", "Material", "choice", MATERIALS),),
    ),
    CommunitySpec(
        RIVERSIDE,
        "Riverside Share",
        {
            "tagline": "Rent, borrow, swap and give along the river — and trade an hour "
            "for an hour in the time bank.",
            "description": (
                "The sharing shelf of our neighbourhood: rent or borrow tools, "
                "cameras and camping gear; swap books and games; give away "
                "seedlings; and trade skills in the **time bank**, where an hour of "
                "anyone's time is worth an hour.\n\n"
                "- Rentals carry a deposit, returned when the item comes back in "
                "good shape.\n"
                "- Lending is free, or costs a few time credits.\n"
                "- New members are approved by a host: we like to say hello first.\n"
                "- A 2% fee on paid rentals goes entirely to the community treasury, "
                "which buys the tools nobody owns yet."
            ),
            "currency": "EUR",
            "fee_percent": "2",
            "treasury_share_percent": "100",
            "enabled_modes": ["rental", "lend", "swap", "gift", "timebank"],
            "membership_approval": True,
            # Everyone starts with two hours, may owe up to ten and hold sixty.
            "timebank_enabled": True,
            "timebank_starting_credit": {"amount": "2", "currency": "HOUR"},
            "timebank_floor": {"amount": "-10", "currency": "HOUR"},
            "timebank_ceiling": {"amount": "60", "currency": "HOUR"},
        },
        (
            ("tools", "Tools"),
            ("outdoor", "Outdoor and camping"),
            ("tech", "Cameras and tech"),
            ("home", "Home and kitchen"),
            ("garden", "Garden"),
            ("books", "Books and games"),
            ("skills", "Skills and time"),
        ),
        (FieldSpec("condition", "Condition", "choice", CONDITIONS),),
    ),
)
