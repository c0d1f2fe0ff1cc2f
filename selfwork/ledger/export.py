"""Export the ledger as an hledger or beancount journal, or as CSV, in one of two views.

**The platform's books** (``view="books"``, the default for the whole ledger) are
the operator's own accounts, with the signs of double-entry bookkeeping (a debit
is positive, a credit negative), so that ``hledger balancesheet`` and
``hledger incomestatement`` (or beancount's reports) read them as they stand:

=========================  =================================================
ledger account             account in the books
=========================  =================================================
member wallet              ``Liabilities:Members:Mei-chen:EUR``
escrow of an exchange      ``Liabilities:Escrow:EUR``, tagged ``exchange:<ref>``
deposit held               ``Liabilities:Deposits:EUR``, tagged ``exchange:<ref>``
platform fees              ``Income:Fees:Platform:EUR``
community treasury         ``Income:Fees:Treasury:Riverside:EUR``
gateway clearing           ``Assets:Gateway:Sandbox:Clearing:EUR``
payout clearing            ``Assets:Gateway:Sandbox:Payouts:EUR``
member time credits        ``Liabilities:TimeBank:Riverside:Mei-chen:HOUR-RIVERSIDE``
time-bank issuance         ``Equity:TimeBank:Riverside:Issued:HOUR-RIVERSIDE``
=========================  =================================================

What the platform holds for members (wallets), in escrow and as deposits is owed
to them: a liability. Fees are income, the operator's apart from each community
treasury's share. Money comes in and goes out through the payment gateway, an
asset of the platform: ``Clearing`` takes charges, refunds and deposit holds and
voids, ``Payouts`` what was paid out to members; their parent
(``Assets:Gateway:Sandbox``) is what the gateway holds for the platform. So the
assets equal the liabilities plus the income earned, per currency. Time credits
are owed to members in hours; the hours a community issued are its equity.

Every leg is the ledger's amount with its sign flipped: the ledger keeps each
holder's view (what an account holds is positive), and what a member's wallet
holds is what the platform owes. Every transaction still balances per
commodity. Each escrow and deposit of the ledger is one account there; the
books roll them up per currency and carry the exchange on the posting
(hledger's tag ``exchange:<ref>``, beancount's posting metadata
``exchange: "<ref>"``), so ``hledger balance Liabilities:Escrow
tag:exchange=<ref>`` is one exchange's escrow.

Members and communities are named by the names the caller passes
(``owner_names``, e.g. usernames and slugs; the ledger knows no people), turned
into a component both tools accept (``name_component``): the first letter
upper-cased and each ``_`` with the letter after it made one upper-case letter
(``mei-chen`` → ``Mei-chen``, ``mei_chen`` → ``MeiChen``). A username is
lower-case, so this is read back by lower-casing the first letter and writing
each later upper-case letter as ``_`` and that letter. Any other character
beancount refuses becomes ``-``; should two holders then share a name, the one
whose account opened later gets the first eight hex digits of its id appended
(``Mei-2-3FA85F64``). A holder the caller does not name is named by its
reference (``Liabilities:Members:3FA85F64-…:EUR``).

**The holders' view** (``view="holders"``, and always for one owner's
statement) exports amounts as the ledger holds them, from each account holder's
point of view: what an account holds is positive. Accounts that hold value
(wallets, escrow, deposits, fees, treasuries) are ``Assets``; the clearing and
issuance accounts, where value enters from and leaves to the world outside, are
``Equity``. Balances read by hledger or beancount are therefore exactly the
ledger's, sign included. Names are ``Root:Group:OWNER:UNIT``, e.g.
``Assets:Wallets:MEMBER-3FA8…:EUR``, valid for both tools: components start
with a capital letter or digit.

With ``owner_ref_prefix`` (one member's statement, one community), only the
owner's accounts are named, in the holders' view; each transaction's other legs
are summed into ``Equity:Elsewhere:UNIT``, so the journal still balances and no
other party's accounts are disclosed.

In both views, time credits are one commodity per community: hours of one
community are not hours of another. An ``HOUR`` account whose owner reference
is ``hours:<community>…`` (the time bank's naming) is in the commodity
``HOUR_<COMMUNITY>``, e.g. ``HOUR_RIVERSIDE``, within beancount's 24 characters
(a long name is shortened and made unique by a hash); hledger reads it quoted.

CSV has one row per leg in either view: the books' account name and sign, or
the holder's, with the ledger account's balance after the leg in that sign.
"""

