"""Demo exchanges in every state of both processes, written through the services.

Given the demo's communities, listings and members, it orders commissions and
purchases over the weeks before ``now`` and moves each along a path of its
process — paid by the sandbox card, delivered (with a picture), changed,
accepted, auto-accepted by the timer, cancelled, declined, expired, disputed and
resolved by a host — so the exchange rooms show a living marketplace. Every
step runs in time order with its own time, and due timers fire between steps as
a worker would fire them, so ``selfwork audit`` checks the result like any
other history.
"""

import datetime as dt
import heapq
import io
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from PIL import Image, ImageDraw

from selfwork.catalog.models import Listing
from selfwork.catalog.selectors import availability_get
from selfwork.communities.models import Community, Membership
from selfwork.core.errors import SelfworkError
from selfwork.core.money import Money
from selfwork.core.uploads import upload_create
from selfwork.exchanges import services
from selfwork.exchanges.models import Exchange
from selfwork.exchanges.tasks import timers_run_due
from selfwork.exchanges.terms import LineItem, Milestone, Terms
from selfwork.payments import services as payments
from selfwork.payments.demo import Bank
from selfwork.payments.gateways import CARD_SUCCEEDS
from selfwork.payments.models import Charge
from selfwork.payments.selectors import community_gateway, deposit_for

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)

