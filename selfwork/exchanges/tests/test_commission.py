"""Every path of the commission process, through the services, with the books checked."""

import pytest

from selfwork.core.errors import InvalidInput, NotFound, NotPermitted
from selfwork.core.money import Money
from selfwork.exchanges import selectors, services
from selfwork.exchanges.errors import CommissionsClosed, GuardFailed, InvalidTransition
from selfwork.exchanges.licences import licence_text
from selfwork.exchanges.models import ExchangeEvent, Licence, Timer
from selfwork.exchanges.tasks import timers_run_due
from selfwork.exchanges.terms import LineItem, Milestone, Terms
from selfwork.ledger.models import Transaction
from selfwork.payments.errors import PaymentDeclined
from selfwork.payments.gateways import CARD_DECLINED
from selfwork.payments.models import Charge, Payout
from selfwork.payments.selectors import wallet_balances

pytestmark = pytest.mark.django_db

EUR = "EUR"


def eur(amount):
    return Money.parse(amount, EUR)


class TestOrder:
    def test_a_package_order_copies_its_price_delivery_and_revisions(
        self, commission, provider, buyer
    ):
        assert commission.process_name == "commission"
        assert commission.state == "awaiting_payment"
        assert commission.total_minor == 12000
        assert commission.delivery_days == 10
        assert commission.revisions_allowed == 2
        assert commission.customer == buyer
        assert commission.provider == provider
        assert commission.line_items == [
            {
                "label": "Book cover illustration — Full colour",
                "unit_price_minor": 12000,
                "quantity": 1,
            }
        ]

    def test_a_later_price_change_leaves_a_running_exchange_alone(
        self, commission, portrait
    ):
        mode = portrait.modes.get(mode="service")
        mode.packages.update(price_minor=99999)
        commission.refresh_from_db()
        assert commission.total_minor == 12000

    def test_the_start_is_the_first_event_and_the_expiry_timer_is_set(
        self, commission, later
    ):
        (event,) = selectors.exchange_events(exchange=commission)
        assert (event.name, event.to_state, event.actor_role) == (
            "start",
            "awaiting_payment",
            "customer",
        )
        (timer,) = Timer.objects.filter(exchange=commission, done=False)
        assert (timer.transition, timer.due_at) == ("expire", later(days=7))

    def test_ordering_your_own_listing_is_refused(self, portrait, provider, now):
        with pytest.raises(InvalidInput) as error:
            services.exchange_order(
                listing=portrait, customer=provider, mode="service", now=now
            )
        assert error.value.code == "self_exchange"

    def test_a_listing_with_two_packages_needs_one_chosen(self, portrait, buyer, now):
        with pytest.raises(InvalidInput) as error:
            services.exchange_order(
                listing=portrait, customer=buyer, mode="service", now=now
            )
        assert error.value.code == "package_required"

    def test_a_closed_provider_takes_no_commission(
        self, portrait, buyer, provider, package, now
    ):
        provider.commission_status = "closed"
        provider.save()
        with pytest.raises(CommissionsClosed):
            services.exchange_order(
                listing=portrait,
                customer=buyer,
                mode="service",
                package=package(),
                now=now,
            )


