"""Writes on the ledger. ``transaction_post`` is the only function that adds legs.

The database enforces every invariant (see migration 0002); these services check
first so that a caller gets a clear error with a stable code instead of a
database exception, and translate what only the database can decide (a balance
below its floor under concurrency, a key used by a racing request) into the same
errors.
"""

import datetime as dt
import logging
import re
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError
from django.db import transaction as db_transaction
from django.db.models import Case, CharField, Q, Value, When
from django.utils.translation import gettext

from selfwork.core.errors import InvalidIdempotencyKey, InvalidInput
from selfwork.core.logs import log_on_commit
from selfwork.core.money import MAX_MINOR, Money, unit_check
from selfwork.ledger.checksums import chain_next, transaction_checksum
from selfwork.ledger.errors import (
    AlreadyReversed,
    IdempotencyKeyReused,
    InsufficientFunds,
    UnbalancedTransaction,
)
from selfwork.ledger.models import UNBOUNDED_KINDS, Account, Leg, Transaction

logger = logging.getLogger("selfwork.ledger")

FLOOR_CONSTRAINT = "ledger_account_balance_above_floor"
KIND = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
OWNER_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9:._-]{0,99}$")


@dataclass(frozen=True)
class LegSpec:
    """One leg to post: ``amount_minor`` (signed) on ``account``.

    ``unit``, when given, must be the account's unit; it lets a caller holding a
    ``Money`` say which unit it meant.
    """

    account: Account
    amount_minor: int
    unit: str | None = None


LegInput = LegSpec | tuple[Account, int] | tuple[Account, Money]


def _now_check(now: dt.datetime) -> None:
    if not isinstance(now, dt.datetime) or now.tzinfo is None:
        raise ValueError("now must be an aware datetime")


def _text_check(value: object, *, field: str, max_length: int) -> str:
    if not isinstance(value, str) or len(value) > max_length:
        raise InvalidInput(
            gettext("%(field)s must be text of at most %(max_length)s characters.")
            % {"field": field, "max_length": max_length},
            field=field,
            code=f"invalid_{field}",
        )
    return value


def _leg_spec(leg: object, index: int) -> LegSpec:
    field = f"legs[{index}]"
    if isinstance(leg, LegSpec):
        spec = leg
    elif isinstance(leg, tuple) and len(leg) == 2:
        account, amount = leg
        if isinstance(amount, Money):
            spec = LegSpec(account=account, amount_minor=amount.minor, unit=amount.unit)
        else:
            spec = LegSpec(account=account, amount_minor=amount)
    else:
        raise InvalidInput(
            gettext("A leg is an (account, amount) pair."),
            field=field,
            code="invalid_leg",
        )
    if not isinstance(spec.account, Account) or spec.account.pk is None:
        raise InvalidInput(
            gettext("A leg's account must be a saved ledger account."),
            field=field,
            code="invalid_leg",
        )
    amount = spec.amount_minor
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise InvalidInput(
            gettext("A leg's amount is a whole number of minor units."),
            field=field,
            code="invalid_amount",
        )
    if amount == 0:
        raise InvalidInput(
            gettext("A leg never moves zero."), field=field, code="zero_leg"
        )
    if abs(amount) > MAX_MINOR:
        raise InvalidInput(
            gettext("A leg's amount is too large."),
            field=field,
            code="amount_too_large",
        )
    if spec.unit is not None and spec.unit != spec.account.unit:
        raise InvalidInput(
            gettext("The leg is in %(unit)s but its account holds %(unit2)s.")
            % {"unit": spec.unit, "unit2": spec.account.unit},
            field=field,
            code="unit_mismatch",
        )
    return LegSpec(account=spec.account, amount_minor=amount, unit=spec.account.unit)


def _legs_check(legs: Sequence[LegInput]) -> list[LegSpec]:
    if not isinstance(legs, list | tuple) or not legs:
        raise InvalidInput(
            gettext("A transaction needs legs."), field="legs", code="too_few_legs"
        )
    specs = [_leg_spec(leg, index) for index, leg in enumerate(legs)]
    if len(specs) < 2:
        raise InvalidInput(
            gettext("A transaction needs at least two legs."),
            field="legs",
            code="too_few_legs",
        )
    if len({spec.account.pk for spec in specs}) != len(specs):
        raise InvalidInput(
            gettext("Each account appears at most once in a transaction."),
            field="legs",
            code="duplicate_account",
        )
    sums: dict[str, int] = defaultdict(int)
    for spec in specs:
        sums[spec.account.unit] += spec.amount_minor
    off = {unit: total for unit, total in sums.items() if total != 0}
    if off:
        described = ", ".join(
            str(Money(total, unit)) for unit, total in sorted(off.items())
        )
        raise UnbalancedTransaction(
            gettext(
                "The legs must sum to zero in every unit; they are off by "
                "%(described)s."
            )
            % {"described": described},
            field="legs",
        )
    return sorted(specs, key=lambda spec: spec.account.pk)


