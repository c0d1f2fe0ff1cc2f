"""The exported journals are read by the real tools, whose balances equal ours."""

import csv
import io
import shutil
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader
from beancount.core import account as beancount_account
from beancount.core import realization

from selfwork.core.errors import InvalidInput
from selfwork.ledger.export import (
    account_names,
    books_account_names,
    ledger_export,
    name_component,
)
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


def export(tmp_path, format, owner_ref_prefix=None, view=None) -> Path:
    out = io.StringIO()
    ledger_export(
        format=format, stream=out, owner_ref_prefix=owner_ref_prefix, view=view
    )
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


def in_books(accounts, owner_names=None) -> dict[str, tuple[Decimal, str]]:
    """The platform's books as selfwork computes them: each balance flipped, and
    the balances of accounts that share a name (escrow, deposits) added up."""
    from selfwork.ledger.export import commodity_of

    names = books_account_names(accounts, owner_names)
    totals: dict[str, tuple[int, str, str]] = {}
    for account in accounts:
        account.refresh_from_db()
        minor, _, _ = totals.get(names[account.pk], (0, "", ""))
        totals[names[account.pk]] = (
            minor - account.balance_minor,
            account.unit,
            commodity_of(account.unit, account.owner_ref),
        )
    return {
        name: (Decimal(minor).scaleb(-_exponent(unit)), commodity)
        for name, (minor, unit, commodity) in totals.items()
        if minor
    }


def unquoted(balances):
    return {
        name: (amount, unit.strip('"')) for name, (amount, unit) in balances.items()
    }


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
        path = export(tmp_path, "hledger", view="holders")

        assert hledger_balances(path) == ours(realistic_ledger.values())

    def test_carries_amounts_with_each_units_exponent(self, realistic_ledger, tmp_path):
        text = export(tmp_path, "hledger", view="holders").read_text()

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
        path = export(tmp_path, "beancount", view="holders")

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
        rows = list(csv.DictReader(export(tmp_path, "csv", view="holders").open()))
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
        path = export(tmp_path, "hledger", view="holders")
        read = {
            name: (amount, unit.strip('"'))
            for name, (amount, unit) in hledger_balances(path).items()
        }
        assert read == self.expected(time_banks)

    def test_bean_check_accepts_them_and_reads_each_community_apart(
        self, time_banks, tmp_path
    ):
        path = export(tmp_path, "beancount", view="holders")
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

    def test_the_books_owe_each_communitys_hours_in_its_commodity(
        self, time_banks, tmp_path
    ):
        accounts = [a for trio in time_banks.values() for a in trio]
        expected = in_books(accounts)

        assert unquoted(hledger_balances(export(tmp_path, "hledger"))) == expected
        assert beancount_balances(export(tmp_path, "beancount")) == expected
        assert expected["Liabilities:TimeBank:Riverside:T:HOUR-RIVERSIDE"] == (
            Decimal("-1.25"),
            "HOUR_RIVERSIDE",
        )
        assert expected["Equity:TimeBank:Riverside:Issued:HOUR-RIVERSIDE"] == (
            Decimal("3.00"),
            "HOUR_RIVERSIDE",
        )


