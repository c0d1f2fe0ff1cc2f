"""The exchange web pages: my exchanges, the room and its forms, ordering, processes.

Written with the room's views (engineer B); the fixtures are this folder's.
"""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from selfwork.exchanges.models import Exchange, Message
from selfwork.payments.gateways import CARD_DECLINED

pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    """The real time: these pages and endpoints read the clock themselves."""
    return timezone.now().replace(microsecond=0)


def text(response) -> str:
    return response.content.decode()


def room(exchange) -> str:
    return f"/exchanges/{exchange.public_id}/"


def take(client, exchange, name, files=None, **params):
    data = {"action": "transition", "name": name, **params}
    if files:
        data["files"] = files
    return client.post(room(exchange), data)


class TestMyExchanges:
    def test_lists_my_exchanges_for_both_parties(
        self, commission, buyer, provider, browse_as
    ):
        for member in (buyer, provider):
            page = text(browse_as(member).get("/exchanges/"))
            assert commission.title in page
            assert "Awaiting payment" in page

    def test_a_stranger_sees_none(self, commission, stranger, browse_as):
        assert commission.title not in text(browse_as(stranger).get("/exchanges/"))

    def test_asks_to_log_in(self, browse_as):
        assert browse_as().get("/exchanges/").status_code == 302


