"""Export the ledger as an hledger or beancount journal, or as CSV.

Amounts are exported as the ledger holds them, from each account holder's point
of view: what an account holds is positive. Accounts that hold value (wallets,
escrow, deposits, fees, treasuries) are ``Assets``; the clearing and issuance
accounts, where value enters from and leaves to the world outside, are
``Equity``. Balances read by hledger or beancount are therefore exactly the
ledger's, sign included. (An operator keeping the platform's own books reads the
same journal with every sign flipped: wallets are then what the platform owes.)

Names are ``Root:Group:OWNER:UNIT``, e.g. ``Assets:Wallets:MEMBER-3FA8…:EUR``, valid
for both tools: components start with a capital letter or digit.

Time credits are one commodity per community: hours of one community are not
hours of another. An ``HOUR`` account whose owner reference is
``hours:<community>…`` (the time bank's naming) is in the commodity
``HOUR_<COMMUNITY>``, e.g. ``HOUR_RIVERSIDE``, within beancount's 24 characters
(a long name is shortened and made unique by a hash); hledger reads it quoted.

With ``owner_ref_prefix`` (one member's statement, one community), only the
owner's accounts are named; each transaction's other legs are summed into
``Equity:Elsewhere:UNIT``, so the journal still balances and no other party's
accounts are disclosed.
"""

import csv
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TextIO

from django.db.models import Min, Prefetch

from selfwork.core.errors import InvalidInput
from selfwork.core.money import Money
from selfwork.ledger.models import Account, Leg, Transaction
from selfwork.ledger.selectors import consistent_read

FORMATS = ("hledger", "beancount", "csv")
GROUPS: dict[str, tuple[str, str]] = {
    Account.Kind.MEMBER_WALLET: ("Assets", "Wallets"),
    Account.Kind.MEMBER_HOURS: ("Assets", "TimeCredits"),
    Account.Kind.ESCROW: ("Assets", "Escrow"),
    Account.Kind.DEPOSIT_HELD: ("Assets", "Deposits"),
    Account.Kind.PLATFORM_FEES: ("Assets", "PlatformFees"),
    Account.Kind.COMMUNITY_TREASURY: ("Assets", "Treasuries"),
    Account.Kind.GATEWAY_CLEARING: ("Equity", "GatewayClearing"),
    Account.Kind.PAYOUT_CLEARING: ("Equity", "PayoutClearing"),
    Account.Kind.HOURS_ISSUANCE: ("Equity", "HoursIssuance"),
}
ELSEWHERE = "Equity:Elsewhere"
CSV_COLUMNS = [
    "posted_at",
    "transaction",
    "kind",
    "reference",
    "memo",
    "account",
    "account_id",
    "account_kind",
    "owner_ref",
    "unit",
    "amount",
    "balance_after",
]
CHUNK = 1000


@dataclass
class _Posting:
    account: str
    amount: Money
    commodity: str


HOURS_PREFIX = "hours:"
COMMODITY_MAX = 24


def commodity_of(unit: str, owner_ref: str) -> str:
    """The journal commodity of an account: its unit, or hours per community."""
    if unit != "HOUR" or not owner_ref.startswith(HOURS_PREFIX):
        return unit
    community = owner_ref[len(HOURS_PREFIX) :].split(":", 1)[0]
    cleaned = re.sub(r"[^A-Z0-9]+", "_", community.upper()).strip("_") or "NONE"
    name = f"HOUR_{cleaned}"
    if len(name) > COMMODITY_MAX:
        digest = hashlib.sha256(community.encode()).hexdigest()[:5].upper()
        name = f"HOUR_{cleaned[: COMMODITY_MAX - 11].rstrip('_')}_{digest}"
    return name


def _hledger_commodity(commodity: str) -> str:
    # hledger reads a bare symbol of letters only; anything else is quoted.
    return commodity if commodity.isalpha() else f'"{commodity}"'


def _component(text: str) -> str:
    cleaned = re.sub(r"[^A-Z0-9]+", "-", text.upper()).strip("-")
    return cleaned or "NONE"


