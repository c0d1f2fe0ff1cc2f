"""Gateway calls happen outside database transactions, and crashes are reconciled.

A neighbour rents a drill (12.00 EUR for two days, a 40.00 EUR deposit). Paying
authorises the deposit and charges the rent; declining refunds the rent and
voids the deposit. Failures are injected where a real deployment meets them:
the process dies after the gateway took the money and before selfwork applied
the answer; the gateway is down when a refund is due; two cards race. After
each, the worker (``payments_reconcile``) settles what the gateway's own record
says, once: no double charge, no lost charge, and the ledger audits clean.
"""

import datetime as dt

import pytest
from django.db import connection

from selfwork.catalog.services import availability_set, listing_create
from selfwork.core.testing import race
from selfwork.exchanges import services
from selfwork.exchanges.audit import exchanges_audit_checks
from selfwork.exchanges.models import Exchange
from selfwork.ledger.audit import ledger_audit
from selfwork.payments import services as payments
from selfwork.payments.audit import payments_audit_checks
from selfwork.payments.errors import PaymentDeclined
from selfwork.payments.gateways import (
    CARD_DECLINED,
    CARD_SUCCEEDS,
    SandboxGateway,
)
from selfwork.payments.models import (
    Charge,
    Deposit,
    GatewayCall,
    Refund,
    SandboxOperation,
)
from selfwork.payments.selectors import reference_totals
from selfwork.payments.services import calls as call_services
from selfwork.payments.services import charges as charge_services

DAY = dt.timedelta(days=1)
MINUTE = dt.timedelta(minutes=1)
OTHER_CARD = "5555 5555 5555 4444"


class Crash(Exception):
    """The process died here (injected)."""


def money(amount):
    return {"amount": amount, "currency": "EUR"}


@pytest.fixture
def rental(community, provider, buyer, member_of, now):
    member_of(community, provider)
    member_of(community, buyer)
    drill = listing_create(
        owner=provider,
        community=community,
        title="Cordless drill",
        modes=[
            {
                "mode": "rental",
                "price": money("6.00"),
                "unit": "day",
                "deposit": money("40.00"),
            }
        ],
        now=now,
    )
    availability_set(listing=drill, actor=provider, now=now)
    start = dt.datetime.combine(now.date() + 10 * DAY, dt.time(), tzinfo=dt.UTC)
    return services.exchange_order(
        listing=drill,
        customer=buyer,
        mode="rental",
        start=start.date(),
        end=start.date() + 2 * DAY,
        now=now,
    )


def pay(exchange, buyer, at, card=CARD_SUCCEEDS):
    return services.exchange_transition(
        exchange=exchange, actor=buyer, name="pay", params={"card": card}, now=at
    )


def audited():
    report = ledger_audit(
        extra_checks=payments_audit_checks() + exchanges_audit_checks()
    )
    assert report.ok, report.render()


def sandbox(operation):
    return SandboxOperation.objects.filter(operation=operation, status="succeeded")


def escrow_of(exchange):
    totals = reference_totals(references=[str(exchange.public_id)])
    return sum(t.escrow.minor for t in totals)


@pytest.fixture
def crash_once(monkeypatch):
    """``crash_once(module, name)``: the next call of that function dies."""

    def arm(module, name):
        real = getattr(module, name)
        state = {"armed": True}

        def dying(*args, **kwargs):
            if state["armed"]:
                state["armed"] = False
                raise Crash(name)
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, dying)

    return arm


