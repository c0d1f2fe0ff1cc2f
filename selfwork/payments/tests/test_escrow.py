"""Refunds and releases: exact to the minor unit, never more than escrow holds."""

import pytest

from selfwork.core.errors import Conflict, InvalidInput
from selfwork.ledger.errors import IdempotencyKeyReused
from selfwork.ledger.models import Account, Transaction
from selfwork.payments import services
from selfwork.payments.errors import NothingInEscrow, RefundExceedsEscrow
from selfwork.payments.models import Charge, Payout, Refund, Release, SandboxOperation
from selfwork.payments.selectors import reference_totals
from selfwork.payments.testing import eur, ledger_counts

pytestmark = pytest.mark.django_db


def balance(kind, owner_ref, unit="EUR"):
    account = Account.objects.filter(kind=kind, owner_ref=owner_ref, unit=unit).first()
    return account.balance_minor if account else 0


def escrow_of(reference):
    return balance("escrow", f"exchange:{reference}")


def wallet_of(member, unit="EUR"):
    return balance("member_wallet", f"member:{member.public_id}", unit)


class TestRefund:
    def test_a_full_refund_empties_escrow_back_to_the_gateway(self, pay, now):
        charge = pay("80.00", ref="portrait-1")
        refunds = services.escrow_refund(reference="portrait-1", now=now)
        assert [r.amount_minor for r in refunds] == [8_000]
        assert escrow_of("portrait-1") == 0
        assert balance("gateway_clearing", "gateway:sandbox") == 0
        charge.refresh_from_db()
        assert (charge.status, charge.refunded_minor) == ("refunded", 8_000)

    def test_a_partial_refund_leaves_the_rest_in_escrow(self, pay, now):
        charge = pay("80.00", ref="portrait-1")
        services.escrow_refund(reference="portrait-1", amount=eur("30.00"), now=now)
        assert escrow_of("portrait-1") == 5_000
        charge.refresh_from_db()
        assert charge.status == "partially_refunded"

    def test_the_gateway_is_asked_once_under_a_key_derived_from_the_reference(
        self, pay, now
    ):
        charge = pay("80.00", ref="portrait-1")
        services.escrow_refund(reference="portrait-1", amount=eur("30.00"), now=now)
        operation = SandboxOperation.objects.get(operation="refund")
        assert operation.idempotency_key == f"refund:portrait-1:{charge.public_id}"
        assert Transaction.objects.filter(idempotency_key="refund:portrait-1").exists()

    def test_a_retried_refund_refunds_once(self, pay, now):
        pay("80.00", ref="portrait-1")
        first = services.escrow_refund(
            reference="portrait-1", amount=eur("30.00"), now=now
        )
        again = services.escrow_refund(
            reference="portrait-1", amount=eur("30.00"), now=now
        )
        assert [r.pk for r in again] == [r.pk for r in first]
        assert escrow_of("portrait-1") == 5_000
        assert SandboxOperation.objects.filter(operation="refund").count() == 1

    def test_the_same_refund_key_for_another_amount_is_refused(self, pay, now):
        pay("80.00", ref="portrait-1")
        services.escrow_refund(reference="portrait-1", amount=eur("30.00"), now=now)
        with pytest.raises(IdempotencyKeyReused):
            services.escrow_refund(reference="portrait-1", amount=eur("31.00"), now=now)
        assert escrow_of("portrait-1") == 5_000

    def test_a_further_refund_takes_a_new_part(self, pay, now):
        pay("80.00", ref="portrait-1")
        services.escrow_refund(reference="portrait-1", amount=eur("30.00"), now=now)
        services.escrow_refund(
            reference="portrait-1", amount=eur("50.00"), part="second", now=now
        )
        assert escrow_of("portrait-1") == 0

    def test_never_refunds_more_than_escrow_holds(self, pay, now):
        pay("80.00", ref="portrait-1")
        before = ledger_counts()
        with pytest.raises(RefundExceedsEscrow) as caught:
            services.escrow_refund(reference="portrait-1", amount=eur("80.01"), now=now)
        assert caught.value.extra["available"] == {"amount": "80.00", "currency": "EUR"}
        assert ledger_counts() == before
        assert not Refund.objects.exists()

    def test_nothing_to_refund_after_a_release(self, pay, provider, community, now):
        pay("80.00", ref="portrait-1")
        services.escrow_release(
            reference="portrait-1", provider=provider, community=community, now=now
        )
        with pytest.raises(NothingInEscrow):
            services.escrow_refund(reference="portrait-1", part="late", now=now)

    def test_nothing_to_refund_for_an_unknown_reference(self, now):
        with pytest.raises(NothingInEscrow):
            services.escrow_refund(reference="never-paid", now=now)

    def test_refuses_a_refund_in_another_currency(self, pay, money, now):
        pay("80.00", ref="portrait-1")
        with pytest.raises(InvalidInput) as caught:
            services.escrow_refund(
                reference="portrait-1", amount=money("10.00", "USD"), now=now
            )
        assert caught.value.code == "currency_mismatch"
        assert escrow_of("portrait-1") == 8_000

    def test_spreads_over_the_parts_oldest_first(self, pay, now):
        first = pay("30.00", ref="portrait-1")
        second = pay("20.00", ref="portrait-1", part="milestone-2")
        services.escrow_refund(reference="portrait-1", amount=eur("40.00"), now=now)
        first.refresh_from_db()
        second.refresh_from_db()
        assert (first.status, first.refunded_minor) == ("refunded", 3_000)
        assert (second.status, second.refunded_minor) == ("partially_refunded", 1_000)