def account_names(accounts: Iterable[Account]) -> dict[int, str]:
    """Return a journal name for each account, unique and valid for both tools."""
    names: dict[int, str] = {}
    taken: set[str] = set()
    for account in sorted(accounts, key=lambda a: a.pk):
        group = GROUPS.get(account.kind) or ("Assets", _component(account.kind).title())
        unit = _component(commodity_of(account.unit, account.owner_ref))
        name = ":".join((*group, _component(account.owner_ref), unit))
        if name in taken:
            # Two owner references that differ only in case or punctuation.
            name = ":".join(
                (*group, f"{_component(account.owner_ref)}-{account.pk}", unit)
            )
        taken.add(name)
        names[account.pk] = name
    return names


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _beancount_string(text: str) -> str:
    escaped = _one_line(text).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


class _Journal:
    """The accounts and transactions to export, read in posting order."""

    def __init__(self, owner_ref_prefix: str | None) -> None:
        accounts = Account.objects.all()
        if owner_ref_prefix:
            accounts = accounts.filter(owner_ref__startswith=owner_ref_prefix)
        self.filtered = bool(owner_ref_prefix)
        self.accounts = {a.pk: a for a in accounts.order_by("pk")}
        self.names = account_names(self.accounts.values())
        legs = Leg.objects.filter(
            account_id__in=self.accounts, transaction__state=Transaction.State.POSTED
        )
        self.first_posted = {
            row["account_id"]: row["first"]
            for row in legs.values("account_id").annotate(
                first=Min("transaction__posted_at")
            )
        }
        self.transactions = (
            Transaction.objects.filter(
                state=Transaction.State.POSTED,
                pk__in=legs.values("transaction_id"),
            )
            .prefetch_related(
                Prefetch("legs", queryset=Leg.objects.select_related("account"))
            )
            .order_by("pk")
        )

    def opened_on(self, account: Account) -> date:
        first = self.first_posted.get(account.pk)
        opened = account.created_at if first is None else min(account.created_at, first)
        return opened.date()

    def earliest(self) -> date:
        return min(
            (self.opened_on(a) for a in self.accounts.values()),
            default=date(1970, 1, 1),
        )

    def commodity(self, account: Account) -> str:
        return commodity_of(account.unit, account.owner_ref)

    def units(self) -> list[tuple[str, str]]:
        """Each (unit, commodity) the exported accounts hold."""
        return sorted({(a.unit, self.commodity(a)) for a in self.accounts.values()})

    def postings(self, txn: Transaction) -> list[_Posting]:
        mine: list[_Posting] = []
        elsewhere: dict[tuple[str, str], int] = defaultdict(int)
        for leg in sorted(txn.legs.all(), key=lambda leg: leg.account_id):
            commodity = self.commodity(leg.account)
            if leg.account_id in self.accounts:
                mine.append(
                    _Posting(
                        self.names[leg.account_id],
                        Money(leg.amount_minor, leg.unit),
                        commodity,
                    )
                )
            else:
                elsewhere[(leg.unit, commodity)] += leg.amount_minor
        for (unit, commodity), minor in sorted(elsewhere.items()):
            if minor:
                mine.append(
                    _Posting(
                        f"{ELSEWHERE}:{_component(commodity)}",
                        Money(minor, unit),
                        commodity,
                    )
                )
        return mine


