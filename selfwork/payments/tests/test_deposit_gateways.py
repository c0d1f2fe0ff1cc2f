"""The gateways' authorisations on their own: the sandbox's books, the manual gateway."""

import datetime as dt

import pytest
from django.utils import timezone

from selfwork.payments.gateways import (
    CARD_DECLINED,
    CARD_SUCCEEDS,
    ManualGateway,
    SandboxGateway,
)
from selfwork.payments.models import SandboxOperation
from selfwork.payments.testing import eur

pytestmark = pytest.mark.django_db


@pytest.fixture
def sandbox():
    return SandboxGateway(processing_delay=0)


class TestSandboxAuthorisations:
    def test_a_good_card_is_authorised_until_the_configured_day(
        self, sandbox, settings
    ):
        settings.SELFWORK_DEPOSIT_AUTHORISATION_DAYS = 5
        before = timezone.now()
        result = sandbox.authorise(
            card=CARD_SUCCEEDS, amount=eur("40.00"), idempotency_key="a1"
        )
        assert (result.status, result.ok) == ("authorised", True)
        assert result.expires_at is not None
        assert result.expires_at - before >= dt.timedelta(days=5)
        assert result.expires_at - before < dt.timedelta(days=5, minutes=1)

    def test_a_declined_card_is_not_authorised(self, sandbox):
        result = sandbox.authorise(
            card=CARD_DECLINED, amount=eur("40.00"), idempotency_key="a1"
        )
        assert (result.status, result.failure_code, result.expires_at) == (
            "failed",
            "card_declined",
            None,
        )

    def test_a_retried_key_gets_the_first_answer(self, sandbox):
        first = sandbox.authorise(
            card=CARD_SUCCEEDS, amount=eur("40.00"), idempotency_key="a1"
        )
        again = sandbox.authorise(
            card=CARD_SUCCEEDS, amount=eur("40.00"), idempotency_key="a1"
        )
        assert again == first
        assert SandboxOperation.objects.count() == 1

    def test_capture_takes_a_part_once(self, sandbox):
        held = sandbox.authorise(
            card=CARD_SUCCEEDS, amount=eur("40.00"), idempotency_key="a1"
        )
        assert sandbox.capture(
            ref=held.ref, amount=eur("10.00"), idempotency_key="c1"
        ).ok
        second = sandbox.capture(ref=held.ref, amount=eur("5.00"), idempotency_key="c2")
        assert second.failure_code == "authorisation_settled"
        void = sandbox.void(ref=held.ref, idempotency_key="v1")
        assert void.failure_code == "authorisation_settled"

    def test_capture_cannot_take_more_than_was_authorised(self, sandbox):
        held = sandbox.authorise(
            card=CARD_SUCCEEDS, amount=eur("40.00"), idempotency_key="a1"
        )
        result = sandbox.capture(
            ref=held.ref, amount=eur("40.01"), idempotency_key="c1"
        )
        assert result.failure_code == "amount_exceeds_authorisation"

    def test_a_lapsed_authorisation_cannot_be_captured_or_voided(self, sandbox):
        held = sandbox.authorise(
            card=CARD_SUCCEEDS, amount=eur("40.00"), idempotency_key="a1"
        )
        SandboxOperation.objects.filter(ref=held.ref).update(
            expires_at=timezone.now() - dt.timedelta(seconds=1)
        )
        captured = sandbox.capture(
            ref=held.ref, amount=eur("1.00"), idempotency_key="c1"
        )
        assert captured.failure_code == "authorisation_expired"
        voided = sandbox.void(ref=held.ref, idempotency_key="v1")
        assert voided.failure_code == "authorisation_expired"

    def test_an_unknown_authorisation_is_refused(self, sandbox):
        result = sandbox.void(ref="sb_authorise_nothing", idempotency_key="v1")
        assert result.failure_code == "no_such_authorisation"


class TestManualAuthorisations:
    def test_a_cash_deposit_waits_for_the_host_and_never_lapses(self):
        result = ManualGateway().authorise(
            card=None, amount=eur("40.00"), idempotency_key="a1"
        )
        assert (result.status, result.expires_at) == ("pending", None)
        assert (
            result.ref
            == ManualGateway()
            .authorise(card=None, amount=eur("40.00"), idempotency_key="a1")
            .ref
        )
