"""Board services: every rule, and that a refusal stores nothing."""

import datetime as dt

import pytest

from selfwork.boards import services
from selfwork.boards.errors import (
    AlreadyVoted,
    ModerationState,
    NotAQuestion,
    NotVoted,
    PostLocked,
    PostNotVisible,
)
from selfwork.boards.models import Mention, Post, PostRead, Reply, Vote
from selfwork.core.errors import InvalidInput, NotPermitted
from selfwork.core.uploads import upload_create
from selfwork.notifications.models import Notification
from selfwork.notifications.tasks import notification_emails_send


class TestPostCreate:
    def test_a_member_posts_and_has_read_their_own_post(self, make_post, buyer):
        post = make_post()
        assert post.kind == "question" and post.status == "visible"
        assert post.last_activity_at == post.created_at
        assert PostRead.objects.filter(post=post, member=buyer).exists()

    @pytest.mark.parametrize(
        ("title", "code"),
        [("", "required"), ("   ", "required"), ("x" * 121, "too_long")],
    )
    def test_an_empty_or_too_long_title_is_refused(self, make_post, title, code):
        with pytest.raises(InvalidInput) as refused:
            make_post(title=title)
        assert refused.value.code == code and refused.value.field == "title"
        assert not Post.objects.exists()

    def test_an_unknown_kind_is_refused(self, make_post):
        with pytest.raises(InvalidInput) as refused:
            make_post(kind="rant")
        assert refused.value.code == "unknown_kind"
        assert not Post.objects.exists()

    def test_raw_html_in_the_body_is_refused(self, make_post):
        with pytest.raises(InvalidInput) as refused:
            make_post(body="<script>alert(1)</script>")
        assert refused.value.code == "markup_not_allowed"

    def test_an_outsider_cannot_post(self, make_post, stranger):
        with pytest.raises(NotPermitted) as refused:
            make_post(author=stranger)
        assert refused.value.code == "not_a_member"
        assert not Post.objects.exists()

    def test_announcements_are_for_hosts(self, make_post, host, buyer):
        with pytest.raises(NotPermitted) as refused:
            make_post(author=buyer, kind="announcement")
        assert refused.value.code == "hosts_only"
        assert make_post(author=host, kind="announcement").kind == "announcement"

    def test_images_are_the_authors_uploads(
        self, make_post, buyer, provider, png_bytes, now
    ):
        mine = upload_create(owner=buyer, data=png_bytes(), now=now)
        theirs = upload_create(owner=provider, data=png_bytes(), now=now)
        post = make_post(images=[str(mine.public_id)])
        assert [i.upload for i in post.images.all()] == [mine]
        with pytest.raises(InvalidInput) as refused:
            make_post(images=[str(theirs.public_id)])
        assert refused.value.code == "unknown_upload"
        assert Post.objects.count() == 1


class TestMentions:
    def test_members_named_are_told_once_and_outsiders_never(
        self, make_post, provider, host, stranger, buyer, mailoutbox, now
    ):
        post = make_post(
            body=f"@{provider.username} and @{provider.username} again, "
            f"@{host.username}, @{stranger.username}, @nobody-here, "
            f"@{buyer.username} and mail@{host.username}.example"
        )
        told = Mention.objects.filter(post=post, reply=None)
        assert {m.member for m in told} == {provider, host}
        assert notification_emails_send(now=now) == 2
        assert sorted(m.to[0] for m in mailoutbox) == sorted(
            [provider.email, host.email]
        )
        assert "mentioned you in the post" in mailoutbox[0].body
        assert f"/c/{post.community.slug}/board/{post.public_id}/" in mailoutbox[0].body

    def test_a_reply_mentions_each_member_once(self, make_reply, host, question, now):
        reply = make_reply(body=f"Ask @{host.username}. Really, @{host.username}!")
        assert Mention.objects.filter(reply=reply, member=host).count() == 1
        (told,) = Notification.objects.filter(kind="mention")
        assert told.member == host
        assert "reply" in told.title

    def test_no_mention_queues_nothing(self, make_post):
        make_post(body="Nobody named here; write to me at ana@example.org.")
        assert not Notification.objects.exists()

    def test_the_words_that_are_mentions(self):
        assert services.mentions_in("@ana-lima, @bo_b! x@carl @Dee @a @ana-lima") == [
            "ana-lima",
            "bo_b",
            "dee",
        ]