def _write_hledger(journal: _Journal, stream: TextIO) -> int:
    stream.write("; selfwork ledger export (hledger journal)\n")
    for unit, commodity in journal.units():
        sample = Money(10**6 * 10 ** Money(0, unit).exponent, unit)
        # A trailing decimal mark keeps hledger from reading "1000" as grouped.
        amount = sample.amount if sample.exponent else f"{sample.amount}."
        stream.write(f"commodity {amount} {_hledger_commodity(commodity)}\n")
    for pk in journal.accounts:
        stream.write(f"account {journal.names[pk]}\n")
    if journal.filtered:
        for _, commodity in journal.units():
            stream.write(f"account {ELSEWHERE}:{_component(commodity)}\n")
    count = 0
    for txn in journal.transactions.iterator(chunk_size=CHUNK):
        description = _one_line(f"{txn.kind}: {txn.memo}" if txn.memo else txn.kind)
        stream.write(f"\n{txn.posted_at:%Y-%m-%d} * {description.replace(';', ',')}\n")
        stream.write(f"    ; id: {txn.public_id}\n")
        if txn.reference:
            stream.write(f"    ; reference: {_one_line(txn.reference)}\n")
        for posting in journal.postings(txn):
            stream.write(
                f"    {posting.account}    {posting.amount.amount} "
                f"{_hledger_commodity(posting.commodity)}\n"
            )
        count += 1
    return count


def _write_beancount(journal: _Journal, stream: TextIO) -> int:
    stream.write('option "title" "selfwork ledger export"\n')
    earliest = journal.earliest()
    for _, commodity in journal.units():
        stream.write(f"{earliest:%Y-%m-%d} commodity {commodity}\n")
    for pk, account in journal.accounts.items():
        stream.write(
            f"{journal.opened_on(account):%Y-%m-%d} open {journal.names[pk]}"
            f" {journal.commodity(account)}\n"
        )
    if journal.filtered:
        for _, commodity in journal.units():
            stream.write(
                f"{earliest:%Y-%m-%d} open {ELSEWHERE}:{_component(commodity)} "
                f"{commodity}\n"
            )
    count = 0
    for txn in journal.transactions.iterator(chunk_size=CHUNK):
        stream.write(
            f"\n{txn.posted_at:%Y-%m-%d} * {_beancount_string(txn.kind)}"
            f" {_beancount_string(txn.memo)}\n"
        )
        stream.write(f"  id: {_beancount_string(str(txn.public_id))}\n")
        if txn.reference:
            stream.write(f"  reference: {_beancount_string(txn.reference)}\n")
        for posting in journal.postings(txn):
            stream.write(
                f"  {posting.account}  {posting.amount.amount} {posting.commodity}\n"
            )
        count += 1
    return count


def _write_csv(journal: _Journal, stream: TextIO) -> int:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    running: dict[int, int] = defaultdict(int)
    count = 0
    for txn in journal.transactions.iterator(chunk_size=CHUNK):
        for leg in sorted(txn.legs.all(), key=lambda leg: leg.account_id):
            account = journal.accounts.get(leg.account_id)
            if account is None:
                continue
            running[account.pk] += leg.amount_minor
            writer.writerow(
                [
                    txn.posted_at.isoformat() if txn.posted_at else "",
                    txn.public_id,
                    txn.kind,
                    txn.reference,
                    _one_line(txn.memo),
                    journal.names[account.pk],
                    account.public_id,
                    account.kind,
                    account.owner_ref,
                    account.unit,
                    Money(leg.amount_minor, leg.unit).amount,
                    Money(running[account.pk], account.unit).amount,
                ]
            )
        count += 1
    return count


WRITERS = {"hledger": _write_hledger, "beancount": _write_beancount, "csv": _write_csv}


def ledger_export(
    *, format: str, stream: TextIO, owner_ref_prefix: str | None = None
) -> int:
    """Write the posted ledger to ``stream`` and return how many transactions it holds.

    ``format`` is ``hledger``, ``beancount`` or ``csv`` (one row per leg, with the
    account's balance after it). ``owner_ref_prefix`` narrows the export to the
    accounts whose owner reference starts with it.

    :raises InvalidInput: for an unknown format (``unknown_export_format``).
    """
    writer = WRITERS.get(format)
    if writer is None:
        raise InvalidInput(
            f"'{str(format)[:20]}' is not an export format; use one of "
            f"{', '.join(FORMATS)}.",
            field="format",
            code="unknown_export_format",
        )
    with consistent_read():
        return writer(_Journal(owner_ref_prefix), stream)
