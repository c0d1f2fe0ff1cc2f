"""A realistic money history for the demo, written through the payments services.

Given communities with members, it draws exchanges between their members over
the weeks before ``now`` and settles them the way a marketplace's month looks:
most are paid by card and released less the community's fee days later; some
are partly refunded first, a few cancelled and refunded in full, the newest still
held in escrow; one card is declined before the customer pays with another;
a cash payment is confirmed by the host of a community that settles by hand
(and one still waits for its host); providers add bank accounts, some ask for
automatic payouts and the others pay out now and then, and each payout lands
minutes to two days after it was asked for (``Bank``). References are
``demo:<n>``. Everything goes through the services, so ``selfwork audit``
checks the result like any other history.
"""

import contextlib
import datetime as dt
import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from selfwork.communities.models import Community, Membership
from selfwork.core.money import Money, unit_exponent
from selfwork.payments import services
from selfwork.payments.errors import PaymentDeclined
from selfwork.payments.gateways import CARD_DECLINED, CARD_SUCCEEDS
from selfwork.payments.models import Charge, GatewayCall
from selfwork.payments.selectors import community_gateway, wallet_available
from selfwork.payments.services.calls import call_make, calls_held

EXCHANGES = 48
_CARDS = (CARD_SUCCEEDS, "5555 5555 5555 4444", "4000 0566 5566 5556")


def bank_transfer_time(rng: random.Random) -> dt.timedelta:
    """How long a bank takes to land a payout: minutes to two days.

    An instant transfer in minutes, most the same day, some the next working day.
    """
    draw = rng.random()
    if draw < 0.35:
        return dt.timedelta(minutes=rng.uniform(2, 45))
    if draw < 0.8:
        return dt.timedelta(hours=rng.uniform(1, 9))
    return dt.timedelta(hours=rng.uniform(16, 50))


class Bank:
    """Makes the gateway calls of a history written after the fact.

    The sandbox pays a payout the moment it is asked, which would make every
    payout of the demo land the minute its money was released. A real bank
    takes minutes to days, so the demo makes each payout call when the bank
    would have answered (``later`` plans it, never after ``latest``), as a worker
    running then would have; refunds, captures and voids are made at once.
    """

    def __init__(
        self,
        *,
        latest: dt.datetime,
        later: Callable[[dt.datetime, Callable[[], object]], None],
    ):
        # Its own generator: the history drawn from the caller's stays the same.
        self.rng = random.Random("bank transfers")
        self.latest = latest
        self.later = later

    def run(self, action: Callable[[], object]) -> None:
        """Run ``action``, then make the gateway calls it queued."""
        with calls_held() as held:
            action()
        payouts = set(
            GatewayCall.objects.filter(
                pk__in=[pk for pk, _at in held],
                operation=GatewayCall.Operation.PAYOUT,
            ).values_list("pk", flat=True)
        )
        for pk, queued_at in held:
            if pk not in payouts:
                call_make(pk, now=queued_at)
                continue
            landed = queued_at + bank_transfer_time(self.rng)
            landed = max(min(landed, self.latest), queued_at)
            self.later(landed, partial(call_make, pk, now=landed))


@dataclass
class _Plan:
    """Events in time order; a payout's landing is planned while the plan runs."""

    events: list[tuple[dt.datetime, int, Callable[[], object]]] = field(
        default_factory=list
    )
    serial: int = 0

    def at(self, when: dt.datetime, action: Callable[[], object]) -> None:
        self.serial += 1
        heapq.heappush(self.events, (when, self.serial, action))

    def run(self, *, latest: dt.datetime) -> None:
        bank = Bank(latest=latest, later=self.at)
        while self.events:
            _when, _n, action = heapq.heappop(self.events)
            bank.run(action)


def _amount(rng: random.Random, unit: str) -> Money:
    """A price a maker would ask: whole units, to the nearest 5 above 20."""
    units = rng.choice((12, 18, 25, 35, 40, 45, 60, 75, 90, 120, 150, 180, 240, 320))
    scale = 10 ** unit_exponent(unit)
    if unit == "JPY":
        units *= 150
    return Money(units * scale, unit)


def _account_number(rng: random.Random) -> str:
    digits = "".join(str(rng.randrange(10)) for _ in range(18))
    if digits.endswith("0002"):  # the sandbox bank refuses those; keep the demo tidy
        digits = digits[:-1] + "3"
    return f"DE{rng.randrange(10, 99)}{digits}"