import csv
import hashlib
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TextIO

from django.db.models import Min, Prefetch
from django.utils.translation import gettext

from selfwork.core.errors import InvalidInput
from selfwork.core.money import Money
from selfwork.ledger.models import Account, Leg, Transaction
from selfwork.ledger.selectors import consistent_read

FORMATS = ("hledger", "beancount", "csv")
BOOKS = "books"
HOLDERS = "holders"
VIEWS = (BOOKS, HOLDERS)
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
# The tag (hledger) or posting metadata (beancount) that keeps an exchange's
# escrow or deposit apart in the rolled-up account of the books.
EXCHANGE_TAG = "exchange"
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

# Given the owner references of the accounts exported, return a readable name
# for those it knows (a username for a member, a slug for a community).
OwnerNames = Callable[[Sequence[str]], Mapping[str, str]]


@dataclass
class _Posting:
    account: str
    amount: Money
    commodity: str
    tag: str = ""


HOURS_PREFIX = "hours:"
PLATFORM_REF = "platform"
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


def name_component(name: str) -> str:
    """``name`` (a username or slug) as one component of an account name.

    Valid for hledger and beancount (a capital letter or digit first, then
    letters, digits and ``-``): ``mei-chen`` → ``Mei-chen``, ``mei_chen`` →
    ``MeiChen``, ``42-studio`` → ``42-studio``. Lower-case names with no ``_``
    before a digit, ``-`` or another ``_`` come back by lower-casing the first
    letter and writing each later capital as ``_`` and its letter; any other
    character beancount refuses becomes ``-``.
    """
    text = re.sub(r"_([a-z])", lambda match: match.group(1).upper(), name)
    text = re.sub(r"[^A-Za-z0-9-]+", "-", text).strip("-")
    if not text:
        return "NONE"
    return text[0].upper() + text[1:]


def account_names(accounts: Iterable[Account]) -> dict[int, str]:
    """Return a holders'-view name for each account, unique and valid for both tools."""
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


def _tail(owner_ref: str) -> str:
    """What an owner reference names after its kind: ``member:<uuid>`` → the uuid."""
    return owner_ref.split(":", 1)[-1]


def _short_id(owner_ref: str) -> str:
    tail = owner_ref.rsplit(":", 1)[-1]
    try:
        return uuid.UUID(tail).hex[:8].upper()
    except ValueError:
        return hashlib.sha256(owner_ref.encode()).hexdigest()[:8].upper()


@dataclass(frozen=True)
class _Place:
    """Where an account goes in the books: ``scope`` + holder + ``leaf``.

    ``holder`` is None for an account named by its kind alone (the rolled-up
    escrow, the platform's fees, a time bank's issuance).
    """

    scope: tuple[str, ...]
    holder: str | None
    leaf: tuple[str, ...]


