"""The actions a process may run: the engine's one registry of them.

Each action is declared once, in ``ACTIONS``: what it does (its runner), and
which **pots** it opens or settles — ``escrow`` (money paid in), ``deposit`` (a
card authorisation held), ``booking`` (a period held on a listing's calendar) —
which the validator follows along every path of a process so that no terminal
state leaves a pot open. Adding an action touches only this module.

``exchange_transition`` has already moved the exchange (compare-and-set) when an
action runs; an action that raises rolls the move back with everything else.
Money moves only through the payments services, under keys derived from the
exchange, the event's sequence number and (for charges) the card, so a retried
call settles the same thing once and a new card is a new attempt.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import F, Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from selfwork.catalog import services as catalog
from selfwork.catalog.calendar import cancellation_refund_percent
from selfwork.catalog.selectors import listing_status_of
from selfwork.communities.timebank import hours_transfer
from selfwork.core.errors import Conflict, InvalidInput
from selfwork.core.i18n import interpolate_lazy, text_lazy
from selfwork.core.money import HOUR, Money
from selfwork.exchanges.engine.model import described
from selfwork.exchanges.errors import (
    AlreadySwapped,
    GiftPromised,
    ListingNotAvailable,
    PaymentPending,
)
from selfwork.exchanges.models import Exchange, OutboxEvent
from selfwork.exchanges.selectors import exchange_bill, exchange_fee_policy
from selfwork.notifications.models import Kind
from selfwork.notifications.services import notify_many
from selfwork.payments import services as payments
from selfwork.payments.errors import DepositExpired
from selfwork.payments.fees import refund_share
from selfwork.payments.models import (
    Charge,
    Deposit,
    Payout,
    PayoutDestination,
    Release,
)
from selfwork.payments.selectors import escrow_balance


@dataclass
class ActionContext:
    """What an action knows: the exchange (already in its new state) and the call."""

    exchange: Exchange
    process: Any  # engine.Process; the engine imports this module
    transition: Any  # engine.Transition
    actor: Any
    role: str
    params: dict[str, Any]
    seq: int
    now: dt.datetime
    # What the actions did, recorded on the event (amounts in minor units).
    effects: dict[str, Any] = field(default_factory=dict)
    release: Release | None = None
    # A payment the transition took awaits a host's confirmation (cash, a
    # transfer); the exchange then waits in the transition's ``pending_to``.
    payment_pending: bool = False
    waits_in: str = ""
    # What actions took before the transition's transaction (``Action.take``),
    # by action name, for their ``run`` to claim.
    taken: dict[str, Any] = field(default_factory=dict)
    # Listings the actions promised, gave or swapped: the other open exchanges
    # on them take their automatic steps once this transition is recorded.
    listings_taken: list[int] = field(default_factory=list)


def payment_reference(exchange: Exchange, milestone_index: int | None = None) -> str:
    """The payments reference of ``exchange``'s escrow (per milestone, if any).

    A release that empties escrow settles its reference for good, so each
    milestone is funded and released under a reference of its own.
    """
    if not exchange.milestone_count:
        return str(exchange.public_id)
    index = exchange.milestone_index if milestone_index is None else milestone_index
    return f"{exchange.public_id}:m{index + 1}"


def payment_references(exchange: Exchange) -> list[str]:
    """Every payments reference ``exchange`` may have used."""
    if not exchange.milestone_count:
        return [str(exchange.public_id)]
    return [payment_reference(exchange, i) for i in range(exchange.milestone_count)]


def escrow_held(reference: str) -> int:
    """What escrow holds for ``reference``, in minor units (0 if nothing was paid)."""
    return escrow_balance(reference=reference)


def _charge_take(ctx: ActionContext) -> Charge:
    exchange = ctx.exchange
    card = ctx.params.get("card")
    # The card is part of the key: after a decline, another card is another
    # attempt, while a retry of the same call is answered once by the gateway.
    part = str(ctx.seq)
    if card:
        part += "-" + hashlib.sha256(str(card).encode()).hexdigest()[:10]
    bill = exchange_bill(exchange=exchange)
    # The price goes in; payments adds the customer fee of the exchange's policy.
    return payments.escrow_charge(
        reference=payment_reference(exchange),
        customer=exchange.customer,
        community=exchange.community,
        amount=bill.due_price,
        now=ctx.now,
        card=card,
        provider=exchange.provider,
        part=part,
        policy=exchange_fee_policy(exchange=exchange),
        claim=False,
    )


def _charge(ctx: ActionContext) -> None:
    exchange = ctx.exchange
    charge = ctx.taken.get("charge") or _charge_take(ctx)
    charge = payments.charge_claim(charge=charge, now=ctx.now)
    ctx.effects["charged"] = charge.amount_minor
    if charge.status == Charge.Status.PENDING:
        ctx.payment_pending = True
    if charge.customer_fee_minor:
        ctx.effects["customer_fee"] = charge.customer_fee_minor
    ctx.effects["charge_status"] = charge.status
    if exchange.delivery_days:
        due_at = ctx.now + dt.timedelta(days=exchange.delivery_days)
        Exchange.objects.filter(pk=exchange.pk).update(due_at=due_at)
        exchange.due_at = due_at


def _settled_only(reference: str) -> None:
    """Refuse to settle escrow while a payment into it awaits a host's confirmation.

    A manual (cash, transfer) charge posts nothing until the host confirms it;
    settling before would end the exchange and leave that money to arrive in the
    escrow of a closed exchange. A card payment still in flight (taken, not yet
    claimed or given back) waits the same way: settling would sweep it along.
    """
    unsettled = Q(status=Charge.Status.PENDING) | Q(
        claimed_at__isnull=True, abandoned_at__isnull=True
    )
    if (
        Charge.objects.filter(unsettled, reference=reference)
        .exclude(status=Charge.Status.FAILED)
        .exists()
    ):
        raise PaymentPending(
            gettext(
                "The payment is waiting for the host to confirm it arrived; "
                "it can be settled once confirmed (or cancelled)."
            ),
            reference=reference,
        )


def _refund(ctx: ActionContext) -> None:
    _refund_percent(ctx, ctx.params.get("refund_percent", 100))


def _refund_percent(ctx: ActionContext, percent: int) -> None:
    reference = payment_reference(ctx.exchange)
    _settled_only(reference)
    held = escrow_held(reference)
    amount = refund_share(held, int(percent))
    if amount > 0:
        payments.escrow_refund(
            reference=reference,
            now=ctx.now,
            amount=None if amount == held else Money(amount, ctx.exchange.currency),
            part=str(ctx.seq),
        )
    ctx.effects["refunded"] = amount


def _release(ctx: ActionContext) -> None:
    exchange = ctx.exchange
    reference = payment_reference(exchange)
    _settled_only(reference)
    held = escrow_held(reference)
    if held > 0:
        ctx.release = payments.escrow_release(
            reference=reference,
            provider=exchange.provider,
            community=exchange.community,
            now=ctx.now,
            part=str(ctx.seq),
        )
        ctx.effects["released"] = ctx.release.gross_minor
        ctx.effects["fee"] = ctx.release.fee_minor
        ctx.effects["net"] = ctx.release.net_minor
    if exchange.milestone_index < exchange.milestone_count - 1:
        Exchange.objects.filter(pk=exchange.pk).update(
            milestone_index=F("milestone_index") + 1
        )
        exchange.milestone_index += 1


def _record_resolution(ctx: ActionContext) -> None:
    """Keep who decided a dispute, how and why; ``settle_resolution`` applies it.

    A host's decision waits (in escrow) for the parties' chance to ask staff to
    review it, so it is recorded first and settled later, by the timer or by
    staff. It says what share of escrow goes back to the customer
    (``refund_percent``) and, for a deposit, what ``amount`` of it the provider
    is awarded; what it does not say is 0.
    """
    awarded = ctx.params.get("amount")
    if awarded is not None and awarded.minor > ctx.exchange.deposit_minor:
        raise InvalidInput(
            gettext("The deposit is %(value)s; no more of it can be awarded.")
            % {"value": Money(ctx.exchange.deposit_minor, awarded.unit)},
            field="amount",
            code="claim_exceeds_deposit",
        )
    resolution = {
        "refund_percent": ctx.params.get("refund_percent", 0),
        "awarded_minor": awarded.minor if awarded is not None else 0,
        "note": ctx.params.get("note", ""),
        "decided_by": getattr(ctx.actor, "username", None),
        "role": ctx.role,
        "decided_at": ctx.now.isoformat(),
    }
    Exchange.objects.filter(pk=ctx.exchange.pk).update(resolution=resolution)
    ctx.exchange.resolution = resolution
    ctx.effects["resolution"] = {"refund_percent": resolution["refund_percent"]}


def _settle_resolution(ctx: ActionContext) -> None:
    """Refund the recorded share of escrow to the customer; release the rest."""
    resolution = ctx.exchange.resolution
    if not resolution:
        raise InvalidInput(
            gettext(
                "No resolution was recorded for this exchange; an operator "
                "resolves it first."
            ),
            code="no_resolution",
        )
    if escrow_held(payment_reference(ctx.exchange)) > 0:
        _refund_percent(ctx, int(resolution.get("refund_percent", 0)))
        _release(ctx)
    _settle_deposit(ctx, int(resolution.get("awarded_minor", 0)))
    _release_reservation(ctx)


# --- Calendars and deposits ---------------------------------------------------------


def _reserve(ctx: ActionContext) -> None:
    exchange = ctx.exchange
    if exchange.listing is None or exchange.booking_start_at is None:
        raise InvalidInput(
            gettext("This exchange books no period."), field="start", code="required"
        )
    catalog.booking_hold(
        listing=exchange.listing,
        start=exchange.booking_start_at,
        end=exchange.booking_end_at,
        reference=str(exchange.public_id),
        now=ctx.now,
    )


def _release_reservation(ctx: ActionContext) -> None:
    catalog.booking_release(reference=str(ctx.exchange.public_id), now=ctx.now)


def _deposit_take(ctx: ActionContext) -> Deposit | None:
    exchange = ctx.exchange
    if not exchange.deposit_minor:
        return None
    return payments.deposit_authorise(
        reference=str(exchange.public_id),
        customer=exchange.customer,
        provider=exchange.provider,
        community=exchange.community,
        amount=Money(exchange.deposit_minor, exchange.currency),
        card=ctx.params.get("card"),
        now=ctx.now,
        claim=False,
    )


def _hold_deposit(ctx: ActionContext) -> None:
    deposit = ctx.taken.get("hold_deposit") or _deposit_take(ctx)
    if deposit is None:
        return
    deposit = payments.deposit_claim(deposit=deposit, now=ctx.now)
    ctx.effects["deposit"] = deposit.status
    if deposit.status == "pending":
        ctx.payment_pending = True


def _settle_deposit(ctx: ActionContext, claimed: int) -> None:
    """Capture ``claimed`` of the deposit for the provider; void the rest."""
    reference = str(ctx.exchange.public_id)
    if claimed > 0:
        try:
            payments.deposit_capture(
                reference=reference,
                amount=Money(claimed, ctx.exchange.currency),
                now=ctx.now,
            )
        except DepositExpired:
            # The card's authorisation lapsed before the claim was settled: there
            # is nothing left to capture. The exchange still ends; the effect says
            # so, for the parties and the host to settle outside.
            ctx.effects["deposit_lapsed"] = claimed
            return
        ctx.effects["deposit_claimed"] = claimed
    elif payments.deposit_void(reference=reference, now=ctx.now) is not None:
        ctx.effects["deposit"] = "voided"


def _release_deposit(ctx: ActionContext) -> None:
    _settle_deposit(ctx, 0)


def _claim_deposit(ctx: ActionContext) -> None:
    _settle_deposit(ctx, ctx.exchange.claim_minor)


def _record_claim(ctx: ActionContext) -> None:
    """Keep the provider's damage claim on the deposit, to be accepted or disputed."""
    amount = ctx.params["amount"]
    if amount.minor > ctx.exchange.deposit_minor:
        raise InvalidInput(
            gettext("The deposit is %(value)s; a claim cannot be more.")
            % {"value": Money(ctx.exchange.deposit_minor, amount.unit)},
            field="amount",
            code="claim_exceeds_deposit",
        )
    Exchange.objects.filter(pk=ctx.exchange.pk).update(claim_minor=amount.minor)
    ctx.exchange.claim_minor = amount.minor
    ctx.effects["claimed"] = amount.minor