# (days before now the order is placed, [(transition, role, hours after the
# previous step, params)]); a path ending in an open state stays there. "say" is
# not a transition: the member writes ``body`` in the exchange's conversation.
Step = tuple[str, str, float, dict]
COMMISSION_PATHS: dict[str, tuple[float, list[Step]]] = {
    "awaiting_payment": (0.8, []),
    "in_progress": (2.5, [("pay", "customer", 3, {})]),
    "in_progress_after_changes": (
        4,
        [
            ("pay", "customer", 1, {}),
            ("deliver", "provider", 40, {"note": "A first pass at the layout."}),
            ("request_changes", "customer", 5, {"note": "Could the title be larger?"}),
        ],
    ),
    "delivered": (
        3,
        [
            ("pay", "customer", 2, {}),
            ("deliver", "provider", 30, {"note": "Here it is — full resolution."}),
        ],
    ),
    "disputed": (
        9,
        [
            ("pay", "customer", 1, {}),
            ("say", "customer", 70, {"body": "Hi! How are the first sketches going?"}),
            (
                "dispute",
                "customer",
                80,
                {"reason": "No word from the artist in 6 days."},
            ),
            (
                "say",
                "provider",
                5,
                {
                    "body": "I am so sorry, I was ill all week. The sketches can be"
                    " with you by Friday, if you still want them."
                },
            ),
        ],
    ),
    "completed": (
        21,
        [
            ("pay", "customer", 2, {}),
            ("deliver", "provider", 70, {"note": "Finished! Files attached."}),
            ("accept", "customer", 6, {}),
        ],
    ),
    "completed_with_changes": (
        30,
        [
            ("pay", "customer", 1, {}),
            ("deliver", "provider", 60, {"note": "Draft one."}),
            ("request_changes", "customer", 8, {"note": "Warmer colours, please."}),
            ("deliver", "provider", 30, {"note": "Warmer, as asked."}),
            ("accept", "customer", 4, {}),
        ],
    ),
    "auto_accepted": (
        16,
        [
            ("pay", "customer", 3, {}),
            ("deliver", "provider", 48, {"note": "Delivered; let me know!"}),
        ],
    ),
    "cancelled": (11, [("cancel", "provider", 20, {"reason": "Fully booked."})]),
    "declined": (
        13,
        [
            ("pay", "customer", 2, {}),
            ("decline", "provider", 20, {"reason": "Not my style, sorry."}),
        ],
    ),
    "expired": (12, []),
    "resolved": (
        25,
        [
            ("pay", "customer", 1, {}),
            ("deliver", "provider", 90, {"note": "Done."}),
            ("dispute", "customer", 10, {"reason": "The colours are not as agreed."}),
            ("resolve", "operator", 30, {"refund_percent": 30, "note": "Split 30/70."}),
        ],
    ),
    "resolution_proposed": (
        6,
        [
            ("pay", "customer", 1, {}),
            ("dispute", "provider", 50, {"reason": "No reply to my sketches."}),
            (
                "resolve",
                "operator",
                40,
                {"refund_percent": 20, "note": "The sketches were delivered."},
            ),
        ],
    ),
    "under_review": (
        10,
        [
            ("pay", "customer", 1, {}),
            ("dispute", "customer", 60, {"reason": "It is not what we agreed."}),
            (
                "resolve",
                "operator",
                48,
                {"refund_percent": 0, "note": "The brief allowed this style."},
            ),
            ("appeal", "customer", 24, {"reason": "The brief said watercolour."}),
        ],
    ),
}
PURCHASE_PATHS: dict[str, tuple[float, list[Step]]] = {
    "awaiting_payment": (0.5, []),
    "paid": (1.5, [("pay", "customer", 2, {})]),
    "in_production": (
        4,
        [("pay", "customer", 1, {}), ("start_production", "provider", 10, {})],
    ),
    "shipped": (
        9,
        [
            ("pay", "customer", 1, {}),
            ("start_production", "provider", 12, {}),
            ("ship", "provider", 96, {"tracking": "Tracked parcel RR123456785DE"}),
        ],
    ),
    "disputed": (
        14,
        [
            ("pay", "customer", 1, {}),
            ("start_production", "provider", 20, {}),
            ("ship", "provider", 72, {"tracking": "Parcel 00340434161094042557"}),
            (
                "say",
                "customer",
                100,
                {
                    "body": "It arrived today, but one strap is torn at the seam."
                    " Could you repair or replace it?"
                },
            ),
            ("dispute", "customer", 20, {"reason": "Arrived with a torn strap."}),
            (
                "say",
                "provider",
                6,
                {
                    "body": "I checked every seam before posting it, and the parcel"
                    " looked crushed in your photo. I can repair it if you send it"
                    " back."
                },
            ),
        ],
    ),
    "completed": (
        18,
        [
            ("pay", "customer", 1, {}),
            ("start_production", "provider", 8, {}),
            ("ship", "provider", 80, {"tracking": "Parcel 00340434161094042558"}),
            ("confirm_receipt", "customer", 60, {}),
        ],
    ),
    "auto_received": (
        34,
        [
            ("pay", "customer", 1, {}),
            ("start_production", "provider", 6, {}),
            ("ship", "provider", 50, {"tracking": "Parcel 00340434161094042559"}),
        ],
    ),
    "cancelled_unpaid": (6, [("cancel", "customer", 5, {"reason": "Ordered twice."})]),
    "cancelled_and_refunded": (
        8,
        [
            ("pay", "customer", 1, {}),
            ("cancel_and_refund", "provider", 20, {"reason": "Out of that leather."}),
        ],
    ),
    "expired": (15, []),
    "resolved": (
        28,
        [
            ("pay", "customer", 1, {}),
            ("start_production", "provider", 10, {}),
            ("ship", "provider", 60, {"tracking": "Parcel 00340434161094042560"}),
            ("dispute", "provider", 200, {"reason": "The customer reports it lost."}),
            (
                "resolve",
                "operator",
                24,
                {"refund_percent": 50, "note": "Lost in the post: shared."},
            ),
        ],
    ),
    "resolution_proposed": (
        5,
        [
            ("pay", "customer", 1, {}),
            ("start_production", "provider", 10, {}),
            ("dispute", "customer", 40, {"reason": "The wrong colour is being used."}),
            (
                "resolve",
                "operator",
                30,
                {"refund_percent": 10, "note": "A colour close to the photo."},
            ),
        ],
    ),
    "under_review": (
        9,
        [
            ("pay", "customer", 1, {}),
            ("start_production", "provider", 10, {}),
            ("dispute", "provider", 40, {"reason": "The customer changed the size."}),
            (
                "resolve",
                "operator",
                30,
                {"refund_percent": 100, "note": "Not yet started in earnest."},
            ),
            ("appeal", "provider", 20, {"reason": "The leather was already cut."}),
        ],
    ),
}