def _books_place(account: Account, names: Mapping[str, str]) -> _Place:
    ref, kind = account.owner_ref, account.kind
    unit = _component(commodity_of(account.unit, ref))

    def holder(text: str | None = None) -> str:
        known = names.get(ref)
        if known:
            return name_component(known)
        return _component(text if text is not None else _tail(ref))

    if kind == Account.Kind.MEMBER_WALLET:
        return _Place(("Liabilities", "Members"), holder(), (unit,))
    if kind == Account.Kind.ESCROW:
        return _Place(("Liabilities", "Escrow"), None, (unit,))
    if kind == Account.Kind.DEPOSIT_HELD:
        return _Place(("Liabilities", "Deposits"), None, (unit,))
    if kind == Account.Kind.PLATFORM_FEES:
        if ref == PLATFORM_REF:
            return _Place(("Income", "Fees", "Platform"), None, (unit,))
        return _Place(("Income", "Fees", "Platform"), holder(ref), (unit,))
    if kind == Account.Kind.COMMUNITY_TREASURY:
        return _Place(("Income", "Fees", "Treasury"), holder(), (unit,))
    if kind in (Account.Kind.GATEWAY_CLEARING, Account.Kind.PAYOUT_CLEARING):
        flow = "Clearing" if kind == Account.Kind.GATEWAY_CLEARING else "Payouts"
        gateway = names.get(ref) or _tail(ref)
        return _Place(("Assets", "Gateway"), name_component(gateway), (flow, unit))
    if kind in (Account.Kind.MEMBER_HOURS, Account.Kind.HOURS_ISSUANCE):
        root = "Liabilities" if kind == Account.Kind.MEMBER_HOURS else "Equity"
        parts = ref.split(":", 2) if ref.startswith(HOURS_PREFIX) else []
        if kind == Account.Kind.HOURS_ISSUANCE:
            if len(parts) == 2:
                bank = name_component(parts[1])
                return _Place((root, "TimeBank", bank, "Issued"), None, (unit,))
            return _Place((root, "TimeBank"), holder(), ("Issued", unit))
        if len(parts) == 3:
            bank = name_component(parts[1])
            return _Place((root, "TimeBank", bank), holder(parts[2]), (unit,))
        return _Place((root, "TimeBank"), holder(), (unit,))
    # A kind this export does not know yet: kept apart, named by its kind.
    return _Place(("Equity", "Unclassified", _component(kind)), holder(ref), (unit,))


def books_account_names(
    accounts: Iterable[Account], owner_names: Mapping[str, str] | None = None
) -> dict[int, str]:
    """Return each account's name in the platform's books, valid for both tools.

    ``owner_names`` maps owner references to readable names (usernames, slugs).
    Escrow and deposits of one currency share one name; every other account has
    its own. Of two holders whose names come out the same, the one whose account
    opened first keeps the plain name.
    """
    names = owner_names or {}
    chosen: dict[tuple[tuple[str, ...], str], str] = {}
    taken: dict[tuple[str, ...], set[str]] = defaultdict(set)
    result: dict[int, str] = {}
    for account in sorted(accounts, key=lambda a: a.pk):
        place = _books_place(account, names)
        if place.holder is None:
            result[account.pk] = ":".join((*place.scope, *place.leaf))
            continue
        key = (place.scope, account.owner_ref)
        if key not in chosen:
            short = _short_id(account.owner_ref)
            candidates = (
                place.holder,
                f"{place.holder}-{short}",
                f"{place.holder}-{short}-{account.pk}",
            )
            free = next(c for c in candidates if c not in taken[place.scope])
            taken[place.scope].add(free)
            chosen[key] = free
        result[account.pk] = ":".join((*place.scope, chosen[key], *place.leaf))
    return result


def _books_tag(account: Account) -> str:
    if account.kind in (Account.Kind.ESCROW, Account.Kind.DEPOSIT_HELD):
        return re.sub(r"[\s,;\"\\]+", "-", _tail(account.owner_ref))
    return ""


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _beancount_string(text: str) -> str:
    escaped = _one_line(text).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