class TestHappyPath:
    def test_pay_deliver_accept_pays_the_provider_less_the_fee(
        self, commission, move, buyer, provider, books
    ):
        exchange = move(commission, buyer, "pay")
        assert exchange.state == "in_progress"
        assert books(exchange)["escrow"] == 12000
        exchange = move(exchange, provider, "deliver", at=60, note="First draft.")
        assert exchange.state == "delivered"
        exchange = move(exchange, buyer, "accept", at=120)

        assert exchange.state == "completed"
        assert exchange.closed_at is not None
        money = books(exchange)
        assert money == {
            "captured": 12000,
            "refunded": 0,
            "released": 12000,
            "fees": 600,
            "net": 11400,
            "escrow": 0,
        }
        (balance,) = wallet_balances(member=provider)
        assert balance.available == eur("114.00")
        names = [e.name for e in selectors.exchange_events(exchange=exchange)]
        assert names == ["start", "pay", "deliver", "accept"]
        assert not Timer.objects.filter(exchange=exchange, done=False).exists()

    def test_with_instant_payouts_the_provider_is_paid_out_the_same_day(
        self, commission, move, buyer, provider, bank, books
    ):
        exchange = move(commission, buyer, "pay")
        exchange = move(exchange, provider, "deliver", note="Done.")
        exchange = move(exchange, buyer, "accept", at=30)

        (payout,) = Payout.objects.filter(member=provider)
        assert payout.status == "paid"
        assert payout.amount_minor == 11400
        (balance,) = wallet_balances(member=provider)
        assert balance.available == eur("0.00")
        assert balance.paid_out == eur("114.00")
        assert books(exchange)["net"] == 11400

    def test_the_card_number_is_never_stored_only_its_last_four_digits(
        self, commission, move, buyer
    ):
        move(commission, buyer, "pay")
        event = ExchangeEvent.objects.get(exchange=commission, name="pay")
        assert event.params["card_last4"] == "4242"
        assert "card" not in event.params

    def test_completion_grants_the_usage_rights_as_a_licence(
        self, commission, move, buyer, provider
    ):
        exchange = move(commission, buyer, "pay")
        exchange = move(exchange, provider, "deliver", note="Done.")
        exchange = move(exchange, buyer, "accept")

        licence = Licence.objects.get(exchange=exchange)
        assert licence.terms["use"] == "personal"
        assert licence.terms["licensee_username"] == buyer.username
        text = licence_text(exchange=exchange)
        assert "personal, non-commercial use" in text
        assert str(licence.public_id) in text
        assert exchange.reviews_opened_at is not None

    def test_delivery_reveals_the_files_to_the_customer(
        self, commission, move, buyer, provider
    ):
        exchange = move(commission, buyer, "pay")
        assert not selectors.deliverables_visible(exchange=exchange, member=buyer)
        exchange = move(exchange, provider, "deliver", note="Done.")
        assert selectors.deliverables_visible(exchange=exchange, member=buyer)


class TestRevisions:
    def test_changes_are_requested_within_the_revision_budget(
        self, commission, move, buyer, provider
    ):
        exchange = move(commission, buyer, "pay")
        for round_ in range(2):
            exchange = move(exchange, provider, "deliver", note=f"Draft {round_}")
            exchange = move(exchange, buyer, "request_changes", note="Bluer sky.")
            assert exchange.state == "in_progress"
        assert exchange.revisions_used == 2
        exchange = move(exchange, provider, "deliver", note="Final")

        options = selectors.transitions_available(exchange=exchange, member=buyer)
        assert "request_changes" not in [o.name for o in options]
        with pytest.raises(GuardFailed) as error:
            move(exchange, buyer, "request_changes", note="One more?")
        assert error.value.code == "no_revisions_left"
        exchange.refresh_from_db()
        assert (exchange.state, exchange.revisions_used) == ("delivered", 2)

    def test_a_change_request_needs_a_note(self, commission, move, buyer, provider):
        exchange = move(commission, buyer, "pay")
        exchange = move(exchange, provider, "deliver", note="Draft")
        with pytest.raises(InvalidInput) as error:
            move(exchange, buyer, "request_changes")
        assert error.value.code == "required"

    def test_each_delivery_is_numbered(self, commission, move, buyer, provider):
        exchange = move(commission, buyer, "pay")
        exchange = move(exchange, provider, "deliver", note="One")
        exchange = move(exchange, buyer, "request_changes", note="Again")
        exchange = move(exchange, provider, "deliver", note="Two")
        deliveries = selectors.exchange_deliveries(exchange=exchange)
        assert [(d.number, d.note) for d in deliveries] == [(1, "One"), (2, "Two")]

    def test_an_empty_delivery_is_refused(self, commission, move, buyer, provider):
        exchange = move(commission, buyer, "pay")
        with pytest.raises(InvalidInput):
            move(exchange, provider, "deliver")


