"""The board API: the contract's shapes, every bad input's stable code, nothing stored."""

import datetime as dt

import pytest

from selfwork.boards import services
from selfwork.boards.models import Post, Reply, Vote
from selfwork.communities.services import community_create, community_invite


def _post(api, slug="guild", **changes):
    body = {
        "kind": "question",
        "title": "Who has a ladder?",
        "body": "Two metres.",
        **changes,
    }
    return api.post(f"/communities/{slug}/posts", body)


class TestPosting:
    def test_a_member_posts_and_gets_201_with_an_id(self, api_as, guild, buyer):
        response = _post(api_as(buyer))
        assert response.status_code == 201
        data = response.json()
        assert (
            data["id"]
            and data["kind"] == "question"
            and data["author"] == buyer.username
        )
        assert data["unread"] is False and data["voted"] is False
        assert data["url"] == f"/c/guild/board/{data['id']}/"
        assert Post.objects.get(public_id=data["id"]).title == "Who has a ladder?"

    @pytest.mark.parametrize(
        ("changes", "status", "code"),
        [
            ({"title": ""}, 422, "required"),
            ({"title": "x" * 121}, 422, "too_long"),
            ({"kind": "rant"}, 422, "unknown_kind"),
            ({"kind": "announcement"}, 403, "hosts_only"),
            ({"body": "<img src=x onerror=alert(1)>"}, 422, "markup_not_allowed"),
            ({"images": ["not-an-id"]}, 422, "unknown_upload"),
        ],
    )
    def test_bad_input_is_refused_and_nothing_stored(
        self, api_as, guild, buyer, changes, status, code
    ):
        response = _post(api_as(buyer), **changes)
        assert response.status_code == status, response.json()
        assert response.json()["code"] == code
        assert not Post.objects.exists()

    def test_a_retry_with_the_same_idempotency_key_posts_once(
        self, api_as, guild, buyer
    ):
        api = api_as(buyer)
        body = {"kind": "offer", "title": "Spare seedlings"}
        key = {"Idempotency-Key": "seedlings-1"}
        first = api.post("/communities/guild/posts", body, headers=key)
        again = api.post("/communities/guild/posts", body, headers=key)
        assert first.status_code == again.status_code == 201
        assert first.json()["id"] == again.json()["id"]
        assert Post.objects.count() == 1

    def test_posting_outside_ones_communities_is_403(self, api_as, guild, stranger):
        response = _post(api_as(stranger))
        assert response.status_code == 403 and response.json()["code"] == "not_a_member"
        assert not Post.objects.exists()

    def test_a_private_board_is_404_for_outsiders(
        self, api_as, host, buyer, stranger, now
    ):
        room = community_create(
            creator=host,
            slug="room",
            name="Room",
            now=now,
            settings={"visibility": "private"},
        )
        assert _post(api_as(host), slug="room").status_code == 201
        for who in (stranger, None):
            client = api_as(who)
            assert client.get("/communities/room/posts").status_code == 404
        assert _post(api_as(stranger), slug="room").status_code == 404
        community_invite(community=room, actor=host, member=buyer, now=now)
        # An invitation lets one see the community, not write on its board yet.
        assert _post(api_as(buyer), slug="room").json()["code"] == "not_a_member"

    def test_anonymous_posting_is_401(self, api_as, guild):
        assert _post(api_as(None)).status_code == 401

    def test_posting_is_throttled(self, api_as, guild, buyer, settings):
        settings.SELFWORK_THROTTLES = {
            **settings.SELFWORK_THROTTLES,
            "board_posts": "2/hour",
        }
        api = api_as(buyer)
        assert [_post(api, title=f"Post {n}").status_code for n in range(3)] == [
            201,
            201,
            429,
        ]
        assert Post.objects.count() == 2