class TestRelease:
    def test_pays_the_provider_the_gross_less_the_communitys_fee(
        self, pay, provider, community, now
    ):
        pay("100.00", ref="portrait-1")
        release = services.escrow_release(
            reference="portrait-1", provider=provider, community=community, now=now
        )
        assert (release.gross_minor, release.fee_minor, release.net_minor) == (
            10_000,
            500,
            9_500,
        )
        assert escrow_of("portrait-1") == 0
        assert wallet_of(provider) == 9_500
        assert balance("platform_fees", "platform") == 500
        assert release.final

    def test_splits_the_fee_with_the_community_treasury(
        self, pay, provider, community, now
    ):
        community.fee_percent = 8
        community.treasury_share_percent = 25
        community.save()
        pay("12.35", ref="portrait-1")
        release = services.escrow_release(
            reference="portrait-1", provider=provider, community=community, now=now
        )
        # 8% of 12.35 = 0.988 → 0.99; a quarter of it = 0.2475 → 0.25.
        assert (release.fee_minor, release.treasury_fee_minor) == (99, 25)
        assert balance("community_treasury", f"community:{community.public_id}") == 25
        assert balance("platform_fees", "platform") == 74
        assert wallet_of(provider) == 1_136

    def test_applies_the_minimum_fee(self, pay, provider, community, now):
        community.minimum_fee_minor = 50
        community.save()
        pay("3.00", ref="portrait-1")
        release = services.escrow_release(
            reference="portrait-1", provider=provider, community=community, now=now
        )
        assert (release.fee_minor, release.net_minor) == (50, 250)

    def test_net_fees_and_refunds_add_up_to_what_was_captured(
        self, pay, provider, community, now
    ):
        pay("99.99", ref="portrait-1")
        services.escrow_refund(reference="portrait-1", amount=eur("33.33"), now=now)
        release = services.escrow_release(
            reference="portrait-1", provider=provider, community=community, now=now
        )
        assert release.gross_minor == 6_666
        (totals,) = reference_totals(references=["portrait-1"])
        assert totals.net + totals.fees + totals.refunded == totals.captured
        assert totals.escrow.minor == 0 and totals.settled

    def test_a_partial_release_then_the_rest(self, pay, provider, community, now):
        pay("100.00", ref="portrait-1")
        first = services.escrow_release(
            reference="portrait-1",
            provider=provider,
            community=community,
            amount=eur("40.00"),
            now=now,
        )
        assert not first.final
        rest = services.escrow_release(
            reference="portrait-1",
            provider=provider,
            community=community,
            part="final",
            now=now,
        )
        assert (rest.gross_minor, rest.final) == (6_000, True)
        assert wallet_of(provider) == 3_800 + 5_700

    def test_a_retried_release_pays_once(self, pay, provider, community, now):
        pay("100.00", ref="portrait-1")
        first = services.escrow_release(
            reference="portrait-1", provider=provider, community=community, now=now
        )
        again = services.escrow_release(
            reference="portrait-1", provider=provider, community=community, now=now
        )
        assert again.pk == first.pk
        assert wallet_of(provider) == 9_500
        assert Release.objects.count() == 1

    def test_a_retry_for_another_provider_is_refused(
        self, pay, provider, stranger, community, now
    ):
        pay("100.00", ref="portrait-1", provider=None)
        services.escrow_release(
            reference="portrait-1", provider=provider, community=community, now=now
        )
        with pytest.raises(IdempotencyKeyReused):
            services.escrow_release(
                reference="portrait-1", provider=stranger, community=community, now=now
            )

    def test_refuses_to_pay_someone_the_money_was_not_held_for(
        self, pay, stranger, community, now
    ):
        pay("100.00", ref="portrait-1")
        with pytest.raises(InvalidInput) as caught:
            services.escrow_release(
                reference="portrait-1", provider=stranger, community=community, now=now
            )
        assert caught.value.code == "provider_mismatch"
        assert escrow_of("portrait-1") == 10_000

    def test_refuses_another_communitys_fee_policy(
        self, pay, provider, host, community, now
    ):
        from selfwork.communities.services import community_create

        other = community_create(
            creator=host,
            slug="cheap",
            name="Cheap",
            now=now,
            settings={"currency": "EUR", "fee_percent": "0"},
        )
        pay("100.00", ref="portrait-1")
        with pytest.raises(InvalidInput) as caught:
            services.escrow_release(
                reference="portrait-1", provider=provider, community=other, now=now
            )
        assert caught.value.code == "community_mismatch"

    def test_never_releases_more_than_escrow_holds(self, pay, provider, community, now):
        pay("100.00", ref="portrait-1")
        before = ledger_counts()
        with pytest.raises(Conflict) as caught:
            services.escrow_release(
                reference="portrait-1",
                provider=provider,
                community=community,
                amount=eur("100.01"),
                now=now,
            )
        assert caught.value.code == "release_exceeds_escrow"
        assert ledger_counts() == before

    def test_nothing_to_release_after_a_full_refund(
        self, pay, provider, community, now
    ):
        pay("100.00", ref="portrait-1")
        services.escrow_refund(reference="portrait-1", now=now)
        with pytest.raises(NothingInEscrow):
            services.escrow_release(
                reference="portrait-1", provider=provider, community=community, now=now
            )

    def test_a_pending_manual_payment_is_not_released(
        self, pay, provider, community, host, now
    ):
        services.payment_settings_set(
            community=community, actor=host, gateway="manual", now=now
        )
        pay("100.00", ref="drill-1", card=None)
        with pytest.raises(NothingInEscrow):
            services.escrow_release(
                reference="drill-1", provider=provider, community=community, now=now
            )