class TestRoom:
    def test_the_customer_sees_the_state_total_and_a_pay_form(
        self, commission, buyer, browse_as
    ):
        response = browse_as(buyer).get(room(commission))
        page = text(response)
        assert response.status_code == 200
        assert "Awaiting payment" in page
        assert "The commission is agreed" in page  # the state's description
        assert "€120.00" in page
        assert 'name="card"' in page and 'value="4242 4242 4242 4242"' in page
        assert "Pay €120.00" in page

    def test_the_total_is_shown_in_the_viewers_currency_too(
        self, commission, buyer, browse_as
    ):
        buyer.preferred_currency = "BRL"
        buyer.save()
        page = text(browse_as(buyer).get(room(commission)))
        assert "≈ R$" in page

    def test_the_provider_sees_no_pay_button(self, commission, provider, browse_as):
        page = text(browse_as(provider).get(room(commission)))
        assert 'name="card"' not in page
        assert 'value="pay"' not in page
        assert 'value="cancel"' in page  # the provider may cancel before payment

    def test_a_waitlisted_customer_sees_their_place_in_the_queue(
        self,
        commission,
        portrait,
        package,
        provider,
        buyer,
        make_member,
        guild,
        member_of,
        browse_as,
        now,
    ):
        from selfwork.exchanges import services

        provider.commission_slots = 1
        provider.save()
        later = make_member("lina")
        member_of(guild, later)
        waiting = services.exchange_order(
            listing=portrait, customer=later, mode="service", package=package(), now=now
        )
        page = text(browse_as(later).get(room(waiting)))
        assert "Queued · number 1" in page
        assert "you are number 1 in the queue" in page
        # A queued order is not said to be in progress.
        assert "working on it" not in page
        assert "Queued" not in text(browse_as(buyer).get(room(commission)))
        assert "Queued: number 1 in your queue" in text(
            browse_as(provider).get(room(waiting))
        )

    def test_before_ordering_a_buyer_sees_the_slots_and_the_queue(
        self,
        commission,
        portrait,
        provider,
        make_member,
        guild,
        member_of,
        browse_as,
    ):
        lina = make_member("lina")
        member_of(guild, lina)
        client = browse_as(lina)
        listing_page = f"/listings/{portrait.public_id}/"
        order_page = f"/listings/{portrait.public_id}/order/"
        # Three slots, one taken by the buyer's commission: no queue.
        assert "Open · 2 of 3 slots free" in text(client.get(listing_page))
        assert "joins the queue" not in text(client.get(order_page))

        provider.commission_slots = 1
        provider.save()
        for page in (listing_page, order_page):
            shown = text(client.get(page))
            assert f"All of {provider.name}" in shown, page
            assert "joins the queue as number 1" in shown, page
        assert "Slots full" in text(client.get(listing_page))
        profile = text(client.get(f"/m/{provider.username}/"))
        assert "Slots full" in profile

    def test_a_stranger_gets_404(self, commission, stranger, browse_as):
        assert browse_as(stranger).get(room(commission)).status_code == 404
        response = take(browse_as(stranger), commission, "pay", card="4242424242424242")
        assert response.status_code == 404
        commission.refresh_from_db()
        assert commission.state == "awaiting_payment"

    def test_anonymous_is_sent_to_log_in(self, commission, browse_as):
        assert browse_as().get(room(commission)).status_code == 302

    def test_paying_moves_it_on(self, commission, buyer, browse_as):
        response = take(browse_as(buyer), commission, "pay", card="4242 4242 4242 4242")
        assert response.status_code == 302
        commission.refresh_from_db()
        assert commission.state == "in_progress"

    def test_each_step_is_told_in_words(self, commission, buyer, provider, browse_as):
        customer, seller = browse_as(buyer), browse_as(provider)
        take(customer, commission, "pay", card="4242 4242 4242 4242")
        paid = text(customer.get(room(commission)))
        assert "You paid €120.00 for “Book cover illustration”." in paid
        assert "Done:" not in paid
        take(seller, commission, "deliver", note="Here it is")
        assert "You delivered “Book cover illustration”; bruno has been told." in text(
            seller.get(room(commission))
        )
        take(customer, commission, "accept")
        accepted = text(customer.get(room(commission)))
        assert (
            "You accepted “Book cover illustration”; €114.00 is on its way to priya."
            in accepted
        )

    def test_the_wallet_says_what_was_paid_for_and_by_whom(
        self, commission, buyer, provider, browse_as
    ):
        customer, seller = browse_as(buyer), browse_as(provider)
        take(customer, commission, "pay", card="4242 4242 4242 4242")
        take(seller, commission, "deliver", note="Here it is")
        take(customer, commission, "accept")
        wallet = text(seller.get("/wallet/"))
        assert "Payment from bruno" in wallet
        assert "after a €6.00 fee" in wallet
        assert f'<a href="{room(commission)}">Book cover illustration</a>' in wallet
        # No ledger reference is shown in place of words.
        assert f"<code>{commission.public_id}</code>" not in wallet

    def test_paying_and_accepting_ask_first(
        self, commission, buyer, provider, browse_as
    ):
        customer, seller = browse_as(buyer), browse_as(provider)
        page = text(customer.get(room(commission)))
        assert (
            'data-confirm="Pay €120.00 for “Book cover illustration”? The money is '
            'held until you accept the work."' in page
        )
        take(customer, commission, "pay", card="4242 4242 4242 4242")
        take(seller, commission, "deliver", note="Here it is")
        page = text(customer.get(room(commission)))
        assert "Accept: priya is paid at once, and this cannot be undone." in page
        # The provider's own steps move no money of theirs: nothing to confirm.
        assert "data-confirm" not in text(seller.get(room(commission)))

    def test_a_declined_card_says_so_and_changes_nothing(
        self, commission, buyer, browse_as
    ):
        response = take(browse_as(buyer), commission, "pay", card=CARD_DECLINED)
        assert response.status_code == 402
        assert "declined" in text(response).lower()
        commission.refresh_from_db()
        assert commission.state == "awaiting_payment"

    def test_a_forged_pay_by_the_provider_is_refused(
        self, commission, provider, browse_as
    ):
        response = take(browse_as(provider), commission, "pay", card="4242424242424242")
        assert response.status_code == 403
        commission.refresh_from_db()
        assert commission.state == "awaiting_payment"

    def test_a_transition_not_allowed_now_is_a_conflict(
        self, commission, buyer, browse_as
    ):
        response = take(browse_as(buyer), commission, "accept")
        assert response.status_code == 409
        commission.refresh_from_db()
        assert commission.state == "awaiting_payment"

    def test_deliver_with_a_file_then_the_customer_downloads_it(
        self, commission, buyer, provider, move, browse_as, png_bytes
    ):
        move(commission, buyer, "pay")
        response = take(
            browse_as(provider),
            commission,
            "deliver",
            note="First pass at the cover.",
            files=[SimpleUploadedFile("cover.pdf", b"%PDF-1.4\n% a cover\n")],
        )
        assert response.status_code == 302, text(response)
        commission.refresh_from_db()
        assert commission.state == "delivered"
        page = text(browse_as(buyer).get(room(commission)))
        assert "First pass at the cover." in page
        assert "Download file 1" in page
        assert 'value="request_changes"' in page and 'value="accept"' in page
        link = page.split('href="/files/', 1)[1].split('"', 1)[0]
        download = browse_as(buyer).get(f"/files/{link}")
        assert download.status_code == 200
        assert b"".join(download.streaming_content).startswith(b"%PDF")
        # The link is the buyer's alone.
        assert browse_as(provider).get(f"/files/{link}").status_code == 404

    def test_a_file_that_is_not_a_deliverable_is_refused(
        self, commission, buyer, provider, move, browse_as
    ):
        move(commission, buyer, "pay")
        response = take(
            browse_as(provider),
            commission,
            "deliver",
            files=[SimpleUploadedFile("x.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04")],
        )
        assert response.status_code == 415
        commission.refresh_from_db()
        assert commission.state == "in_progress"

    def test_request_changes_needs_a_note(
        self, commission, buyer, provider, move, browse_as
    ):
        move(commission, buyer, "pay")
        move(commission, provider, "deliver", note="Done")
        response = take(browse_as(buyer), commission, "request_changes")
        assert response.status_code == 422
        assert "needs note" in text(response)
        response = take(
            browse_as(buyer),
            commission,
            "request_changes",
            note="Bigger title, please.",
        )
        assert response.status_code == 302
        commission.refresh_from_db()
        assert (commission.state, commission.revisions_used) == ("in_progress", 1)

    def test_the_timeline_lists_what_happened(
        self, commission, buyer, provider, move, browse_as
    ):
        move(commission, buyer, "pay")
        move(commission, provider, "deliver", note="Here it is")
        page = text(browse_as(buyer).get(room(commission)))
        timeline = page.split('id="timeline-title"', 1)[1]
        assert timeline.index("Pay") < timeline.index("Deliver")
        assert "Card ending: 4242" in timeline
        assert "4242424242424242" not in timeline  # the card number never appears
        assert "Note: Here it is" in timeline

    def test_completion_offers_the_licence(
        self, commission, buyer, provider, move, browse_as
    ):
        move(commission, buyer, "pay")
        move(commission, provider, "deliver", note="Done")
        move(commission, buyer, "accept")
        page = text(browse_as(buyer).get(room(commission)))
        assert "Completed" in page and "Download licence" in page
        licence = browse_as(buyer).get(f"{room(commission)}licence/")
        assert licence.status_code == 200
        assert "USAGE LICENCE" in text(licence)
        assert "attachment" in licence["Content-Disposition"]

    def test_no_licence_before_completion(self, commission, buyer, browse_as):
        assert browse_as(buyer).get(f"{room(commission)}licence/").status_code == 404

    def test_an_operator_resolves_a_dispute(
        self, commission, buyer, provider, host, move, browse_as
    ):
        move(commission, buyer, "pay")
        move(commission, buyer, "dispute", reason="No word for weeks.")
        page = text(browse_as(host).get(room(commission)))
        assert 'name="refund_percent"' in page
        assert 'name="refund_percent"' not in text(
            browse_as(buyer).get(room(commission))
        )
        response = take(
            browse_as(host),
            commission,
            "resolve",
            refund_percent="50",
            note="Half the work was done.",
        )
        assert response.status_code == 302, text(response)
        commission.refresh_from_db()
        assert commission.state == "resolution_proposed"
        page = text(browse_as(buyer).get(room(commission)))
        assert 'value="appeal"' in page
        assert "Half the work was done." in page

    def test_a_bad_refund_percent_is_refused(
        self, commission, buyer, host, move, browse_as
    ):
        move(commission, buyer, "pay")
        move(commission, buyer, "dispute", reason="No word for weeks.")
        response = take(
            browse_as(host), commission, "resolve", refund_percent="150", note="Why."
        )
        assert response.status_code == 422
        commission.refresh_from_db()
        assert commission.state == "disputed"


