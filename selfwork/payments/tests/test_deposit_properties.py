"""Random sequences of deposit authorisations, captures, voids and expiries.

A model of what each reference holds runs beside the services. After every step
the ledger audit (with the payments checks) passes, every settled deposit's
captured + voided equals what was authorised, each deposit-held account equals
the model, and the provider's wallet holds exactly what was captured.
"""

import datetime as dt
import itertools

import pytest
from django.db import transaction
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from selfwork.accounts.services import member_signup
from selfwork.communities.services import community_create
from selfwork.core.money import Money
from selfwork.ledger.audit import ledger_audit
from selfwork.ledger.models import Account
from selfwork.payments import services
from selfwork.payments.audit import payments_audit_checks
from selfwork.payments.books import member_ref
from selfwork.payments.errors import (
    CaptureExceedsDeposit,
    DepositExpired,
    DepositNotHeld,
    PaymentDeclined,
)
from selfwork.payments.gateways import CARD_DECLINED, CARD_SUCCEEDS
from selfwork.payments.models import Deposit

pytestmark = pytest.mark.slow

START = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)
amounts = st.integers(min_value=1, max_value=20_000)
_runs = itertools.count()


class DepositsMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.savepoint = transaction.atomic()
        self.savepoint.__enter__()
        self.run = next(_runs)
        self.clock = START
        self.held: dict[str, int] = {}  # reference -> amount still held
        self.authorised: dict[str, int] = {}  # reference -> amount authorised
        self.captured = 0

    def teardown(self):
        transaction.set_rollback(True)
        self.savepoint.__exit__(None, None, None)

    @initialize()
    def open_community(self):
        def member(name):
            return member_signup(
                username=f"{name}{self.run}",
                email=f"{name}{self.run}@example.com",
                password="a long enough passphrase",
                now=START,
            )

        self.host, self.buyer, self.provider = (
            member(n) for n in ("host", "buyer", "provider")
        )
        self.community = community_create(
            creator=self.host,
            slug=f"share-{self.run}",
            name="Share",
            now=START,
            settings={"currency": "EUR", "fee_percent": "5"},
        )

    def reference(self, data):
        return data.draw(st.sampled_from([f"r{self.run}-{n}" for n in range(3)]))

    @rule(data=st.data(), amount=amounts, good=st.booleans())
    def authorise(self, data, amount, good):
        reference = self.reference(data)
        try:
            deposit = services.deposit_authorise(
                reference=reference,
                customer=self.buyer,
                provider=self.provider,
                community=self.community,
                amount=Money(amount, "EUR"),
                card=CARD_SUCCEEDS if good else CARD_DECLINED,
                now=self.clock,
            )
        except PaymentDeclined:
            assert not good and reference not in self.authorised
            return
        except Exception as exc:  # noqa: BLE001 - a second deposit, another amount
            assert getattr(exc, "code", "") == "deposit_exists"
            assert reference in self.authorised
            return
        if reference not in self.authorised:
            assert deposit.status == "held"
            self.authorised[reference] = amount
            self.held[reference] = amount

    @rule(data=st.data(), amount=st.integers(min_value=1, max_value=25_000))
    def capture(self, data, amount):
        reference = self.reference(data)
        try:
            deposit = services.deposit_capture(
                reference=reference, amount=Money(amount, "EUR"), now=self.clock
            )
        except (DepositNotHeld, DepositExpired):
            assert not self.held.get(reference) or self._lapsed(reference)
            return
        except CaptureExceedsDeposit:
            assert amount > self.held[reference]
            return
        if self.held.get(reference):
            self.captured += amount
            self.held[reference] = 0
        assert deposit.captured_minor == amount

    @rule(data=st.data())
    def void(self, data):
        reference = self.reference(data)
        try:
            deposit = services.deposit_void(reference=reference, now=self.clock)
        except DepositNotHeld:
            assert Deposit.objects.get(reference=reference).status == "captured"
            return
        if deposit is None:
            assert reference not in self.authorised
            return
        self.held[reference] = 0

    @rule(days=st.integers(min_value=1, max_value=5))
    def time_passes_and_the_worker_runs(self, days):
        self.clock += dt.timedelta(days=days)
        lapsed = [reference for reference in self.held if self._lapsed(reference)]
        assert services.deposits_expire(now=self.clock) == len(lapsed)
        for reference in lapsed:
            self.held[reference] = 0

    def _lapsed(self, reference):
        deposit = Deposit.objects.filter(reference=reference, status="held").first()
        return deposit is not None and deposit.expires_at <= self.clock

    @precondition(lambda self: hasattr(self, "community"))
    @invariant()
    def the_audit_passes(self):
        report = ledger_audit(extra_checks=payments_audit_checks())
        assert report.ok, report.render()

    @precondition(lambda self: hasattr(self, "community"))
    @invariant()
    def captured_plus_voided_is_what_was_authorised(self):
        for deposit in Deposit.objects.filter(status__in=Deposit.SETTLED):
            if deposit.held_at is not None:
                assert deposit.captured_minor + deposit.voided_minor == (
                    deposit.amount_minor
                )

    @precondition(lambda self: hasattr(self, "community"))
    @invariant()
    def held_accounts_and_the_wallet_match_the_model(self):
        for reference, amount in self.held.items():
            account = Account.objects.get(
                kind="deposit_held", owner_ref=f"deposit:{reference}"
            )
            assert account.balance_minor == amount
        wallet = (
            Account.objects.filter(
                kind="member_wallet", owner_ref=member_ref(self.provider)
            )
            .values_list("balance_minor", flat=True)
            .first()
        )
        assert (wallet or 0) == self.captured


@pytest.mark.django_db
def test_any_sequence_of_deposit_operations_keeps_the_books(settings):
    settings.SELFWORK_SANDBOX_PROCESSING_DELAY = 0
    run_state_machine_as_test(
        DepositsMachine,
        settings=hypothesis_settings(
            max_examples=20,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
