"""Registering and managing endpoints through the API."""

import base64

import pytest

from selfwork.webhooks.models import WebhookEndpoint


class TestRegister:
    def test_answers_the_secret_once(self, register, api_as, host, receiver):
        created = register(["listing.created"])
        assert created["secret"].startswith("whsec_")
        assert len(base64.b64decode(created["secret"][6:])) >= 24
        assert created["community"] == "guild" and created["enabled"] is True
        read = api_as(host).get(f"/webhooks/{created['id']}").json()
        assert "secret" not in read and read["url"] == receiver.url
        listed = api_as(host).get("/webhooks").json()
        assert [e["id"] for e in listed["items"]] == [created["id"]]
        assert listed["next"] is None

    def test_an_idempotent_replay_withholds_the_secret(
        self, api_as, host, receiver, community
    ):
        api = api_as(host)
        body = {"url": receiver.url, "events": ["member.joined"], "community": "guild"}
        first = api.post("/webhooks", body, headers={"Idempotency-Key": "k1"})
        again = api.post("/webhooks", body, headers={"Idempotency-Key": "k1"})
        assert first.status_code == again.status_code == 201
        assert first.json()["secret"].startswith("whsec_")
        assert again.json().get("secret") != first.json()["secret"]
        assert WebhookEndpoint.objects.count() == 1

    @pytest.mark.parametrize(
        ("body", "code"),
        [
            ({"events": ["listing.eaten"]}, "unknown_event"),
            ({"events": ["ping"]}, "unknown_event"),
            ({"events": []}, "invalid_input"),
            ({"events": "listing.created"}, "invalid_input"),
            ({"url": "ftp://example.org/x"}, "webhook_url_invalid"),
            ({"url": "not a url"}, "webhook_url_invalid"),
            ({"url": "http://user:pw@127.0.0.1/"}, "webhook_url_invalid"),
            ({"url": "http://no-such-host.invalid/"}, "webhook_url_invalid"),
            ({"url": 5}, "invalid_input"),
        ],
    )
    def test_refuses_a_malformed_body_with_a_code(
        self, api_as, host, receiver, community, body, code
    ):
        sent = {
            "url": receiver.url,
            "events": ["listing.created"],
            "community": "guild",
        }
        response = api_as(host).post("/webhooks", {**sent, **body})
        assert response.status_code == 422, response.content
        assert response.json()["code"] == code
        assert not WebhookEndpoint.objects.exists()

    def test_refuses_a_body_that_is_not_an_object(self, api_as, host, community):
        response = api_as(host).post("/webhooks", ["listing.created"])
        assert response.status_code == 422

    def test_a_member_who_does_not_host_is_refused(
        self, api_as, buyer, guild, receiver
    ):
        body = {
            "url": receiver.url,
            "events": ["listing.created"],
            "community": "guild",
        }
        response = api_as(buyer).post("/webhooks", body)
        assert response.status_code == 403
        assert response.json()["code"] == "not_host"

    def test_a_member_must_name_a_community(self, api_as, host, receiver):
        body = {"url": receiver.url, "events": ["listing.created"]}
        response = api_as(host).post("/webhooks", body)
        assert response.status_code == 403
        assert response.json()["code"] == "webhook_community_required"

    def test_an_unknown_community_is_not_found(self, api_as, host, receiver):
        body = {"url": receiver.url, "events": ["listing.created"], "community": "nope"}
        assert api_as(host).post("/webhooks", body).status_code == 404

    def test_staff_hear_every_community(self, register, stranger):
        stranger.is_staff = True
        stranger.save(update_fields=["is_staff"])
        created = register(["listing.created"], member=stranger, community=None)
        assert created["community"] is None