def _cancel_pending_payment(ctx: ActionContext) -> None:
    """Record that the cash or transfer awaited never came: nothing was posted.

    A host may have confirmed it a moment before: what did arrive is refunded
    and a held deposit voided, so the exchange ends with nothing held.
    """
    references = [payment_reference(ctx.exchange), str(ctx.exchange.public_id)]
    lapsed = payments.pending_payments_lapse(
        references=sorted(set(references)), now=ctx.now
    )
    if lapsed:
        ctx.effects["payments_lapsed"] = lapsed
    if escrow_held(payment_reference(ctx.exchange)) > 0:
        _refund_percent(ctx, 100)
    _release_deposit(ctx)


def _refund_by_policy(ctx: ActionContext) -> None:
    """Refund what the cancellation policy gives back now; release the rest."""
    exchange = ctx.exchange
    reference = payment_reference(exchange)
    if escrow_held(reference) <= 0:
        return
    percent = 100
    if exchange.booking_start_at is not None and exchange.cancellation_policy:
        percent = cancellation_refund_percent(
            policy=exchange.cancellation_policy,
            start=exchange.booking_start_at,
            now=ctx.now,
        )
    ctx.effects["policy_refund_percent"] = percent
    _refund_percent(ctx, percent)
    if escrow_held(reference) > 0:
        _release(ctx)


