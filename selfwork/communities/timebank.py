"""The time bank: hours held per member per community, an hour for an hour.

A community that enables its time bank gives each member an ``HOUR`` account
there, opened when they join. The host sets three limits, kept on the community:
a starting credit (issued once, on joining, from the community's issuance
account), a floor (how far into debt a member may go) and a ceiling.

==========================  ==================  ==============================
account                     ledger kind         owner_ref
==========================  ==================  ==============================
a member's hours            ``member_hours``    ``hours:<slug>:<member uuid>``
the community's issuance    ``hours_issuance``  ``hours:<slug>``
==========================  ==================  ==============================

A community's slug never changes, so the ledger export can name a commodity per
community (``HOUR_RIVERSIDE``) from the owner reference alone, without knowing
what a community is.

The floor is the account's own floor, which the database enforces on every
posting; the ceiling is checked here, with both accounts locked, since the
ledger has no ceilings. Every transfer goes through ``hours_transfer``.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Case, Count, F, Q, Sum, Value, When
from django.utils.translation import gettext

from selfwork.accounts.models import Member
from selfwork.communities.errors import (
    HoursCeilingReached,
    InsufficientHours,
    TimebankDisabled,
)
from selfwork.communities.models import Community, Membership
from selfwork.core.errors import InvalidInput
from selfwork.core.money import HOUR, Money
from selfwork.core.parse import money_parse
from selfwork.ledger.errors import InsufficientFunds
from selfwork.ledger.models import Account, Leg, Transaction
from selfwork.ledger.services import account_get_or_create, transaction_post

HOURS_PREFIX = "hours:"
# Transaction kinds the time bank posts.
KIND_TRANSFER = "hours"
KIND_STARTING_CREDIT = "hours_starting_credit"
# What a host may set, in hundredths of an hour.
MAX_FLOOR_DEPTH = 1000 * 100
MAX_CEILING = 10000 * 100
MIN_CEILING = 1 * 100


def issuance_ref(community: Community) -> str:
    """The owner reference of ``community``'s time-bank issuance account."""
    return f"{HOURS_PREFIX}{community.slug}"


def hours_ref(community: Community, member) -> str:
    """The owner reference of ``member``'s hours in ``community``."""
    return f"{HOURS_PREFIX}{community.slug}:{member.public_id}"


def _issuance_account(community: Community, now: dt.datetime) -> Account:
    return account_get_or_create(
        kind=Account.Kind.HOURS_ISSUANCE,
        owner_ref=issuance_ref(community),
        unit=HOUR,
        now=now,
        floor_minor=None,
        name=f"Time bank of {community.slug}",
    )


def hours_account_open(*, community: Community, member, now: dt.datetime) -> Account:
    """Return ``member``'s hours account in ``community``, opening it at 0.00 once.

    It opens with the community's floor; later changes of the floor reach it
    through ``timebank_limits_apply``.
    """
    return account_get_or_create(
        kind=Account.Kind.MEMBER_HOURS,
        owner_ref=hours_ref(community, member),
        unit=HOUR,
        now=now,
        floor_minor=community.timebank_floor_minor,
        name=f"Hours of member {member.public_id} in {community.slug}",
    )


def _enabled_check(community: Community) -> None:
    if not community.timebank_enabled:
        raise TimebankDisabled(
            gettext("%(name)s has no time bank; its host can enable one.")
            % {"name": community.name}
        )


@transaction.atomic
def timebank_member_join(*, community: Community, member, now: dt.datetime) -> None:
    """Open ``member``'s hours account on joining, with the starting credit, once.

    The credit comes from the community's issuance account under a key of the
    member and community, so leaving and joining again never issues it twice.
    Nothing happens in a community without a time bank.
    """
    if not community.timebank_enabled:
        return
    account = hours_account_open(community=community, member=member, now=now)
    credit = community.timebank_starting_minor
    if credit <= 0:
        return
    key = f"hours-start:{community.public_id}:{member.public_id}"
    if Transaction.objects.filter(idempotency_key=key).exists():
        return
    transaction_post(
        kind=KIND_STARTING_CREDIT,
        legs=[(_issuance_account(community, now), -credit), (account, credit)],
        idempotency_key=key,
        now=now,
        memo=f"Starting credit of {Money(credit, HOUR).format()} in {community.name}",
        reference=f"community:{community.public_id}",
    )