class TestBooks:
    """The whole ledger's default export: the platform's own books."""

    @pytest.mark.parametrize("format", ["hledger", "beancount"])
    def test_the_tools_read_every_balance_flipped_with_escrow_rolled_up(
        self, format, realistic_ledger, tmp_path
    ):
        read = hledger_balances if format == "hledger" else beancount_balances

        balances = unquoted(read(export(tmp_path, format)))

        assert balances == in_books(list(realistic_ledger.values()))
        # What the platform owes Priya is a credit; its fees are income.
        assert balances["Income:Fees:Platform:EUR"] == (Decimal("-4.00"), "EUR")
        assert balances["Assets:Gateway:Sandbox:Payouts:EUR"] == (
            Decimal("-100.00"),
            "EUR",
        )
        assert not any(name.startswith("Assets:Wallets") for name in balances)

    def test_escrow_of_each_exchange_is_a_tagged_posting_of_one_account(
        self, open_account, fund, tmp_path
    ):
        portrait = open_account("escrow", "EUR", owner_ref="exchange:portrait-1")
        logo = open_account("escrow", "EUR", owner_ref="exchange:logo-2")
        fund(portrait, 12_000)
        fund(logo, 3_050)
        path = export(tmp_path, "hledger")

        assert hledger_balances(path)["Liabilities:Escrow:EUR"] == (
            Decimal("-150.50"),
            "EUR",
        )
        one = subprocess.run(
            [hledger(), "-f", str(path), "balance", "-N", "-O", "csv"]
            + ["Liabilities:Escrow", "tag:exchange=logo-2"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert '"Liabilities:Escrow:EUR","-30.50 EUR"' in one
        entries, errors, _ = loader.load_file(
            str(export(tmp_path, "beancount")), log_errors=None
        )
        assert errors == []
        held = {
            posting.meta["exchange"]: posting.units.number
            for entry in entries
            for posting in getattr(entry, "postings", [])
            if posting.account == "Liabilities:Escrow:EUR"
        }
        assert held == {"portrait-1": Decimal("-120.00"), "logo-2": Decimal("-30.50")}

    def test_csv_rows_carry_the_books_names_and_signs(self, realistic_ledger, tmp_path):
        rows = list(csv.DictReader(export(tmp_path, "csv").open()))

        fees = [row for row in rows if row["account_kind"] == "platform_fees"]
        assert [(r["account"], r["amount"], r["balance_after"]) for r in fees] == [
            ("Income:Fees:Platform:EUR", "-4.00", "-4.00"),
            ("Income:Fees:Platform:JPY", "-500", "-500"),
        ]

    def test_a_view_that_does_not_exist_is_refused(self):
        with pytest.raises(InvalidInput) as refused:
            ledger_export(format="hledger", stream=io.StringIO(), view="owners")
        assert refused.value.code == "unknown_export_view"

    def test_one_owners_books_are_refused_their_statement_is_their_view(self):
        out = io.StringIO()
        with pytest.raises(InvalidInput) as refused:
            ledger_export(
                format="hledger", stream=out, owner_ref_prefix="member:", view="books"
            )
        assert refused.value.code == "books_of_the_whole_ledger"
        assert out.getvalue() == ""


class TestBooksNames:
    @pytest.mark.parametrize(
        ("name", "component"),
        [
            ("mei-chen", "Mei-chen"),
            ("mei_chen", "MeiChen"),
            ("42-studio", "42-studio"),
            ("ana_b_c", "AnaBC"),
            ("riverside", "Riverside"),
            ("Zoë.admin@x", "Zo-admin-x"),
            ("__", "NONE"),
        ],
    )
    def test_a_name_becomes_a_component_both_tools_accept(self, name, component):
        assert name_component(name) == component
        assert beancount_account.is_valid(f"Liabilities:Members:{component}:EUR")

    def test_holders_are_named_and_escrow_is_one_account_per_currency(self):
        def account(pk, kind, owner_ref, unit="EUR"):
            return Account(pk=pk, kind=kind, owner_ref=owner_ref, unit=unit)

        mei, mei2, other = (f"member:{uuid.UUID(int=n)}" for n in (1, 2, 3))
        accounts = [
            account(1, "member_wallet", mei),
            account(2, "member_wallet", mei2),
            account(3, "member_wallet", mei2, "JPY"),
            account(4, "member_wallet", other),
            account(5, "escrow", "exchange:a"),
            account(6, "escrow", "exchange:b"),
            account(7, "community_treasury", f"community:{uuid.UUID(int=9)}"),
            account(8, "gateway_clearing", "gateway:sandbox"),
            account(9, "payout_clearing", "gateway:sandbox"),
            account(10, "member_hours", f"hours:riverside:{uuid.UUID(int=1)}", "HOUR"),
            account(11, "hours_issuance", "hours:riverside", "HOUR"),
            account(12, "platform_fees", "platform"),
        ]
        known = {
            mei: "mei-2",
            mei2: "mei_2",  # the same component: the later holder is told apart
            f"community:{uuid.UUID(int=9)}": "riverside",
            f"hours:riverside:{uuid.UUID(int=1)}": "mei-2",
        }

        names = books_account_names(accounts, known)

        assert names == {
            1: "Liabilities:Members:Mei-2:EUR",
            2: "Liabilities:Members:Mei-2-00000000:EUR",
            3: "Liabilities:Members:Mei-2-00000000:JPY",
            4: "Liabilities:Members:00000000-0000-0000-0000-000000000003:EUR",
            5: "Liabilities:Escrow:EUR",
            6: "Liabilities:Escrow:EUR",
            7: "Income:Fees:Treasury:Riverside:EUR",
            8: "Assets:Gateway:Sandbox:Clearing:EUR",
            9: "Assets:Gateway:Sandbox:Payouts:EUR",
            10: "Liabilities:TimeBank:Riverside:Mei-2:HOUR-RIVERSIDE",
            11: "Equity:TimeBank:Riverside:Issued:HOUR-RIVERSIDE",
            12: "Income:Fees:Platform:EUR",
        }
        assert all(beancount_account.is_valid(name) for name in names.values())