def _payout(ctx: ActionContext) -> None:
    release = ctx.release
    if release is None or release.net_minor <= 0:
        return
    if Payout.objects.filter(release=release).exists():
        return  # the provider asked for automatic payouts; payments paid it
    if not PayoutDestination.objects.filter(member=ctx.exchange.provider).exists():
        ctx.effects["payout"] = "no_destination"
        return
    payout = payments.payout_create(
        member=ctx.exchange.provider,
        amount=Money(release.net_minor, release.currency),
        now=ctx.now,
    )
    ctx.effects["payout"] = payout.status


def _credit_hours(ctx: ActionContext) -> None:
    """Move the exchange's hours from the customer to the provider, in its community.

    The community's time bank decides: refused past the payer's floor
    (``insufficient_hours``) or the payee's ceiling (``hours_ceiling_reached``),
    and then nothing moves and the transition is rolled back. A free exchange
    (a loan for nothing) moves nothing.
    """
    exchange = ctx.exchange
    if exchange.currency != HOUR:
        raise InvalidInput(
            gettext("Time credits move only for an exchange priced in hours."),
            code="not_in_hours",
        )
    if exchange.total_minor == 0:
        return
    hours_transfer(
        community=exchange.community,
        payer=exchange.customer,
        payee=exchange.provider,
        hours=Money(exchange.total_minor, HOUR),
        idempotency_key=f"hours:{exchange.public_id}:{ctx.seq}",
        now=ctx.now,
        reference=str(exchange.public_id),
    )
    ctx.effects["hours"] = exchange.total_minor


