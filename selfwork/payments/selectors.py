"""Reads on payments: wallets, entries, destinations, payouts, deposits, the operator's view."""

import datetime as dt
import statistics
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Concat, Trunc
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from selfwork.communities.selectors import communities_hosted_by
from selfwork.core.errors import NotFound
from selfwork.core.formats import money_format
from selfwork.core.money import Money
from selfwork.core.periods import Bucket
from selfwork.ledger.models import Account, Leg, Transaction
from selfwork.payments.books import (
    DEPOSIT_PREFIX,
    ESCROW_PREFIX,
    PLATFORM_REF,
    escrow_ref,
    member_ref,
)
from selfwork.payments.models import (
    Charge,
    CommunityPaymentSettings,
    Deposit,
    Payout,
    PayoutDestination,
    PayoutPreference,
    Refund,
    Release,
)
from selfwork.payments.references import references_describe

DEFAULT_GATEWAY = "sandbox"


def community_gateway(*, community) -> str:
    """Return the name of the gateway ``community``'s payments go through.

    The community's ``CommunityPaymentSettings`` row if it has one, else the
    deployment's ``SELFWORK_PAYMENT_GATEWAY`` setting (``sandbox`` by default).
    """
    chosen = (
        CommunityPaymentSettings.objects.filter(community=community)
        .values_list("gateway", flat=True)
        .first()
    )
    return str(chosen or getattr(settings, "SELFWORK_PAYMENT_GATEWAY", DEFAULT_GATEWAY))


@dataclass(frozen=True)
class WalletBalance:
    """A member's money in one currency.

    ``available`` is the wallet (what can be paid out now). ``escrow`` is held
    for exchanges where the member is the provider: paid by customers, not yet
    released. ``escrow_paid`` is held for exchanges the member paid for as
    customer. ``paid_out`` is the sum of the member's paid payouts.
    ``deposits_held`` is what the member's card (or cash) holds as deposits of
    rentals they are customer of: not taken, not theirs to spend meanwhile.
    ``refunded`` is what was given back to the member's card from escrow they
    paid (a cancellation, a dispute decided their way).
    """

    currency: str
    available: Money
    escrow: Money
    escrow_paid: Money
    paid_out: Money
    deposits_held: Money
    refunded: Money


def _escrow_by_unit(charges: QuerySet[Charge]) -> dict[str, int]:
    refs = charges.annotate(owner=Concat(Value(ESCROW_PREFIX), F("reference"))).values(
        "owner"
    )
    return dict(
        Account.objects.filter(kind=Account.Kind.ESCROW, owner_ref__in=refs)
        .values("unit")
        .annotate(total=Sum("balance_minor"))
        .values_list("unit", "total")
    )


def wallet_balances(*, member) -> list[WalletBalance]:
    """Return ``member``'s balances per currency, ordered by currency code.

    A currency appears once the member has a wallet, money in escrow, a deposit
    held, a refund or a payout in it. Six queries whatever the member's history.
    """
    wallets = dict(
        Account.objects.filter(
            kind=Account.Kind.MEMBER_WALLET, owner_ref=member_ref(member)
        ).values_list("unit", "balance_minor")
    )
    captured = Charge.objects.filter(status__in=Charge.CAPTURED)
    escrow = _escrow_by_unit(captured.filter(provider=member))
    escrow_paid = _escrow_by_unit(captured.filter(customer=member))
    paid_out = dict(
        Payout.objects.filter(member=member, status=Payout.Status.PAID)
        .values("currency")
        .annotate(total=Sum("amount_minor"))
        .values_list("currency", "total")
    )
    deposit_refs = (
        Deposit.objects.filter(customer=member, status=Deposit.Status.HELD)
        .annotate(owner=Concat(Value(DEPOSIT_PREFIX), F("reference")))
        .values("owner")
    )
    deposits = dict(
        Account.objects.filter(
            kind=Account.Kind.DEPOSIT_HELD, owner_ref__in=deposit_refs
        )
        .values("unit")
        .annotate(total=Sum("balance_minor"))
        .values_list("unit", "total")
    )
    refunded = dict(
        Refund.objects.filter(charge__customer=member)
        .values("currency")
        .annotate(total=Sum("amount_minor"))
        .values_list("currency", "total")
    )
    units = sorted(
        set(wallets)
        | set(escrow)
        | set(escrow_paid)
        | set(paid_out)
        | set(deposits)
        | set(refunded)
    )
    return [
        WalletBalance(
            currency=unit,
            available=Money(wallets.get(unit, 0), unit),
            escrow=Money(escrow.get(unit) or 0, unit),
            escrow_paid=Money(escrow_paid.get(unit) or 0, unit),
            paid_out=Money(paid_out.get(unit) or 0, unit),
            deposits_held=Money(deposits.get(unit) or 0, unit),
            refunded=Money(refunded.get(unit) or 0, unit),
        )
        for unit in units
    ]