class TestTimers:
    def test_three_days_after_delivery_it_is_accepted_automatically(
        self, commission, move, buyer, provider, later, books
    ):
        exchange = move(commission, buyer, "pay")
        exchange = move(exchange, provider, "deliver", note="Done.")

        assert timers_run_due(now=later(days=2, minutes=59 * 24)) == 0
        assert timers_run_due(now=later(days=3, minutes=1)) == 1

        exchange.refresh_from_db()
        assert exchange.state == "completed"
        event = ExchangeEvent.objects.get(exchange=exchange, name="auto_accept")
        assert (event.actor, event.actor_role) == (None, "system")
        assert books(exchange)["net"] == 11400

    def test_unpaid_for_seven_days_it_expires(self, commission, later, books):
        assert timers_run_due(now=later(days=7)) == 1
        commission.refresh_from_db()
        assert commission.state == "expired"
        assert books(commission)["captured"] == 0

    def test_paying_cancels_the_expiry(self, commission, move, buyer, later):
        move(commission, buyer, "pay")
        assert timers_run_due(now=later(days=8)) == 0
        commission.refresh_from_db()
        assert commission.state == "in_progress"
        assert Timer.objects.get(transition="expire").outcome == "cancelled"

    def test_a_member_cannot_take_a_timers_transition(self, commission, move, buyer):
        with pytest.raises(NotPermitted):
            move(commission, buyer, "expire")


class TestCancelDeclineExpire:
    @pytest.mark.parametrize("who", ["buyer", "provider"])
    def test_either_party_cancels_before_payment(self, commission, move, who, request):
        exchange = move(commission, request.getfixturevalue(who), "cancel")
        assert exchange.state == "cancelled"
        assert not Charge.objects.exists()

    def test_after_payment_there_is_no_cancel_only_a_decline(
        self, commission, move, buyer
    ):
        exchange = move(commission, buyer, "pay")
        with pytest.raises(InvalidTransition) as error:
            move(exchange, buyer, "cancel")
        assert error.value.status == 409
        assert error.value.code == "invalid_transition"

    def test_the_provider_declines_after_payment_with_a_full_refund(
        self, commission, move, buyer, provider, books
    ):
        exchange = move(commission, buyer, "pay")
        exchange = move(exchange, provider, "decline", reason="Too busy, sorry.")
        assert exchange.state == "declined"
        money = books(exchange)
        assert (money["captured"], money["refunded"], money["escrow"]) == (
            12000,
            12000,
            0,
        )

    def test_the_customer_cannot_decline(self, commission, move, buyer):
        exchange = move(commission, buyer, "pay")
        with pytest.raises(NotPermitted):
            move(exchange, buyer, "decline")