# Rentals: (days ago the request was made, days from the request to the first
# day, days booked, steps). "confirm" is the host recording that cash arrived, in
# communities paid by hand.
_LENT: list[Step] = [
    ("pay", "customer", 1, {}),
    ("confirm", "operator", 1, {}),
    ("approve", "provider", 2, {"note": "It's yours for those days."}),
]
_USED: list[Step] = [
    *_LENT,
    ("handover", "provider", 43, {"note": "Charged and cleaned."}),
    ("return", "customer", 48, {"note": "Thanks, worked a treat."}),
]
_CLAIMED: list[Step] = [
    *_USED,
    (
        "claim_damage",
        "provider",
        5,
        {"amount": {"amount": "10.00", "currency": "EUR"}, "note": "A bent bit."},
    ),
]
_DISPUTED: list[Step] = [
    *_CLAIMED,
    ("dispute", "customer", 10, {"reason": "The bit was bent when I got it."}),
    (
        "say",
        "provider",
        3,
        {"body": "The bit was new when you collected the drill: it is in the photo."},
    ),
]
_RESOLVED: list[Step] = [
    *_DISPUTED,
    (
        "resolve",
        "operator",
        20,
        {
            "amount": {"amount": "5.00", "currency": "EUR"},
            "note": "Neither photo shows the bit: shared.",
        },
    ),
]
RENTAL_PATHS: dict[str, tuple[float, int, int, list[Step]]] = {
    "requested": (0.2, 6, 2, []),
    # Paid in cash the host has yet to see (only where cash is how it is paid).
    "awaiting_confirmation": (0.25, 9, 2, [("pay", "customer", 1, {})]),
    "pending_approval": (0.3, 7, 2, [("pay", "customer", 1, {}), *_LENT[1:2]]),
    "booked": (2, 5, 3, _LENT),
    "in_use": (6, 4, 4, [*_LENT, ("handover", "provider", 92, {})]),
    "returned": (5, 2, 3, _USED),
    "claimed": (6, 2, 2, _CLAIMED),
    "disputed": (9, 2, 2, _DISPUTED),
    "resolution_proposed": (12, 2, 2, _RESOLVED),
    "under_review": (
        15,
        2,
        2,
        [*_RESOLVED, ("appeal", "provider", 24, {"reason": "The bit was new."})],
    ),
    "completed": (20, 2, 2, [*_USED, ("close", "provider", 2, {})]),
    "completed_after_claim": (
        25,
        2,
        2,
        [*_CLAIMED, ("accept_claim", "customer", 8, {})],
    ),
    "declined": (
        5,
        6,
        2,
        [*_LENT[:2], ("decline", "provider", 4, {"reason": "Away that week."})],
    ),
    "cancelled": (
        4,
        8,
        2,
        [*_LENT, ("cancel", "customer", 30, {"reason": "Plans changed."})],
    ),
    "expired": (3, 5, 2, []),
    "resolved": (30, 2, 2, _RESOLVED),
}

# Gifts: (days before now the first request is made, the steps of each request
# in turn). Requests follow each other two hours apart; a step comes so many
# hours after the one before it (the first, after the first request). Each path
# is one gift listing of the community that gives away the most.
ShareStep = tuple[str, str, float, dict]
GIFT_PATHS: dict[str, tuple[float, list[list[ShareStep]]]] = {
    "promised, the others not chosen": (
        4,
        [[("give", "provider", 20, {"note": "Yours! Saturday morning suits me."})],
         [], []],
    ),
    "received": (
        12,
        [[("give", "provider", 8, {}),
          ("confirm_receipt", "customer", 38, {})], []],
    ),
    "two open requests": (1, [[], []]),
    "given a week after the promise": (20, [[("give", "provider", 6, {})], []]),
    "not collected, available again": (
        16,
        [[("give", "provider", 5, {}),
          ("reopen", "provider", 80, {"reason": "Nobody came by."})], []],
    ),
    "declined, withdrawn, expired": (
        40,
        [[("decline", "provider", 5, {"reason": "Only for people on our street."})],
         [("withdraw", "customer", 10, {})], []],
    ),
}  # fmt: skip
# Swaps: (days before now, steps as for gifts, from the proposal). The last path
# completes and so declines the proposal of the path before it (which offers
# for the same listing); the others are on the community's other swap listings.
SWAPS_LEFT_OPEN = ("proposed", "agreed", "handing_over")
SWAP_PATHS: dict[str, tuple[float, list[ShareStep]]] = {
    "proposed": (1, []),
    "agreed": (3, [("accept", "provider", 5, {"note": "Deal! Evenings suit me."})]),
    "handing_over": (
        5,
        [("accept", "provider", 4, {}),
         ("confirm", "customer", 30, {"note": "Left them on your porch."})],
    ),
    "declined": (9, [("decline", "provider", 6, {"reason": "I'd rather keep them."})]),
    "withdrawn": (11, [("withdraw", "customer", 3, {})]),
    "called_off": (
        13,
        [("accept", "provider", 5, {}),
         ("call_off", "customer", 20, {"reason": "Mine went mouldy, sorry."})],
    ),
    "expired": (30, []),
    "declined, swapped elsewhere": (8, [("accept", "provider", 10, {})]),
    "completed": (
        7,
        [("accept", "provider", 3, {}), ("confirm", "provider", 40, {}),
         ("confirm", "customer", 2, {"note": "Thanks, enjoy!"})],
    ),
}  # fmt: skip