def wallet_available(*, member, unit: str) -> Money:
    """Return what ``member`` can pay out in ``unit`` now (their wallet's balance)."""
    minor = (
        Account.objects.filter(
            kind=Account.Kind.MEMBER_WALLET, owner_ref=member_ref(member), unit=unit
        )
        .values_list("balance_minor", flat=True)
        .first()
    )
    return Money(minor or 0, unit)


def wallet_entries(*, member, before_id: int | None = None) -> QuerySet[Leg]:
    """Return the posted legs of ``member``'s wallets, newest first, with transactions.

    Page by keyset: pass the last leg's ``id`` as ``before_id``.
    """
    legs = Leg.objects.filter(
        account__kind=Account.Kind.MEMBER_WALLET,
        account__owner_ref=member_ref(member),
        transaction__state=Transaction.State.POSTED,
    )
    if before_id is not None:
        legs = legs.filter(id__lt=before_id)
    return legs.select_related("transaction", "account").order_by("-id")


def payout_destinations(*, member) -> QuerySet[PayoutDestination]:
    """Return ``member``'s payout destinations, newest (the default) first."""
    return PayoutDestination.objects.filter(member=member).order_by(
        "-created_at", "-pk"
    )


def payout_destination_get(*, member, public_id) -> PayoutDestination:
    """Return ``member``'s destination ``public_id``.

    :raises NotFound: if there is none, or it is another member's.
    """
    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError:
        public_id = None
    destination = (
        PayoutDestination.objects.filter(member=member, public_id=public_id).first()
        if public_id is not None
        else None
    )
    if destination is None:
        raise NotFound(
            gettext("No such payout destination."), code="destination_not_found"
        )
    return destination


def payouts_list(*, member) -> QuerySet[Payout]:
    """Return ``member``'s payouts, newest first, with their destinations."""
    return (
        Payout.objects.filter(member=member)
        .select_related("destination")
        .order_by("-created_at", "-pk")
    )


def payout_preference(*, member) -> bool:
    """Return whether ``member`` asked to be paid out on every release."""
    return bool(
        PayoutPreference.objects.filter(member=member)
        .values_list("auto_payout", flat=True)
        .first()
    )


def charge_get(*, public_id) -> Charge:
    """Return the charge ``public_id`` with its community and customer.

    :raises NotFound: if there is none.
    """
    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError:
        raise NotFound(gettext("No such charge."), code="charge_not_found") from None
    charge = (
        Charge.objects.filter(public_id=public_id)
        .select_related("community", "customer")
        .first()
    )
    if charge is None:
        raise NotFound(gettext("No such charge."), code="charge_not_found")
    return charge


def charges_pending_for_host(*, member) -> QuerySet[Charge]:
    """Return the manual charges waiting for ``member`` to confirm, oldest first.

    Those of the communities where ``member`` is an active host.
    """
    hosted = communities_hosted_by(member=member)
    return (
        Charge.objects.filter(status=Charge.Status.PENDING, community__in=hosted)
        .select_related("customer", "community")
        .order_by("created_at", "pk")
    )