class TestReplies:
    def test_a_reply_counts_and_moves_the_activity(self, make_reply, question, now):
        later = now + dt.timedelta(hours=1)
        make_reply(now=later)
        question.refresh_from_db()
        assert question.reply_count == 1 and question.last_activity_at == later

    def test_a_reply_by_a_lagging_clock_never_moves_the_activity_back(
        self, make_reply, question, now
    ):
        make_reply(now=now - dt.timedelta(seconds=2))
        question.refresh_from_db()
        assert question.reply_count == 1 and question.last_activity_at == now

    def test_a_locked_post_takes_no_reply(self, make_reply, question, host, now):
        services.post_lock(post=question, actor=host, locked=True, now=now)
        with pytest.raises(PostLocked) as refused:
            make_reply()
        assert refused.value.code == "post_locked" and refused.value.status == 409
        assert not Reply.objects.exists()
        question.refresh_from_db()
        assert question.reply_count == 0

    def test_a_hidden_post_takes_no_reply(self, make_reply, question, host, now):
        services.post_hide(post=question, actor=host, reason="Off topic", now=now)
        with pytest.raises(PostNotVisible):
            make_reply()
        assert not Reply.objects.exists()

    def test_an_outsider_cannot_reply(self, make_reply, stranger):
        with pytest.raises(NotPermitted) as refused:
            make_reply(author=stranger)
        assert refused.value.code == "not_a_member"

    @pytest.mark.parametrize(
        ("body", "code"), [("", "required"), ("x" * 5001, "too_long")]
    )
    def test_an_empty_or_too_long_reply_is_refused(self, make_reply, body, code):
        with pytest.raises(InvalidInput) as refused:
            make_reply(body=body)
        assert refused.value.code == code
        assert not Reply.objects.exists()


class TestVotes:
    def test_a_vote_counts_once(self, question, provider, now):
        services.post_vote(post=question, member=provider, now=now)
        with pytest.raises(AlreadyVoted) as refused:
            services.post_vote(post=question, member=provider, now=now)
        assert refused.value.code == "already_voted" and refused.value.status == 409
        question.refresh_from_db()
        assert question.vote_count == 1 and Vote.objects.count() == 1

    def test_a_vote_is_taken_back_once(self, question, provider, now):
        services.post_vote(post=question, member=provider, now=now)
        services.post_unvote(post=question, member=provider)
        question.refresh_from_db()
        assert question.vote_count == 0
        with pytest.raises(NotVoted):
            services.post_unvote(post=question, member=provider)

    def test_no_vote_for_ones_own_post_or_from_outside(
        self, question, buyer, stranger, now
    ):
        for member, code in ((buyer, "own_post"), (stranger, "not_a_member")):
            with pytest.raises(NotPermitted) as refused:
                services.post_vote(post=question, member=member, now=now)
            assert refused.value.code == code
        assert not Vote.objects.exists()