# --- Gifts and swaps: the listing changes hands ---------------------------------------


def _confirm_side(ctx: ActionContext) -> None:
    """Record that the party taking the transition handed over their side.

    The guard ``own_side_unconfirmed`` folded "not yet" into the compare-and-set,
    so each side is confirmed once.
    """
    if ctx.role not in ("customer", "provider"):
        raise InvalidInput(
            gettext("Only a party confirms their side."),
            code="not_a_party",
            field="name",
        )
    column = f"{ctx.role}_confirmed_at"
    Exchange.objects.filter(pk=ctx.exchange.pk).update(**{column: ctx.now})
    setattr(ctx.exchange, column, ctx.now)
    ctx.effects["confirmed"] = ctx.role


def _swap_listings(ctx: ActionContext) -> None:
    """Mark both listings of the swap swapped, or refuse if either was already.

    Each is a compare-and-set on the listing's row, so of two swaps of one
    listing completing at once exactly one marks it; the other rolls back whole.
    """
    exchange = ctx.exchange
    ids = [i for i in (exchange.listing_id, exchange.offered_listing_id) if i]
    if len(ids) != 2:
        raise ListingNotAvailable(gettext("A listing of this swap was deleted."))
    for listing_id in ids:
        if not catalog.listing_status_move(
            listing_id=listing_id,
            source=("active", "hidden"),
            target="swapped",
            now=ctx.now,
        ):
            raise AlreadySwapped(
                gettext(
                    "A listing of this swap was swapped, given or promised "
                    "elsewhere meanwhile."
                )
            )
    ctx.listings_taken.extend(ids)
    ctx.effects["swapped"] = True


