"""Conversation rules: who may write to whom, about what; unread counts; blocks;
e-mails at most once an hour; the first-response time reputation reads."""

import datetime as dt

import pytest

from selfwork.conversations import selectors, services
from selfwork.conversations.models import Block, Conversation, Message
from selfwork.core.errors import InvalidInput, NotFound, NotPermitted
from selfwork.notifications.models import Notification


def _notices():
    return list(Notification.objects.filter(kind="message").order_by("pk"))


class TestStart:
    def test_a_first_message_starts_a_conversation_the_recipient_has_unread(
        self, start, buyer, provider
    ):
        started = start()
        assert started.created is True
        assert started.message.body == "Hello! Could you paint **two** cats?"
        assert selectors.unread_total(member=provider) == 1
        assert selectors.unread_total(member=buyer) == 0

    def test_the_same_pair_about_the_same_listing_reuses_the_conversation(
        self, start, portrait
    ):
        first = start(listing=str(portrait.public_id))
        second = start(listing=str(portrait.public_id), body="And a dog?")
        assert second.created is False
        assert second.conversation.pk == first.conversation.pk
        assert Conversation.objects.count() == 1
        assert Message.objects.count() == 2

    def test_a_conversation_about_a_listing_is_apart_from_one_about_nothing(
        self, start, portrait
    ):
        about = start(listing=str(portrait.public_id))
        loose = start()
        assert loose.created is True
        assert about.conversation.pk != loose.conversation.pk

    def test_the_recipient_writing_back_finds_the_same_conversation(
        self, start, buyer, provider, now
    ):
        first = start()
        back = services.conversation_start(
            sender=provider, to=buyer.username, body="Yes, gladly.", now=now
        )
        assert back.created is False and back.conversation.pk == first.conversation.pk

    @pytest.mark.parametrize(
        ("changes", "code"),
        [
            ({"body": ""}, "required"),
            ({"body": "   "}, "required"),
            ({"body": "x" * 5001}, "too_long"),
            ({"body": "<b>hi</b>"}, "markup_not_allowed"),
            ({"body": "[x](javascript:alert(1))"}, "markup_not_allowed"),
            ({"to": "nobody-here"}, "unknown_member"),
            ({"to": ""}, "unknown_member"),
            ({"to": "bad\x00name"}, "unknown_member"),
            ({"to": "bruno"}, "cannot_message_self"),
            ({"listing": "not-an-id"}, "unknown_listing"),
            ({"images": ["nope"]}, "unknown_upload"),
        ],
    )
    def test_bad_input_is_refused_with_its_code_and_nothing_stored(
        self, start, changes, code
    ):
        with pytest.raises(InvalidInput) as caught:
            start(**changes)
        assert caught.value.code == code
        assert not Conversation.objects.exists() and not Message.objects.exists()
        assert not _notices()

    def test_an_inactive_member_is_unknown(self, start, provider):
        provider.is_active = False
        provider.save()
        with pytest.raises(InvalidInput) as caught:
            start()
        assert caught.value.code == "unknown_member"

    def test_a_listing_neither_member_offers_is_refused(
        self, start, portrait, make_member, community, member_of, now
    ):
        other = make_member("olga")
        member_of(community, other)
        with pytest.raises(InvalidInput) as caught:
            start(to=other.username, listing=str(portrait.public_id))
        assert caught.value.code == "listing_not_theirs"

    def test_a_private_communitys_listing_is_no_subject_for_an_outsider(
        self, make_member, member_of, buyer, now
    ):
        from selfwork.catalog.services import listing_create
        from selfwork.catalog.tests.payloads import MODES
        from selfwork.communities.services import community_create

        keeper = make_member("kim")
        club = community_create(
            creator=keeper,
            slug="club",
            name="Private club",
            now=now,
            settings={"currency": "EUR", "visibility": "private"},
        )
        listing = listing_create(
            owner=keeper,
            community=club,
            title="Members-only lamp",
            modes=[MODES["service"]],
            now=now,
        )
        with pytest.raises(InvalidInput) as caught:
            services.conversation_start(
                sender=buyer,
                to=keeper.username,
                listing=str(listing.public_id),
                body="Hi",
                now=now,
            )
        assert caught.value.code == "unknown_listing"
        assert not Conversation.objects.exists()

    def test_a_deleted_listings_conversation_stays_apart_from_one_about_nothing(
        self, start, portrait, provider
    ):
        from selfwork.catalog.services import listing_delete

        about = start(listing=str(portrait.public_id)).conversation
        listing_delete(listing=portrait, actor=provider, now=dt.datetime.now(dt.UTC))
        about.refresh_from_db()
        assert about.listing is None and about.about_listing is True
        loose = start()
        assert loose.created is True and loose.conversation.pk != about.pk
        assert Message.objects.filter(conversation=about).count() == 1