def _same_effect(
    existing: Transaction,
    *,
    kind: str,
    reference: str,
    specs: list[LegSpec],
    reverses: Transaction | None,
) -> bool:
    legs = sorted(existing.legs.values_list("account_id", "amount_minor"))
    return (
        existing.kind == kind
        and existing.reference == reference
        and existing.reverses_id == (reverses.pk if reverses else None)
        and legs == sorted((spec.account.pk, spec.amount_minor) for spec in specs)
    )


def _replay(existing: Transaction, idempotency_key: str, **request) -> Transaction:
    if not _same_effect(existing, **request):
        raise IdempotencyKeyReused(
            gettext(
                "The idempotency key '%(idempotency_key)s' was used for "
                "another transaction."
            )
            % {"idempotency_key": idempotency_key[:60]},
            field="idempotency_key",
        )
    return existing


def _insufficient(
    specs: list[LegSpec], locked: dict[int, Account]
) -> InsufficientFunds:
    for spec in specs:
        account = locked[spec.account.pk]
        if account.floor_minor is None:
            continue
        if account.balance_minor + spec.amount_minor < account.floor_minor:
            available = Money(account.balance_minor - account.floor_minor, account.unit)
            requested = Money(-spec.amount_minor, account.unit)
            return InsufficientFunds(
                f"The {account.get_kind_display().lower()} has {available} available;"
                f" {requested} was asked.",
                account=str(account.public_id),
                available=available.as_dict(),
                requested=requested.as_dict(),
            )
    # The database refused although the balances read under lock allowed it:
    # say so plainly rather than guess which account.
    return InsufficientFunds("An account would go below its floor.")


def _post(
    *,
    kind: str,
    legs: Sequence[LegInput],
    idempotency_key: str,
    now: dt.datetime,
    memo: str,
    reference: str,
    reverses: Transaction | None = None,
) -> Transaction:
    _now_check(now)
    if not isinstance(kind, str) or not KIND.match(kind):
        raise InvalidInput(
            gettext("A transaction kind is a short lower-case word such as 'release'."),
            field="kind",
            code="invalid_kind",
        )
    if (
        not isinstance(idempotency_key, str)
        or not idempotency_key.strip()
        or len(idempotency_key) > 255
    ):
        raise InvalidIdempotencyKey(
            gettext("An idempotency key is text of 1 to 255 characters."),
            field="idempotency_key",
        )
    _text_check(memo, field="memo", max_length=500)
    _text_check(reference, field="reference", max_length=100)
    specs = _legs_check(legs)
    request = {
        "kind": kind,
        "reference": reference,
        "specs": specs,
        "reverses": reverses,
    }

    # A key used before is found by its unique constraint when the transaction
    # is inserted below, and answered there exactly as a racing request's is.

    # Lock in id order, the same order the posting trigger updates balances in,
    # so that concurrent posts queue on shared accounts instead of deadlocking.
    # (SQLite ignores FOR UPDATE: its IMMEDIATE transactions already serialise
    # writers.) The rows read here also feed the error message and the chains.
    locked = {
        account.pk: account
        for account in Account.objects.select_for_update()
        .filter(pk__in=[spec.account.pk for spec in specs])
        .order_by("pk")
    }
    public_id = uuid.uuid4()
    checksum = transaction_checksum(
        public_id=public_id,
        idempotency_key=idempotency_key,
        kind=kind,
        reference=reference,
        memo=memo,
        posted_at=now,
        reverses=reverses.public_id if reverses else None,
        legs=[
            (locked[spec.account.pk].public_id, spec.account.unit, spec.amount_minor)
            for spec in specs
        ],
    )
    try:
        with db_transaction.atomic():
            txn = Transaction.objects.create(
                public_id=public_id,
                kind=kind,
                memo=memo,
                idempotency_key=idempotency_key,
                reference=reference,
                reverses=reverses,
            )
            Leg.objects.bulk_create(
                Leg(
                    transaction=txn,
                    account_id=spec.account.pk,
                    amount_minor=spec.amount_minor,
                    unit=spec.account.unit,
                )
                for spec in specs
            )
            # The triggers check the legs and move the balances on this UPDATE;
            # the floor CHECK decides here, under the row locks.
            posted = Transaction.objects.filter(
                pk=txn.pk, state=Transaction.State.PENDING
            ).update(state=Transaction.State.POSTED, posted_at=now, checksum=checksum)
            if posted != 1:  # pragma: no cover - the row was inserted just above
                raise RuntimeError(f"transaction {txn.pk} could not be posted")
    except IntegrityError as exc:
        text = str(exc)
        if FLOOR_CONSTRAINT in text:
            raise _insufficient(specs, locked) from exc
        # The key was used before, or by a racing request that committed first.
        # (A retried reversal breaks two unique constraints; the database names
        # only one of them, so the key is looked up whichever it named.)
        existing = Transaction.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return _replay(existing, idempotency_key, **request)
        if "reverses_id" in text and reverses is not None:
            raise AlreadyReversed(
                gettext("That transaction has been reversed already."),
                transaction=str(reverses.public_id),
            ) from exc
        raise
    # Each account's chain moves on by this transaction: one UPDATE for all.
    Account.objects.filter(pk__in=list(locked)).update(
        checksum=Case(
            *(
                When(pk=account.pk, then=Value(chain_next(account.checksum, checksum)))
                for account in locked.values()
            ),
            output_field=CharField(),
        )
    )
    txn.state = Transaction.State.POSTED
    txn.posted_at = now
    txn.checksum = checksum
    _posted_log(txn, specs)
    return txn


