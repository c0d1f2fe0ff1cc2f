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

With ``owner_ref_prefix`` (one member's statement, one community), only the
owner's accounts are named; each transaction's other legs are summed into
``Equity:Elsewhere:UNIT``, so the journal still balances and no other party's
accounts are disclosed.
"""

import csv
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TextIO

from django.db.models import Min

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


def _component(text: str) -> str:
    cleaned = re.sub(r"[^A-Z0-9]+", "-", text.upper()).strip("-")
    return cleaned or "NONE"


def account_names(accounts: Iterable[Account]) -> dict[int, str]:
    """Return a journal name for each account, unique and valid for both tools."""
    names: dict[int, str] = {}
    taken: set[str] = set()
    for account in sorted(accounts, key=lambda a: a.pk):
        group = GROUPS.get(account.kind) or ("Assets", _component(account.kind).title())
        name = ":".join((*group, _component(account.owner_ref), account.unit))
        if name in taken:
            # Two owner references that differ only in case or punctuation.
            name = ":".join(
                (*group, f"{_component(account.owner_ref)}-{account.pk}", account.unit)
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
            .prefetch_related("legs")
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

    def units(self) -> list[str]:
        return sorted({a.unit for a in self.accounts.values()})

    def postings(self, txn: Transaction) -> list[_Posting]:
        mine: list[_Posting] = []
        elsewhere: dict[str, int] = defaultdict(int)
        for leg in sorted(txn.legs.all(), key=lambda leg: leg.account_id):
            if leg.account_id in self.accounts:
                mine.append(
                    _Posting(
                        self.names[leg.account_id], Money(leg.amount_minor, leg.unit)
                    )
                )
            else:
                elsewhere[leg.unit] += leg.amount_minor
        for unit, minor in sorted(elsewhere.items()):
            if minor:
                mine.append(_Posting(f"{ELSEWHERE}:{unit}", Money(minor, unit)))
        return mine


def _write_hledger(journal: _Journal, stream: TextIO) -> int:
    stream.write("; selfwork ledger export (hledger journal)\n")
    for unit in journal.units():
        sample = Money(10**6 * 10 ** Money(0, unit).exponent, unit)
        # A trailing decimal mark keeps hledger from reading "1000" as grouped.
        amount = sample.amount if sample.exponent else f"{sample.amount}."
        stream.write(f"commodity {amount} {unit}\n")
    for pk in journal.accounts:
        stream.write(f"account {journal.names[pk]}\n")
    if journal.filtered:
        for unit in journal.units():
            stream.write(f"account {ELSEWHERE}:{unit}\n")
    count = 0
    for txn in journal.transactions.iterator(chunk_size=CHUNK):
        description = _one_line(f"{txn.kind}: {txn.memo}" if txn.memo else txn.kind)
        stream.write(f"\n{txn.posted_at:%Y-%m-%d} * {description.replace(';', ',')}\n")
        stream.write(f"    ; id: {txn.public_id}\n")
        if txn.reference:
            stream.write(f"    ; reference: {_one_line(txn.reference)}\n")
        for posting in journal.postings(txn):
            stream.write(
                f"    {posting.account}    {posting.amount.amount} {posting.amount.unit}\n"
            )
        count += 1
    return count


def _write_beancount(journal: _Journal, stream: TextIO) -> int:
    stream.write('option "title" "selfwork ledger export"\n')
    earliest = journal.earliest()
    for unit in journal.units():
        stream.write(f"{earliest:%Y-%m-%d} commodity {unit}\n")
    for pk, account in journal.accounts.items():
        stream.write(
            f"{journal.opened_on(account):%Y-%m-%d} open {journal.names[pk]}"
            f" {account.unit}\n"
        )
    if journal.filtered:
        for unit in journal.units():
            stream.write(f"{earliest:%Y-%m-%d} open {ELSEWHERE}:{unit} {unit}\n")
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
                f"  {posting.account}  {posting.amount.amount} {posting.amount.unit}\n"
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
