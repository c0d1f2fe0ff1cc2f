"""Board selectors: what each person sees, in a constant number of queries."""

import datetime as dt

import pytest

from selfwork.boards import selectors, services
from selfwork.core.uploads import upload_create


@pytest.fixture
def busy_board(guild, make_post, buyer, provider, host, png_bytes, now):
    """Posts of every kind, with images, votes, replies and a pinned announcement."""
    for n, kind in enumerate(["idea", "question", "offer", "want"]):
        image = upload_create(owner=buyer, data=png_bytes(), now=now)
        post = make_post(
            kind=kind,
            title=f"Post {n}",
            images=[str(image.public_id)],
            now=now + dt.timedelta(minutes=n),
        )
        services.post_vote(post=post, member=provider, now=now)
        services.reply_create(post=post, author=provider, body="Yes", now=now)
    notice = make_post(author=host, kind="announcement", title="Meeting on Friday")
    services.post_pin(post=notice, actor=host, pinned=True, now=now)
    return guild


def _read_everything(posts, viewer):
    for post in posts:
        assert post.author.name and post.community.slug
        list(post.images.all())
        selectors.post_unread(post, viewer=viewer)
        post.voted  # noqa: B018 - annotated, no query
        post.accepted_reply  # noqa: B018 - joined, no query


class TestQueries:
    @pytest.mark.parametrize("who", ["buyer", "stranger", None])
    def test_a_page_of_the_board_is_two_queries(
        self, request, busy_board, django_assert_num_queries, who
    ):
        viewer = request.getfixturevalue(who) if who else None
        # The posts (with the viewer's votes and reads) and their images; and
        # for a signed-in viewer the communities they moderate, inside the first.
        with django_assert_num_queries(2):
            page = selectors.board_posts(
                community=busy_board, viewer=viewer, query=selectors.BoardQuery()
            )
            _read_everything(page.items, viewer)
        assert len(page.items) == 5

    def test_more_posts_cost_no_more_queries(
        self, busy_board, make_post, buyer, django_assert_num_queries
    ):
        for n in range(10):
            make_post(title=f"More {n}")
        with django_assert_num_queries(2):
            page = selectors.board_posts(
                community=busy_board, viewer=buyer, query=selectors.BoardQuery()
            )
            _read_everything(page.items, buyer)
        assert len(page.items) == 15

    def test_a_search_is_four_queries(
        self, busy_board, make_post, buyer, django_assert_num_queries
    ):
        for n in range(10):
            make_post(title=f"More post {n}")
        # The index's best matches, which of them the viewer may read, the
        # page's posts and their images.
        with django_assert_num_queries(4):
            posts = selectors.posts_search(viewer=buyer, q="post")
            _read_everything(posts, buyer)
        assert len(posts) == 6

    def test_a_search_that_matches_no_post_is_one_query(
        self, busy_board, buyer, django_assert_num_queries
    ):
        with django_assert_num_queries(1):
            assert selectors.posts_search(viewer=buyer, q="crocodile") == []


class TestOrder:
    def test_pinned_first_then_newest(self, busy_board, buyer):
        page = selectors.board_posts(
            community=busy_board, viewer=buyer, query=selectors.BoardQuery()
        )
        assert [p.title for p in page.items] == [
            "Meeting on Friday",
            "Post 3",
            "Post 2",
            "Post 1",
            "Post 0",
        ]


class TestSearchRanking:
    def test_a_title_match_ranks_above_a_body_match_and_ties_go_newest_first(
        self, guild, make_post, buyer
    ):
        make_post(title="Spare tools", body="A ladder and a saw.")
        older = make_post(title="Ladder to lend")
        newer = make_post(title="Ladder to lend")
        titles = [p.pk for p in selectors.posts_search(viewer=buyer, q="ladder")]
        assert titles[:2] == [newer.pk, older.pk]
        assert len(titles) == 3

    def test_when_the_best_matches_are_hidden_from_the_viewer_more_are_asked_for(
        self,
        guild,
        host,
        make_post,
        stranger,
        monkeypatch,
        now,
        django_assert_num_queries,
    ):
        from selfwork.communities.services import community_create

        room = community_create(
            creator=host,
            slug="room",
            name="Back Room",
            now=now,
            settings={"visibility": "private"},
        )
        for n in range(6):
            services.post_create(
                community=room, author=host, kind="idea", title="Garden", now=now
            )
        seen = make_post(title="Spare tools", body="Bring them to the garden.")
        monkeypatch.setattr(selectors, "SEARCH_CANDIDATES", 1)
        # The first round asks for the four best: all six private posts rank
        # above the one the stranger may read, so a second round asks for 16.
        with django_assert_num_queries(2 + 2 + 2):
            found = selectors.posts_search(viewer=stranger, q="garden", limit=1)
        assert found == [seen]


class TestWhoSeesWhat:
    def test_hidden_posts_are_for_the_author_and_hosts(
        self, busy_board, make_post, host, buyer, provider, now
    ):
        post = make_post(title="Hidden one")
        services.post_hide(post=post, actor=host, reason="Off topic", now=now)

        def titles(viewer):
            page = selectors.board_posts(
                community=busy_board, viewer=viewer, query=selectors.BoardQuery()
            )
            return {p.title for p in page.items}

        assert "Hidden one" in titles(buyer) and "Hidden one" in titles(host)
        assert "Hidden one" not in titles(provider) and "Hidden one" not in titles(None)

    def test_removed_posts_leave_the_board_and_search(
        self, busy_board, make_post, host, buyer, now
    ):
        post = make_post(title="Crocodile for sale")
        services.post_remove(post=post, actor=host, reason="Not allowed", now=now)
        for viewer in (host, buyer):
            page = selectors.board_posts(
                community=busy_board, viewer=viewer, query=selectors.BoardQuery()
            )
            assert post not in page.items
            assert selectors.posts_search(viewer=viewer, q="crocodile") == []
        assert selectors.post_get(public_id=post.public_id, viewer=host) == post


class TestPrivateBoards:
    def test_search_never_finds_a_private_communitys_posts_for_outsiders(
        self, host, stranger, now
    ):
        from selfwork.communities.services import community_create

        room = community_create(
            creator=host,
            slug="room",
            name="Back Room",
            now=now,
            settings={"visibility": "private"},
        )
        services.post_create(
            community=room, author=host, kind="idea", title="Secret garden", now=now
        )
        assert selectors.posts_search(viewer=stranger, q="garden") == []
        assert selectors.posts_search(viewer=None, q="garden") == []
        assert [p.title for p in selectors.posts_search(viewer=host, q="garden")] == [
            "Secret garden"
        ]