def _posted_log(txn: Transaction, specs: Sequence[LegSpec]) -> None:
    """Log a posted transaction once it is committed: what moved, in which units."""
    moved: dict[str, int] = defaultdict(int)
    for spec in specs:
        if spec.amount_minor > 0:
            moved[spec.account.unit] += spec.amount_minor
    fields = {
        "transaction": str(txn.public_id),
        "kind": txn.kind,
        "amounts_minor": dict(moved),
        "currencies": sorted(moved),
        "reverses": str(txn.reverses.public_id) if txn.reverses else None,
    }
    log_on_commit(logger, "ledger transaction posted", fields)


@db_transaction.atomic
def transaction_post(
    *,
    kind: str,
    legs: Sequence[LegInput],
    idempotency_key: str,
    now: dt.datetime,
    memo: str = "",
    reference: str = "",
) -> Transaction:
    """Post a transaction of two or more legs that sum to zero in every unit.

    ``legs`` are ``LegSpec`` or ``(account, amount)`` pairs, the amount an ``int``
    of minor units (signed: positive adds to the account) or a ``Money`` whose unit
    must be the account's. Posting again with the same ``idempotency_key`` and the
    same kind, reference and legs returns the first transaction and changes
    nothing.

    :raises InvalidInput: for no or one leg, a zero leg, an account twice, a unit
        that is not the account's (``unit_mismatch``), a bad kind or key.
    :raises UnbalancedTransaction: if the legs do not sum to zero per unit.
    :raises InsufficientFunds: if an account would go below its floor; nothing
        is posted.
    :raises IdempotencyKeyReused: if the key was used for a different transaction.
    """
    return _post(
        kind=kind,
        legs=legs,
        idempotency_key=idempotency_key,
        now=now,
        memo=memo,
        reference=reference,
    )


@db_transaction.atomic
def transaction_reverse(
    *,
    transaction: Transaction,
    idempotency_key: str,
    now: dt.datetime,
    memo: str = "",
) -> Transaction:
    """Post the opposite of ``transaction`` (every leg negated), once.

    Posted legs never change; a correction is this reversal, kept beside the
    original. The reversal carries the original's reference.

    :raises InvalidInput: if ``transaction`` is not posted (``not_posted``).
    :raises AlreadyReversed: if it was reversed under another idempotency key.
    :raises InsufficientFunds: if an account has since spent what the reversal
        takes back.
    """
    original = Transaction.objects.get(pk=transaction.pk)
    if original.state != Transaction.State.POSTED:
        raise InvalidInput(
            gettext("Only a posted transaction can be reversed."),
            field="transaction",
            code="not_posted",
        )
    legs = [
        (leg.account, -leg.amount_minor)
        for leg in original.legs.select_related("account").order_by("account_id")
    ]
    existing = Transaction.objects.filter(idempotency_key=idempotency_key).first()
    if existing is None and Transaction.objects.filter(reverses=original).exists():
        raise AlreadyReversed(
            gettext("That transaction has been reversed already."),
            transaction=str(original.public_id),
        )
    return _post(
        kind="reversal",
        legs=legs,
        idempotency_key=idempotency_key,
        now=now,
        memo=memo or f"Reversal of {original.public_id}",
        reference=original.reference,
        reverses=original,
    )