class TestSend:
    def test_only_the_two_members_write(self, start, stranger, now):
        conversation = start().conversation
        with pytest.raises(NotFound):
            services.message_send(
                conversation=conversation, sender=stranger, body="Hi", now=now
            )
        assert Message.objects.count() == 1

    def test_writing_marks_ones_own_side_read(self, start, buyer, provider, now):
        conversation = start().conversation
        services.message_send(
            conversation=conversation, sender=provider, body="Sure.", now=now
        )
        assert selectors.unread_total(member=provider) == 0
        assert selectors.unread_total(member=buyer) == 1

    def test_reading_clears_the_unread_count(self, start, provider, now):
        conversation = start().conversation
        start(body="Second thought")
        assert selectors.unread_total(member=provider) == 2
        services.conversation_mark_read(
            conversation=conversation, member=provider, now=now
        )
        assert selectors.unread_total(member=provider) == 0


class TestBlocks:
    def test_a_blocked_sender_is_refused_and_nothing_is_stored(
        self, start, buyer, provider, now
    ):
        conversation = start().conversation
        services.member_block(blocker=provider, username=buyer.username, now=now)
        with pytest.raises(NotPermitted) as caught:
            services.message_send(
                conversation=conversation, sender=buyer, body="Hello?", now=now
            )
        assert caught.value.code == "blocked"
        with pytest.raises(NotPermitted):
            start(body="A new one")
        assert Message.objects.count() == 1
        assert selectors.unread_total(member=provider) == 1

    def test_the_blocker_cannot_write_either_until_they_unblock(
        self, start, buyer, provider, now
    ):
        conversation = start().conversation
        services.member_block(blocker=provider, username=buyer.username, now=now)
        with pytest.raises(NotPermitted) as caught:
            services.message_send(
                conversation=conversation, sender=provider, body="Bye", now=now
            )
        assert caught.value.code == "you_blocked"
        services.member_unblock(blocker=provider, username=buyer.username)
        services.message_send(
            conversation=conversation, sender=buyer, body="Back", now=now
        )
        assert Message.objects.count() == 2

    def test_blocking_twice_or_unblocking_nobody_is_a_conflict(
        self, buyer, provider, now
    ):
        services.member_block(blocker=provider, username=buyer.username, now=now)
        with pytest.raises(Exception) as twice:
            services.member_block(blocker=provider, username=buyer.username, now=now)
        assert twice.value.code == "already_blocked"
        services.member_unblock(blocker=provider, username=buyer.username)
        with pytest.raises(Exception) as none:
            services.member_unblock(blocker=provider, username=buyer.username)
        assert none.value.code == "not_blocked"
        assert not Block.objects.exists()


class TestEmail:
    def test_the_recipient_is_told_once_an_hour_however_many_messages(
        self, start, provider, now
    ):
        start()
        start(body="Also…", now=now + dt.timedelta(minutes=5))
        start(body="And…", now=now + dt.timedelta(minutes=59))
        notices = _notices()
        assert len(notices) == 1
        assert notices[0].member_id == provider.pk
        assert notices[0].link.startswith("/messages/")
        start(body="Still there?", now=now + dt.timedelta(minutes=61))
        assert len(_notices()) == 2

    def test_each_side_has_its_own_hour(self, start, buyer, provider, now):
        conversation = start().conversation
        services.message_send(
            conversation=conversation, sender=provider, body="Hi!", now=now
        )
        recipients = [n.member_id for n in _notices()]
        assert recipients == [provider.pk, buyer.pk]


class TestFirstResponseMedian:
    def test_the_median_of_the_members_first_replies_in_minutes(
        self, buyer, provider, make_member, now
    ):
        other = make_member("olga")

        def at(minutes):
            return now + dt.timedelta(minutes=minutes)

        # Bruno waits 10 minutes (two messages, one wait, measured from the first).
        talk = services.conversation_start(
            sender=buyer, to=provider.username, body="Hi", now=at(0)
        ).conversation
        services.message_send(conversation=talk, sender=buyer, body="?", now=at(5))
        services.message_send(conversation=talk, sender=provider, body="Hi", now=at(10))
        services.message_send(conversation=talk, sender=provider, body="…", now=at(11))
        # Then 30 minutes.
        services.message_send(conversation=talk, sender=buyer, body="OK", now=at(40))
        services.message_send(conversation=talk, sender=provider, body="K", now=at(70))
        # Olga waits 120 minutes; a last unanswered message counts nothing.
        other_talk = services.conversation_start(
            sender=other, to=provider.username, body="Hey", now=at(0)
        ).conversation
        services.message_send(
            conversation=other_talk, sender=provider, body="Hey", now=at(120)
        )
        services.message_send(
            conversation=other_talk, sender=other, body="Bye", now=at(200)
        )
        # Priya's waits: 10, 30 and 120 minutes.
        assert selectors.first_response_median(member=provider) == 30.0
        # Bruno's one wait runs from Priya's "Hi" at 10 to his "OK" at 40.
        assert selectors.first_response_median(member=buyer) == 30.0

    def test_nobody_answered_is_none(self, start, provider):
        start()
        assert selectors.first_response_median(member=provider) is None