# Loans: (days before now it is asked for, first day after the request, days,
# steps), as for rentals.
_APPROVED: list[Step] = [("approve", "provider", 1, {"note": "Sure, pick it up."})]
_ON_LOAN: list[Step] = [*_APPROVED, ("handover", "provider", 40, {})]
LEND_PATHS: dict[str, tuple[float, int, int, list[Step]]] = {
    "requested": (0.3, 5, 3, []),
    "booked": (2, 4, 3, _APPROVED),
    "on_loan": (5, 2, 7, _ON_LOAN),
    "returned": (6, 2, 3, [*_ON_LOAN, ("return", "customer", 72, {})]),
    "completed": (
        20,
        2,
        4,
        [
            *_ON_LOAN,
            ("return", "customer", 96, {"note": "Thanks, it was perfect."}),
            ("confirm_return", "provider", 3, {}),
        ],
    ),
    "declined": (4, 6, 2, [("decline", "provider", 6, {"reason": "I need it."})]),
    "cancelled": (3, 8, 2, [*_APPROVED, ("cancel", "customer", 20, {})]),
    "expired": (9, 2, 2, _APPROVED),
    "lost": (
        25,
        2,
        3,
        [
            *_ON_LOAN,
            (
                "report_not_returned",
                "provider",
                190,
                {"reason": "Not back after a week of reminders."},
            ),
        ],
    ),
}
# Time-bank exchanges: (days before now it is asked for, answering a request for
# help, steps).
TIMEBANK_PATHS: dict[str, tuple[float, bool, list[Step]]] = {
    "requested": (0.4, False, []),
    "offered": (0.6, True, []),
    "agreed": (2, False, [("accept", "provider", 3, {"note": "Saturday at ten?"})]),
    "done": (
        4,
        False,
        [("accept", "provider", 2, {}), ("mark_done", "provider", 48, {})],
    ),
    "completed": (
        12,
        False,
        [("accept", "provider", 4, {}), ("confirm", "customer", 30, {})],
    ),
    "completed_adjusted": (
        18,
        False,
        [
            ("accept", "provider", 1, {}),
            (
                "adjust_hours",
                "provider",
                20,
                {
                    "hours": {"amount": "2.50", "currency": "HOUR"},
                    "note": "It took longer than we thought.",
                },
            ),
            ("mark_done", "provider", 2, {}),
            ("confirm", "customer", 5, {}),
        ],
    ),
    "completed_request": (
        9,
        True,
        [("accept_offer", "customer", 3, {}), ("confirm", "customer", 26, {})],
    ),
    "declined": (3, False, [("decline", "provider", 5, {"reason": "Away then."})]),
    "withdrawn": (2, False, [("withdraw", "customer", 2, {})]),
    "cancelled": (
        6,
        False,
        [
            ("accept", "provider", 2, {}),
            ("cancel", "customer", 30, {"reason": "Found another way."}),
        ],
    ),
    "expired": (10, False, []),
}


@dataclass
class _Plan:
    """Events in time order; an event may plan further ones (an order's next steps)."""

    events: list[tuple[dt.datetime, int, Callable[[], object]]] = field(
        default_factory=list
    )
    serial: int = 0

    def at(self, when: dt.datetime, action: Callable[[], object]) -> None:
        self.serial += 1
        heapq.heappush(self.events, (when, self.serial, action))

    def run(self, *, latest: dt.datetime) -> None:
        # Payouts land when a bank would have landed them, by ``latest``.
        bank = Bank(latest=latest, later=self.at)
        while self.events:
            when, _, action = heapq.heappop(self.events)
            # Whatever fell due meanwhile fires first, as a worker would fire it.
            bank.run(partial(timers_run_due, now=when))
            bank.run(action)


def _picture(seed: str) -> bytes:
    """A small abstract picture standing in for a deliverable."""
    rng = random.Random(seed)
    image = Image.new("RGB", (480, 360), (245, 240, 230))
    draw = ImageDraw.Draw(image)
    for _ in range(14):
        x, y = rng.randrange(480), rng.randrange(360)
        r = rng.randrange(20, 120)
        colour = tuple(rng.randrange(60, 230) for _ in range(3))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _eligible(mode: str) -> list[Listing]:
    sandbox = [
        c.pk
        for c in Community.objects.order_by("pk")
        if community_gateway(community=c) == "sandbox"
    ]
    rows = (
        Listing.objects.filter(
            status=Listing.Status.ACTIVE, community_id__in=sandbox, modes__mode=mode
        )
        .exclude(owner__commission_status="closed")
        .select_related("community", "owner")
        .prefetch_related("modes__packages")
        .order_by("pk")
        .distinct()
    )
    return list(rows)


def _members(community: Community) -> list:
    return [
        m.member
        for m in Membership.objects.filter(
            community=community, status=Membership.Status.ACTIVE
        )
        .select_related("member")
        .order_by("pk")
    ]