class TestTheList:
    def test_pinned_first_then_newest_in_cursor_pages(
        self, api_as, guild, make_post, host, now
    ):
        posts = [
            make_post(title=f"Post {n}", now=now + dt.timedelta(minutes=n))
            for n in range(5)
        ]
        services.post_pin(post=posts[1], actor=host, pinned=True, now=now)
        api = api_as(host)
        first = api.get("/communities/guild/posts", {"limit": 2}).json()
        assert [p["title"] for p in first["items"]] == ["Post 1", "Post 4"]
        assert first["items"][0]["pinned"] is True
        second = api.get(
            "/communities/guild/posts", {"limit": 2, "cursor": first["next"]}
        ).json()
        third = api.get(
            "/communities/guild/posts", {"limit": 2, "cursor": second["next"]}
        ).json()
        assert [p["title"] for p in second["items"] + third["items"]] == [
            "Post 3",
            "Post 2",
            "Post 0",
        ]
        assert third["next"] is None

    def test_filter_by_kind(self, api_as, guild, make_post):
        make_post(kind="offer", title="Spare seedlings")
        make_post(kind="want", title="A bike pump")
        items = api_as(None).get("/communities/guild/posts", {"kind": "want"}).json()
        assert [p["title"] for p in items["items"]] == ["A bike pump"]
        refused = api_as(None).get("/communities/guild/posts", {"kind": "rant"})
        assert refused.status_code == 422 and refused.json()["code"] == "unknown_kind"

    def test_search_finds_posts_by_their_words(self, api_as, guild, make_post):
        make_post(
            kind="offer", title="Tomato seedlings", body="Six *Moneymaker* plants."
        )
        make_post(kind="idea", title="A repair café", body="Once a month.")
        found = api_as(None).get("/communities/guild/posts", {"q": "moneymak"}).json()
        assert [p["title"] for p in found["items"]] == ["Tomato seedlings"]
        cafe = api_as(None).get("/communities/guild/posts", {"q": "cafe"}).json()
        assert [p["title"] for p in cafe["items"]] == ["A repair café"]

    @pytest.mark.parametrize("cursor", ["nonsense!", "eyJwIjogMX0", "eyJvIjogLTF9"])
    def test_a_forged_cursor_is_422(self, api_as, guild, cursor):
        response = api_as(None).get("/communities/guild/posts", {"cursor": cursor})
        assert response.status_code == 422
        assert response.json()["code"] == "invalid_cursor"

    def test_unread_markers_follow_new_replies(
        self, api_as, guild, question, make_reply, buyer, now
    ):
        api = api_as(buyer)
        assert api.get("/communities/guild/posts").json()["items"][0]["unread"] is False
        make_reply(now=now + dt.timedelta(minutes=5))
        assert api.get("/communities/guild/posts").json()["items"][0]["unread"] is True
        read = api.post(f"/posts/{question.public_id}/read")
        assert read.status_code == 200 and read.json()["unread"] is False
        assert (
            api_as(None).get("/communities/guild/posts").json()["items"][0]["unread"]
            is None
        )


class TestReplies:
    def test_reply_and_list_replies(self, api_as, question, provider, buyer):
        response = api_as(provider).post(
            f"/posts/{question.public_id}/replies", {"body": "I have one."}
        )
        assert response.status_code == 201
        assert response.json()["author"] == provider.username
        listed = api_as(None).get(f"/posts/{question.public_id}/replies").json()
        assert [r["body"] for r in listed["items"]] == ["I have one."]
        assert (
            api_as(buyer).get(f"/posts/{question.public_id}").json()["reply_count"] == 1
        )

    def test_replying_to_a_locked_post_is_409(
        self, api_as, question, host, provider, now
    ):
        services.post_lock(post=question, actor=host, locked=True, now=now)
        response = api_as(provider).post(
            f"/posts/{question.public_id}/replies", {"body": "Too late?"}
        )
        assert response.status_code == 409 and response.json()["code"] == "post_locked"
        assert not Reply.objects.exists()

    def test_an_empty_reply_is_422(self, api_as, question, provider):
        response = api_as(provider).post(
            f"/posts/{question.public_id}/replies", {"body": "  "}
        )
        assert response.status_code == 422 and response.json()["code"] == "required"

    def test_an_unknown_post_is_404(self, api_as, guild, provider):
        for path in ("/posts/nope", "/posts/00000000-0000-0000-0000-000000000000"):
            response = api_as(provider).get(path)
            assert response.status_code == 404
            assert response.json()["code"] == "post_not_found"


class TestVotes:
    def test_voting_twice_is_409_and_a_vote_can_be_taken_back(
        self, api_as, question, provider
    ):
        api = api_as(provider)
        first = api.post(f"/posts/{question.public_id}/vote")
        assert first.status_code == 200
        assert first.json()["vote_count"] == 1 and first.json()["voted"] is True
        again = api.post(f"/posts/{question.public_id}/vote")
        assert again.status_code == 409 and again.json()["code"] == "already_voted"
        assert Vote.objects.count() == 1
        back = api.delete(f"/posts/{question.public_id}/vote")
        assert back.status_code == 200 and back.json()["vote_count"] == 0
        none = api.delete(f"/posts/{question.public_id}/vote")
        assert none.status_code == 409 and none.json()["code"] == "not_voted"


