"""The exported journals are read by the real tools, whose balances equal ours."""

import csv
import io
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader
from beancount.core import account as beancount_account
from beancount.core import realization

from selfwork.core.errors import InvalidInput
from selfwork.ledger.export import account_names, ledger_export
from selfwork.ledger.models import Account

pytestmark = pytest.mark.django_db

BEAN_CHECK = Path(sys.executable).with_name("bean-check")


def hledger() -> str:
    path = shutil.which("hledger")
    if path is None:
        pytest.fail(
            "hledger is missing: run scripts/system-packages.sh (Debian package)"
        )
    return path


def export(tmp_path, format, owner_ref_prefix=None) -> Path:
    out = io.StringIO()
    ledger_export(format=format, stream=out, owner_ref_prefix=owner_ref_prefix)
    path = tmp_path / f"ledger.{format}"
    path.write_text(out.getvalue())
    return path


def ours(accounts) -> dict[str, tuple[Decimal, str]]:
    """Selfwork's balances by exported account name, zero balances left out."""
    names = account_names(accounts)
    balances = {}
    for account in accounts:
        account.refresh_from_db()
        if account.balance_minor:
            decimal = Decimal(account.balance_minor).scaleb(-_exponent(account.unit))
            balances[names[account.pk]] = (decimal, account.unit)
    return balances


def _exponent(unit):
    from selfwork.core.money import unit_exponent

    return unit_exponent(unit)