class TestAccept:
    def test_the_author_accepts_a_reply_and_may_change_it(
        self, question, make_reply, buyer, host, member_of, now
    ):
        first = make_reply()
        second = make_reply(author=host, body="Mine is taller.")
        services.post_accept(post=question, author=buyer, reply=first, now=now)
        services.post_accept(post=question, author=buyer, reply=second, now=now)
        question.refresh_from_db()
        assert question.accepted_reply == second

    def test_only_the_author_accepts(self, question, make_reply, provider, now):
        reply = make_reply()
        with pytest.raises(NotPermitted) as refused:
            services.post_accept(post=question, author=provider, reply=reply, now=now)
        assert refused.value.code == "not_author"

    def test_a_reply_of_another_post_is_refused(
        self, question, make_post, make_reply, buyer, provider, now
    ):
        other = make_post(title="Another question")
        elsewhere = services.reply_create(
            post=other, author=provider, body="Over here.", now=now
        )
        with pytest.raises(InvalidInput) as refused:
            services.post_accept(post=question, author=buyer, reply=elsewhere, now=now)
        assert refused.value.code == "reply_not_in_post"
        question.refresh_from_db()
        assert question.accepted_reply is None

    def test_only_questions_have_an_answer(self, make_post, buyer, provider, now):
        idea = make_post(kind="idea", title="A tool library")
        reply = services.reply_create(post=idea, author=provider, body="Yes!", now=now)
        with pytest.raises(NotAQuestion):
            services.post_accept(post=idea, author=buyer, reply=reply, now=now)

    def test_a_removed_reply_is_no_answer(self, question, make_reply, buyer, host, now):
        reply = make_reply()
        services.post_accept(post=question, author=buyer, reply=reply, now=now)
        services.reply_remove(reply=reply, actor=host, reason="Spam", now=now)
        question.refresh_from_db()
        assert question.accepted_reply is None and question.reply_count == 0
        with pytest.raises(InvalidInput) as refused:
            services.post_accept(post=question, author=buyer, reply=reply, now=now)
        assert refused.value.code == "reply_removed"


class TestModeration:
    def test_hosts_pin_lock_hide_show_and_remove_with_a_reason(
        self, question, host, now
    ):
        services.post_pin(post=question, actor=host, pinned=True, now=now)
        services.post_lock(post=question, actor=host, locked=True, now=now)
        services.post_hide(post=question, actor=host, reason="Duplicate", now=now)
        question.refresh_from_db()
        assert question.pinned and question.locked
        assert question.status == "hidden" and question.moderation_reason == "Duplicate"
        services.post_unhide(post=question, actor=host, now=now)
        services.post_remove(post=question, actor=host, reason="Asked to", now=now)
        question.refresh_from_db()
        assert question.status == "removed" and not question.pinned
        assert question.moderation_reason == "Asked to"
        assert question.moderated_by == host

    def test_a_moderator_moderates_too(self, question, provider, host, guild, now):
        from selfwork.communities.services import membership_set_role

        membership_set_role(
            community=guild, actor=host, member=provider, role="moderator"
        )
        services.post_pin(post=question, actor=provider, pinned=True, now=now)
        assert Post.objects.get(pk=question.pk).pinned

    def test_members_do_not_moderate(self, question, buyer, now):
        for act in (
            lambda: services.post_pin(post=question, actor=buyer, pinned=True, now=now),
            lambda: services.post_lock(
                post=question, actor=buyer, locked=True, now=now
            ),
            lambda: services.post_hide(post=question, actor=buyer, reason="x", now=now),
            lambda: services.post_remove(
                post=question, actor=buyer, reason="x", now=now
            ),
        ):
            with pytest.raises(NotPermitted) as refused:
                act()
            assert refused.value.code == "not_moderator"
        question.refresh_from_db()
        assert not question.pinned and not question.locked
        assert question.status == "visible"

    def test_a_reason_is_required_and_states_are_checked(self, question, host, now):
        with pytest.raises(InvalidInput) as refused:
            services.post_hide(post=question, actor=host, reason=" ", now=now)
        assert refused.value.field == "reason"
        with pytest.raises(ModerationState):
            services.post_unhide(post=question, actor=host, now=now)
        services.post_remove(post=question, actor=host, reason="Spam", now=now)
        with pytest.raises(ModerationState):
            services.post_remove(post=question, actor=host, reason="Spam", now=now)
        with pytest.raises(ModerationState):
            services.post_hide(post=question, actor=host, reason="Spam", now=now)
