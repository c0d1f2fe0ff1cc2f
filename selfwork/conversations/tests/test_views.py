"""Conversation pages: the Message buttons, starting and replying with and
without htmx, refusals shown in the page, the header's count, the exchange room's
link, and the pages' query counts."""

import datetime as dt

import pytest

from selfwork.conversations import services
from selfwork.conversations.models import Message


def text(response) -> str:
    return response.content.decode()


def new_path(to, listing=None) -> str:
    path = f"/messages/new/?to={to}"
    return f"{path}&listing={listing.public_id}" if listing else path


class TestButtons:
    def test_a_listing_page_offers_to_message_its_owner(
        self, browse_as, buyer, portrait
    ):
        page = text(browse_as(buyer).get(f"/listings/{portrait.public_id}/"))
        assert (
            f"/messages/new/?to=priya&amp;listing={portrait.public_id}" in page
            and "Message priya" in page
        )

    def test_its_owner_is_offered_no_button_to_themselves(
        self, browse_as, provider, portrait
    ):
        page = text(browse_as(provider).get(f"/listings/{portrait.public_id}/"))
        assert "/messages/new/" not in page

    def test_a_profile_offers_to_message_the_member(self, browse_as, buyer, provider):
        page = text(browse_as(buyer).get("/m/priya/"))
        assert "/messages/new/?to=priya" in page
        assert "/messages/new/" not in text(browse_as(provider).get("/m/priya/"))

    def test_anonymous_visitors_are_asked_to_log_in(self, browse_as, provider):
        response = browse_as(None).get(new_path("priya"))
        assert response.status_code == 302 and "/login/" in response["Location"]


class TestStarting:
    def test_the_first_message_starts_the_conversation(
        self, browse_as, buyer, provider, portrait
    ):
        client = browse_as(buyer)
        form = client.get(new_path("priya", portrait))
        assert form.status_code == 200 and portrait.title in text(form)
        response = client.post(
            "/messages/new/",
            {"to": "priya", "listing": str(portrait.public_id), "body": "Hi **you**"},
        )
        assert response.status_code == 302
        page = text(client.get(response["Location"]))
        assert "<strong>you</strong>" in page

    def test_an_existing_conversation_opens_instead_of_a_new_form(
        self, browse_as, start, buyer
    ):
        conversation = start().conversation
        response = browse_as(buyer).get(new_path("priya"))
        assert response.status_code == 302
        assert str(conversation.public_id) in response["Location"]

    def test_a_refused_message_comes_back_with_its_error_and_a_422(
        self, browse_as, buyer, provider
    ):
        response = browse_as(buyer).post(
            "/messages/new/", {"to": "priya", "body": "<b>bold</b>"}
        )
        assert response.status_code == 422
        assert "raw HTML tags are not allowed" in text(response)
        assert "&lt;b&gt;bold&lt;/b&gt;" in text(response)
        assert not Message.objects.exists()

    def test_with_htmx_the_error_is_swapped_into_the_form(
        self, browse_as, buyer, provider
    ):
        response = browse_as(buyer).post(
            "/messages/new/",
            {"to": "priya", "body": "<img src=x onerror=alert(1)>"},
            HTTP_HX_REQUEST="true",
        )
        page = text(response)
        assert page.lstrip().startswith('<form id="message-form"')
        assert "raw HTML tags are not allowed" in page
        assert not Message.objects.exists()

    @pytest.mark.parametrize("to", ["bruno", "ghost", ""])
    def test_no_form_for_oneself_or_nobody(self, browse_as, buyer, to):
        assert browse_as(buyer).get(new_path(to)).status_code == 404