class TestPurchaseRoom:
    def test_a_purchase_runs_through_its_own_forms(
        self, purchase, buyer, provider, move, browse_as
    ):
        page = text(browse_as(buyer).get(room(purchase)))
        assert "Size: Large" in page and "€95.00" in page
        move(purchase, buyer, "pay")
        move(purchase, provider, "start_production")
        page = text(browse_as(provider).get(room(purchase)))
        assert 'value="ship"' in page and 'name="tracking"' in page
        response = take(browse_as(provider), purchase, "ship", tracking="NZ123456")
        assert response.status_code == 302, text(response)
        purchase.refresh_from_db()
        assert purchase.state == "shipped"
        assert "Tracking: NZ123456" in text(browse_as(buyer).get(room(purchase)))


class TestMessages:
    def test_posting_a_message_shows_it_to_the_other_party(
        self, commission, buyer, provider, browse_as
    ):
        response = browse_as(buyer).post(
            room(commission), {"action": "message", "body": "Hello from Recife!"}
        )
        assert response.status_code == 302
        assert "Hello from Recife!" in text(browse_as(provider).get(room(commission)))

    def test_htmx_gets_the_list_back(self, commission, buyer, browse_as):
        response = browse_as(buyer).post(
            room(commission),
            {"action": "message", "body": "Quick question"},
            HTTP_HX_REQUEST="true",
        )
        page = text(response)
        assert response.status_code == 200
        assert page.lstrip().startswith('<div id="message-list"')
        assert "Quick question" in page
        partial = browse_as(buyer).get(f"{room(commission)}messages/")
        assert "Quick question" in text(partial)

    def test_an_empty_message_is_refused(self, commission, buyer, browse_as):
        response = browse_as(buyer).post(
            room(commission), {"action": "message", "body": ""}
        )
        assert response.status_code == 422
        assert not Message.objects.exists()

    def test_a_stranger_cannot_post_or_read(self, commission, stranger, browse_as):
        client = browse_as(stranger)
        assert (
            client.post(
                room(commission), {"action": "message", "body": "hi"}
            ).status_code
            == 404
        )
        assert client.get(f"{room(commission)}messages/").status_code == 404
        assert not Message.objects.exists()


