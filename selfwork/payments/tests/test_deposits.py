"""Deposits: card authorisations held for a rental, then voided, captured or lapsed."""

import datetime as dt

import pytest
from django.db import connection

from selfwork.core.errors import InvalidInput, NotPermitted
from selfwork.ledger.audit import ledger_audit
from selfwork.ledger.models import Account, Transaction
from selfwork.payments import selectors, services, tasks
from selfwork.payments.audit import payments_audit_checks
from selfwork.payments.errors import (
    CaptureExceedsDeposit,
    DepositExpired,
    DepositNotHeld,
    DepositNotPending,
    PaymentDeclined,
)
from selfwork.payments.gateways import (
    CARD_DECLINED,
    CARD_INSUFFICIENT_FUNDS,
    CARD_SUCCEEDS,
)
from selfwork.payments.models import Deposit, SandboxOperation
from selfwork.payments.testing import eur, ledger_counts

pytestmark = pytest.mark.django_db


def audit_ok():
    report = ledger_audit(extra_checks=payments_audit_checks())
    assert report.ok, report.render()


def balance(kind, owner_ref):
    return (
        Account.objects.filter(kind=kind, owner_ref=owner_ref)
        .values_list("balance_minor", flat=True)
        .first()
        or 0
    )


def held(reference):
    return balance("deposit_held", f"deposit:{reference}")


@pytest.fixture
def authorise(buyer, provider, community, now):
    """``authorise("40.00", ref="drill-1", card=…)`` holds a deposit by card."""

    def hold(amount="40.00", ref="drill-1", **options):
        options.setdefault("card", CARD_SUCCEEDS)
        options.setdefault("customer", buyer)
        options.setdefault("provider", provider)
        options.setdefault("community", community)
        return services.deposit_authorise(
            reference=ref, amount=eur(amount), now=options.pop("at", now), **options
        )

    return hold


@pytest.fixture(autouse=True)
def authorisations_last_a_week(settings):
    """These tests count in the week an ordinary card authorisation lasts."""
    settings.SELFWORK_DEPOSIT_AUTHORISATION_DAYS = 7


class TestAuthorise:
    def test_a_good_card_holds_the_deposit_apart_from_escrow_and_wallets(
        self, authorise, buyer, now
    ):
        deposit = authorise("40.00")
        assert deposit.status == "held"
        assert deposit.card_last4 == "4242"
        assert deposit.expires_at == now + dt.timedelta(days=7)
        assert held("drill-1") == 4000
        assert balance("escrow", "exchange:drill-1") == 0
        assert balance("member_wallet", f"member:{buyer.public_id}") == 0
        [row] = selectors.wallet_balances(member=buyer)
        assert row.deposits_held == eur("40.00")
        assert row.available == eur("0.00")
        audit_ok()

    def test_the_authorisation_period_follows_the_setting(
        self, authorise, settings, now
    ):
        settings.SELFWORK_DEPOSIT_AUTHORISATION_DAYS = 3
        assert authorise().expires_at == now + dt.timedelta(days=3)

    @pytest.mark.parametrize(
        ("card", "code"),
        [
            (CARD_DECLINED, "card_declined"),
            (CARD_INSUFFICIENT_FUNDS, "insufficient_funds"),
        ],
    )
    def test_a_declined_card_is_402_keeps_the_attempt_and_posts_nothing(
        self, authorise, card, code
    ):
        before = ledger_counts()
        with pytest.raises(PaymentDeclined) as raised:
            authorise(card=card)
        assert (raised.value.status, raised.value.code) == (402, "card_declined")
        assert raised.value.extra["decline_code"] == code
        [failed] = Deposit.objects.all()
        assert (failed.status, failed.failure_code) == ("failed", code)
        assert ledger_counts() == before
        assert selectors.deposit_for(reference="drill-1") is None

    def test_a_retry_after_a_decline_is_a_new_attempt_with_a_new_key(self, authorise):
        with pytest.raises(PaymentDeclined):
            authorise(card=CARD_DECLINED)
        deposit = authorise(card=CARD_SUCCEEDS)
        assert deposit.attempt == 2
        assert deposit.idempotency_key == "deposit:drill-1:attempt-2"
        assert held("drill-1") == 4000
        audit_ok()

    def test_calling_again_after_success_returns_the_same_deposit(self, authorise):
        first = authorise()
        before = ledger_counts()
        again = authorise()
        assert again.pk == first.pk
        assert ledger_counts() == before
        assert SandboxOperation.objects.filter(operation="authorise").count() == 1

    def test_another_amount_for_the_same_reference_is_a_conflict(self, authorise):
        authorise("40.00")
        with pytest.raises(Exception) as raised:
            authorise("50.00")
        assert raised.value.code == "deposit_exists"
        assert held("drill-1") == 4000

    def test_a_member_cannot_hold_a_deposit_for_themselves(self, authorise, buyer):
        with pytest.raises(InvalidInput) as raised:
            authorise(provider=buyer)
        assert raised.value.code == "self_payment"
        assert not Deposit.objects.exists()