def hours_amount_check(value: object, *, field: str = "hours") -> Money:
    """Parse a positive amount of hours, ``{"amount": "1.50", "currency": "HOUR"}``.

    :raises InvalidInput: for anything else: a currency, zero or less
        (``amount_not_positive``), more than two decimals (``too_precise``).
    """
    return money_parse(value, field=field, hours=True, positive=True)


@transaction.atomic
def hours_transfer(
    *,
    community: Community,
    payer,
    payee,
    hours: Money,
    idempotency_key: str,
    now: dt.datetime,
    reference: str = "",
) -> Transaction:
    """Move ``hours`` from ``payer`` to ``payee`` in ``community``'s time bank.

    One ledger transaction. Posting again under the same key changes nothing.

    :raises TimebankDisabled: if the community has no time bank.
    :raises InsufficientHours: if the payer would go below the floor.
    :raises HoursCeilingReached: if the payee would go above the ceiling.
    Either way nothing moves.
    """
    _enabled_check(community)
    if hours.unit != HOUR or hours.minor <= 0:
        raise InvalidInput(
            gettext("Only a positive number of hours moves."), field="hours"
        )
    existing = Transaction.objects.filter(idempotency_key=idempotency_key).first()
    source = hours_account_open(community=community, member=payer, now=now)
    target = hours_account_open(community=community, member=payee, now=now)
    if existing is None:
        # Lock both in id order, as the ledger does, so the balances read here
        # stay true until the posting: no ceiling is crossed by two at once.
        locked = {
            a.pk: a
            for a in Account.objects.select_for_update()
            .filter(pk__in=[source.pk, target.pk])
            .order_by("pk")
        }
        source, target = locked[source.pk], locked[target.pk]
        amount = Money(hours.minor, HOUR)
        if (
            source.floor_minor is not None
            and source.balance_minor - hours.minor < source.floor_minor
        ):
            raise _insufficient(community, payer, source, amount)
        if target.balance_minor + hours.minor > community.timebank_ceiling_minor:
            room = max(community.timebank_ceiling_minor - target.balance_minor, 0)
            raise HoursCeilingReached(
                gettext(
                    "%(username)s may hold at most %(value)s in %(name)s; "
                    "%(value2)s more fit, and %(amount)s were to move."
                )
                % {
                    "username": payee.username,
                    "value": Money(community.timebank_ceiling_minor, HOUR),
                    "name": community.name,
                    "value2": Money(room, HOUR),
                    "amount": amount,
                },
                ceiling=Money(community.timebank_ceiling_minor, HOUR).as_dict(),
            )
    try:
        return transaction_post(
            kind=KIND_TRANSFER,
            legs=[(source, -hours.minor), (target, hours.minor)],
            idempotency_key=idempotency_key,
            now=now,
            memo=f"Transfer of {hours.format()} between members",
            reference=reference,
        )
    except InsufficientFunds as exc:
        raise _insufficient(community, payer, source, hours) from exc


def _insufficient(community, payer, account: Account, hours: Money):
    floor = account.floor_minor or 0
    available = Money(max(account.balance_minor - floor, 0), HOUR)
    return InsufficientHours(
        f"{payer.username} has {available} to give in {community.name} before "
        f"reaching the floor of {Money(floor, HOUR)}; {hours} were asked.",
        available=available.as_dict(),
        requested=hours.as_dict(),
    )