class TestOrder:
    def test_ordering_a_package_opens_its_room(
        self, portrait, package, buyer, browse_as
    ):
        client = browse_as(buyer)
        page = text(client.get(f"/listings/{portrait.public_id}/order/"))
        assert "Full colour" in page and "Place order" in page
        response = client.post(
            f"/listings/{portrait.public_id}/order/",
            {"mode": "service", "package": package("Sketch"), "requirements": "A fox."},
        )
        exchange = Exchange.objects.get()
        assert response["Location"] == room(exchange)
        assert (exchange.process_name, exchange.total_minor) == ("commission", 4000)
        assert exchange.requirements == "A fox."

    def test_ordering_a_product_with_options_and_personalisation(
        self, bag, buyer, browse_as
    ):
        response = browse_as(buyer).post(
            f"/listings/{bag.public_id}/order/",
            {
                "mode": "made_to_order",
                "option-0": "Large",
                "personal-0": "B.R.",
                "quantity": "2",
            },
        )
        exchange = Exchange.objects.get()
        assert response.status_code == 302
        assert exchange.process_name == "purchase"
        assert exchange.total_minor == 2 * (8000 + 1500)

    @pytest.mark.parametrize(
        "changes, message",
        [
            ({"package": "nope"}, "not one of this listing"),
            ({"quantity": "0"}, "Quantity is a whole number"),
        ],
    )
    def test_a_bad_order_shows_the_error_and_starts_nothing(
        self, portrait, bag, package, buyer, browse_as, changes, message
    ):
        listing = bag if "quantity" in changes else portrait
        mode = "made_to_order" if listing is bag else "service"
        response = browse_as(buyer).post(
            f"/listings/{listing.public_id}/order/",
            {"mode": mode, "option-0": "Small", **changes},
        )
        assert response.status_code == 422
        assert message in text(response)
        assert not Exchange.objects.exists()

    def test_the_owner_cannot_order_their_own_listing(
        self, portrait, provider, browse_as
    ):
        client = browse_as(provider)
        assert "your own listing" in text(
            client.get(f"/listings/{portrait.public_id}/order/")
        )
        client.post(f"/listings/{portrait.public_id}/order/", {"mode": "service"})
        assert not Exchange.objects.exists()

    def test_the_listing_page_has_order_and_quote_buttons(
        self, portrait, buyer, browse_as
    ):
        page = text(browse_as(buyer).get(f"/listings/{portrait.public_id}/"))
        assert f"/listings/{portrait.public_id}/order/" in page
        assert "Ask for a quote" in page


