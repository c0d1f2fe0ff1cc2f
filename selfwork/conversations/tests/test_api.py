"""The conversations API: the contract's shapes, stable codes, nothing stored on
refusal, strangers 404, and the number of queries of a list."""

import pytest

from selfwork.conversations.models import Block, Conversation, Message


def _start(api, to="priya", **changes):
    return api.post("/conversations", {"to": to, "body": "Hello there.", **changes})


class TestStarting:
    def test_a_new_conversation_is_201_with_an_id(self, api_as, buyer, provider):
        response = _start(api_as(buyer))
        assert response.status_code == 201, response.json()
        data = response.json()
        assert data["created"] is True
        conversation = Conversation.objects.get(public_id=data["id"])
        assert {conversation.first_id, conversation.second_id} == {
            buyer.pk,
            provider.pk,
        }
        assert data["conversation"]["with_member"] == "priya"
        assert data["message"]["body"] == "Hello there."
        assert data["conversation"]["url"] == f"/messages/{data['id']}/"

    def test_the_same_pair_and_listing_reuses_it_with_200(
        self, api_as, buyer, portrait
    ):
        api = api_as(buyer)
        first = _start(api, listing=str(portrait.public_id))
        again = _start(api, listing=str(portrait.public_id), body="One more thing.")
        assert (first.status_code, again.status_code) == (201, 200)
        assert again.json()["id"] == first.json()["id"]
        assert again.json()["created"] is False
        assert first.json()["conversation"]["listing_title"] == portrait.title
        assert Message.objects.count() == 2

    @pytest.mark.parametrize(
        ("changes", "status", "code"),
        [
            ({"body": ""}, 422, "required"),
            ({"body": "x" * 5001}, 422, "too_long"),
            ({"body": "<script>alert(1)</script>"}, 422, "markup_not_allowed"),
            ({"to": "bruno"}, 422, "cannot_message_self"),
            ({"to": "ghost"}, 422, "unknown_member"),
            (
                {"listing": "00000000-0000-0000-0000-000000000000"},
                422,
                "unknown_listing",
            ),
            ({"listing": "x" * 101}, 422, "invalid_input"),
            (
                {"images": ["00000000-0000-0000-0000-000000000000"]},
                422,
                "unknown_upload",
            ),
            ({"body": 5}, 422, "invalid_input"),
        ],
    )
    def test_bad_input_is_refused_and_nothing_stored(
        self, api_as, buyer, provider, changes, status, code
    ):
        response = _start(api_as(buyer), **changes)
        assert response.status_code == status, response.json()
        assert response.json()["code"] == code
        assert not Conversation.objects.exists() and not Message.objects.exists()

    def test_anonymous_callers_are_401(self, anonymous_api, provider):
        assert _start(anonymous_api).status_code == 401

    def test_an_attached_image_is_listed_with_the_message(
        self, api_as, buyer, provider, png_bytes
    ):
        api = api_as(buyer)
        upload = api.upload(png_bytes()).json()["id"]
        response = _start(api, images=[upload])
        assert response.status_code == 201
        assert len(response.json()["message"]["images"]) == 1

    def test_a_file_that_is_not_an_image_is_refused_by_its_content(self, api_as, buyer):
        response = api_as(buyer).upload(b"<html>not a png</html>", name="cat.png")
        assert response.status_code in (415, 422)


