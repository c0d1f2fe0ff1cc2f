"""The operator's export is the platform's own books, read by hledger and beancount.

A small month built through the real services (payments into escrow, a release
with a fee shared with the community treasury, a refund, a payout, deposits, the
time bank), exported, then read by the real tools: their income statement and
balance sheet must be the platform's fees, what it owes and what it holds.
"""

import csv
import io
import shutil
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path

import pytest

from selfwork.communities.timebank import hours_ref, hours_transfer
from selfwork.core.money import HOUR, Money
from selfwork.ledger.commands import export_command
from selfwork.ledger.export import ledger_export
from selfwork.ledger.selectors import balances_for_owner
from selfwork.payments import services
from selfwork.payments.books import community_ref, member_ref, owner_names
from selfwork.payments.gateways import CARD_SUCCEEDS
from selfwork.payments.models import Release
from selfwork.payments.testing import eur

pytestmark = pytest.mark.django_db

BIN = Path(sys.executable).parent


@pytest.fixture
def month(pay, buyer, provider, make_member, member_of, community, bank_account, now):
    """What the platform went through, with the members who went through it."""
    community.fee_percent = 10
    community.treasury_share_percent = 25
    community.timebank_enabled = True
    community.timebank_starting_minor = 300
    community.save()
    mei = make_member("mei_chen")
    for member in (buyer, mei):
        member_of(community, member)

    pay("100.00", ref="portrait-1")
    services.escrow_release(
        reference="portrait-1", provider=provider, community=community, now=now
    )
    pay("50.00", ref="logo-2", provider=mei)
    services.escrow_refund(reference="logo-2", amount=eur("20.00"), now=now)
    services.payout_create(member=provider, amount=eur("60.00"), now=now)
    for reference, amount in (("camera-3", "80.00"), ("tent-4", "40.00")):
        services.deposit_authorise(
            reference=reference,
            customer=buyer,
            provider=provider,
            community=community,
            amount=eur(amount),
            card=CARD_SUCCEEDS,
            now=now,
        )
    services.deposit_capture(reference="camera-3", amount=eur("30.00"), now=now)
    hours_transfer(
        community=community,
        payer=buyer,
        payee=mei,
        hours=Money.parse("1.50", HOUR),
        idempotency_key="garden-day",
        now=now,
    )
    return {"mei": mei}


def books(tmp_path, format: str) -> Path:
    out = io.StringIO()
    ledger_export(format=format, stream=out, owner_names=owner_names)
    path = tmp_path / f"books.{format}"
    path.write_text(out.getvalue())
    return path


def run(*command: str) -> str:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def hledger(*args: str) -> str:
    path = shutil.which("hledger")
    if path is None:
        pytest.fail("hledger is missing: run scripts/system-packages.sh")
    return run(path, *args)


def report(text: str) -> dict[str, str]:
    """hledger's CSV report as {row name: cell}; a section's total is named by it."""
    rows: dict[str, str] = {}
    section = ""
    for row in csv.reader(io.StringIO(text)):
        if len(row) == 2 and row[1] == "" and row[0] not in ("total", "Net:"):
            section = row[0]
        elif len(row) == 2:
            rows[f"{section} total" if row[0] == "total" else row[0]] = row[1]
    return rows


def bean_query(path: Path, query: str) -> list[dict[str, str]]:
    text = run(str(BIN / "bean-query"), "-f", "csv", str(path), query)
    return [
        {key: value.strip() for key, value in row.items()}
        for row in csv.DictReader(io.StringIO(text))
    ]