def _promise_listing(ctx: ActionContext) -> None:
    """Promise the gift to this exchange's customer: active → promised, once."""
    listing_id = ctx.exchange.listing_id
    if listing_id is None:
        raise ListingNotAvailable(gettext("The gift's listing was deleted."))
    if not catalog.listing_status_move(
        listing_id=listing_id, source=("active",), target="promised", now=ctx.now
    ):
        if listing_status_of(listing_id=listing_id) == "promised":
            raise GiftPromised(
                gettext(
                    "The gift is promised to someone already; reopen that "
                    "promise first to give it to someone else."
                )
            )
        raise ListingNotAvailable(
            gettext("The listing is hidden, given or swapped; it cannot be given now.")
        )
    ctx.listings_taken.append(listing_id)


def _give_listing(ctx: ActionContext) -> None:
    """The promised gift changed hands: promised → given; it leaves for good."""
    listing_id = ctx.exchange.listing_id
    if listing_id is not None:
        catalog.listing_status_move(
            listing_id=listing_id, source=("promised",), target="given", now=ctx.now
        )
    ctx.effects["given"] = True


def _reopen_listing(ctx: ActionContext) -> None:
    """The promise fell through: promised → active; others may ask again."""
    listing_id = ctx.exchange.listing_id
    if listing_id is not None:
        catalog.listing_status_move(
            listing_id=listing_id, source=("promised",), target="active", now=ctx.now
        )
    ctx.effects["reopened"] = True


def _reveal_deliverables(ctx: ActionContext) -> None:
    if ctx.exchange.deliverables_revealed_at is None:
        Exchange.objects.filter(pk=ctx.exchange.pk).update(
            deliverables_revealed_at=ctx.now
        )
        ctx.exchange.deliverables_revealed_at = ctx.now


def reviews_open(ctx: ActionContext) -> None:
    """Open the review window of an exchange that ended successfully (once)."""
    # Opens the review window; the reviews themselves are published when both
    # parties have written theirs, or by the worker when the window closes.
    if ctx.exchange.reviews_opened_at is None:
        close_at = ctx.now + ctx.process.review_window
        Exchange.objects.filter(pk=ctx.exchange.pk).update(
            reviews_opened_at=ctx.now, reviews_close_at=close_at
        )
        ctx.exchange.reviews_opened_at = ctx.now
        ctx.exchange.reviews_close_at = close_at


# What a notice is about, told by what its transition does (the engine's own
# vocabulary), so that a new process's steps are named without code: the first
# match wins.
NOTICE_KIND_BY_ACTION = (
    ("payout", Kind.PAID_OUT),
    ("release", Kind.ACCEPTED),
    ("credit_hours", Kind.ACCEPTED),
    ("charge", Kind.PAID),
    ("reveal_deliverables", Kind.DELIVERED),
)
# A step that spends one of the agreed revisions is a request for changes.
NOTICE_KIND_BY_GUARD = (("revisions_left", Kind.CHANGES_REQUESTED),)

NOTICE_TITLES = {
    Kind.PAID_OUT: _("The money for “%(title)s” is paid out."),
    Kind.ACCEPTED: _("“%(title)s” is accepted."),
    Kind.PAID: _("“%(title)s” is paid for."),
    Kind.DELIVERED: _("“%(title)s” is delivered."),
    Kind.CHANGES_REQUESTED: _("Changes are requested on “%(title)s”."),
    Kind.REMINDER: _("A reminder about “%(title)s”: %(label)s."),
    Kind.EXCHANGE: _("“%(title)s” moved on: %(label)s."),
}


def notice_kind(transition: Any) -> str:
    """The kind of notification a transition's notice is (see ``NOTICE_KIND_BY_*``)."""
    if transition is None:
        return Kind.EXCHANGE
    for action, kind in NOTICE_KIND_BY_ACTION:
        if action in transition.actions:
            return kind
    for guard, kind in NOTICE_KIND_BY_GUARD:
        if guard in transition.guards:
            return kind
    return Kind.EXCHANGE