class TestReading:
    def test_my_list_is_newest_activity_first_with_unread_counts(
        self, api_as, buyer, provider, make_member
    ):
        olga = make_member("olga")
        _start(api_as(buyer))
        _start(api_as(olga))
        _start(api_as(olga), body="Still there?")
        items = api_as(provider).get("/conversations").json()["items"]
        assert [(i["with_member"], i["unread_count"]) for i in items] == [
            ("olga", 2),
            ("bruno", 1),
        ]

    def test_the_list_pages_by_cursor(self, api_as, provider, make_member):
        for name in ("ann", "ben", "cat"):
            _start(api_as(make_member(name)))
        api = api_as(provider)
        first = api.get("/conversations", {"limit": 2}).json()
        second = api.get("/conversations", {"limit": 2, "cursor": first["next"]}).json()
        names = [i["with_member"] for i in first["items"] + second["items"]]
        assert sorted(names) == ["ann", "ben", "cat"] and second["next"] is None
        bad = api.get("/conversations", {"cursor": "nonsense"})
        assert bad.status_code == 422 and bad.json()["code"] == "invalid_cursor"

    def test_the_list_is_read_in_a_constant_number_of_queries(
        self, api_as, provider, make_member, django_assert_max_num_queries
    ):
        for name in ("ann", "ben", "cat", "dan"):
            _start(api_as(make_member(name)))
        api = api_as(provider)
        # Token lookup, its last-used mark, the page: never one per conversation.
        with django_assert_max_num_queries(4):
            assert len(api.get("/conversations").json()["items"]) == 4

    def test_messages_are_oldest_first_and_reading_clears_the_count(
        self, api_as, buyer, provider
    ):
        key = _start(api_as(buyer)).json()["id"]
        api = api_as(provider)
        sent = api.post(f"/conversations/{key}/messages", {"body": "Hi *Bruno*."})
        assert sent.status_code == 201
        bodies = [
            m["body"] for m in api.get(f"/conversations/{key}/messages").json()["items"]
        ]
        assert bodies == ["Hello there.", "Hi *Bruno*."]
        read = api.post(f"/conversations/{key}/read")
        assert read.status_code == 200 and read.json()["unread_count"] == 0

    def test_the_messages_page_costs_the_same_for_many_messages(
        self, api_as, buyer, provider, png_bytes, django_assert_max_num_queries
    ):
        api = api_as(buyer)
        key = _start(api).json()["id"]
        for n in range(6):
            upload = api.upload(png_bytes(color=(n, n, n))).json()["id"]
            api.post(
                f"/conversations/{key}/messages",
                {"body": f"Message {n}", "images": [upload]},
            )
        # Token, last-used mark, the conversation, the messages, their images.
        with django_assert_max_num_queries(5):
            items = api.get(f"/conversations/{key}/messages").json()["items"]
        assert len(items) == 7

    @pytest.mark.parametrize(
        ("method", "suffix"),
        [
            ("get", ""),
            ("get", "/messages"),
            ("post", "/messages"),
            ("post", "/read"),
        ],
    )
    def test_a_stranger_gets_404(
        self, api_as, buyer, provider, stranger, method, suffix
    ):
        key = _start(api_as(buyer)).json()["id"]
        api = api_as(stranger)
        path = f"/conversations/{key}{suffix}"
        response = api.get(path) if method == "get" else api.post(path, {"body": "Hi"})
        assert response.status_code == 404
        assert response.json()["code"] == "conversation_not_found"
        assert Message.objects.count() == 1

    def test_an_id_that_is_not_one_is_404(self, api_as, buyer):
        response = api_as(buyer).get("/conversations/not-a-uuid")
        assert response.status_code == 404


class TestBlocks:
    def test_a_blocked_sender_gets_403_blocked_and_nothing_is_stored(
        self, api_as, buyer, provider
    ):
        key = _start(api_as(buyer)).json()["id"]
        blocked = api_as(provider).post("/blocks", {"username": "bruno"})
        assert blocked.status_code == 201 and blocked.json()["username"] == "bruno"
        refused = api_as(buyer).post(f"/conversations/{key}/messages", {"body": "?"})
        assert refused.status_code == 403 and refused.json()["code"] == "blocked"
        again = _start(api_as(buyer), body="Hello again")
        assert again.status_code == 403 and again.json()["code"] == "blocked"
        assert Message.objects.count() == 1

    def test_blocks_are_listed_and_taken_back(self, api_as, buyer, provider):
        api = api_as(provider)
        api.post("/blocks", {"username": "bruno"})
        twice = api.post("/blocks", {"username": "bruno"})
        assert twice.status_code == 409 and twice.json()["code"] == "already_blocked"
        assert [b["username"] for b in api.get("/blocks").json()["items"]] == ["bruno"]
        assert api.delete("/blocks/bruno").status_code == 204
        gone = api.delete("/blocks/bruno")
        assert gone.status_code == 409 and gone.json()["code"] == "not_blocked"
        assert not Block.objects.exists()

    @pytest.mark.parametrize(
        ("username", "code"),
        [
            ("priya", "cannot_message_self"),
            ("ghost", "unknown_member"),
            ("", "unknown_member"),
        ],
    )
    def test_blocking_oneself_or_nobody_is_refused(
        self, api_as, provider, username, code
    ):
        response = api_as(provider).post("/blocks", {"username": username})
        assert response.status_code == 422 and response.json()["code"] == code