@pytest.mark.django_db
class TestCrashBetweenTheChargeAndItsAnswer:
    def test_paying_again_with_the_same_card_applies_the_first_answer(
        self, rental, buyer, now, crash_once
    ):
        crash_once(charge_services, "_charge_apply")
        with pytest.raises(Crash):
            pay(rental, buyer, now)
        rental.refresh_from_db()
        assert rental.state == "requested"
        charge = Charge.objects.get(reference=str(rental.public_id))
        assert (charge.status, charge.gateway_ref) == ("pending", "")
        assert sandbox("charge").count() == 1  # the gateway took it

        paid = pay(rental, buyer, now + MINUTE)

        assert paid.state == "pending_approval"
        assert sandbox("charge").count() == 1  # and only once
        charge.refresh_from_db()
        assert charge.status == "succeeded" and charge.claimed_at is not None
        assert escrow_of(rental) == 1200
        audited()

    def test_the_worker_applies_the_gateways_record_and_gives_it_back(
        self, rental, buyer, now, crash_once
    ):
        crash_once(charge_services, "_charge_apply")
        with pytest.raises(Crash):
            pay(rental, buyer, now)
        # The deposit was authorised before the charge: it is given back with it.
        deposit = Deposit.objects.get(reference=str(rental.public_id))
        charge = Charge.objects.get(reference=str(rental.public_id))

        # Too soon: the request may still be waiting for its answer.
        payments.payments_reconcile(now=now + MINUTE)
        charge.refresh_from_db()
        assert charge.status == "pending"

        payments.payments_reconcile(now=now + 3 * MINUTE)
        charge.refresh_from_db()
        assert charge.status == "succeeded"  # what the gateway did, posted
        assert escrow_of(rental) == 1200
        audited()

        payments.payments_reconcile(now=now + 11 * MINUTE)
        charge.refresh_from_db()
        deposit.refresh_from_db()
        assert charge.status == "refunded" and charge.abandoned_at is not None
        assert deposit.status == "voided" and deposit.abandoned_at is not None
        assert escrow_of(rental) == 0
        assert sandbox("refund").get().amount_minor == 1200
        assert sandbox("void").count() == 1
        rental.refresh_from_db()
        assert rental.state == "requested"
        audited()

        # Running it again moves nothing.
        assert payments.payments_reconcile(now=now + 20 * MINUTE) == 0
        assert sandbox("refund").count() == 1

        # The neighbour can still pay: a new attempt, charged once.
        paid = pay(rental, buyer, now + 21 * MINUTE)
        assert paid.state == "pending_approval"
        assert sandbox("charge").count() == 2
        assert escrow_of(rental) == 1200
        audited()

    def test_a_call_the_gateway_never_received_fails_and_nothing_is_taken(
        self, rental, buyer, now, monkeypatch
    ):
        def unreachable(self, **kwargs):
            raise Crash("connection reset before the request was sent")

        monkeypatch.setattr(SandboxGateway, "charge", unreachable)
        with pytest.raises(Crash):
            pay(rental, buyer, now)
        monkeypatch.undo()

        payments.payments_reconcile(now=now + 3 * MINUTE)
        charge = Charge.objects.get(reference=str(rental.public_id))
        assert (charge.status, charge.failure_code) == ("failed", "not_received")
        payments.payments_reconcile(now=now + 11 * MINUTE)
        assert not sandbox("charge").exists()
        assert Deposit.objects.get().status == "voided"
        audited()


@pytest.mark.django_db
class TestRefundsAfterCommit:
    def test_a_gateway_down_at_refund_time_is_retried_until_it_answers(
        self, rental, provider, buyer, now, monkeypatch
    ):
        pay(rental, buyer, now)

        def down(self, **kwargs):
            raise ConnectionError("gateway unavailable")

        monkeypatch.setattr(SandboxGateway, "refund", down)
        declined = services.exchange_transition(
            exchange=rental, actor=provider, name="decline", params={}, now=now
        )
        # The exchange moved and the ledger gave the money back at once ...
        assert declined.state == "declined"
        assert escrow_of(rental) == 0
        audited()
        # ... while the gateway's refund waits in the queue.
        call = GatewayCall.objects.get(operation="refund")
        assert call.status == "queued" and call.attempts == 1
        assert "unavailable" in call.last_error
        assert not sandbox("refund").exists()
        assert sandbox("void").count() == 1  # the deposit's void went through

        monkeypatch.undo()
        assert payments.payments_reconcile(now=now + 30 * dt.timedelta(seconds=1)) == 0
        assert payments.payments_reconcile(now=now + MINUTE) == 1
        call.refresh_from_db()
        assert call.status == "succeeded"
        refund = Refund.objects.get()
        assert refund.gateway_ref == call.result_ref != ""
        assert sandbox("refund").get().amount_minor == 1200
        assert payments.payments_reconcile(now=now + DAY) == 0
        audited()

    def test_a_crash_after_the_gateway_refunded_is_applied_once(
        self, rental, provider, buyer, now, crash_once
    ):
        pay(rental, buyer, now)
        crash_once(call_services, "call_apply")
        with pytest.raises(Crash):  # after the transaction committed
            services.exchange_transition(
                exchange=rental, actor=provider, name="decline", params={}, now=now
            )
        rental.refresh_from_db()
        assert rental.state == "declined"
        call = GatewayCall.objects.get(operation="refund")
        assert call.status == "queued"
        assert sandbox("refund").count() == 1

        payments.payments_reconcile(now=now + MINUTE)

        call.refresh_from_db()
        assert call.status == "succeeded"
        assert sandbox("refund").count() == 1  # asked twice, refunded once
        audited()