class TestCapture:
    def test_a_part_goes_to_the_provider_and_the_rest_is_voided(
        self, authorise, provider, now
    ):
        authorise("40.00")
        deposit = services.deposit_capture(
            reference="drill-1", amount=eur("15.00"), now=now
        )
        assert (deposit.status, deposit.captured_minor, deposit.voided_minor) == (
            "captured",
            1500,
            2500,
        )
        assert held("drill-1") == 0
        # No fee is taken on damage compensation.
        assert balance("member_wallet", f"member:{provider.public_id}") == 1500
        assert balance("platform_fees", "platform") == 0
        txn = Transaction.objects.get(idempotency_key="deposit:drill-1:capture")
        assert txn.kind == "deposit_capture"
        audit_ok()

    def test_the_whole_deposit_can_be_captured(self, authorise, provider, now):
        authorise("40.00")
        deposit = services.deposit_capture(
            reference="drill-1", amount=eur("40.00"), now=now
        )
        assert deposit.voided_minor == 0
        assert balance("member_wallet", f"member:{provider.public_id}") == 4000
        audit_ok()

    def test_more_than_the_deposit_is_refused_and_nothing_moves(self, authorise, now):
        authorise("40.00")
        before = ledger_counts()
        with pytest.raises(CaptureExceedsDeposit) as raised:
            services.deposit_capture(reference="drill-1", amount=eur("40.01"), now=now)
        assert (raised.value.status, raised.value.code) == (
            409,
            "capture_exceeds_deposit",
        )
        assert ledger_counts() == before
        assert Deposit.objects.get().status == "held"

    def test_a_deposit_is_captured_once(self, authorise, now):
        authorise("40.00")
        first = services.deposit_capture(
            reference="drill-1", amount=eur("10.00"), now=now
        )
        before = ledger_counts()
        again = services.deposit_capture(
            reference="drill-1", amount=eur("10.00"), now=now
        )
        assert again.pk == first.pk
        with pytest.raises(DepositNotHeld):
            services.deposit_capture(reference="drill-1", amount=eur("5.00"), now=now)
        assert ledger_counts() == before

    def test_a_voided_deposit_cannot_be_captured(self, authorise, now):
        authorise()
        services.deposit_void(reference="drill-1", now=now)
        with pytest.raises(DepositNotHeld) as raised:
            services.deposit_capture(reference="drill-1", amount=eur("1.00"), now=now)
        assert raised.value.code == "deposit_not_held"

    def test_no_deposit_to_capture_is_a_conflict(self, now):
        with pytest.raises(DepositNotHeld):
            services.deposit_capture(reference="nothing-1", amount=eur("1.00"), now=now)

    def test_a_lapsed_authorisation_cannot_be_captured(self, authorise, now):
        authorise()
        with pytest.raises(DepositExpired):
            services.deposit_capture(
                reference="drill-1", amount=eur("1.00"), now=now + dt.timedelta(days=8)
            )
        assert held("drill-1") == 4000


class TestVoid:
    def test_voiding_twice_gives_the_deposit_back_once(self, authorise, buyer, now):
        authorise("40.00")
        first = services.deposit_void(reference="drill-1", now=now)
        before = ledger_counts()
        again = services.deposit_void(reference="drill-1", now=now)
        assert first.status == again.status == "voided"
        assert first.voided_minor == 4000
        assert ledger_counts() == before
        assert held("drill-1") == 0
        assert SandboxOperation.objects.filter(operation="void").count() == 1
        # Nothing held any more: the customer has no money in EUR here at all.
        assert selectors.wallet_balances(member=buyer) == []
        audit_ok()

    def test_a_reference_without_a_deposit_voids_nothing(self, now):
        assert services.deposit_void(reference="nothing-1", now=now) is None

    def test_a_captured_deposit_cannot_be_voided(self, authorise, now):
        authorise()
        services.deposit_capture(reference="drill-1", amount=eur("5.00"), now=now)
        with pytest.raises(DepositNotHeld):
            services.deposit_void(reference="drill-1", now=now)


class TestExpiry:
    def test_the_worker_expires_lapsed_authorisations_and_gives_them_back(
        self, authorise, now
    ):
        authorise("40.00", ref="drill-1")
        authorise("30.00", ref="drill-2", at=now + dt.timedelta(days=2))
        assert tasks.deposits_expire_run(now=now + dt.timedelta(days=6)) == 0
        assert tasks.deposits_expire_run(now=now + dt.timedelta(days=7)) == 1
        assert Deposit.objects.get(reference="drill-1").status == "expired"
        assert held("drill-1") == 0
        assert held("drill-2") == 3000
        assert tasks.deposits_expire_run(now=now + dt.timedelta(days=7)) == 0
        assert services.deposit_void(reference="drill-1", now=now).status == "expired"
        audit_ok()


