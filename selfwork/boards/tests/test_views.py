"""Board pages: reading, posting, replying, voting, accepting and moderating."""

import datetime as dt

import pytest

from selfwork.boards import services
from selfwork.boards.models import Post, Reply


def _board(post):
    return f"/c/{post.community.slug}/board/"


def _page(post):
    return f"/c/{post.community.slug}/board/{post.public_id}/"


class TestTheBoardPage:
    def test_anyone_reads_a_public_board(self, browse_as, question):
        response = browse_as(None).get(_board(question))
        assert response.status_code == 200
        assert question.title in response.content.decode()

    def test_the_community_page_links_to_its_board(self, browse_as, guild):
        page = browse_as(None).get(f"/c/{guild.slug}/").content.decode()
        assert f'href="/c/{guild.slug}/board/"' in page

    def test_the_page_reads_in_a_constant_number_of_queries(
        self,
        browse_as,
        guild,
        make_post,
        buyer,
        provider,
        now,
        django_assert_num_queries,
    ):
        client = browse_as(buyer)
        for n in range(3):
            post = make_post(title=f"Post {n}", now=now + dt.timedelta(minutes=n))
            services.reply_create(post=post, author=provider, body="Yes", now=now)
        # Session, member, community, posts (votes and reads annotated),
        # their images, the viewer's membership, the bell's unread count: seven,
        # however many posts.
        with django_assert_num_queries(7):
            assert client.get(f"/c/{guild.slug}/board/").status_code == 200
        for n in range(3, 15):
            make_post(title=f"Post {n}", now=now + dt.timedelta(minutes=n))
        with django_assert_num_queries(7):
            assert client.get(f"/c/{guild.slug}/board/").status_code == 200

    def test_unread_posts_are_marked_until_read(
        self, browse_as, question, provider, buyer, now
    ):
        client = browse_as(buyer)
        services.reply_create(
            post=question,
            author=provider,
            body="Try the shed.",
            now=now + dt.timedelta(minutes=1),
        )
        assert ">New<" in client.get(_board(question)).content.decode()
        reply_page = client.get(_page(question)).content.decode()
        assert ">New<" in reply_page  # the new reply, on this visit
        assert ">New<" not in client.get(_board(question)).content.decode()
        assert ">New<" not in client.get(_page(question)).content.decode()

    def test_a_member_posts_from_the_board(self, browse_as, guild, buyer):
        response = browse_as(buyer).post(
            f"/c/{guild.slug}/board/",
            {"kind": "offer", "title": "Spare seedlings", "body": "Six tomatoes."},
        )
        post = Post.objects.get()
        assert response.status_code == 302 and response["Location"] == _page(post)
        assert post.kind == "offer"

    def test_a_bad_post_shows_the_form_again_with_the_error(
        self, browse_as, guild, buyer
    ):
        response = browse_as(buyer).post(
            f"/c/{guild.slug}/board/",
            {"kind": "idea", "title": "A <b>bold</b> idea"},
        )
        assert response.status_code == 422
        assert "may not contain HTML" in response.content.decode()
        assert not Post.objects.exists()

    def test_members_are_not_offered_announcements(self, browse_as, guild, buyer, host):
        assert (
            'value="announcement"'
            not in browse_as(buyer).get(f"/c/{guild.slug}/board/").content.decode()
        )
        assert (
            'value="announcement"'
            in browse_as(host).get(f"/c/{guild.slug}/board/").content.decode()
        )

    def test_an_outsider_cannot_post(self, browse_as, guild, stranger):
        response = browse_as(stranger).post(
            f"/c/{guild.slug}/board/", {"kind": "idea", "title": "Hello"}
        )
        assert response.status_code == 403
        assert not Post.objects.exists()

    def test_the_search_page_shows_matching_posts_beside_listings(
        self, browse_as, make_post
    ):
        make_post(kind="want", title="Looking for a sewing machine")
        page = browse_as(None).get("/search/", {"q": "sewing"}).content.decode()
        assert "Board posts matching" in page and "Looking for a sewing machine" in page


class TestThePostPage:
    def test_reply_vote_and_accept(self, browse_as, question, provider, buyer, host):
        assert (
            browse_as(provider)
            .post(_page(question), {"action": "reply", "body": "I have one."})
            .status_code
            == 302
        )
        reply = Reply.objects.get()
        assert (
            browse_as(host).post(_page(question), {"action": "vote"}).status_code == 302
        )
        response = browse_as(buyer).post(
            _page(question), {"action": "accept", "reply": str(reply.public_id)}
        )
        assert response.status_code == 302
        question.refresh_from_db()
        assert question.accepted_reply == reply and question.vote_count == 1
        page = browse_as(provider).get(_page(question)).content.decode()
        assert "Accepted answer" in page

    def test_a_locked_post_refuses_a_reply_with_a_message(
        self, browse_as, question, host, provider, now
    ):
        services.post_lock(post=question, actor=host, locked=True, now=now)
        client = browse_as(provider)
        response = client.post(
            _page(question), {"action": "reply", "body": "Late"}, follow=True
        )
        assert "locked" in response.content.decode()
        assert not Reply.objects.exists()

    def test_voting_twice_says_so(self, browse_as, question, provider):
        client = browse_as(provider)
        client.post(_page(question), {"action": "vote"})
        response = client.post(_page(question), {"action": "vote"}, follow=True)
        assert "voted for this post already" in response.content.decode()

    def test_hosts_see_moderation_and_members_do_not(
        self, browse_as, question, host, buyer
    ):
        assert "Moderation" in browse_as(host).get(_page(question)).content.decode()
        assert (
            "Moderation" not in browse_as(buyer).get(_page(question)).content.decode()
        )

    @pytest.mark.parametrize(
        ("data", "field", "value"),
        [
            ({"action": "pin"}, "pinned", True),
            ({"action": "lock"}, "locked", True),
            ({"action": "hide", "reason": "Off topic"}, "status", "hidden"),
        ],
    )
    def test_a_host_moderates_from_the_page(
        self, browse_as, question, host, data, field, value
    ):
        assert browse_as(host).post(_page(question), data).status_code == 302
        question.refresh_from_db()
        assert getattr(question, field) == value

    def test_a_host_removes_a_post_and_lands_on_the_board(
        self, browse_as, question, host
    ):
        response = browse_as(host).post(
            _page(question), {"action": "remove", "reason": "Spam"}
        )
        assert response["Location"] == _board(question)
        assert Post.objects.get().status == "removed"

    def test_a_member_cannot_moderate(self, browse_as, question, buyer):
        assert (
            browse_as(buyer).post(_page(question), {"action": "pin"}).status_code == 403
        )
        assert not Post.objects.get().pinned

    def test_a_post_is_404_on_another_communitys_board(
        self, browse_as, question, host, now
    ):
        from selfwork.communities.services import community_create

        community_create(creator=host, slug="other", name="Other", now=now)
        response = browse_as(host).get(f"/c/other/board/{question.public_id}/")
        assert response.status_code == 404

    def test_the_page_reads_in_a_constant_number_of_queries(
        self, browse_as, question, provider, buyer, now, django_assert_num_queries
    ):
        client = browse_as(buyer)
        services.reply_create(post=question, author=provider, body="One", now=now)
        client.get(_page(question))
        # Session, member, community, post, its images, membership, replies
        # with their authors, the write that marks the post read, and the bell.
        with django_assert_num_queries(9):
            client.get(_page(question))
        for n in range(10):
            services.reply_create(
                post=question, author=provider, body=f"Reply {n}", now=now
            )
        with django_assert_num_queries(9):
            client.get(_page(question))