class TestProcessPages:
    def test_lists_the_processes(self, browse_as, db):
        page = text(browse_as().get("/processes/"))
        assert "Commission" in page and "/processes/purchase/" in page

    def test_a_process_page_shows_its_graph_states_and_mermaid(self, browse_as, db):
        response = browse_as().get("/processes/commission/")
        page = text(response)
        assert response.status_code == 200
        assert "<svg" in page and "stateDiagram-v2" in page
        assert "Awaiting payment" in page and "request_changes" in page
        assert "<script" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]

    def test_an_unknown_process_is_404(self, browse_as, db):
        assert browse_as().get("/processes/nope/").status_code == 404


class TestPayingByHand:
    """A community paid by cash or transfer: the room says how, and waits honestly."""

    @pytest.fixture
    def by_hand(self, guild, host, now):
        from selfwork.communities.services import community_update
        from selfwork.payments import services as payments

        payments.payment_settings_set(
            community=guild, actor=host, gateway="manual", now=now
        )
        community_update(
            community=guild,
            actor=host,
            changes={"payment_instructions": "Transfer to **IE29 AIBK 9311 5212**."},
        )
        return guild

    def test_the_customer_sees_how_to_pay_and_that_nothing_is_paid_yet(
        self, by_hand, commission, buyer, move, browse_as
    ):
        page = text(browse_as(buyer).get(room(commission)))
        assert "<strong>IE29 AIBK 9311 5212</strong>" in page
        move(commission, buyer, "pay", card=None)
        page = text(browse_as(buyer).get(room(commission)))
        assert "Waiting for the host to confirm payment" in page
        assert "Nothing is in escrow, and nothing starts, until then." in page
        assert "Paid into escrow" not in page

    def test_the_host_confirms_from_the_dashboard(
        self, by_hand, commission, buyer, host, move, browse_as
    ):
        from selfwork.exchanges.tasks import timers_run_due
        from selfwork.payments.models import Charge

        move(commission, buyer, "pay", card=None)
        dashboard = text(browse_as(host).get("/dashboard/"))
        assert "Cash and transfers to confirm" in dashboard
        charge = Charge.objects.get(status="pending")
        confirmed = browse_as(host).post(
            "/wallet/", {"action": "confirm", "charge": str(charge.public_id)}
        )
        assert confirmed.status_code == 302
        timers_run_due(now=timezone.now() + dt.timedelta(minutes=10))
        commission.refresh_from_db()
        assert commission.state == "in_progress"