def payments_demo_seed(
    *,
    now: dt.datetime,
    rng: random.Random,
    communities: list[Community] | None = None,
    exchanges: int = EXCHANGES,
    settled_by_hand: tuple[str, ...] = (),
) -> int:
    """Write a money history for ``communities`` (default: all); return exchanges drawn.

    Runs every event in time order, each told its own time. The communities whose
    slugs are in ``settled_by_hand`` are switched to the manual gateway first.
    """
    chosen = communities or list(Community.objects.order_by("pk"))
    members: dict[int, list] = {}
    hosts: dict[int, object] = {}
    for community in chosen:
        rows = list(
            Membership.objects.filter(
                community=community, status=Membership.Status.ACTIVE
            )
            .select_related("member")
            .order_by("pk")
        )
        if len(rows) < 2:
            continue
        members[community.pk] = [m.member for m in rows]
        hosts[community.pk] = next(
            (m.member for m in rows if m.role == Membership.Role.HOST), rows[0].member
        )
    usable = [c for c in chosen if c.pk in members]
    if not usable:
        return 0

    start = now - dt.timedelta(days=75)
    for community in usable:
        if community.slug in settled_by_hand:
            services.payment_settings_set(
                community=community,
                actor=hosts[community.pk],
                gateway="manual",
                now=start,
            )

    plan = _Plan()
    providers: dict[int, tuple] = {}
    declined_once = False
    for n in range(1, exchanges + 1):
        community = rng.choice(usable)
        customer, provider = rng.sample(members[community.pk], 2)
        providers.setdefault(provider.pk, (provider, community))
        amount = _amount(rng, community.currency)
        reference = f"demo:{n}"
        paid_at = start + dt.timedelta(
            days=rng.uniform(0, 72), minutes=rng.randrange(60)
        )
        manual = community_gateway(community=community) == "manual"
        fate = rng.random()

        def charge(
            reference=reference,
            customer=customer,
            provider=provider,
            community=community,
            amount=amount,
            paid_at=paid_at,
            manual=manual,
            first_card_declined=not declined_once and not manual,
        ):
            if first_card_declined:
                # They try another card three minutes later.
                with contextlib.suppress(PaymentDeclined):
                    services.escrow_charge(
                        reference=reference,
                        customer=customer,
                        provider=provider,
                        community=community,
                        amount=amount,
                        card=CARD_DECLINED,
                        now=paid_at - dt.timedelta(minutes=3),
                    )
            services.escrow_charge(
                reference=reference,
                customer=customer,
                provider=provider,
                community=community,
                amount=amount,
                card=None if manual else rng.choice(_CARDS),
                now=paid_at,
            )

        plan.at(paid_at, charge)
        declined_once = declined_once or not manual

        if manual:
            confirmed_at = paid_at + dt.timedelta(hours=rng.randrange(2, 30))
            if confirmed_at >= now:
                continue  # the host will confirm it tomorrow

            def confirm(reference=reference, host=hosts[community.pk], at=confirmed_at):
                charge = Charge.objects.get(reference=reference, status="pending")
                services.manual_charge_confirm(charge=charge, host=host, now=at)

            plan.at(confirmed_at, confirm)
            settle_from = confirmed_at
        else:
            settle_from = paid_at

        settled_at = settle_from + dt.timedelta(days=rng.uniform(2, 14))
        if settled_at >= now:
            continue  # still being made: the money waits in escrow
        if fate < 0.08:

            def cancel(reference=reference, at=settled_at):
                services.escrow_refund(reference=reference, now=at)

            plan.at(settled_at, cancel)
            continue
        if fate < 0.2:
            refund = Money(
                amount.minor * rng.choice((20, 25, 30, 50)) // 100, amount.unit
            )
            refunded_at = settled_at - dt.timedelta(days=1)

            def partial_refund(reference=reference, refund=refund, at=refunded_at):
                services.escrow_refund(reference=reference, amount=refund, now=at)

            plan.at(max(refunded_at, settle_from), partial_refund)

        def release(
            reference=reference, provider=provider, community=community, at=settled_at
        ):
            services.escrow_release(
                reference=reference, provider=provider, community=community, now=at
            )

        plan.at(settled_at + dt.timedelta(minutes=1), release)

    # Providers' bank accounts and habits: a third are paid out on every release.
    for provider, community in sorted(providers.values(), key=lambda p: p[0].pk):
        services.payout_destination_add(
            member=provider,
            label=rng.choice(("Main account", "Current account", "Studio account")),
            account_number=_account_number(rng),
            now=start - dt.timedelta(days=1),
        )
        if rng.random() < 0.34:
            services.payout_preference_set(
                member=provider, auto_payout=True, now=start - dt.timedelta(hours=1)
            )
            continue
        for _ in range(rng.randrange(1, 4)):
            paid_out_at = start + dt.timedelta(days=rng.uniform(10, 74))

            def pay_out(provider=provider, unit=community.currency, at=paid_out_at):
                available = wallet_available(member=provider, unit=unit)
                whole = 10 ** unit_exponent(unit)
                share = available.minor * rng.choice((50, 75, 100)) // 100
                share -= share % whole
                if share > 0:
                    services.payout_create(
                        member=provider, amount=Money(share, unit), now=at
                    )

            plan.at(paid_out_at, pay_out)

    # Cash handed over yesterday, which the host has not confirmed yet.
    by_hand = [c for c in usable if c.slug in settled_by_hand]
    if by_hand:
        community = by_hand[0]
        customer, provider = rng.sample(members[community.pk], 2)
        amount = _amount(rng, community.currency)
        exchanges += 1

        def cash_waiting(
            reference=f"demo:{exchanges}",
            customer=customer,
            provider=provider,
            community=community,
            amount=amount,
        ):
            services.escrow_charge(
                reference=reference,
                customer=customer,
                provider=provider,
                community=community,
                amount=amount,
                now=now - dt.timedelta(days=1),
            )

        plan.at(now - dt.timedelta(days=1), cash_waiting)

    plan.run(latest=now)
    return exchanges