def hours_available(*, community: Community, member) -> Money:
    """What ``member`` may still spend in ``community``: balance less the floor."""
    row = (
        Account.objects.filter(
            kind=Account.Kind.MEMBER_HOURS, owner_ref=hours_ref(community, member)
        )
        .values_list("balance_minor", "floor_minor")
        .first()
    )
    balance, floor = row if row else (0, community.timebank_floor_minor)
    return Money(balance - (floor or 0), HOUR)


def timebank_limits_parse(changes: dict) -> dict[str, object]:
    """Check the time-bank settings in ``changes``; return the model's values.

    ``timebank_floor`` is zero or negative hours, ``timebank_ceiling`` positive,
    ``timebank_starting_credit`` zero or more; each in whole hundredths.

    :raises InvalidInput: naming the first bad one.
    """
    out: dict[str, object] = {}
    if "timebank_enabled" in changes:
        value = changes["timebank_enabled"]
        if not isinstance(value, bool):
            raise InvalidInput(
                gettext("timebank_enabled is true or false."), field="timebank_enabled"
            )
        out["timebank_enabled"] = value
    if "timebank_floor" in changes:
        floor = money_parse(
            changes["timebank_floor"], field="timebank_floor", hours=True
        )
        if floor.minor > 0 or floor.minor < -MAX_FLOOR_DEPTH:
            raise InvalidInput(
                gettext(
                    "timebank_floor is how far into debt a member may go: zero "
                    "or negative, down to %(value)s."
                )
                % {"value": Money(-MAX_FLOOR_DEPTH, HOUR)},
                field="timebank_floor",
                code="invalid_floor",
            )
        out["timebank_floor_minor"] = floor.minor
    if "timebank_ceiling" in changes:
        ceiling = money_parse(
            changes["timebank_ceiling"], field="timebank_ceiling", hours=True
        )
        if ceiling.minor < MIN_CEILING or ceiling.minor > MAX_CEILING:
            raise InvalidInput(
                gettext(
                    "timebank_ceiling is the most a member may hold: from "
                    "%(value)s to %(value2)s."
                )
                % {
                    "value": Money(MIN_CEILING, HOUR),
                    "value2": Money(MAX_CEILING, HOUR),
                },
                field="timebank_ceiling",
                code="invalid_ceiling",
            )
        out["timebank_ceiling_minor"] = ceiling.minor
    if "timebank_starting_credit" in changes:
        start = money_parse(
            changes["timebank_starting_credit"],
            field="timebank_starting_credit",
            hours=True,
        )
        if start.minor < 0:
            raise InvalidInput(
                gettext("timebank_starting_credit is zero or more hours."),
                field="timebank_starting_credit",
                code="invalid_starting_credit",
            )
        out["timebank_starting_minor"] = start.minor
    return out


def timebank_limits_check(community: Community) -> None:
    """Refuse a starting credit above the ceiling (after both are applied)."""
    if community.timebank_starting_minor > community.timebank_ceiling_minor:
        raise InvalidInput(
            gettext("The starting credit cannot be more than the ceiling of %(value)s.")
            % {"value": Money(community.timebank_ceiling_minor, HOUR)},
            field="timebank_starting_credit",
            code="starting_credit_above_ceiling",
        )


def timebank_limits_apply(*, community: Community, now: dt.datetime) -> None:
    """Carry the community's floor to its members' accounts; open missing ones.

    A member already below a raised floor keeps their balance as their floor:
    a floor never puts an account in breach, and they cannot go lower.
    """
    if not community.timebank_enabled:
        return
    floor = community.timebank_floor_minor
    Account.objects.filter(
        kind=Account.Kind.MEMBER_HOURS,
        owner_ref__startswith=f"{issuance_ref(community)}:",
    ).update(
        floor_minor=Case(
            When(balance_minor__lt=floor, then=F("balance_minor")),
            default=Value(floor),
        )
    )
    members = Membership.objects.filter(
        community=community, status=Membership.Status.ACTIVE
    ).select_related("member")
    for membership in members:
        timebank_member_join(community=community, member=membership.member, now=now)