def charge_get_for_host(*, public_id, member) -> Charge:
    """Return a charge of a community ``member`` hosts, or raise NotFound.

    Others must not learn that a payment exists, so a charge elsewhere is a 404.
    """
    try:
        key = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise NotFound(gettext("No such payment."), code="charge_not_found") from exc
    charge = (
        Charge.objects.filter(
            public_id=key, community__in=communities_hosted_by(member=member)
        )
        .select_related("customer", "community")
        .first()
    )
    if charge is None:
        raise NotFound(gettext("No such payment."), code="charge_not_found")
    return charge


def deposit_for(*, reference: str) -> Deposit | None:
    """Return ``reference``'s deposit (its one attempt that was not declined), or None.

    With its customer, provider and community.
    """
    return (
        Deposit.objects.filter(reference=reference)
        .exclude(status=Deposit.Status.FAILED)
        .select_related("customer", "provider", "community")
        .first()
    )


def deposits_for_host(*, member) -> QuerySet[Deposit]:
    """Return the cash deposits ``member`` hosts that wait or are held, oldest first.

    Pending ones wait for the host to confirm them; held ones, to be returned.
    """
    return (
        Deposit.objects.filter(
            gateway="manual",
            status__in=[Deposit.Status.PENDING, Deposit.Status.HELD],
            community__in=communities_hosted_by(member=member),
        )
        .select_related("customer", "provider", "community")
        .order_by("created_at", "pk")
    )


def deposit_get_for_host(*, public_id, member) -> Deposit:
    """Return a deposit of a community ``member`` hosts, or raise NotFound.

    Others must not learn that a deposit exists, so one elsewhere is a 404.
    """
    try:
        key = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise NotFound(gettext("No such deposit."), code="deposit_not_found") from exc
    deposit = (
        Deposit.objects.filter(
            public_id=key, community__in=communities_hosted_by(member=member)
        )
        .select_related("customer", "provider", "community")
        .first()
    )
    if deposit is None:
        raise NotFound(gettext("No such deposit."), code="deposit_not_found")
    return deposit


@dataclass(frozen=True)
class ReferenceTotals:
    """What one reference captured and where it went, in one currency."""

    reference: str
    currency: str
    captured: Money
    refunded: Money
    released: Money
    fees: Money
    net: Money
    escrow: Money
    settled: bool

    @property
    def accounted(self) -> Money:
        """Net + fees + refunds + what escrow still holds: equals ``captured``."""
        return self.net + self.fees + self.refunded + self.escrow