def _host(community: Community, *, owner) -> object | None:
    """Who operates the community's demo exchanges: a host other than ``owner``,
    else a staff member."""
    from selfwork.accounts.models import Member

    membership = (
        Membership.objects.filter(
            community=community,
            role=Membership.Role.HOST,
            status=Membership.Status.ACTIVE,
        )
        .exclude(member=owner)
        .select_related("member")
        .order_by("pk")
        .first()
    )
    if membership is not None:
        return membership.member
    return (
        Member.objects.filter(is_staff=True).exclude(pk=owner.pk).order_by("pk").first()
    )


def _order_args(listing: Listing, mode: str, rng: random.Random) -> dict:
    row = next(m for m in listing.modes.all() if m.mode == mode)
    if mode == "service":
        return {"package": str(rng.choice(list(row.packages.all())).public_id)}
    options = {o["name"]: rng.choice(o["choices"])["label"] for o in row.options}
    answers = {
        p["prompt"]: rng.choice(("A.M.", "For Lena", "J & K", "Grandpa's"))
        for p in row.personalisation
        if p.get("required") or rng.random() < 0.5
    }
    return {"options": options, "personalisation": answers}


def exchanges_demo_seed(*, now: dt.datetime, rng: random.Random) -> int:
    """Create demo exchanges in every state of both processes; return how many.

    Uses listings in communities paying through the sandbox gateway, so every
    payment is a sandbox card payment. Returns 0 when there is nothing to order.
    """
    plan = _Plan()
    created: list[Exchange] = []
    count = 0
    for mode, paths in (
        ("service", COMMISSION_PATHS),
        ("made_to_order", PURCHASE_PATHS),
    ):
        listings = _eligible(mode)
        if not listings:
            continue
        for days_ago, steps in paths.values():
            listing = rng.choice(listings)
            host = _host(listing.community, owner=listing.owner)
            # The host resolves disputes, so never buys in these demo exchanges.
            customers = [
                m for m in _members(listing.community) if m not in (listing.owner, host)
            ]
            if not customers or host is None:
                continue
            customer = rng.choice(customers)
            start = now - dt.timedelta(days=days_ago, minutes=rng.randrange(90))
            args = _order_args(listing, mode, rng)
            plan.at(
                start,
                _order(
                    created, listing, customer, mode, args, start, steps, host, plan
                ),
            )
            count += 1
        if mode == "service":
            count += _milestones(plan, created, listings, now, rng)
    count += _rentals(plan, created, now, rng)
    count += _gifts(plan, now)
    count += _swaps(plan, now)
    count += _loans(plan, created, now, rng)
    count += _time_bank(plan, created, now, rng)
    plan.run(latest=now)
    plan.at(now, partial(timers_run_due, now=now))
    plan.run(latest=now)
    _reviews(now=now, rng=rng)
    _reviews_publish_closed(now=now)
    return count


# What demo customers and providers say of each other: (rating, text).
_CUSTOMER_SAYS: tuple[tuple[int, str], ...] = (
    (5, "Exactly what I hoped for, and **early**. I would order again."),
    (5, "Lovely to work with: quick answers and a beautiful result."),
    (5, "Listened to every detail. The finished piece is on our wall now."),
    (4, "Very good work; one round of changes took a little longer than planned."),
    (4, "Friendly and careful. Delivery was a day late, but worth the wait."),
    (3, "Good in the end, though it took two rounds to get the colours right."),
)
_PROVIDER_SAYS: tuple[tuple[int, str], ...] = (
    (5, "A clear brief and quick feedback. A pleasure."),
    (5, "Knew what they wanted and paid at once. Thank you!"),
    (4, "Friendly; the brief changed a little on the way, which was fine."),
)


def _reviews(*, now: dt.datetime, rng: random.Random) -> int:
    """Both parties of most completed demo exchanges review each other; return how many.

    Some leave it to one side or to neither, so profiles show reviews published
    together, and a few still hidden until the other party writes theirs.
    """
    written = 0
    # Written a few hours after each exchange ended, well inside its window;
    # the one-sided ones whose window has closed since are published after.
    completed = Exchange.objects.filter(
        reviews_opened_at__isnull=False, reviews_published_at__isnull=True
    ).select_related("customer", "provider")
    for exchange in completed.order_by("reviews_opened_at", "pk"):
        chance = rng.random()
        authors: list[tuple[Any, tuple[tuple[int, str], ...]]] = []
        if chance < 0.85:
            authors.append((exchange.customer, _CUSTOMER_SAYS))
        if chance < 0.6 or 0.85 <= chance < 0.9:
            authors.append((exchange.provider, _PROVIDER_SAYS))
        opened = exchange.reviews_opened_at
        assert opened is not None
        for n, (author, says) in enumerate(authors, start=1):
            rating, text = rng.choice(says)
            when = min(opened + dt.timedelta(hours=3 * n), now)
            if exchange.reviews_close_at and when >= exchange.reviews_close_at:
                break
            subs = {}
            if author == exchange.customer:
                subs = {"communication": rating, "quality": rating, "on_time": 5}
            services.review_submit(
                exchange=exchange,
                author=author,
                review=services.ReviewIn(rating=rating, text=text, **subs),
                now=when,
            )
            written += 1
    return written