def _notice_body(
    *, actor: Any, label: Any, state_label: Any, detail: str, decision: str
) -> str:
    if actor is not None:
        step = gettext("%(name)s chose “%(label)s”.") % {
            "name": actor.name,
            "label": label,
        }
    else:
        step = gettext("“%(label)s” happened as the process says it does in time.") % {
            "label": label
        }
    parts = [step, gettext("The exchange is now: %(state)s.") % {"state": state_label}]
    if detail:
        parts.append(detail)
    if decision:
        parts.append(decision)
    return "\n\n".join(parts)


def resolution_text(resolution: dict | None) -> str:
    """The decision on a dispute, as both parties are told it."""
    if not resolution:
        return ""
    text = gettext(
        "The decision: %(percent)s %% of the money in escrow goes back to the "
        "customer and the rest to the provider. Decided by %(who)s (%(role)s), "
        "because: %(note)s"
    ) % {
        "percent": resolution.get("refund_percent"),
        "who": resolution.get("decided_by") or gettext("staff"),
        "role": resolution.get("role"),
        "note": resolution.get("note", ""),
    }
    if resolution.get("role") != "staff":
        text += "\n\n" + gettext(
            "If you disagree, you may ask the platform's staff to review it "
            "within 7 days; until then the money stays in escrow."
        )
    return text


def notice_queue(
    *,
    exchange: Exchange,
    process: Any,
    label: Any,
    recipients: list,
    now: dt.datetime,
    transition: str = "",
    detail: str = "",
    resolution: dict | None = None,
    actor: Any = None,
    kind: str | None = None,
) -> None:
    """Tell ``recipients`` about a step of ``exchange``, in the app and as they chose.

    Each recipient gets a notification (``notify``), e-mailed by the worker after
    commit if their preference says so; the outbox event stays for webhooks.
    ``label`` may be lazy: each recipient reads it in their own language, and
    webhooks in the site's default language, whoever took the step.
    """
    state_label = process.states[exchange.state].label_lazy
    with translation.override(settings.LANGUAGE_CODE):
        payload_label, payload_state_label = str(label), str(state_label)
    OutboxEvent.objects.create(
        kind="exchange.notification",
        exchange=exchange,
        payload={
            "exchange": str(exchange.public_id),
            "title": exchange.title,
            "transition": transition,
            "label": payload_label,
            "detail": detail,
            "state": exchange.state,
            "state_label": payload_state_label,
            "recipients": [str(m.public_id) for m in recipients],
            "resolution": resolution,
        },
        created_at=now,
        available_at=now,
    )
    kind = kind or notice_kind(process.transitions.get(transition))
    notify_many(
        members=recipients,
        kind=kind,
        title=interpolate_lazy(
            NOTICE_TITLES[Kind(kind)], {"title": exchange.title, "label": label}
        ),
        body=text_lazy(
            lambda: _notice_body(
                actor=actor,
                label=label,
                state_label=state_label,
                # The process file's English, in the recipient's language.
                detail=described(process.name, "transition", detail),
                decision=resolution_text(resolution),
            )
        ),
        link=exchange_path(exchange),
        now=now,
    )


def exchange_path(exchange: Exchange) -> str:
    """The path of ``exchange``'s room, the page a notice about it links to."""
    return reverse("web:exchange", kwargs={"public_id": exchange.public_id})


def _notify(ctx: ActionContext) -> None:
    exchange = ctx.exchange
    actor_pk = getattr(ctx.actor, "pk", None)
    notice_queue(
        exchange=exchange,
        process=ctx.process,
        label=ctx.transition.label_lazy,
        transition=ctx.transition.name,
        recipients=[
            m for m in (exchange.customer, exchange.provider) if m.pk != actor_pk
        ],
        actor=ctx.actor,
        resolution=exchange.resolution
        if "record_resolution" in ctx.transition.actions
        else None,
        now=ctx.now,
    )