def reference_totals(*, references: list[str] | None = None) -> list[ReferenceTotals]:
    """Return the totals of every reference with a captured charge (or of ``references``).

    Ordered by reference. Reads payments rows and the escrow accounts' balances.
    """
    charges = Charge.objects.filter(status__in=Charge.CAPTURED)
    refunds = Refund.objects.all()
    releases = Release.objects.all()
    if references is not None:
        charges = charges.filter(reference__in=references)
        refunds = refunds.filter(reference__in=references)
        releases = releases.filter(reference__in=references)
    captured: dict[tuple[str, str], int] = defaultdict(int)
    for reference, unit, total in (
        charges.values("reference", "currency")
        .annotate(total=Sum("amount_minor"))
        .values_list("reference", "currency", "total")
    ):
        captured[(reference, unit)] += total
    refunded: dict[tuple[str, str], int] = defaultdict(int)
    for reference, unit, total in (
        refunds.values("reference", "currency")
        .annotate(total=Sum("amount_minor"))
        .values_list("reference", "currency", "total")
    ):
        refunded[(reference, unit)] += total
    released: dict[tuple[str, str], tuple[int, int, int]] = defaultdict(
        lambda: (0, 0, 0)
    )
    for reference, unit, gross, fee, net in (
        releases.values("reference", "currency")
        .annotate(
            gross=Sum("gross_minor"),
            fee=Sum(F("platform_fee_minor") + F("treasury_fee_minor")),
            net=Sum("net_minor"),
        )
        .values_list("reference", "currency", "gross", "fee", "net")
    ):
        released[(reference, unit)] = (gross, fee, net)
    final_refs = set(releases.filter(final=True).values_list("reference", flat=True))
    keys = sorted(set(captured) | set(refunded) | set(released))
    escrow: dict[tuple[str, str], int] = {}
    if keys:
        escrow = {
            (owner, unit): balance
            for owner, unit, balance in Account.objects.filter(
                kind=Account.Kind.ESCROW,
                owner_ref__in=[escrow_ref(reference) for reference, _ in keys],
            ).values_list("owner_ref", "unit", "balance_minor")
        }
    fully_refunded = _fully_refunded(references)
    totals = []
    for reference, unit in keys:
        gross, fee, net = released[(reference, unit)]
        totals.append(
            ReferenceTotals(
                reference=reference,
                currency=unit,
                captured=Money(captured[(reference, unit)], unit),
                refunded=Money(refunded[(reference, unit)], unit),
                released=Money(gross, unit),
                fees=Money(fee, unit),
                net=Money(net, unit),
                escrow=Money(escrow.get((escrow_ref(reference), unit), 0), unit),
                settled=reference in final_refs or reference in fully_refunded,
            )
        )
    return totals


def _fully_refunded(references: list[str] | None) -> set[str]:
    """References whose every captured charge was refunded in full.

    A charge given back because nothing took it (``abandoned_at``) settles
    nothing: the customer may still pay.
    """
    charges = Charge.objects.filter(
        status__in=Charge.CAPTURED, abandoned_at__isnull=True
    )
    if references is not None:
        charges = charges.filter(reference__in=references)
    partly = set(
        charges.exclude(status=Charge.Status.REFUNDED).values_list(
            "reference", flat=True
        )
    )
    return set(charges.values_list("reference", flat=True).distinct()) - partly


def escrow_balance(*, reference: str) -> int:
    """What the escrow of ``reference`` holds now, in minor units (0 if never paid).

    The escrow account's balance, one indexed row: a reference holds one
    currency (a charge in another is refused), and its account is opened by
    the first charge captured, so this is ``reference_totals``'s ``escrow``.
    """
    held = (
        Account.objects.filter(
            kind=Account.Kind.ESCROW, owner_ref=escrow_ref(reference)
        )
        .order_by("unit")
        .values_list("balance_minor", flat=True)
        .first()
    )
    return held or 0


def reference_settled(*, reference: str, charges: list[Charge] | None = None) -> bool:
    """Whether ``reference`` was released in full, or all its captured charges refunded.

    ``charges``, when the caller has just read every charge of ``reference``,
    spares reading them again.
    """
    if charges is not None:
        # ``_fully_refunded``, on the rows in hand.
        kept = [
            charge
            for charge in charges
            if charge.status in Charge.CAPTURED and charge.abandoned_at is None
        ]
        if kept and all(c.status == Charge.Status.REFUNDED for c in kept):
            return True
    elif reference in _fully_refunded([reference]):
        return True
    return Release.objects.filter(reference=reference, final=True).exists()


@dataclass
class MoneyOverview:
    """The operator's view of the money: fees, treasuries, escrow, clearing."""

    fee_revenue: list[Money] = field(default_factory=list)
    treasuries: list[tuple[str, Money]] = field(default_factory=list)
    escrow_outstanding: list[tuple[Money, int]] = field(default_factory=list)
    gateway_clearing: list[tuple[str, Money]] = field(default_factory=list)
    payout_clearing: list[tuple[str, Money]] = field(default_factory=list)
    wallets: list[Money] = field(default_factory=list)
    pending_manual: int = 0