@pytest.fixture
def cash(community, host, now):
    services.payment_settings_set(
        community=community, actor=host, gateway="manual", now=now
    )
    return community


class TestManualDeposits:
    def test_a_cash_deposit_waits_for_the_host_then_is_held_and_returned(
        self, authorise, cash, host, now
    ):
        deposit = authorise("40.00", card=None)
        assert deposit.status == "pending"
        assert held("drill-1") == 0
        assert list(selectors.deposits_for_host(member=host)) == [deposit]
        deposit = services.manual_deposit_confirm(deposit=deposit, host=host, now=now)
        assert (deposit.status, deposit.expires_at) == ("held", None)
        assert held("drill-1") == 4000
        assert balance("gateway_clearing", "gateway:manual") == -4000
        deposit = services.manual_deposit_return(deposit=deposit, host=host, now=now)
        assert deposit.status == "voided"
        assert held("drill-1") == 0
        audit_ok()

    def test_confirming_twice_is_refused(self, authorise, cash, host, now):
        deposit = authorise(card=None)
        services.manual_deposit_confirm(deposit=deposit, host=host, now=now)
        before = ledger_counts()
        with pytest.raises(DepositNotPending):
            services.manual_deposit_confirm(deposit=deposit, host=host, now=now)
        assert ledger_counts() == before

    def test_a_pending_cash_deposit_voids_with_nothing_posted(
        self, authorise, cash, now
    ):
        authorise(card=None)
        before = ledger_counts()
        deposit = services.deposit_void(reference="drill-1", now=now)
        assert deposit.status == "voided"
        assert ledger_counts() == before
        audit_ok()

    def test_a_held_cash_deposit_can_be_claimed_in_part(
        self, authorise, cash, host, provider, now
    ):
        deposit = authorise("40.00", card=None)
        services.manual_deposit_confirm(deposit=deposit, host=host, now=now)
        services.deposit_capture(reference="drill-1", amount=eur("12.00"), now=now)
        assert balance("member_wallet", f"member:{provider.public_id}") == 1200
        audit_ok()

    @pytest.mark.parametrize("who", ["buyer", "provider", "stranger"])
    def test_anyone_but_the_host_is_refused_and_nothing_moves(
        self, request, authorise, cash, who, now
    ):
        deposit = authorise(card=None)
        before = ledger_counts()
        with pytest.raises(NotPermitted):
            services.manual_deposit_confirm(
                deposit=deposit, host=request.getfixturevalue(who), now=now
            )
        assert ledger_counts() == before
        assert Deposit.objects.get().status == "pending"

    def test_a_card_deposit_is_not_the_hosts_to_return(self, authorise, host, now):
        deposit = authorise()
        with pytest.raises(InvalidInput) as raised:
            services.manual_deposit_return(deposit=deposit, host=host, now=now)
        assert raised.value.code == "not_a_manual_deposit"


class TestAudit:
    def test_a_tampered_deposit_row_is_caught(self, authorise, now):
        authorise("40.00")
        services.deposit_capture(reference="drill-1", amount=eur("15.00"), now=now)
        with connection.cursor() as cursor:
            # Within the row's own CHECKs: claim more was captured than was posted.
            cursor.execute("UPDATE payments_deposit SET captured_minor = 2000")
        report = ledger_audit(extra_checks=payments_audit_checks())
        assert not report.ok
        assert "deposit" in report.render()
        assert any("deposit's hold" in v.check for v in report.violations)

    def test_a_deposit_marked_voided_by_hand_leaves_a_held_balance_unexplained(
        self, authorise, now
    ):
        authorise("40.00")
        Deposit.objects.update(status="voided", settled_at=now)
        report = ledger_audit(extra_checks=payments_audit_checks())
        failed = {v.check for v in report.violations}
        assert any("deposit-held accounts" in check for check in failed)

    def test_the_database_refuses_a_capture_above_the_amount(self, authorise, now):
        from django.db import IntegrityError, transaction

        authorise("40.00")
        with pytest.raises(IntegrityError), transaction.atomic():
            Deposit.objects.update(
                status="captured", captured_minor=4001, settled_at=now
            )

    def test_the_database_refuses_a_second_live_deposit(self, authorise, now):
        from django.db import IntegrityError, transaction

        deposit = authorise("40.00")
        with pytest.raises(IntegrityError), transaction.atomic():
            Deposit.objects.create(
                reference=deposit.reference,
                attempt=2,
                customer=deposit.customer,
                provider=deposit.provider,
                community=deposit.community,
                gateway="sandbox",
                amount_minor=100,
                currency="EUR",
                status="pending",
                idempotency_key="deposit:drill-1:attempt-2",
                created_at=now,
            )