class TestOwnEndpointsOnly:
    @pytest.mark.parametrize(
        ("method", "suffix", "body"),
        [
            ("get", "", None),
            ("patch", "", {"events": ["listing.updated"]}),
            ("delete", "", None),
            ("post", "/rotate", {}),
            ("post", "/ping", {}),
            ("get", "/deliveries", None),
        ],
    )
    def test_another_members_endpoint_is_not_found(
        self, register, api_as, stranger, method, suffix, body
    ):
        created = register(["listing.created"])
        call = getattr(api_as(stranger), method)
        path = f"/webhooks/{created['id']}{suffix}"
        response = call(path, body) if body is not None else call(path)
        assert response.status_code == 404
        assert response.json()["code"] == "webhook_not_found"
        assert WebhookEndpoint.objects.get().events == ["listing.created"]

    def test_a_malformed_id_is_not_found(self, api_as, host):
        assert api_as(host).get("/webhooks/not-a-uuid").status_code == 404

    def test_an_unknown_delivery_is_not_found(self, register, api_as, host):
        created = register(["listing.created"])
        response = api_as(host).post(
            f"/webhooks/{created['id']}/deliveries/{created['id']}/retry"
        )
        assert response.status_code == 404
        assert response.json()["code"] == "webhook_delivery_not_found"


class TestManage:
    def test_update_and_delete(self, register, api_as, host):
        created = register(["listing.created"])
        api = api_as(host)
        path = f"/webhooks/{created['id']}"
        changed = api.patch(path, {"events": ["listing.updated"], "enabled": False})
        assert changed.status_code == 200, changed.content
        assert changed.json()["events"] == ["listing.updated"]
        assert changed.json()["enabled"] is False
        bad = api.patch(path, {"events": ["nope"]})
        assert bad.status_code == 422 and bad.json()["code"] == "unknown_event"
        assert api.delete(path).status_code == 204
        assert api.get(path).status_code == 404

    def test_rotate_answers_a_new_secret(self, register, api_as, host):
        created = register(["listing.created"])
        rotated = api_as(host).post(f"/webhooks/{created['id']}/rotate")
        assert rotated.status_code == 200
        assert rotated.json()["secret"].startswith("whsec_")
        assert rotated.json()["secret"] != created["secret"]
        assert rotated.json()["previous_secret_expires_at"] is not None


class TestPrivateAddresses:
    @pytest.fixture(autouse=True)
    def production(self, settings):
        settings.SELFWORK_WEBHOOK_ALLOW_PRIVATE = False

    @pytest.mark.parametrize(
        "url",
        [
            "http://127.0.0.1:8000/",
            "http://localhost/",
            "http://10.1.2.3/",
            "http://192.168.0.1/",
            "http://172.16.5.4/",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::1]/",
            "http://[fd00:ec2::254]/",
            "http://[::ffff:127.0.0.1]/",
            "http://0.0.0.0/",
            "http://224.0.0.1/",
            "http://100.64.0.1/",
        ],
    )
    def test_refused_at_registration(self, api_as, host, community, url):
        body = {"url": url, "events": ["listing.created"], "community": "guild"}
        response = api_as(host).post("/webhooks", body)
        assert response.status_code == 422, url
        assert response.json()["code"] == "webhook_url_private"
        assert not WebhookEndpoint.objects.exists()

    def test_metadata_is_refused_even_where_private_is_allowed(
        self, settings, api_as, host, community
    ):
        settings.SELFWORK_WEBHOOK_ALLOW_PRIVATE = True
        body = {
            "url": "http://169.254.169.254/",
            "events": ["listing.created"],
            "community": "guild",
        }
        response = api_as(host).post("/webhooks", body)
        assert response.json()["code"] == "webhook_url_private"


def test_pings_are_throttled(settings, register, api_as, host):
    settings.SELFWORK_THROTTLES = {
        **settings.SELFWORK_THROTTLES,
        "webhook_sends": "1/hour",
    }
    created = register(["listing.created"])
    api = api_as(host)
    assert api.post(f"/webhooks/{created['id']}/ping").status_code == 202
    refused = api.post(f"/webhooks/{created['id']}/ping")
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