class TestDisputes:
    """Only a party opens a dispute; a host decides it, with a reason both parties
    see; for 7 days either may ask staff to review the decision, and the money
    stays in escrow until the decision is final."""

    @pytest.fixture
    def disputed(self, commission, move, buyer):
        exchange = move(commission, buyer, "pay")
        return move(exchange, buyer, "dispute", reason="No word in a week.")

    @pytest.fixture
    def staff(self, make_member):
        return make_member("olga", is_staff=True)

    def test_a_hosts_decision_waits_seven_days_with_the_money_in_escrow(
        self, disputed, move, host, books, later
    ):
        assert not Timer.objects.filter(exchange=disputed, done=False).exists()
        exchange = move(
            disputed, host, "resolve", refund_percent=50, note="Half was done."
        )

        assert exchange.state == "resolution_proposed"
        assert books(exchange)["escrow"] == 12000
        assert timers_run_due(now=later(days=6, minutes=23 * 60)) == 0
        assert timers_run_due(now=later(days=7, minutes=1)) == 1
        exchange.refresh_from_db()
        assert exchange.state == "resolved"
        money = books(exchange)
        assert (money["refunded"], money["released"], money["fees"]) == (
            6000,
            6000,
            300,
        )
        assert money["escrow"] == 0

    def test_the_decision_records_who_decided_and_why(self, disputed, move, host):
        exchange = move(
            disputed, host, "resolve", refund_percent=80, note="Nothing delivered."
        )
        assert exchange.resolution["refund_percent"] == 80
        assert exchange.resolution["note"] == "Nothing delivered."
        assert exchange.resolution["decided_by"] == host.username
        assert exchange.resolution["role"] == "operator"
        event = ExchangeEvent.objects.get(exchange=exchange, name="resolve")
        assert (event.actor, event.params["note"]) == (host, "Nothing delivered.")

    def test_both_parties_are_told_the_decision(
        self, disputed, move, host, buyer, provider
    ):
        exchange = move(disputed, host, "resolve", refund_percent=0, note="Fine.")
        notice = exchange.outbox.filter(kind="exchange.notification").last()
        assert set(notice.payload["recipients"]) == {
            str(buyer.public_id),
            str(provider.public_id),
        }
        assert notice.payload["resolution"]["note"] == "Fine."

    @pytest.mark.parametrize("who", ["buyer", "provider"])
    def test_either_party_asks_staff_and_staff_decide_for_good(
        self, disputed, move, host, staff, books, later, who, request
    ):
        party = request.getfixturevalue(who)
        exchange = move(
            disputed, host, "resolve", refund_percent=0, note="Looks delivered."
        )
        exchange = move(exchange, party, "appeal", reason="Nothing arrived.", at=60)
        assert exchange.state == "under_review"
        assert timers_run_due(now=later(days=30)) == 0
        assert books(exchange)["escrow"] == 12000

        exchange = move(
            exchange, staff, "review", refund_percent=100, note="No delivery."
        )
        assert exchange.state == "resolved"
        assert exchange.resolution["role"] == "staff"
        money = books(exchange)
        assert (money["refunded"], money["released"], money["escrow"]) == (
            12000,
            0,
            0,
        )

    def test_no_appeal_once_the_seven_days_are_over(
        self, disputed, move, host, buyer, later
    ):
        exchange = move(disputed, host, "resolve", refund_percent=0, note="Done.")
        timers_run_due(now=later(days=7, minutes=1))
        exchange.refresh_from_db()
        with pytest.raises(InvalidTransition):
            move(exchange, buyer, "appeal", reason="Too late?", at=60 * 24 * 8)

    @pytest.mark.parametrize(
        "percent,refunded,released", [(0, 0, 12000), (100, 12000, 0), (33, 3960, 8040)]
    )
    def test_any_split_settles_escrow(
        self, disputed, move, staff, books, percent, refunded, released
    ):
        exchange = move(
            disputed, staff, "review", refund_percent=percent, note="Decided."
        )
        money = books(exchange)
        assert (money["refunded"], money["released"], money["escrow"]) == (
            refunded,
            released,
            0,
        )

    def test_a_host_cannot_open_a_dispute(self, commission, move, buyer, host):
        exchange = move(commission, buyer, "pay")
        with pytest.raises(NotPermitted):
            move(exchange, host, "dispute", reason="I decide now.")
        exchange.refresh_from_db()
        assert exchange.state == "in_progress"

    def test_a_host_cannot_decide_for_good_nor_review(self, disputed, move, host):
        with pytest.raises(NotPermitted):
            move(disputed, host, "review", refund_percent=0, note="Mine to keep.")
        exchange = move(disputed, host, "resolve", refund_percent=0, note="Fine.")
        with pytest.raises(NotPermitted):
            move(exchange, host, "review", refund_percent=0, note="Final.")

    def test_only_an_operator_resolves(self, disputed, move, buyer, provider):
        for party in (buyer, provider):
            with pytest.raises(NotPermitted):
                move(disputed, party, "resolve", refund_percent=100, note="Mine.")

    def test_a_host_of_another_community_is_told_there_is_no_such_exchange(
        self, disputed, move, make_member, now
    ):
        from selfwork.communities.services import community_create

        rival = make_member("rival")
        community_create(creator=rival, slug="rivals", name="Rivals", now=now)
        with pytest.raises(NotFound):
            move(disputed, rival, "resolve", refund_percent=0, note="Mine.")

    def test_staff_step_in_on_a_stalled_exchange(self, commission, move, buyer, staff):
        exchange = move(commission, buyer, "pay")
        exchange = move(exchange, staff, "intervene", reason="Reported by both.")
        assert exchange.state == "disputed"
        exchange = move(exchange, staff, "review", refund_percent=100, note="Gone.")
        assert exchange.state == "resolved"

    def test_a_host_who_is_the_customer_cannot_resolve_their_own_dispute(
        self, guild, provider, host, package, portrait, move, now
    ):
        exchange = services.exchange_order(
            listing=portrait, customer=host, mode="service", package=package(), now=now
        )
        exchange = move(exchange, host, "pay")
        exchange = move(exchange, host, "dispute", reason="Mine.")
        with pytest.raises(NotPermitted):
            move(exchange, host, "resolve", refund_percent=100, note="Mine.")

    def test_refund_percent_and_a_reason_are_required(self, disputed, move, host):
        for bad in (101, -1, "50", True, 50.5):
            with pytest.raises(InvalidInput):
                move(disputed, host, "resolve", refund_percent=bad, note="Why.")
        for missing in ({"note": "Why."}, {"refund_percent": 50}):
            with pytest.raises(InvalidInput) as error:
                move(disputed, host, "resolve", **missing)
            assert error.value.code == "required"