def _reviews_publish_closed(*, now: dt.datetime) -> None:
    """Publish the reviews whose window closed before ``now``, each when it
    closed, as the worker would have: its first round then finds none due."""
    closes = (
        Exchange.objects.filter(
            reviews_published_at__isnull=True, reviews_close_at__lte=now
        )
        .order_by("reviews_close_at")
        .values_list("reviews_close_at", flat=True)
        .distinct()
    )
    for close in list(closes):
        assert close is not None  # the filter kept only closed windows
        services.reviews_publish_due(now=close)


def _order(created, listing, customer, mode, args, start, steps, host, plan):
    def run() -> None:
        exchange = services.exchange_order(
            listing=listing,
            customer=customer,
            mode=mode,
            requirements="Made for the demo: see the listing for details.",
            now=start,
            **args,
        )
        created.append(exchange)
        _schedule(plan, exchange, steps, start, host)

    return run


def _rentals(plan, created, now: dt.datetime, rng: random.Random) -> int:
    """A rental in every state of the rental process, on the demo's rental listings."""
    listings = list(
        Listing.objects.filter(status=Listing.Status.ACTIVE, modes__mode="rental")
        .select_related("community", "owner")
        .order_by("pk")
        .distinct()
    )
    # The paths show the owner approving: listings that book instantly skip that.
    listings = [x for x in listings if not availability_get(listing=x).instant_booking]
    made = 0
    for i, (days_ago, first_day, days, steps) in enumerate(RENTAL_PATHS.values()):
        if not listings:
            break
        # Each path on its own listing where there are enough; the request falls
        # back to the next listing when its period is taken.
        order = listings[i % len(listings) :] + listings[: i % len(listings)]
        start = now - dt.timedelta(days=days_ago, minutes=rng.randrange(90))
        plan.at(start, _rent(created, order, first_day, days, start, steps, plan))
        made += 1
    return made


def _rent(created, listings, first_day, days, start, steps, plan, mode="rental"):
    def run() -> None:
        begin = start.date() + dt.timedelta(days=first_day)
        for listing in listings:
            host = _host(listing.community, owner=listing.owner)
            customers = [
                m for m in _members(listing.community) if m not in (listing.owner, host)
            ]
            if not customers or host is None:
                continue
            customer = customers[len(created) % len(customers)]
            try:
                exchange = services.exchange_order(
                    listing=listing,
                    customer=customer,
                    mode=mode,
                    start=begin,
                    end=begin + dt.timedelta(days=days),
                    now=start,
                )
            except SelfworkError:
                continue  # taken or not bookable then: the next listing
            created.append(exchange)
            _schedule(plan, exchange, steps, start, host)
            return

    return run


def _loans(plan, created, now: dt.datetime, rng: random.Random) -> int:
    """A loan in every state of the lend process, on the demo's lend listings."""
    listings = list(
        Listing.objects.filter(status=Listing.Status.ACTIVE, modes__mode="lend")
        .select_related("community", "owner")
        .order_by("pk")
        .distinct()
    )
    made = 0
    for i, (days_ago, first_day, days, steps) in enumerate(LEND_PATHS.values()):
        if not listings:
            break
        order = listings[i % len(listings) :] + listings[: i % len(listings)]
        start = now - dt.timedelta(days=days_ago, minutes=rng.randrange(90))
        plan.at(
            start,
            _rent(created, order, first_day, days, start, steps, plan, mode="lend"),
        )
        made += 1
    return made


def _time_bank(plan, created, now: dt.datetime, rng: random.Random) -> int:
    """A time-bank exchange in every state, on the demo's timebank listings.

    Offers of time are asked for by a neighbour; requests for help are answered
    by one, who then earns the hours.
    """
    listings = list(
        Listing.objects.filter(
            status=Listing.Status.ACTIVE,
            modes__mode="timebank",
            community__timebank_enabled=True,
        )
        .select_related("community", "owner")
        .order_by("pk")
        .distinct()
    )
    made = 0
    for i, (days_ago, answering, steps) in enumerate(TIMEBANK_PATHS.values()):
        kind = Listing.Kind.REQUEST if answering else Listing.Kind.OFFER
        fitting = [x for x in listings if x.kind == kind]
        if not fitting:
            continue
        listing = fitting[i % len(fitting)]
        host = _host(listing.community, owner=listing.owner)
        others = [
            m for m in _members(listing.community) if m not in (listing.owner, host)
        ]
        if not others or host is None:
            continue
        other = others[(i * 3) % len(others)]
        start = now - dt.timedelta(days=days_ago, minutes=rng.randrange(90))
        plan.at(start, _ask(created, listing, other, start, steps, host, plan))
        made += 1
    return made