def _notify_customer(ctx: ActionContext) -> None:
    notice_queue(
        exchange=ctx.exchange,
        process=ctx.process,
        label=ctx.transition.label_lazy,
        transition=ctx.transition.name,
        detail=ctx.transition.description,
        recipients=[ctx.exchange.customer],
        actor=ctx.actor,
        now=ctx.now,
    )


POTS = ("escrow", "deposit", "booking", "promise")


@dataclass(frozen=True)
class Action:
    """One action of the engine's vocabulary and what it does to the pots."""

    name: str
    description: str
    run: Callable[[ActionContext], None]
    # Pots it fills (refused where one may already be open) ...
    opens: tuple[str, ...] = ()
    # ... empties (refused where none can be open) ...
    settles: tuple[str, ...] = ()
    # ... or empties when open, whichever of them are.
    settles_open: tuple[str, ...] = ()
    # With this parameter the action may leave its pot partly open (a partial
    # refund), so a later action must settle the rest.
    partial_with: str = ""
    # A payment the customer waits for is taken before the transition's
    # transaction, with no lock held (``take``); ``run`` then claims it inside
    # the transaction, and if the transition fails it is given back.
    take: Callable[[ActionContext], Any] | None = None
    give_back: Callable[[Any, dt.datetime], Any] | None = None
    # The events integrations hear when it runs (``core.events``), besides the
    # exchange's own ``exchange.transitioned``.
    announces: tuple[str, ...] = ()


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action(
            "charge",
            "charges the customer (card) into escrow: the total, or the current "
            "milestone, each with its customer fee",
            _charge,
            opens=("escrow",),
            take=_charge_take,
            give_back=lambda charge, now: payments.charge_abandon(
                charge=charge, now=now
            ),
            announces=("exchange.paid",),
        ),
        Action(
            "refund",
            "refunds escrow to the customer: all of it, or refund_percent of it",
            _refund,
            settles=("escrow",),
            partial_with="refund_percent",
            announces=("exchange.refunded",),
        ),
        Action(
            "release",
            "releases escrow to the provider, less the fees the exchange copied "
            "when it started; with milestones left, moves to the next one",
            _release,
            settles=("escrow",),
            announces=("exchange.released",),
        ),
        Action(
            "payout",
            "after release: pays the provider's net out at once",
            _payout,
        ),
        Action(
            "credit_hours",
            "moves the exchange's total in time credits from the customer to the "
            "provider, in its community's time bank (within its floor and ceiling)",
            _credit_hours,
        ),
        Action(
            "record_resolution",
            "records how a dispute is decided (refund_percent, note), by whom and "
            "as which role",
            _record_resolution,
        ),
        Action(
            "settle_resolution",
            "applies the recorded resolution: refunds its share of escrow, "
            "releases the rest",
            _settle_resolution,
            settles_open=("escrow", "deposit", "booking"),
            announces=("exchange.refunded", "exchange.released"),
        ),
        Action(
            "reserve",
            "holds the exchange's period on the listing's calendar (409 slot_taken "
            "when it is not free)",
            _reserve,
            opens=("booking",),
            announces=("booking.created",),
        ),
        Action(
            "release_reservation",
            "frees the exchange's period on the listing's calendar",
            _release_reservation,
            settles_open=("booking",),
            announces=("booking.cancelled",),
        ),
        Action(
            "hold_deposit",
            "authorises the deposit on the customer's card (card), held apart "
            "from escrow",
            _hold_deposit,
            opens=("deposit",),
            take=_deposit_take,
            give_back=lambda deposit, now: payments.deposit_abandon(
                deposit=deposit, now=now
            ),
        ),
        Action(
            "release_deposit",
            "voids the deposit: the customer keeps all of it",
            _release_deposit,
            settles_open=("deposit",),
        ),
        Action(
            "claim_deposit",
            "captures the claimed part of the deposit for the provider and voids "
            "the rest",
            _claim_deposit,
            settles=("deposit",),
        ),
        Action(
            "record_claim",
            "records the provider's damage claim (amount, at most the deposit)",
            _record_claim,
        ),
        Action(
            "cancel_pending_payment",
            "records that a payment awaiting a host's confirmation never came",
            _cancel_pending_payment,
            settles_open=("escrow", "deposit"),
        ),
        Action(
            "refund_by_policy",
            "refunds escrow by the booking's cancellation policy and the time left "
            "before it starts; releases the rest to the provider",
            _refund_by_policy,
            settles_open=("escrow",),
            announces=("exchange.refunded",),
        ),
        Action(
            "reveal_deliverables",
            "lets the customer download the delivered files",
            _reveal_deliverables,
        ),
        Action("publish_reviews", "opens reviews for both parties", reviews_open),
        Action(
            "confirm_side",
            "records that the party taking the transition handed over their side",
            _confirm_side,
        ),
        Action(
            "swap_listings",
            "marks both listings of a swap swapped (409 already_swapped when one "
            "was taken meanwhile); the other open proposals on them end",
            _swap_listings,
        ),
        Action(
            "promise_listing",
            "promises the gift to the customer (409 gift_promised when it is "
            "promised already); the other open requests for it end",
            _promise_listing,
            opens=("promise",),
        ),
        Action(
            "give_listing",
            "marks the promised gift given: it leaves search for good",
            _give_listing,
            settles=("promise",),
        ),
        Action(
            "reopen_listing",
            "takes the promise back: the gift is available again",
            _reopen_listing,
            settles=("promise",),
        ),
        Action("notify", "tells the other party (e-mail, by the worker)", _notify),
        Action(
            "notify_customer",
            "tells the customer only (a request that ended because of another "
            "exchange: its owner knows why)",
            _notify_customer,
        ),
    )
}
# Named by the format for sharing processes but not run by this version: a
# process using one is refused at load.
ACTIONS_PENDING: tuple[str, ...] = ()