def account_get_or_create(
    *,
    kind: str,
    owner_ref: str,
    unit: str,
    now: dt.datetime,
    floor_minor: int | None = 0,
    name: str = "",
) -> Account:
    """Return the account of ``kind`` held by ``owner_ref`` in ``unit``, opening it once.

    An existing account is returned as it is, whatever ``floor_minor`` and ``name``
    say; change a floor with ``account_floor_set``.

    :raises InvalidInput: for an unknown kind, an owner reference that is not a
        short opaque id, an unknown unit, a positive floor, or no floor on an
        account that is not a clearing or issuance account.
    """
    wanted = AccountWanted(
        kind=kind, owner_ref=owner_ref, unit=unit, floor_minor=floor_minor, name=name
    )
    _now_check(now)
    _wanted_check(wanted)
    existing = Account.objects.filter(kind=kind, owner_ref=owner_ref, unit=unit).first()
    if existing is not None:
        return existing
    return _account_open(wanted, now=now)


@dataclass(frozen=True)
class AccountWanted:
    """An account ``accounts_get_or_create`` returns, opening it on first use."""

    kind: str
    owner_ref: str
    unit: str
    floor_minor: int | None = 0
    name: str = ""


def accounts_get_or_create(
    *, wanted: Sequence[AccountWanted], now: dt.datetime
) -> list[Account]:
    """``account_get_or_create`` for several accounts, in ``wanted``'s order.

    One query when all are open already (as the accounts a posting touches
    mostly are); an account missing is opened as ``account_get_or_create``
    opens it.

    :raises InvalidInput: as ``account_get_or_create``, for any of them.
    """
    _now_check(now)
    match = Q(pk__in=[])
    for one in wanted:
        _wanted_check(one)
        match |= Q(kind=one.kind, owner_ref=one.owner_ref, unit=one.unit)
    found = {
        (account.kind, account.owner_ref, account.unit): account
        for account in Account.objects.filter(match)
    }
    return [
        found.get((one.kind, one.owner_ref, one.unit)) or _account_open(one, now=now)
        for one in wanted
    ]


def _wanted_check(wanted: AccountWanted) -> None:
    kind, owner_ref = wanted.kind, wanted.owner_ref
    if kind not in Account.Kind.values:
        raise InvalidInput(
            gettext("'%(kind)s' is not a ledger account kind.")
            % {"kind": str(kind)[:40]},
            field="kind",
            code="unknown_account_kind",
        )
    if not isinstance(owner_ref, str) or not OWNER_REF.match(owner_ref):
        raise InvalidInput(
            gettext("An owner reference is an opaque id such as 'member:<uuid>'."),
            field="owner_ref",
            code="invalid_owner_ref",
        )
    unit_check(wanted.unit, field="unit")
    _floor_check(kind=kind, floor_minor=wanted.floor_minor)
    _text_check(wanted.name, field="name", max_length=200)


def _account_open(wanted: AccountWanted, *, now: dt.datetime) -> Account:
    """Open the account ``wanted`` (checked), or return it if a racing call did."""
    key = {"kind": wanted.kind, "owner_ref": wanted.owner_ref, "unit": wanted.unit}
    try:
        with db_transaction.atomic():
            return Account.objects.create(
                **key, floor_minor=wanted.floor_minor, name=wanted.name, created_at=now
            )
    except IntegrityError:
        # Opened by a racing request a moment ago.
        return Account.objects.get(**key)


def _floor_check(*, kind: str, floor_minor: int | None) -> None:
    if floor_minor is None:
        if kind not in UNBOUNDED_KINDS:
            raise InvalidInput(
                gettext("Only clearing and issuance accounts may be without a floor."),
                field="floor_minor",
                code="floor_required",
            )
        return
    if (
        isinstance(floor_minor, bool)
        or not isinstance(floor_minor, int)
        or floor_minor > 0
        or floor_minor < -MAX_MINOR
    ):
        raise InvalidInput(
            gettext("A floor is zero or a negative whole number of minor units."),
            field="floor_minor",
            code="invalid_floor",
        )


@db_transaction.atomic
def account_floor_set(*, account: Account, floor_minor: int | None) -> Account:
    """Move ``account``'s floor, e.g. when a community changes its time-credit limit.

    :raises InvalidInput: for an invalid floor, or one above the current balance
        (``floor_above_balance``): a floor never puts an account in breach.
    """
    _floor_check(kind=account.kind, floor_minor=floor_minor)
    try:
        with db_transaction.atomic():
            Account.objects.filter(pk=account.pk).update(floor_minor=floor_minor)
    except IntegrityError as exc:
        if FLOOR_CONSTRAINT in str(exc):
            raise InvalidInput(
                gettext("The account's balance is below that floor."),
                field="floor_minor",
                code="floor_above_balance",
            ) from exc
        raise
    return Account.objects.get(pk=account.pk)