class TestConversationPage:
    def test_a_reply_is_sent_and_shown(self, browse_as, start, provider):
        conversation = start().conversation
        path = f"/messages/{conversation.public_id}/"
        client = browse_as(provider)
        response = client.post(path, {"action": "message", "body": "Gladly."})
        assert response.status_code == 302
        assert "Gladly." in text(client.get(path))

    def test_with_htmx_a_sent_reply_refreshes_the_page(
        self, browse_as, start, provider
    ):
        conversation = start().conversation
        response = browse_as(provider).post(
            f"/messages/{conversation.public_id}/",
            {"action": "message", "body": "Gladly."},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200 and response["HX-Refresh"] == "true"

    def test_a_blocked_sender_sees_why_in_the_page(
        self, browse_as, start, buyer, provider, now
    ):
        conversation = start().conversation
        services.member_block(blocker=provider, username="bruno", now=now)
        response = browse_as(buyer).post(
            f"/messages/{conversation.public_id}/",
            {"action": "message", "body": "Hello?"},
        )
        assert response.status_code == 403
        assert "does not take messages from you" in text(response)
        assert Message.objects.count() == 1

    def test_the_block_button_blocks_and_unblocks(self, browse_as, start, provider):
        conversation = start().conversation
        client = browse_as(provider)
        path = f"/messages/{conversation.public_id}/"
        client.post(path, {"action": "block"})
        assert "Unblock bruno" in text(client.get(path))
        client.post(path, {"action": "unblock"})
        assert "Block bruno" in text(client.get(path))

    def test_a_stranger_gets_404(self, browse_as, start, stranger):
        conversation = start().conversation
        client = browse_as(stranger)
        path = f"/messages/{conversation.public_id}/"
        assert client.get(path).status_code == 404
        assert client.post(path, {"action": "message", "body": "x"}).status_code == 404
        assert Message.objects.count() == 1

    def test_opening_it_reads_it_and_the_header_count_goes(
        self, browse_as, start, provider
    ):
        conversation = start().conversation
        start(body="Are you there?")
        client = browse_as(provider)
        assert text(client.get("/messages/unread/")).strip() == "Messages (2)"
        page = text(client.get(f"/messages/{conversation.public_id}/"))
        assert page.count('badge-ok">New<') == 2
        assert text(client.get("/messages/unread/")).strip() == "Messages"

    def test_the_page_reads_in_a_constant_number_of_queries(
        self, browse_as, start, provider, buyer, now, django_assert_num_queries
    ):
        conversation = start().conversation
        client = browse_as(provider)
        path = f"/messages/{conversation.public_id}/"
        client.get(path)
        # Session, member, the conversation with both members and listing, the
        # messages with senders, their images, the viewer's block, the bell's count.
        with django_assert_num_queries(7):
            client.get(path)
        for n in range(10):
            services.message_send(
                conversation=conversation,
                sender=buyer,
                body=f"Message {n}",
                now=now + dt.timedelta(minutes=n),
            )
        # And the write that marks the news read.
        with django_assert_num_queries(8):
            client.get(path)


class TestInbox:
    def test_the_inbox_lists_my_conversations_in_constant_queries(
        self, browse_as, make_member, provider, now, django_assert_num_queries
    ):
        for name in ("ann", "ben"):
            services.conversation_start(
                sender=make_member(name), to="priya", body="Hi", now=now
            )
        client = browse_as(provider)
        # Session, member, the conversations; and the bell's unread count.
        with django_assert_num_queries(4):
            page = text(client.get("/messages/"))
        assert "1 unread message" in page and "ann" in page and "ben" in page
        for name in ("cat", "dan", "eve"):
            services.conversation_start(
                sender=make_member(name), to="priya", body="Hi", now=now
            )
        with django_assert_num_queries(4):
            client.get("/messages/")

    def test_the_header_count_is_empty_for_anonymous_visitors(self, browse_as):
        assert text(browse_as(None).get("/messages/unread/")).strip() == "Messages"


class TestExchangeRoom:
    def test_the_room_links_the_conversation_about_its_listing(
        self, browse_as, start, buyer, portrait, now
    ):
        from selfwork.exchanges import services as exchanges

        conversation = start(listing=str(portrait.public_id)).conversation
        mode = portrait.modes.get(mode="service")
        exchange = exchanges.exchange_order(
            listing=portrait,
            customer=buyer,
            mode="service",
            package=str(mode.packages.get(name="Sketch").public_id),
            now=now,
        )
        page = text(browse_as(buyer).get(f"/exchanges/{exchange.public_id}/"))
        assert f"/messages/{conversation.public_id}/" in page
        assert "Read your conversation about this listing" in page

    def test_a_room_without_a_conversation_has_no_link(
        self, browse_as, buyer, portrait, now
    ):
        from selfwork.exchanges import services as exchanges

        mode = portrait.modes.get(mode="service")
        exchange = exchanges.exchange_order(
            listing=portrait,
            customer=buyer,
            mode="service",
            package=str(mode.packages.get(name="Sketch").public_id),
            now=now,
        )
        page = text(browse_as(buyer).get(f"/exchanges/{exchange.public_id}/"))
        assert "Read your conversation about this listing" not in page