# --- Reads -------------------------------------------------------------------------


@dataclass(frozen=True)
class HoursBalance:
    """A member's hours in one community's time bank."""

    community: Community
    balance: Money
    floor: Money
    ceiling: Money

    @property
    def available(self) -> Money:
        return self.balance


def hours_balances_of(*, member) -> list[HoursBalance]:
    """``member``'s hours in every time bank they belong to, by community name.

    Two queries whatever the number of communities. A member whose account is
    not open yet holds 0.00.
    """
    memberships = list(
        Membership.objects.filter(
            member=member,
            status=Membership.Status.ACTIVE,
            community__timebank_enabled=True,
        )
        .select_related("community")
        .order_by("community__name", "community__pk")
    )
    refs = [hours_ref(m.community, member) for m in memberships]
    rows = dict(
        Account.objects.filter(
            kind=Account.Kind.MEMBER_HOURS, owner_ref__in=refs
        ).values_list("owner_ref", "balance_minor")
    )
    return [
        HoursBalance(
            community=m.community,
            balance=Money(rows.get(ref, 0), HOUR),
            floor=Money(m.community.timebank_floor_minor, HOUR),
            ceiling=Money(m.community.timebank_ceiling_minor, HOUR),
        )
        for m, ref in zip(memberships, refs, strict=True)
    ]


@dataclass(frozen=True)
class HoursEntry:
    """One movement of a member's hours, and what it was, in words."""

    leg: Leg
    amount: Money
    what: str


@dataclass(frozen=True)
class HoursStatement:
    """A member's hours in one community with the latest entries on them."""

    balance: HoursBalance
    entries: list[HoursEntry]


def _entry_words(leg: Leg, *, member, other) -> str:
    """``1.5 h from nell to joao``: read from the legs, as memos name no one."""
    txn = leg.transaction
    if txn.kind == KIND_STARTING_CREDIT:
        return gettext("Starting credit")
    if txn.kind == KIND_TRANSFER and other is not None:
        payer, payee = (other, member) if leg.amount_minor > 0 else (member, other)
        return gettext("%(hours)s from %(payer)s to %(payee)s") % {
            "hours": Money(abs(leg.amount_minor), HOUR).format(),
            "payer": payer.name if payer.closed_at else payer.username,
            "payee": payee.name if payee.closed_at else payee.username,
        }
    return txn.memo or txn.kind


def hours_statements_of(*, member, per_community: int = 10) -> list[HoursStatement]:
    """``hours_balances_of`` with each community's latest entries, newest first.

    Five queries whatever the number of communities: the balances, the legs, the
    other side of each transfer and the members on it.
    """
    balances = hours_balances_of(member=member)
    refs = {hours_ref(b.community, member): b for b in balances}
    legs = (
        Leg.objects.filter(
            account__kind=Account.Kind.MEMBER_HOURS,
            account__owner_ref__in=list(refs),
            transaction__state=Transaction.State.POSTED,
        )
        .select_related("transaction", "account")
        .order_by("-transaction__posted_at", "-pk")[: per_community * len(refs) * 4]
    )
    grouped: dict[str, list[Leg]] = {ref: [] for ref in refs}
    for leg in legs if refs else []:
        rows = grouped[leg.account.owner_ref]
        if len(rows) < per_community:
            rows.append(leg)
    shown = [leg for rows in grouped.values() for leg in rows]
    transfers = [
        leg.transaction_id for leg in shown if leg.transaction.kind == KIND_TRANSFER
    ]
    other_ref: dict[int, str] = {}
    if transfers:
        for txn_id, ref in (
            Leg.objects.filter(
                transaction_id__in=transfers, account__kind=Account.Kind.MEMBER_HOURS
            )
            .exclude(account__owner_ref__in=list(refs))
            .values_list("transaction_id", "account__owner_ref")
        ):
            other_ref[txn_id] = ref
    members = (
        {
            str(m.public_id): m
            for m in Member.objects.filter(
                public_id__in={r.rsplit(":", 1)[-1] for r in other_ref.values()}
            )
        }
        if other_ref
        else {}
    )
    entries = {
        ref: [
            HoursEntry(
                leg=leg,
                amount=Money(leg.amount_minor, HOUR),
                what=_entry_words(
                    leg,
                    member=member,
                    other=members.get(
                        other_ref.get(leg.transaction_id, "").rsplit(":", 1)[-1]
                    ),
                ),
            )
            for leg in rows
        ]
        for ref, rows in grouped.items()
    }
    return [
        HoursStatement(balance=balance, entries=entries[ref])
        for ref, balance in refs.items()
    ]