class TestAccept:
    def test_the_author_accepts_a_reply(self, api_as, question, make_reply, buyer):
        reply = make_reply()
        response = api_as(buyer).post(
            f"/posts/{question.public_id}/accept", {"reply": str(reply.public_id)}
        )
        assert response.status_code == 200
        assert response.json()["accepted_reply"] == str(reply.public_id)
        replies = api_as(None).get(f"/posts/{question.public_id}/replies").json()
        assert replies["items"][0]["accepted"] is True

    def test_someone_else_cannot_accept(self, api_as, question, make_reply, provider):
        reply = make_reply()
        response = api_as(provider).post(
            f"/posts/{question.public_id}/accept", {"reply": str(reply.public_id)}
        )
        assert response.status_code == 403 and response.json()["code"] == "not_author"

    def test_a_reply_of_another_post_is_422(
        self, api_as, question, make_post, buyer, provider, now
    ):
        other = make_post(title="Another")
        reply = services.reply_create(post=other, author=provider, body="Hi", now=now)
        response = api_as(buyer).post(
            f"/posts/{question.public_id}/accept", {"reply": str(reply.public_id)}
        )
        assert response.status_code == 422
        assert response.json()["code"] == "reply_not_in_post"
        assert Post.objects.get(pk=question.pk).accepted_reply is None

    def test_an_unknown_reply_is_404(self, api_as, question, buyer):
        response = api_as(buyer).post(
            f"/posts/{question.public_id}/accept", {"reply": "nope"}
        )
        assert (
            response.status_code == 404 and response.json()["code"] == "reply_not_found"
        )


class TestModeration:
    @pytest.mark.parametrize(
        ("action", "body", "field", "value"),
        [
            ("pin", None, "pinned", True),
            ("lock", None, "locked", True),
            ("hide", {"reason": "Off topic"}, "status", "hidden"),
            ("remove", {"reason": "Spam"}, "status", "removed"),
        ],
    )
    def test_a_host_moderates(self, api_as, question, host, action, body, field, value):
        response = api_as(host).post(f"/posts/{question.public_id}/{action}", body)
        assert response.status_code == 200, response.json()
        assert response.json()[field] == value

    def test_a_member_is_403(self, api_as, question, provider):
        response = api_as(provider).post(f"/posts/{question.public_id}/pin")
        assert (
            response.status_code == 403 and response.json()["code"] == "not_moderator"
        )

    def test_a_hidden_post_is_seen_by_its_author_and_hosts_only(
        self, api_as, question, host, buyer, provider
    ):
        api_as(host).post(f"/posts/{question.public_id}/hide", {"reason": "Duplicate"})
        mine = api_as(buyer).get(f"/posts/{question.public_id}").json()
        assert mine["status"] == "hidden" and mine["moderation_reason"] == "Duplicate"
        assert api_as(provider).get(f"/posts/{question.public_id}").status_code == 404
        assert api_as(None).get("/communities/guild/posts").json()["items"] == []
        api_as(host).post(f"/posts/{question.public_id}/unhide")
        assert api_as(provider).get(f"/posts/{question.public_id}").status_code == 200

    def test_a_removed_post_is_gone_for_everyone_but_hosts(
        self, api_as, question, host, buyer
    ):
        api_as(host).post(f"/posts/{question.public_id}/remove", {"reason": "Spam"})
        assert api_as(buyer).get(f"/posts/{question.public_id}").status_code == 404
        kept = api_as(host).get(f"/posts/{question.public_id}").json()
        assert kept["moderation_reason"] == "Spam"

    def test_a_reason_is_required(self, api_as, question, host):
        response = api_as(host).post(
            f"/posts/{question.public_id}/hide", {"reason": ""}
        )
        assert response.status_code == 422
        assert Post.objects.get(pk=question.pk).status == "visible"

    def test_a_host_removes_a_reply_and_its_text_goes(
        self, api_as, question, make_reply, host
    ):
        reply = make_reply()
        response = api_as(host).post(
            f"/replies/{reply.public_id}/remove", {"reason": "Rude"}
        )
        assert response.status_code == 200 and response.json()["body"] == ""
        listed = api_as(None).get(f"/posts/{question.public_id}/replies").json()
        assert listed["items"][0]["status"] == "removed"
        assert listed["items"][0]["body"] == ""