def money_overview(*, community_names: dict[str, str] | None = None) -> MoneyOverview:
    """Return the operator's overview, every list ordered by unit (then name).

    ``community_names`` maps ``community:<uuid>`` owner refs to display names.
    """
    names = community_names or {}
    overview = MoneyOverview()
    overview.fee_revenue = [
        Money(balance, unit)
        for unit, balance in Account.objects.filter(
            kind=Account.Kind.PLATFORM_FEES, owner_ref=PLATFORM_REF
        )
        .order_by("unit")
        .values_list("unit", "balance_minor")
    ]
    overview.treasuries = sorted(
        (
            (names.get(owner, owner), Money(balance, unit))
            for owner, unit, balance in Account.objects.filter(
                kind=Account.Kind.COMMUNITY_TREASURY
            ).values_list("owner_ref", "unit", "balance_minor")
        ),
        key=lambda row: (row[0], row[1].unit),
    )
    overview.escrow_outstanding = [
        (Money(row["total"], row["unit"]), row["held"])
        for row in Account.objects.filter(kind=Account.Kind.ESCROW)
        .values("unit")
        .annotate(
            total=Sum("balance_minor"),
            held=Count("pk", filter=~Q(balance_minor=0)),
        )
        .order_by("unit")
    ]
    for kind, target in (
        (Account.Kind.GATEWAY_CLEARING, overview.gateway_clearing),
        (Account.Kind.PAYOUT_CLEARING, overview.payout_clearing),
    ):
        target.extend(
            (owner.removeprefix("gateway:"), Money(balance, unit))
            for owner, unit, balance in Account.objects.filter(kind=kind)
            .order_by("owner_ref", "unit")
            .values_list("owner_ref", "unit", "balance_minor")
        )
    overview.wallets = [
        Money(row["total"], row["unit"])
        for row in Account.objects.filter(kind=Account.Kind.MEMBER_WALLET)
        .values("unit")
        .annotate(total=Sum("balance_minor"))
        .order_by("unit")
    ]
    overview.pending_manual = Charge.objects.filter(
        status=Charge.Status.PENDING
    ).count()
    return overview


def last_charged(*, reference_prefix: str) -> Money | None:
    """What the customer last paid under ``reference_prefix`` (fees included)."""
    charge = (
        Charge.objects.filter(
            reference__startswith=reference_prefix, status__in=Charge.CAPTURED
        )
        .order_by("-pk")
        .first()
    )
    if charge is None:
        return None
    return Money(charge.amount_minor, charge.currency)


def last_released(*, reference_prefix: str) -> Money | None:
    """What the provider last received under ``reference_prefix``, after fees."""
    release = (
        Release.objects.filter(reference__startswith=reference_prefix)
        .order_by("-pk")
        .first()
    )
    return None if release is None else Money(release.net_minor, release.currency)


PAYOUT_PREFIX = "payout:"


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class HistoryRow:
    """One line of a wallet's history, in words."""

    leg: Leg
    amount: Money
    what: str
    detail: str = ""
    title: str = ""
    link: str = ""