class TestRefusals:
    def test_a_stranger_is_told_there_is_no_such_exchange(
        self, commission, move, stranger
    ):
        with pytest.raises(NotFound):
            move(commission, stranger, "pay")
        with pytest.raises(NotFound):
            selectors.exchange_get_for_party(
                public_id=commission.public_id, member=stranger
            )

    def test_the_provider_cannot_accept_their_own_work(
        self, commission, move, buyer, provider
    ):
        exchange = move(commission, buyer, "pay")
        exchange = move(exchange, provider, "deliver", note="Done")
        with pytest.raises(NotPermitted) as error:
            move(exchange, provider, "accept")
        assert error.value.code == "not_permitted"

    def test_accepting_before_delivery_is_a_conflict(self, commission, move, buyer):
        exchange = move(commission, buyer, "pay")
        with pytest.raises(InvalidTransition):
            move(exchange, buyer, "accept")
        exchange.refresh_from_db()
        assert exchange.state == "in_progress"

    def test_an_unknown_transition_or_parameter_is_bad_input(
        self, commission, move, buyer
    ):
        with pytest.raises(InvalidInput) as error:
            move(commission, buyer, "teleport")
        assert error.value.code == "unknown_transition"
        with pytest.raises(InvalidInput) as error:
            move(commission, buyer, "pay", tip="5.00")
        assert error.value.code == "unknown_parameter"

    def test_a_declined_card_is_402_and_leaves_the_exchange_unpaid(
        self, commission, move, buyer, books
    ):
        before = Transaction.objects.count()
        with pytest.raises(PaymentDeclined) as error:
            move(commission, buyer, "pay", card=CARD_DECLINED)
        assert error.value.status == 402
        assert error.value.code == "card_declined"
        commission.refresh_from_db()
        assert commission.state == "awaiting_payment"
        assert Transaction.objects.count() == before
        assert ExchangeEvent.objects.filter(exchange=commission).count() == 1

        exchange = move(commission, buyer, "pay")
        assert exchange.state == "in_progress"
        assert books(exchange)["captured"] == 12000

    def test_a_mistyped_card_is_bad_input(self, commission, move, buyer):
        with pytest.raises(InvalidInput) as error:
            move(commission, buyer, "pay", card="4242424242424241")
        assert error.value.code == "invalid_card"

    def test_markup_in_a_note_is_refused(self, commission, move, buyer, provider):
        exchange = move(commission, buyer, "pay")
        with pytest.raises(InvalidInput):
            move(exchange, provider, "deliver", note="<script>alert(1)</script>")

    def test_files_must_be_the_actors_own_uploads(
        self, commission, move, buyer, provider, png_bytes, now
    ):
        from selfwork.core.uploads import upload_create

        theirs = upload_create(owner=buyer, data=png_bytes(), now=now, kind="file")
        exchange = move(commission, buyer, "pay")
        with pytest.raises(InvalidInput) as error:
            move(exchange, provider, "deliver", files=[str(theirs.public_id)])
        assert error.value.code == "unknown_upload"