def hledger_balances(path: Path) -> dict[str, tuple[Decimal, str]]:
    result = subprocess.run(
        [
            hledger(),
            "-f",
            str(path),
            "--strict",
            "balance",
            "--flat",
            "-N",
            "-O",
            "csv",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["account", "balance"]
    balances = {}
    for name, cell in rows[1:]:
        amount, unit = cell.split(" ")
        balances[name] = (Decimal(amount), unit)
    return balances


def beancount_balances(path: Path) -> dict[str, tuple[Decimal, str]]:
    checked = subprocess.run(
        [str(BEAN_CHECK), str(path)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    entries, errors, _ = loader.load_file(str(path))
    assert errors == []
    balances = {}
    for real in realization.iter_children(realization.realize(entries)):
        positions = list(real.balance)
        if not positions:
            continue
        assert len(positions) == 1, real.account
        units = positions[0].units
        if units.number:
            balances[real.account] = (units.number, units.currency)
    return balances


class TestHledgerExport:
    def test_hledger_reads_the_same_balance_for_every_account(
        self, realistic_ledger, tmp_path
    ):
        path = export(tmp_path, "hledger")

        assert hledger_balances(path) == ours(realistic_ledger.values())

    def test_carries_amounts_with_each_units_exponent(self, realistic_ledger, tmp_path):
        text = export(tmp_path, "hledger").read_text()

        assert "  120.00 EUR\n" in text
        assert "  12000 JPY\n" in text
        assert "  -25.500 BHD\n" in text
        assert "  1.50 HOUR\n" in text

    def test_a_memo_cannot_break_the_journal(self, realistic_ledger, tmp_path):
        text = export(tmp_path, "hledger").read_text()

        assert '* charge: Bruno\'s "dog", portrait with é\n' in text


class TestBeancountExport:
    def test_bean_check_accepts_it_and_beancount_reads_the_same_balances(
        self, realistic_ledger, tmp_path
    ):
        path = export(tmp_path, "beancount")

        assert beancount_balances(path) == ours(realistic_ledger.values())

    def test_every_account_name_is_valid_for_beancount(self, realistic_ledger):
        names = account_names(realistic_ledger.values())

        assert all(beancount_account.is_valid(name) for name in names.values())
        assert len(set(names.values())) == len(realistic_ledger)

    def test_owner_refs_differing_only_in_case_get_distinct_names(self, open_account):
        lower = open_account("escrow", "EUR", owner_ref="exchange:abc")
        upper = open_account("escrow", "EUR", owner_ref="exchange:ABC")

        names = account_names([lower, upper])

        assert names[lower.pk] != names[upper.pk]
        assert all(beancount_account.is_valid(name) for name in names.values())


class TestStatementForOneOwner:
    @pytest.fixture
    def priya(self, realistic_ledger):
        return [a for a in realistic_ledger.values() if a.owner_ref.endswith("0001")]

    @pytest.mark.parametrize("format", ["hledger", "beancount"])
    def test_names_only_the_owners_accounts_and_still_balances(
        self, format, priya, realistic_ledger, tmp_path
    ):
        path = export(tmp_path, format, owner_ref_prefix=priya[0].owner_ref)
        read = hledger_balances if format == "hledger" else beancount_balances

        balances = read(path)

        mine = {
            k: v for k, v in balances.items() if not k.startswith("Equity:Elsewhere")
        }
        assert mine == ours(priya)
        # What left or reached Priya's accounts, summed per unit, not named.
        assert balances["Equity:Elsewhere:EUR"] == (Decimal("-14.00"), "EUR")
        assert balances["Equity:Elsewhere:HOUR"] == (Decimal("10.00"), "HOUR")
        text = path.read_text()
        assert "Wallets:MEMBER-00000000-0000-0000-0000-000000000003" not in text
        assert "Escrow" not in text

    def test_csv_lists_the_owners_legs_with_the_balance_after_each(
        self, priya, tmp_path
    ):
        rows = list(csv.DictReader(export(tmp_path, "csv", priya[0].owner_ref).open()))

        assert {row["owner_ref"] for row in rows} == {priya[0].owner_ref}
        wallet = [
            row
            for row in rows
            if row["account_kind"] == "member_wallet" and row["unit"] == "EUR"
        ]
        assert [
            (row["kind"], row["amount"], row["balance_after"]) for row in wallet
        ] == [
            ("release", "114.00", "114.00"),
            ("payout", "-100.00", "14.00"),
        ]


class TestCsvExport:
    def test_every_accounts_last_balance_after_is_its_balance(
        self, realistic_ledger, tmp_path
    ):
        rows = list(csv.DictReader(export(tmp_path, "csv").open()))
        last = {row["account_id"]: row["balance_after"] for row in rows}

        for account in Account.objects.all():
            expected = ours([account])
            amount = expected and next(iter(expected.values()))[0]
            assert Decimal(last[str(account.public_id)]) == (amount or 0)

    def test_the_memo_stays_one_field(self, realistic_ledger, tmp_path):
        rows = list(csv.DictReader(export(tmp_path, "csv").open()))

        assert rows[0]["memo"] == 'Bruno\'s "dog"; portrait with é'
        assert rows[0]["amount"] in {"-120.00", "120.00"}


def test_an_unknown_format_is_refused():
    with pytest.raises(InvalidInput) as refused:
        ledger_export(format="xlsx", stream=io.StringIO())
    assert refused.value.code == "unknown_export_format"


def test_an_empty_ledger_exports_journals_the_tools_accept(tmp_path):
    assert hledger_balances(export(tmp_path, "hledger")) == {}
    assert beancount_balances(export(tmp_path, "beancount")) == {}


class TestHoursPerCommunity:
    """Each community's time bank is a commodity of its own, in both tools."""

    @pytest.fixture
    def time_banks(self, open_account, key, now):
        from selfwork.ledger.services import transaction_post

        accounts = {}
        for slug in ("riverside", "a-very-long-community-name-2"):
            issuance = open_account("hours_issuance", "HOUR", owner_ref=f"hours:{slug}")
            giver = open_account(
                "member_hours", "HOUR", owner_ref=f"hours:{slug}:g", floor_minor=-2000
            )
            taker = open_account(
                "member_hours", "HOUR", owner_ref=f"hours:{slug}:t", floor_minor=-2000
            )
            transaction_post(
                kind="hours_starting_credit",
                legs=[(issuance, -300), (giver, 300)],
                idempotency_key=key(),
                now=now,
            )
            transaction_post(
                kind="hours",
                legs=[(giver, -125), (taker, 125)],
                idempotency_key=key(),
                now=now,
            )
            accounts[slug] = (issuance, giver, taker)
        return accounts

    def expected(self, time_banks):
        from selfwork.ledger.export import commodity_of

        names = account_names([a for trio in time_banks.values() for a in trio])
        balances = {}
        for trio in time_banks.values():
            for account in trio:
                account.refresh_from_db()
                commodity = commodity_of(account.unit, account.owner_ref)
                balances[names[account.pk]] = (
                    Decimal(account.balance_minor).scaleb(-2),
                    commodity,
                )
        return balances

    def test_the_commodity_names_the_community(self):
        from selfwork.ledger.export import commodity_of

        assert commodity_of("HOUR", "hours:riverside:x") == "HOUR_RIVERSIDE"
        assert commodity_of("HOUR", "member:x") == "HOUR"
        long = commodity_of("HOUR", "hours:a-very-long-community-name-2:x")
        assert len(long) <= 24
        assert long.startswith("HOUR_A_VERY_LONG")

    def test_hledger_reads_each_community_apart(self, time_banks, tmp_path):
        path = export(tmp_path, "hledger")
        read = {
            name: (amount, unit.strip('"'))
            for name, (amount, unit) in hledger_balances(path).items()
        }
        assert read == self.expected(time_banks)

    def test_bean_check_accepts_them_and_reads_each_community_apart(
        self, time_banks, tmp_path
    ):
        path = export(tmp_path, "beancount")
        assert beancount_balances(path) == self.expected(time_banks)

    @pytest.mark.parametrize("format", ["hledger", "beancount"])
    def test_one_members_statement_still_balances(self, time_banks, tmp_path, format):
        giver = time_banks["riverside"][1]
        path = export(tmp_path, format, owner_ref_prefix=giver.owner_ref)
        text = path.read_text()
        assert "HOUR_RIVERSIDE" in text
        if format == "hledger":
            assert hledger_balances(path)
        else:
            assert beancount_balances(path)
