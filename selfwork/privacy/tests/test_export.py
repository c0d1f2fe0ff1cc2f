"""Downloading everything held about a member: one zip archive with an index."""

import io
import json
import zipfile

import pytest
from django.test import Client

from selfwork.accounts.services import member_update
from selfwork.conversations.services import conversation_start
from selfwork.core.uploads import upload_create

OTHERS_SECRET = "Meet me at the old mill at nine; nobody else must know."


def _archive(response) -> zipfile.ZipFile:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(response.content))


def _json(archive: zipfile.ZipFile, name: str):
    return json.loads(archive.read(name))


@pytest.fixture
def history(reviewed, buyer, provider, stranger, png_bytes, now):
    """Bruno's finished commission, his avatar, a conversation he is in, one he is not."""
    avatar = upload_create(owner=buyer, data=png_bytes(), now=now)
    member_update(member=buyer, changes={"avatar": str(avatar.public_id)})
    conversation_start(
        sender=buyer, to=provider.username, body="Is the cover ready?", now=now
    )
    conversation_start(sender=provider, to=buyer.username, body="Nearly!", now=now)
    conversation_start(
        sender=stranger, to=provider.username, body=OTHERS_SECRET, now=now
    )
    return avatar


class TestTheArchive:
    def test_lists_every_file_in_its_index_and_holds_the_members_data(
        self, history, api_as, buyer, provider
    ):
        archive = _archive(api_as(buyer).get("/members/me/export"))
        index = _json(archive, "index.json")
        listed = {entry["file"] for entry in index["files"]}
        assert listed == set(archive.namelist())
        assert all(entry["about"] for entry in index["files"])
        assert {
            "profile.json",
            "exchanges.json",
            "conversations.json",
            "reviews.json",
            "wallet.json",
            "wallet.csv",
            "uploads.json",
        } <= listed
        profile = _json(archive, "profile.json")
        assert profile["member"]["email"] == "bruno@example.com"
        assert profile["member"]["avatar"] == str(history.public_id)
        assert f"uploads/{history.public_id}.png" in listed
        exchanges = _json(archive, "exchanges.json")
        assert [e["customer"] for e in exchanges["exchanges"]] == ["bruno"]
        assert {e["name"] for e in exchanges["events"]} >= {"pay", "deliver", "accept"}
        reviews = _json(archive, "reviews.json")
        assert [r["text"] for r in reviews["written"]] == [
            "Bruno says: a wonderful cover."
        ]
        assert [r["author"] for r in reviews["received"]] == ["priya"]
        said = [m["body"] for m in _json(archive, "conversations.json")["messages"]]
        assert said == ["Is the cover ready?", "Nearly!"]  # both parties' words
        wallet = _json(archive, "wallet.json")
        assert [c["amount_minor"] for c in wallet["charges"]] == [12000]

    def test_holds_no_secret_and_nothing_of_a_conversation_the_member_is_not_in(
        self, history, api_as, buyer
    ):
        archive = _archive(api_as(buyer).get("/members/me/export"))
        everything = b"".join(archive.read(name) for name in archive.namelist())
        assert OTHERS_SECRET.encode() not in everything
        assert not any(h in everything for h in (b"md5$", b"argon2", b"pbkdf2"))
        tokens = _json(archive, "profile.json")["api_tokens"]
        assert tokens and all("digest" not in t for t in tokens)
        assert all(set(t) >= {"prefix", "name", "created_at"} for t in tokens)

    def test_an_anonymous_caller_gets_401(self, anonymous_api):
        response = anonymous_api.get("/members/me/export")
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"


class TestTheSettingsPage:
    def test_offers_the_download_and_answers_the_archive(self, browse_as, buyer):
        client = browse_as(buyer)
        page = client.get("/settings/profile/").content.decode()
        assert "Your data" in page and "Download my data" in page
        archive = _archive(client.post("/settings/data/export/"))
        assert _json(archive, "index.json")["username"] == "bruno"

    def test_sends_an_anonymous_visitor_to_log_in(self, browse_as):
        response = browse_as(None).post("/settings/data/export/")
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")

    def test_downloads_only_by_post(self, browse_as, buyer):
        assert browse_as(buyer).get("/settings/data/export/").status_code == 405


class TestStaffExportInTheAdmin:
    def test_an_action_downloads_one_members_archive(self, make_member, buyer):
        staff = make_member("stella", is_staff=True, is_superuser=True)
        client = Client()
        client.force_login(staff)
        response = client.post(
            "/admin/accounts/member/",
            {"action": "export_data", "_selected_action": [buyer.pk]},
        )
        archive = _archive(response)
        assert _json(archive, "profile.json")["member"]["username"] == "bruno"