def _ask(created, listing, member, start, steps, host, plan):
    def run() -> None:
        exchange = services.exchange_order(
            listing=listing,
            customer=member,
            mode="timebank",
            requirements="Made for the demo: see the listing for details.",
            now=start,
        )
        created.append(exchange)
        _schedule(plan, exchange, steps, start, host)

    return run


def _payments_confirm(exchange: Exchange, host, when: dt.datetime) -> None:
    """The host records that cash for the exchange (and its deposit) arrived."""
    reference = str(exchange.public_id)
    for charge in Charge.objects.filter(reference=reference, status="pending"):
        payments.manual_charge_confirm(charge=charge, host=host, now=when)
    deposit = deposit_for(reference=reference)
    if deposit is not None and deposit.status == "pending":
        payments.manual_deposit_confirm(deposit=deposit, host=host, now=when)


def _schedule(plan, exchange, steps, start, host) -> None:
    when = start
    for name, role, hours, params in steps:
        when = when + hours * HOUR
        plan.at(when, _step(exchange, name, role, params, when, host))


def _step(exchange: Exchange, name: str, role: str, params: dict, when, host):
    def run() -> None:
        fresh = Exchange.objects.select_related(
            "customer", "provider", "community"
        ).get(pk=exchange.pk)
        actor = {
            "customer": fresh.customer,
            "provider": fresh.provider,
            "operator": host,
        }[role]
        if name == "confirm":
            _payments_confirm(fresh, host, when)
            return
        if name == "say":
            services.message_post(
                exchange=fresh, author=actor, body=params["body"], now=when
            )
            return
        extra = dict(params)
        if name == "pay":
            extra["card"] = CARD_SUCCEEDS
        if name == "deliver":
            upload = upload_create(
                owner=fresh.provider,
                data=_picture(f"{fresh.public_id}:{when.isoformat()}"),
                now=when,
                kind="file",
            )
            extra["files"] = [str(upload.public_id)]
        services.exchange_transition(
            exchange=fresh, actor=actor, name=name, params=extra, now=when
        )

    return run


def _milestones(plan, created, listings, now, rng) -> int:
    """Two commissions agreed in milestones: one finished, one half-way."""
    made = 0
    for days_ago, finish in ((26, True), (6, False)):
        listing = rng.choice(listings)
        host = _host(listing.community, owner=listing.owner)
        customers = [
            m for m in _members(listing.community) if m not in (listing.owner, host)
        ]
        if not customers or host is None:
            continue
        customer = rng.choice(customers)
        package = next(m for m in listing.modes.all() if m.mode == "service")
        price = max(p.price_minor for p in package.packages.all())
        unit = package.packages.all()[0].unit
        first = price // 3 or 1
        terms = Terms(
            line_items=[
                LineItem(f"{listing.title} — in two stages"[:200], Money(price, unit))
            ],
            currency=unit,
            delivery_days=10,
            revisions=1,
            usage_rights={"use": "commercial", "credit_required": True},
            milestones=[
                Milestone("Sketches and colour study", Money(first, unit)),
                Milestone("Final artwork", Money(price - first, unit)),
            ],
            requirements="Agreed by message: sketches first, then the final piece.",
        )
        start = now - dt.timedelta(days=days_ago)
        steps: list[Step] = [
            ("pay", "customer", 2, {}),
            ("deliver", "provider", 50, {"note": "Sketches attached."}),
            ("accept_milestone", "customer", 10, {}),
            ("pay", "customer", 3, {}),
        ]
        if finish:
            steps += [
                ("deliver", "provider", 90, {"note": "The final artwork."}),
                ("accept", "customer", 12, {}),
            ]

        def begin(
            listing=listing,
            customer=customer,
            terms=terms,
            start=start,
            steps=steps,
            host=host,
        ) -> None:
            exchange = services.exchange_start(
                process="commission",
                customer=customer,
                provider=listing.owner,
                community=listing.community,
                terms=terms,
                now=start,
                listing=listing,
                source="offer",
                title=listing.title,
            )
            created.append(exchange)
            _schedule(plan, exchange, steps, start, host)

        plan.at(start, begin)
        made += 1
    return made


# --- Gifts and swaps: no money, several people asking -------------------------------