def actions_take(ctx: ActionContext) -> dict[str, Any]:
    """Take the payments of the transition's actions, before its transaction.

    Each is recorded, asked of the gateway and answered in transactions of its
    own, so no lock is held while the gateway thinks. If one is refused (a
    declined card), what the others took is given back and the refusal raised.
    """
    taken: dict[str, Any] = {}
    try:
        for name in ctx.transition.actions:
            take = ACTIONS[name].take
            if take is not None:
                taken[name] = take(ctx)
    except Conflict as exc:
        # Another call is paying for the same thing: what this one found or
        # recorded may be what that one claims. The worker gives back the rest.
        if exc.code != "payment_in_progress":
            actions_give_back(taken, ctx.now)
        raise
    except BaseException:
        actions_give_back(taken, ctx.now)
        raise
    return taken


def actions_give_back(taken: dict[str, Any], now: dt.datetime) -> None:
    """Give back what ``actions_take`` took for a transition that did not happen.

    Only what this call recorded: a payment it found (a racing call's, with the
    same card) is the other call's to claim, or the worker's to give back.
    """
    for name, thing in taken.items():
        give_back = ACTIONS[name].give_back
        if give_back is not None and getattr(thing, "recorded_here", False):
            give_back(thing, now)


def actions_announced(ctx: ActionContext, *, success: bool) -> list[str]:
    """The events the transition's actions announce, in the order they ran.

    A payment still waiting for a host's confirmation is not paid yet; a
    reservation freed at a successful end (the thing came back) was used, not
    cancelled.
    """
    kinds: list[str] = []
    for name in ctx.transition.actions:
        for kind in ACTIONS[name].announces:
            if kind == "exchange.paid" and ctx.payment_pending:
                continue
            if kind == "booking.cancelled" and success:
                continue
            if kind not in kinds:
                kinds.append(kind)
    return kinds


def actions_run(ctx: ActionContext) -> None:
    """Run the transition's actions in order (the engine refused unknown ones).

    Once a payment awaits a host's confirmation, the exchange moves on to the
    transition's ``pending_to`` state before the rest run, so that what they say
    (a notification) says it waits: it is never "paid" before the money is.
    """
    for name in ctx.transition.actions:
        ACTIONS[name].run(ctx)
        pending_to = getattr(ctx.transition, "pending_target", "")
        if ctx.payment_pending and pending_to and not ctx.waits_in:
            Exchange.objects.filter(pk=ctx.exchange.pk).update(
                state=pending_to, closed_at=None
            )
            ctx.exchange.state = pending_to
            ctx.exchange.closed_at = None
            ctx.waits_in = pending_to