@pytest.mark.django_db
def test_a_payout_queued_while_the_gateway_is_down_is_paid_later(
    provider, buyer, community, now, monkeypatch
):
    payments.escrow_charge(
        reference="cover-1",
        customer=buyer,
        provider=provider,
        community=community,
        amount=payments_money("50.00"),
        card=CARD_SUCCEEDS,
        now=now,
    )
    payments.escrow_release(
        reference="cover-1", provider=provider, community=community, now=now
    )
    payments.payout_destination_add(
        member=provider, label="Bank", account_number="DE89370400440532013000", now=now
    )
    monkeypatch.setattr(
        SandboxGateway,
        "payout",
        lambda self, **kwargs: (_ for _ in ()).throw(TimeoutError("timed out")),
    )
    payout = payments.payout_create(
        member=provider, amount=payments_money("10.00"), now=now
    )
    assert payout.status == "requested"
    monkeypatch.undo()

    payments.payments_reconcile(now=now + MINUTE)

    payout.refresh_from_db()
    assert payout.status == "paid"
    assert sandbox("payout").get().amount_minor == 1000
    audited()


def payments_money(amount):
    from selfwork.payments.testing import eur

    return eur(amount)


@pytest.mark.django_db
def test_a_declined_card_leaves_its_attempt_and_the_exchange_where_it_was(
    rental, buyer, now
):
    with pytest.raises(PaymentDeclined):
        pay(rental, buyer, now, card=CARD_DECLINED)
    rental.refresh_from_db()
    assert rental.state == "requested"
    # The deposit was declined first: nothing else was tried.
    assert Deposit.objects.get().status == "failed"
    assert not Charge.objects.exists()

    paid = pay(rental, buyer, now + MINUTE)
    assert paid.state == "pending_approval"
    keys = list(
        Deposit.objects.order_by("pk").values_list("idempotency_key", flat=True)
    )
    assert len(set(keys)) == 2  # the retry is a new attempt, under a new key
    audited()


@pytest.mark.django_db(transaction=True)
class TestNoGatewayCallInsideATransaction:
    def test_paying_declining_and_paying_out_call_the_gateway_with_no_transaction_open(
        self, rental, provider, buyer, now, monkeypatch
    ):
        calls = []
        real = SandboxGateway._operate

        def watched(self, **kwargs):
            calls.append((kwargs["operation"], connection.in_atomic_block))
            return real(self, **kwargs)

        monkeypatch.setattr(SandboxGateway, "_operate", watched)
        pay(rental, buyer, now)
        services.exchange_transition(
            exchange=rental, actor=provider, name="decline", params={}, now=now
        )

        assert [operation for operation, _ in calls] == [
            "authorise",
            "charge",
            "refund",
            "void",
        ]
        assert not any(inside for _, inside in calls), calls
        audited()

    def test_two_cards_racing_to_pay_charge_once(self, rental, buyer, now):
        def pay_with(i):
            card = CARD_SUCCEEDS if i % 2 else OTHER_CARD
            try:
                return pay(rental, buyer, now, card=card).state
            except Exception as exc:  # noqa: BLE001 - reported below
                return getattr(exc, "code", repr(exc))

        results = race(6, pay_with)

        assert results.count("pending_approval") >= 1
        assert set(results) <= {
            "pending_approval",
            "payment_in_progress",
            "invalid_transition",
            "deposit_exists",
            "gateway_key_reused",
        }, results
        payments.payments_reconcile(now=now + 11 * MINUTE)
        rental = Exchange.objects.get(pk=rental.pk)
        assert rental.state == "pending_approval"
        assert escrow_of(rental) == 1200
        taken = sum(op.amount_minor for op in sandbox("charge"))
        given_back = sum(op.amount_minor for op in sandbox("refund"))
        assert taken - given_back == 1200
        audited()