class TestTransitionsAvailable:
    def test_each_party_sees_only_their_own_moves(
        self, commission, move, buyer, provider, host, stranger
    ):
        def names(member, exchange):
            return [
                o.name
                for o in selectors.transitions_available(
                    exchange=exchange, member=member
                )
            ]

        assert names(buyer, commission) == ["pay", "cancel"]
        assert names(provider, commission) == ["cancel"]
        assert names(host, commission) == []
        assert names(stranger, commission) == []
        exchange = move(commission, buyer, "pay")
        exchange = move(exchange, provider, "deliver", note="Done")
        assert names(buyer, exchange) == ["request_changes", "accept", "dispute"]
        assert names(provider, exchange) == ["dispute"]
        assert names(host, exchange) == []


class TestMilestones:
    @pytest.fixture
    def staged(self, guild, buyer, provider, now):
        return services.exchange_start(
            process="commission",
            customer=buyer,
            provider=provider,
            community=guild,
            terms=Terms(
                line_items=[LineItem("Picture book, 12 spreads", eur("300.00"))],
                currency=EUR,
                delivery_days=20,
                revisions=1,
                usage_rights={"use": "commercial", "credit_required": True},
                milestones=[
                    Milestone("Sketches", eur("100.00")),
                    Milestone("Final art", eur("200.00")),
                ],
            ),
            now=now,
            source="offer",
        )

    def test_a_milestone_shows_released_only_once_its_escrow_was(
        self, staged, move, buyer, provider
    ):
        def statuses(exchange):
            return [m.status for m in selectors.exchange_milestones(exchange=exchange)]

        assert statuses(staged) == ["current", "upcoming"]
        exchange = move(staged, buyer, "pay")
        exchange = move(exchange, provider, "deliver", note="Sketches")
        exchange = move(exchange, buyer, "accept_milestone")
        assert statuses(exchange) == ["released", "current"]
        # Cancelled while the second milestone awaits its payment: not released.
        exchange = move(exchange, buyer, "cancel", reason="Changed my mind.")
        assert statuses(exchange) == ["released", "closed"]

    def test_each_milestone_is_paid_and_released_in_turn(
        self, staged, move, buyer, provider, books
    ):
        exchange = move(staged, buyer, "pay")
        assert books(exchange)["captured"] == 10000
        exchange = move(exchange, provider, "deliver", note="Sketches")
        with pytest.raises(GuardFailed) as error:
            move(exchange, buyer, "accept")
        assert error.value.code == "milestones_left"
        exchange = move(exchange, buyer, "accept_milestone")
        assert (exchange.state, exchange.milestone_index) == ("awaiting_payment", 1)
        money = books(exchange)
        assert (money["released"], money["escrow"]) == (10000, 0)

        exchange = move(exchange, buyer, "pay", at=10)
        exchange = move(exchange, provider, "deliver", at=20, note="Final art")
        with pytest.raises(GuardFailed):
            move(exchange, buyer, "accept_milestone")
        exchange = move(exchange, buyer, "accept", at=30)

        assert exchange.state == "completed"
        money = books(exchange)
        assert (money["captured"], money["released"], money["escrow"]) == (
            30000,
            30000,
            0,
        )
        assert exchange.licence.terms["use"] == "commercial"

    def test_a_milestone_is_accepted_automatically_too(
        self, staged, move, buyer, provider, later, books
    ):
        exchange = move(staged, buyer, "pay")
        exchange = move(exchange, provider, "deliver", note="Sketches")
        assert timers_run_due(now=later(days=3)) == 1
        exchange.refresh_from_db()
        assert (exchange.state, exchange.milestone_index) == ("awaiting_payment", 1)
        assert books(exchange)["released"] == 10000

    def test_milestones_must_add_up_to_the_total(self, guild, buyer, provider, now):
        with pytest.raises(InvalidInput) as error:
            services.exchange_start(
                process="commission",
                customer=buyer,
                provider=provider,
                community=guild,
                terms=Terms(
                    line_items=[LineItem("Cover", eur("300.00"))],
                    currency=EUR,
                    milestones=[Milestone("Half", eur("150.00"))],
                ),
                now=now,
            )
        assert error.value.code == "milestones_mismatch"