class TestAutoPayout:
    def test_a_release_is_paid_out_at_once_when_the_provider_asked(
        self, pay, provider, community, bank_account, now
    ):
        services.payout_preference_set(member=provider, auto_payout=True, now=now)
        pay("100.00", ref="portrait-1")
        release = services.escrow_release(
            reference="portrait-1", provider=provider, community=community, now=now
        )
        payout = Payout.objects.get(release=release)
        assert (payout.status, payout.amount_minor) == ("paid", 9_500)
        assert payout.destination == bank_account
        assert wallet_of(provider) == 0

    def test_a_retried_release_pays_out_once(
        self, pay, provider, community, bank_account, now
    ):
        services.payout_preference_set(member=provider, auto_payout=True, now=now)
        pay("100.00", ref="portrait-1")
        for _ in range(2):
            services.escrow_release(
                reference="portrait-1", provider=provider, community=community, now=now
            )
        assert Payout.objects.count() == 1

    def test_without_the_wish_the_money_stays_in_the_wallet(
        self, pay, provider, community, bank_account, now
    ):
        pay("100.00", ref="portrait-1")
        services.escrow_release(
            reference="portrait-1", provider=provider, community=community, now=now
        )
        assert not Payout.objects.exists()
        assert wallet_of(provider) == 9_500


def test_escrow_is_never_below_zero_whatever_the_order(pay, provider, community, now):
    pay("10.00", ref="portrait-1")
    services.escrow_refund(reference="portrait-1", amount=eur("4.00"), now=now)
    services.escrow_release(
        reference="portrait-1", provider=provider, community=community, now=now
    )
    with pytest.raises(NothingInEscrow):
        services.escrow_refund(reference="portrait-1", part="more", now=now)
    assert escrow_of("portrait-1") == 0
    assert Charge.objects.get().refunded_minor == 400