def _sharing_listings(mode: str, *, without: str = "") -> list[Listing]:
    """The active ``mode`` listings (not also ``without``) of the community that has
    the most of them, oldest first."""
    rows = list(
        Listing.objects.filter(status=Listing.Status.ACTIVE, modes__mode=mode)
        .exclude(modes__mode=without)
        .select_related("community", "owner")
        .order_by("pk")
        .distinct()
    )
    by_community: dict[int, list[Listing]] = {}
    for row in rows:
        by_community.setdefault(row.community_id, []).append(row)
    if not by_community:
        return []
    return max(by_community.values(), key=lambda found: (len(found), -found[0].pk))


def _share_step(exchange: Exchange, name: str, role: str, params: dict, when):
    def run() -> None:
        fresh = Exchange.objects.select_related("customer", "provider").get(
            pk=exchange.pk
        )
        actor = fresh.customer if role == "customer" else fresh.provider
        services.exchange_transition(
            exchange=fresh, actor=actor, name=name, params=params, now=when
        )

    return run


def _share_order(plan, listing, customer, mode, start, steps, path_start, **args):
    def run() -> None:
        exchange = services.exchange_order(
            listing=listing, customer=customer, mode=mode, now=start, **args
        )
        when = path_start
        for name, role, hours, params in steps:
            when = when + hours * HOUR
            plan.at(when, _share_step(exchange, name, role, params, when))

    return run


def _gifts(plan: _Plan, now: dt.datetime) -> int:
    """Gifts asked for by several neighbours, in every state of the gift process."""
    listings = _sharing_listings("gift", without="swap")
    made = 0
    for listing, (days_ago, requests) in zip(
        listings, GIFT_PATHS.values(), strict=False
    ):
        host = _host(listing.community, owner=listing.owner)
        askers = [
            m for m in _members(listing.community) if m not in (listing.owner, host)
        ]
        if len(askers) < len(requests):
            continue
        start = now - dt.timedelta(days=days_ago)
        for i, steps in enumerate(requests):
            asker = askers[(listing.pk + i) % len(askers)]
            plan.at(
                start + i * 2 * HOUR,
                _share_order(
                    plan,
                    listing,
                    asker,
                    "gift",
                    start + i * 2 * HOUR,
                    steps,
                    start,
                    message=GIFT_MESSAGES[(listing.pk + i) % len(GIFT_MESSAGES)],
                ),
            )
            made += 1
    return made


GIFT_MESSAGES = (
    "I'd love these for our allotment; I can collect any evening.",
    "We've just moved in and this would help a lot. Weekends suit me.",
    "Could I have it for the school garden? I'm round the corner.",
)


def _swaps(plan: _Plan, now: dt.datetime) -> int:
    """Swaps in every state of the swap process, among the community's swap listings.

    The completing swap takes its two listings and declines the proposal made
    before it for one of them; every other path is on other listings, each an
    ordered pair of listings of two members, reused only by a path that ended
    before the next began.
    """
    # Listings given away as well are the gifts' (``_gifts`` leaves them out).
    listings = _sharing_listings("swap")
    done_pair = next(
        ((a, b) for a in listings for b in listings if a.owner_id != b.owner_id),
        None,
    )
    if done_pair is None:
        return 0
    taken_ids = {done_pair[0].pk, done_pair[1].pk}
    rest = [x for x in listings if x.pk not in taken_ids]
    pairs = [(a, b) for a in rest for b in rest if a.owner_id != b.owner_id]
    # The proposal declined when the swap completes: someone else's listing (or,
    # with nothing else, the completed swap's other) offered for its first.
    gone_offer = next(
        (x for x in rest if x.owner_id != done_pair[0].owner_id), done_pair[1]
    )
    made = 0
    # The paths still open hold their pair; those that ended, ended before the
    # open ones began, so they may share.
    still_open = iter(pairs)
    for i, (name, (days_ago, steps)) in enumerate(SWAP_PATHS.items()):
        if name == "completed":
            target, offered = done_pair
        elif name == "declined, swapped elsewhere":
            target, offered = done_pair[0], gone_offer
            if gone_offer == done_pair[1]:
                continue  # the same proposal as the swap itself
        elif not pairs:
            continue
        elif name in SWAPS_LEFT_OPEN:
            pair = next(still_open, None)
            if pair is None:
                continue
            target, offered = pair
        else:
            target, offered = pairs[i % len(pairs)]
        start = now - dt.timedelta(days=days_ago)
        plan.at(
            start,
            _share_order(
                plan,
                target,
                offered.owner,
                "swap",
                start,
                steps,
                start,
                offered_listing=offered.public_id,
                message=f"Would you swap for my “{offered.title}”?",
            ),
        )
        made += 1
    return made