class TestQueue:
    def test_beyond_the_providers_slots_customers_see_their_place(
        self,
        portrait,
        provider,
        buyer,
        package,
        make_member,
        member_of,
        guild,
        move,
        now,
    ):
        provider.commission_slots = 1
        provider.save()
        first = services.exchange_order(
            listing=portrait, customer=buyer, mode="service", package=package(), now=now
        )
        others = []
        for n in range(2):
            customer = make_member()
            member_of(guild, customer)
            others.append(
                services.exchange_order(
                    listing=portrait,
                    customer=customer,
                    mode="service",
                    package=package(),
                    now=now,
                )
            )
        assert selectors.provider_slots_full(provider=provider)
        assert selectors.queue_position(exchange=first) is None
        assert [selectors.queue_position(exchange=e) for e in others] == [1, 2]

        move(first, buyer, "cancel")
        assert [selectors.queue_position(exchange=e) for e in others] == [None, 1]


class TestManualPayments:
    """A community settling by hand: the host confirms that the money arrived."""

    @pytest.fixture
    def by_hand(self, guild, host, now):
        from selfwork.payments import services as payments

        payments.payment_settings_set(
            community=guild, actor=host, gateway="manual", now=now
        )
        return guild

    def test_paying_by_hand_waits_for_the_host_before_the_work_starts(
        self, by_hand, commission, move, buyer, provider, host, later, books
    ):
        from selfwork.payments import services as payments

        exchange = move(commission, buyer, "pay", card=None)
        assert exchange.state == "awaiting_confirmation"
        assert books(exchange)["escrow"] == 0
        names = [
            o.name
            for o in selectors.transitions_available(exchange=exchange, member=provider)
        ]
        assert "deliver" not in names
        # The worker keeps asking, and waits.
        assert timers_run_due(now=later(minutes=1)) == 0
        exchange.refresh_from_db()
        assert exchange.state == "awaiting_confirmation"

        charge = Charge.objects.get(status="pending")
        payments.manual_charge_confirm(charge=charge, host=host, now=later(minutes=30))
        assert timers_run_due(now=later(minutes=31)) == 1
        exchange.refresh_from_db()
        assert exchange.state == "in_progress"
        exchange = move(exchange, provider, "deliver", note="Done", at=60)
        exchange = move(exchange, buyer, "accept", at=61)
        assert exchange.state == "completed"
        assert books(exchange)["net"] == 11400

    def test_a_payment_that_never_comes_lapses_after_a_week(
        self, by_hand, commission, move, buyer, later, books
    ):
        exchange = move(commission, buyer, "pay", card=None)
        timers_run_due(now=later(days=7, minutes=1))
        exchange.refresh_from_db()
        assert exchange.state == "expired"
        assert Charge.objects.get().failure_code == "lapsed"
        assert books(exchange)["captured"] == 0

    def test_the_host_rejects_a_payment_that_did_not_come(
        self, by_hand, commission, move, buyer, host, books
    ):
        exchange = move(commission, buyer, "pay", card=None)
        exchange = move(exchange, host, "cancel_payment", reason="Nothing arrived.")
        assert exchange.state == "cancelled"
        assert Charge.objects.get().status == "failed"
        assert books(exchange)["escrow"] == 0

    def test_a_payment_the_host_marks_not_received_cancels_the_exchange(
        self, by_hand, commission, move, buyer, host, later, books
    ):
        from selfwork.payments import services as payments

        exchange = move(commission, buyer, "pay", card=None)
        charge = Charge.objects.get(status="pending")
        payments.manual_charge_cancel(charge=charge, host=host, now=later(minutes=5))
        assert timers_run_due(now=later(minutes=10)) == 1
        exchange.refresh_from_db()
        assert exchange.state == "cancelled"
        assert books(exchange)["captured"] == 0

    def test_money_confirmed_just_before_a_cancel_is_refunded(
        self, by_hand, commission, move, buyer, host, later, books
    ):
        from selfwork.payments import services as payments

        exchange = move(commission, buyer, "pay", card=None)
        charge = Charge.objects.get(status="pending")
        payments.manual_charge_confirm(charge=charge, host=host, now=later(minutes=5))
        exchange = move(exchange, buyer, "cancel_payment", at=6)
        assert exchange.state == "cancelled"
        money = books(exchange)
        assert (money["captured"], money["refunded"], money["escrow"]) == (
            12000,
            12000,
            0,
        )