class _Journal:
    """The accounts and transactions to export, read in posting order."""

    def __init__(
        self,
        owner_ref_prefix: str | None,
        view: str,
        owner_names: OwnerNames | None,
    ) -> None:
        accounts = Account.objects.all()
        if owner_ref_prefix:
            accounts = accounts.filter(owner_ref__startswith=owner_ref_prefix)
        self.filtered = bool(owner_ref_prefix)
        self.books = view == BOOKS
        # The books are the platform's: what the ledger holds for others is owed.
        self.sign = -1 if self.books else 1
        self.accounts = {a.pk: a for a in accounts.order_by("pk")}
        if self.books:
            refs = sorted({a.owner_ref for a in self.accounts.values()})
            known = owner_names(refs) if owner_names and refs else {}
            self.names = books_account_names(self.accounts.values(), known)
        else:
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

    def declared(self) -> list[tuple[str, str, date]]:
        """Each journal account once: its name, commodity and opening date.

        In the books several ledger accounts (escrow, deposits) share a name;
        it opens with the first of them. The books list their accounts by name,
        the holders' view in the ledger's order.
        """
        opened: dict[str, tuple[str, date]] = {}
        for pk, account in self.accounts.items():
            name = self.names[pk]
            on = self.opened_on(account)
            if name not in opened or on < opened[name][1]:
                opened[name] = (self.commodity(account), on)
        order = sorted(opened) if self.books else list(opened)
        return [(name, *opened[name]) for name in order]

    def postings(self, txn: Transaction) -> list[_Posting]:
        mine: list[_Posting] = []
        elsewhere: dict[tuple[str, str], int] = defaultdict(int)
        for leg in sorted(txn.legs.all(), key=lambda leg: leg.account_id):
            commodity = self.commodity(leg.account)
            if leg.account_id in self.accounts:
                mine.append(
                    _Posting(
                        self.names[leg.account_id],
                        Money(self.sign * leg.amount_minor, leg.unit),
                        commodity,
                        _books_tag(leg.account) if self.books else "",
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
    if journal.books:
        stream.write("; the platform's books: debits positive, credits negative\n")
    for unit, commodity in journal.units():
        sample = Money(10**6 * 10 ** Money(0, unit).exponent, unit)
        # A trailing decimal mark keeps hledger from reading "1000" as grouped.
        amount = sample.amount if sample.exponent else f"{sample.amount}."
        stream.write(f"commodity {amount} {_hledger_commodity(commodity)}\n")
    for name, _, _ in journal.declared():
        stream.write(f"account {name}\n")
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
            line = (
                f"    {posting.account}    {posting.amount.amount} "
                f"{_hledger_commodity(posting.commodity)}"
            )
            if posting.tag:
                line += f"  ; {EXCHANGE_TAG}:{posting.tag}"
            stream.write(f"{line}\n")
        count += 1
    return count


def _write_beancount(journal: _Journal, stream: TextIO) -> int:
    stream.write('option "title" "selfwork ledger export"\n')
    earliest = journal.earliest()
    for _, commodity in journal.units():
        stream.write(f"{earliest:%Y-%m-%d} commodity {commodity}\n")
    for name, commodity, opened_on in journal.declared():
        stream.write(f"{opened_on:%Y-%m-%d} open {name} {commodity}\n")
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
            if posting.tag:
                stream.write(f"    {EXCHANGE_TAG}: {_beancount_string(posting.tag)}\n")
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
                    Money(journal.sign * leg.amount_minor, leg.unit).amount,
                    Money(journal.sign * running[account.pk], account.unit).amount,
                ]
            )
        count += 1
    return count


WRITERS = {"hledger": _write_hledger, "beancount": _write_beancount, "csv": _write_csv}


def ledger_export(
    *,
    format: str,
    stream: TextIO,
    owner_ref_prefix: str | None = None,
    view: str | None = None,
    owner_names: OwnerNames | None = None,
) -> int:
    """Write the posted ledger to ``stream`` and return how many transactions it holds.

    ``format`` is ``hledger``, ``beancount`` or ``csv`` (one row per leg, with the
    account's balance after it). ``view`` is ``books`` (the platform's own books,
    the default) or ``holders`` (each account as its holder sees it).
    ``owner_ref_prefix`` narrows the export to the accounts whose owner reference
    starts with it: one owner's statement, always in the holders' view.
    ``owner_names`` names the holders in the books (see the module's docstring).

    :raises InvalidInput: for an unknown format (``unknown_export_format``) or
        view (``unknown_export_view``), or the books of one owner
        (``books_of_the_whole_ledger``).
    """
    writer = WRITERS.get(format)
    if writer is None:
        raise InvalidInput(
            gettext("'%(format)s' is not an export format; use one of %(value)s.")
            % {"format": str(format)[:20], "value": ", ".join(FORMATS)},
            field="format",
            code="unknown_export_format",
        )
    if view is None:
        view = HOLDERS if owner_ref_prefix else BOOKS
    if view not in VIEWS:
        raise InvalidInput(
            gettext("'%(view)s' is not a view of the ledger; use one of %(value)s.")
            % {"view": str(view)[:20], "value": ", ".join(VIEWS)},
            field="view",
            code="unknown_export_view",
        )
    if view == BOOKS and owner_ref_prefix:
        raise InvalidInput(
            gettext(
                "The books are the whole platform's; one member's or "
                "community's statement is in the holders' view."
            ),
            field="view",
            code="books_of_the_whole_ledger",
        )
    with consistent_read():
        return writer(_Journal(owner_ref_prefix, view, owner_names), stream)