@dataclass(frozen=True)
class Giver:
    """A member who gave time, and how much."""

    member: Member
    given: Money
    exchanges: int


@dataclass(frozen=True)
class TimebankHealth:
    """How a community's time bank is doing, for its hosts."""

    community: Community
    accounts: int
    in_circulation: Money  # the sum of every positive balance
    owed: Money  # the sum of every negative balance, as a positive amount
    issued: Money  # starting credits issued so far
    below_zero: int
    below_zero_members: list[tuple[Member, Money]]
    givers: list[Giver]


def timebank_health(*, community: Community, top: int = 5) -> TimebankHealth:
    """Hours in circulation, members below zero and the most active givers.

    Five queries whatever the size of the community.
    """
    prefix = f"{issuance_ref(community)}:"
    accounts = Account.objects.filter(
        kind=Account.Kind.MEMBER_HOURS, owner_ref__startswith=prefix
    )
    totals = accounts.aggregate(
        n=Count("pk"),
        plus=Sum("balance_minor", filter=Q(balance_minor__gt=0)),
        minus=Sum("balance_minor", filter=Q(balance_minor__lt=0)),
        below=Count("pk", filter=Q(balance_minor__lt=0)),
    )
    issued = (
        Account.objects.filter(
            kind=Account.Kind.HOURS_ISSUANCE, owner_ref=issuance_ref(community)
        )
        .values_list("balance_minor", flat=True)
        .first()
    ) or 0
    debtors = list(
        accounts.filter(balance_minor__lt=0)
        .order_by("balance_minor", "pk")
        .values_list("owner_ref", "balance_minor")[:top]
    )
    earned = list(
        Leg.objects.filter(
            account__in=accounts,
            amount_minor__gt=0,
            transaction__kind=KIND_TRANSFER,
            transaction__state=Transaction.State.POSTED,
        )
        .values("account__owner_ref")
        .annotate(given=Sum("amount_minor"), n=Count("pk"))
        .order_by("-given", "account__owner_ref")[:top]
    )
    ids = {ref.rsplit(":", 1)[1] for ref, _ in debtors} | {
        row["account__owner_ref"].rsplit(":", 1)[1] for row in earned
    }
    members = {str(m.public_id): m for m in Member.objects.filter(public_id__in=ids)}
    below: list[tuple[Member, Money]] = []
    for ref, balance in debtors:
        member = members.get(ref.rsplit(":", 1)[1])
        if member is not None:
            below.append((member, Money(balance, HOUR)))
    givers = [
        Giver(
            member=members[row["account__owner_ref"].rsplit(":", 1)[1]],
            given=Money(row["given"], HOUR),
            exchanges=row["n"],
        )
        for row in earned
        if row["account__owner_ref"].rsplit(":", 1)[1] in members
    ]
    return TimebankHealth(
        community=community,
        accounts=totals["n"] or 0,
        in_circulation=Money(totals["plus"] or 0, HOUR),
        owed=Money(-(totals["minus"] or 0), HOUR),
        issued=Money(-issued, HOUR),
        below_zero=totals["below"] or 0,
        below_zero_members=below,
        givers=givers,
    )