def wallet_history(*, member, legs: list[Leg]) -> list[HistoryRow]:
    """``legs`` of ``member``'s wallet said in words: what happened, with whom.

    Three queries whatever the number of legs: the references' labels (from the
    apps that own them), the releases' fees and the payouts' destinations. The
    ledger's memos name no one (they are sealed into its checksums for good), so
    the names and accounts shown here are read from the rows they refer to.
    """
    references = [leg.transaction.reference for leg in legs]
    labels = references_describe(references)
    fees = {
        r.reference: Money(r.fee_minor, r.currency)
        for r in Release.objects.filter(
            reference__in={ref for ref in references if ref}, provider=member
        )
    }
    payout_ids = [
        ref.removeprefix(PAYOUT_PREFIX)
        for ref in references
        if ref.startswith(PAYOUT_PREFIX)
    ]
    destinations = {
        f"{PAYOUT_PREFIX}{payout.public_id}": payout.destination
        for payout in Payout.objects.filter(
            public_id__in=[p for p in payout_ids if _is_uuid(p)], member=member
        ).select_related("destination")
    }
    rows = []
    for leg in legs:
        txn = leg.transaction
        label = labels.get(txn.reference)
        amount = Money(leg.amount_minor, leg.unit)
        what, detail = txn.memo or txn.kind, ""
        if label is not None:
            other = label.counterpart(me=member.name)
            if txn.kind == "release" and leg.amount_minor > 0:
                what = _("Payment from %(name)s") % {"name": other}
                fee = fees.get(txn.reference)
                if fee is not None and fee.minor:
                    detail = _("after a %(fee)s fee") % {"fee": money_format(fee)}
            elif txn.kind == "deposit_capture" and leg.amount_minor > 0:
                what = _("Deposit claimed from %(name)s") % {"name": other}
        elif (destination := destinations.get(txn.reference)) is not None:
            what = _("Payout to %(label)s %(masked)s") % {
                "label": destination.label,
                "masked": destination.masked,
            }
        rows.append(
            HistoryRow(
                leg=leg,
                amount=amount,
                what=what,
                detail=detail,
                title=label.title if label else "",
                link=label.link if label else "",
            )
        )
    return rows


@dataclass(frozen=True)
class VolumeRow:
    """Money released to providers in one bucket, in one currency."""

    period: dt.date
    volume: Money
    fees: Money
    releases: int


def volume_by_period(
    *, since: dt.datetime, bucket: Bucket, community=None
) -> list[VolumeRow]:
    """Return released volume (gross) and fees per ``bucket`` since ``since``.

    One row per bucket and currency that saw a release, ordered by currency then
    bucket; currencies are never added together. Fees are the platform's and the
    treasury's shares. ``community`` narrows to one community (None: all).
    """
    releases = Release.objects.filter(created_at__gte=since)
    if community is not None:
        releases = releases.filter(community=community)
    rows = (
        releases.annotate(period=Trunc("created_at", bucket))
        .values("period", "currency")
        .annotate(
            volume=Sum("gross_minor"),
            fees=Sum(F("platform_fee_minor") + F("treasury_fee_minor")),
            releases=Count("pk"),
        )
        .order_by("currency", "period")
    )
    return [
        VolumeRow(
            period=timezone.localtime(row["period"]).date(),
            volume=Money(row["volume"], row["currency"]),
            fees=Money(row["fees"], row["currency"]),
            releases=row["releases"],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class PayoutTimes:
    """How long released money waited before it was paid out, in seconds."""

    count: int
    median: float | None
    p90: float | None
    longest: float | None


def payout_times(*, since: dt.datetime, community=None) -> PayoutTimes:
    """Return the time from release to paid payout of payouts paid since ``since``.

    Only payouts made for one release (automatic payouts) have a start to count
    from; a payout a member asks for moves a wallet balance, not one release.
    """
    payouts = Payout.objects.filter(
        status=Payout.Status.PAID, release__isnull=False, paid_at__gte=since
    )
    if community is not None:
        payouts = payouts.filter(release__community=community)
    waits = [
        max((paid_at - released_at).total_seconds(), 0.0)
        for released_at, paid_at in payouts.values_list(
            "release__created_at", "paid_at"
        )
        if paid_at is not None and released_at is not None
    ]
    return payout_times_of(waits)


def payout_times_of(waits: list[float]) -> PayoutTimes:
    """Summarise waits in seconds: median, 90th percentile (inclusive), longest."""
    if not waits:
        return PayoutTimes(count=0, median=None, p90=None, longest=None)
    ordered = sorted(waits)
    p90 = (
        statistics.quantiles(ordered, n=10, method="inclusive")[-1]
        if len(ordered) > 1
        else ordered[0]
    )
    return PayoutTimes(
        count=len(ordered),
        median=statistics.median(ordered),
        p90=p90,
        longest=ordered[-1],
    )