class TestHledgerReadsTheBooks:
    def test_the_income_statement_is_the_fees_charged(self, month, tmp_path):
        path = books(tmp_path, "hledger")

        income = report(hledger("-f", str(path), "incomestatement", "-O", "csv"))

        # 10 % of 100.00, a quarter of it the community's.
        assert income["Income:Fees:Platform:EUR"] == "7.50 EUR"
        assert income["Income:Fees:Treasury:Guild:EUR"] == "2.50 EUR"
        (release,) = Release.objects.all()
        assert income["Revenues total"] == f"{Money(release.fee_minor, 'EUR')}"
        assert income["Net:"] == "10.00 EUR"

    def test_the_balance_sheet_owes_what_members_and_escrow_hold(
        self, month, provider, tmp_path
    ):
        path = books(tmp_path, "hledger")

        sheet = report(hledger("-f", str(path), "balancesheet", "-O", "csv"))

        # Priya: 90.00 released, 60.00 paid out, 30.00 of a deposit claimed.
        (wallet,) = balances_for_owner(owner_ref=member_ref(provider))
        assert sheet["Liabilities:Members:Priya:EUR"] == f"{wallet.balance}"
        assert sheet["Liabilities:Members:Priya:EUR"] == "60.00 EUR"
        # The logo's 50.00 less its 20.00 refund; the tent's deposit.
        assert sheet["Liabilities:Escrow:EUR"] == "30.00 EUR"
        assert sheet["Liabilities:Deposits:EUR"] == "40.00 EUR"
        # Hours are owed in the community's own commodity.
        assert sheet["Liabilities:TimeBank:Guild:Bruno:HOUR-GUILD"] == "1.50 HOUR_GUILD"
        assert sheet["Liabilities:TimeBank:Guild:MeiChen:HOUR-GUILD"] == (
            "4.50 HOUR_GUILD"
        )
        # In: 100 + 50 - 20 refunded + 80 + 40 held - 50 voided; out: 60.
        assert sheet["Assets:Gateway:Sandbox:Clearing:EUR"] == "200.00 EUR"
        assert sheet["Assets:Gateway:Sandbox:Payouts:EUR"] == "-60.00 EUR"
        assert sheet["Assets total"] == "140.00 EUR"

    def test_assets_are_liabilities_equity_and_the_income_earned(self, month, tmp_path):
        path = books(tmp_path, "hledger")

        sheet = report(hledger("-f", str(path), "balancesheetequity", "-O", "csv"))

        assert sheet["Liabilities total"] == "130.00 EUR, 6.00 HOUR_GUILD"
        # The hours issued are the time bank's; nothing else is equity.
        assert sheet["Equity total"] == "-6.00 HOUR_GUILD"
        # What is left is the fees earned, not yet closed into equity.
        assert sheet["Net:"] == "10.00 EUR"


class TestBeancountReadsTheBooks:
    def test_bean_check_accepts_them_and_bean_query_sums_them(self, month, tmp_path):
        path = books(tmp_path, "beancount")
        run(str(BIN / "bean-check"), str(path))

        rows = bean_query(
            path,
            "SELECT account, currency, sum(number) AS total "
            "GROUP BY account, currency ORDER BY account, currency",
        )

        totals = {
            row["account"]: (Decimal(row["total"]), row["currency"]) for row in rows
        }
        assert totals["Income:Fees:Platform:EUR"] == (Decimal("-7.50"), "EUR")
        assert totals["Income:Fees:Treasury:Guild:EUR"] == (Decimal("-2.50"), "EUR")
        assert totals["Liabilities:Members:Priya:EUR"] == (Decimal("-60.00"), "EUR")
        assert totals["Liabilities:Escrow:EUR"] == (Decimal("-30.00"), "EUR")
        assert totals["Liabilities:Deposits:EUR"] == (Decimal("-40.00"), "EUR")
        assert totals["Equity:TimeBank:Guild:Issued:HOUR-GUILD"] == (
            Decimal("6.00"),
            "HOUR_GUILD",
        )
        by_root: dict[tuple[str, str], Decimal] = {}
        for account, (total, currency) in totals.items():
            key = (account.split(":")[0], currency)
            by_root[key] = by_root.get(key, Decimal(0)) + total
        # Assets = liabilities + equity + income, with beancount's signs.
        assert by_root[("Assets", "EUR")] == Decimal("140.00")
        assert sum(t for (_, c), t in by_root.items() if c == "EUR") == 0
        assert sum(t for (_, c), t in by_root.items() if c == "HOUR_GUILD") == 0

    def test_each_exchanges_escrow_is_in_the_posting_metadata(self, month, tmp_path):
        path = books(tmp_path, "beancount")

        rows = bean_query(
            path,
            "SELECT ANY_META('exchange') AS exchange, sum(number) AS held "
            "WHERE account = 'Liabilities:Escrow:EUR' GROUP BY exchange",
        )

        assert {row["exchange"]: Decimal(row["held"]) for row in rows} == {
            "portrait-1": Decimal("0.00"),
            "logo-2": Decimal("-30.00"),
        }


class TestOwnerNames:
    def test_names_members_by_username_and_communities_by_slug(
        self, month, provider, community, django_assert_num_queries
    ):
        mei = month["mei"]
        refs = [
            member_ref(provider),
            community_ref(community),
            hours_ref(community, mei),
            f"member:{uuid.UUID(int=7)}",
            "member:not-a-uuid",
            "gateway:sandbox",
            "platform",
        ]

        with django_assert_num_queries(2):
            names = owner_names(refs)

        assert names == {
            member_ref(provider): "priya",
            community_ref(community): "guild",
            hours_ref(community, mei): "mei_chen",
        }

    def test_the_export_command_writes_the_books_unless_told_otherwise(self, month):
        books_out, holders_out = io.StringIO(), io.StringIO()

        assert export_command("hledger", books_out, owner_names=owner_names) == 0
        assert export_command("hledger", holders_out, view="holders") == 0

        assert "Liabilities:Members:Priya:EUR" in books_out.getvalue()
        assert "Assets:Wallets:MEMBER-" in holders_out.getvalue()
        assert "Liabilities:" not in holders_out.getvalue()
