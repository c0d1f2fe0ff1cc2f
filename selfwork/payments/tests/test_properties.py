"""Random sequences of charges, refunds, releases and payouts keep every invariant.

A model of escrows and wallets runs beside the services. After every step the
ledger audit (with the payments checks) passes, no escrow is negative, every
reference accounts for what it captured (net + fees + refunds + escrow), and
the stored balances equal the model. A refused step changes nothing.
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
from selfwork.ledger.errors import InsufficientFunds
from selfwork.ledger.models import Account
from selfwork.payments import services
from selfwork.payments.audit import payments_audit_checks
from selfwork.payments.books import member_ref
from selfwork.payments.errors import (
    NothingInEscrow,
    PaymentDeclined,
    RefundExceedsEscrow,
)
from selfwork.payments.fees import fee_split
from selfwork.payments.gateways import (
    CARD_DECLINED,
    CARD_INSUFFICIENT_FUNDS,
    CARD_PROCESSING_ERROR,
    CARD_SUCCEEDS,
)
from selfwork.payments.models import Charge
from selfwork.payments.selectors import reference_totals

pytestmark = pytest.mark.slow

START = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)
CARDS = [
    CARD_SUCCEEDS,
    CARD_SUCCEEDS,
    CARD_SUCCEEDS,
    CARD_DECLINED,
    CARD_INSUFFICIENT_FUNDS,
    CARD_PROCESSING_ERROR,
]
POLICIES = [
    {"fee_percent": "5"},
    {"fee_percent": "8", "treasury_share_percent": "25"},
    {"fee_percent": "6", "minimum_fee": "0.50", "treasury_share_percent": "50"},
    {"fee_percent": "2.75", "treasury_share_percent": "100"},
    {"fee_percent": "0"},
]
amounts = st.integers(min_value=1, max_value=20_000)
_runs = itertools.count()


class PaymentsMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.savepoint = transaction.atomic()
        self.savepoint.__enter__()
        self.clock = itertools.count()
        self.parts = itertools.count()
        self.run = next(_runs)
        self.escrow: dict[str, int] = {}
        self.wallet = 0
        self.auto_payout = False

    def teardown(self):
        transaction.set_rollback(True)
        self.savepoint.__exit__(None, None, None)

    def now(self):
        return START + dt.timedelta(minutes=next(self.clock))

    def part(self):
        return f"p{next(self.parts)}"

    @initialize(policy=st.sampled_from(POLICIES))
    def open_community(self, policy):
        def member(name):
            return member_signup(
                username=f"{name}{self.run}",
                email=f"{name}{self.run}@example.com",
                password="a long enough passphrase",
                now=self.now(),
            )

        self.host, self.buyer, self.provider = (
            member(n) for n in ("host", "buyer", "provider")
        )
        self.community = community_create(
            creator=self.host,
            slug=f"market-{self.run}",
            name="Market",
            now=self.now(),
            settings={"currency": "EUR", **policy},
        )
        self.policy = services.fee_policy_for(community=self.community, unit="EUR")
        services.payout_destination_add(
            member=self.provider,
            label="Bank",
            account_number="DE89370400440532013000",
            now=self.now(),
        )

    # --- rules --------------------------------------------------------------------

    @rule(card=st.sampled_from(CARDS), amount=amounts)
    def charge(self, card, amount):
        reference = f"ref-{self.run}-{len(self.escrow)}-{next(self.parts)}"
        try:
            services.escrow_charge(
                reference=reference,
                customer=self.buyer,
                provider=self.provider,
                community=self.community,
                amount=Money(amount, "EUR"),
                card=card,
                now=self.now(),
            )
        except PaymentDeclined:
            assert card != CARD_SUCCEEDS
            return
        assert card == CARD_SUCCEEDS
        self.escrow[reference] = amount

    @precondition(lambda self: self.escrow)
    @rule(data=st.data(), whole=st.booleans())
    def refund(self, data, whole):
        reference = data.draw(st.sampled_from(sorted(self.escrow)))
        held = self.escrow[reference]
        asked = None if whole else data.draw(st.integers(1, max(1, held + 500)))
        try:
            refunds = services.escrow_refund(
                reference=reference,
                amount=Money(asked, "EUR") if asked else None,
                part=self.part(),
                now=self.now(),
            )
        except NothingInEscrow:
            assert held == 0
            return
        except RefundExceedsEscrow:
            assert asked is not None and asked > held
            return
        taken = sum(r.amount_minor for r in refunds)
        assert taken == (asked or held)
        self.escrow[reference] -= taken

    @precondition(lambda self: self.escrow)
    @rule(data=st.data(), whole=st.booleans())
    def release(self, data, whole):
        reference = data.draw(st.sampled_from(sorted(self.escrow)))
        held = self.escrow[reference]
        asked = None if whole else data.draw(st.integers(1, max(1, held)))
        try:
            release = services.escrow_release(
                reference=reference,
                provider=self.provider,
                community=self.community,
                amount=Money(asked, "EUR") if asked else None,
                part=self.part(),
                now=self.now(),
            )
        except NothingInEscrow:
            assert held == 0
            return
        gross = asked or held
        split = fee_split(Money(gross, "EUR"), self.policy)
        assert (release.gross_minor, release.net_minor) == (gross, split.net.minor)
        self.escrow[reference] -= gross
        if not self.auto_payout:
            self.wallet += split.net.minor

    @precondition(lambda self: self.escrow)
    @rule(data=st.data())
    def retry_a_charge(self, data):
        """The same charge again: the first one is returned, nothing moves."""
        reference = data.draw(st.sampled_from(sorted(self.escrow)))
        charge = services.escrow_charge(
            reference=reference,
            customer=self.buyer,
            provider=self.provider,
            community=self.community,
            amount=Money(self._captured(reference), "EUR"),
            card=CARD_SUCCEEDS,
            now=self.now(),
        )
        assert charge.reference == reference

    @rule(amount=amounts)
    def payout(self, amount):
        try:
            payout = services.payout_create(
                member=self.provider, amount=Money(amount, "EUR"), now=self.now()
            )
        except InsufficientFunds:
            assert amount > self.wallet
            return
        assert payout.status == "paid"
        self.wallet -= amount

    @rule(on=st.booleans())
    def auto_payout_preference(self, on):
        services.payout_preference_set(
            member=self.provider, auto_payout=on, now=self.now()
        )
        self.auto_payout = on

    # --- invariants ---------------------------------------------------------------

    def _captured(self, reference):
        return Charge.objects.get(
            reference=reference, status__in=Charge.CAPTURED
        ).amount_minor

    @invariant()
    def the_audit_passes(self):
        if not hasattr(self, "community"):
            return
        report = ledger_audit(extra_checks=payments_audit_checks())
        assert report.ok, report.render()

    @invariant()
    def no_escrow_is_negative_and_each_matches_the_model(self):
        for reference, held in self.escrow.items():
            account = Account.objects.get(
                kind="escrow", owner_ref=f"exchange:{reference}"
            )
            assert account.balance_minor == held >= 0

    @invariant()
    def every_reference_accounts_for_what_it_captured(self):
        for totals in reference_totals():
            assert totals.net + totals.fees + totals.refunded + totals.escrow == (
                totals.captured
            )
            if totals.settled:
                assert totals.escrow.minor == 0

    @invariant()
    def the_wallet_matches_the_model(self):
        if not hasattr(self, "provider"):
            return
        stored = (
            Account.objects.filter(
                kind="member_wallet", owner_ref=member_ref(self.provider)
            )
            .values_list("balance_minor", flat=True)
            .first()
        )
        assert (stored or 0) == self.wallet


@pytest.mark.django_db
def test_random_sequences_of_payments_keep_every_invariant(settings):
    settings.SELFWORK_SANDBOX_PROCESSING_DELAY = 0
    run_state_machine_as_test(
        PaymentsMachine,
        settings=hypothesis_settings(
            max_examples=25,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
