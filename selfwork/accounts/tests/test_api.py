import pytest

from selfwork.accounts import services
from selfwork.accounts.models import ApiToken, Member, PortfolioItem

PASSWORD = "a long enough passphrase"


def assert_problem(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["detail"]
    return body


class TestSignup:
    def test_answers_201_with_a_token_that_works(self, db, anonymous_api, client):
        response = anonymous_api.post(
            "/auth/signup",
            {"username": "olga", "email": "olga@example.com", "password": PASSWORD},
        )
        assert response.status_code == 201
        body = response.json()
        assert body["member"]["username"] == "olga"
        assert body["member"]["email"] == "olga@example.com"
        me = client.get(
            "/api/v1/members/me", HTTP_AUTHORIZATION=f"Bearer {body['token']}"
        )
        assert me.status_code == 200
        assert me.json()["username"] == "olga"

    @pytest.mark.parametrize(
        ("body", "status", "code"),
        [
            ({"username": "O L G A"}, 422, "invalid_username"),
            ({"username": "<script>x"}, 422, "invalid_username"),
            ({"username": "x" * 199}, 422, "invalid_username"),
            ({"email": "olga at example"}, 422, "invalid_email"),
            ({"password": "short"}, 422, "weak_password"),
            ({"password": "password123"}, 422, "weak_password"),
            ({"password": "1234567890"}, 422, "weak_password"),
            ({"username": 42}, 422, "invalid_input"),
            ({"password": None}, 422, "invalid_input"),
            ({"display_name": "<b>Olga</b>"}, 422, "markup_not_allowed"),
        ],
    )
    def test_refuses_bad_input_and_stores_nobody(
        self, db, anonymous_api, body, status, code
    ):
        payload = {
            "username": "olga",
            "email": "olga@example.com",
            "password": PASSWORD,
            **body,
        }
        response = anonymous_api.post("/auth/signup", payload)
        assert_problem(response, status, code)
        assert not Member.objects.exists()
        assert not ApiToken.objects.exists()

    def test_refuses_a_missing_field(self, db, anonymous_api):
        response = anonymous_api.post("/auth/signup", {"username": "olga"})
        body = assert_problem(response, 422, "invalid_input")
        assert "email" in body["detail"] or "password" in body["detail"]

    def test_refuses_a_taken_username_with_409(self, buyer, anonymous_api):
        response = anonymous_api.post(
            "/auth/signup",
            {"username": "bruno", "email": "new@example.com", "password": PASSWORD},
        )
        assert_problem(response, 409, "username_taken")
        assert Member.objects.count() == 1

    def test_refuses_a_taken_email_with_409(self, buyer, anonymous_api):
        response = anonymous_api.post(
            "/auth/signup",
            {"username": "bruna", "email": "BRUNO@example.com", "password": PASSWORD},
        )
        assert_problem(response, 409, "email_taken")
        assert Member.objects.count() == 1


class TestToken:
    def test_gives_a_token_for_the_right_password(self, buyer, anonymous_api, client):
        response = anonymous_api.post(
            "/auth/token", {"username": "bruno", "password": PASSWORD}
        )
        assert response.status_code == 200
        token = response.json()["token"]
        me = client.get("/api/v1/members/me", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert me.json()["username"] == "bruno"

    def test_refuses_a_wrong_password_with_401(self, buyer, anonymous_api):
        response = anonymous_api.post(
            "/auth/token", {"username": "bruno", "password": "wrong wrong wrong"}
        )
        assert_problem(response, 401, "bad_credentials")
        assert not ApiToken.objects.exists()

    def test_refuses_the_sixth_attempt_even_with_the_right_password(
        self, buyer, anonymous_api
    ):
        for _ in range(5):
            response = anonymous_api.post(
                "/auth/token", {"username": "bruno", "password": "guess guess"}
            )
            assert response.status_code == 401
        response = anonymous_api.post(
            "/auth/token", {"username": "bruno", "password": PASSWORD}
        )
        assert_problem(response, 429, "login_rate_limited")
        assert not ApiToken.objects.exists()

    def test_refuses_an_address_that_guessed_at_many_accounts(
        self, buyer, anonymous_api, client
    ):
        for i in range(20):
            anonymous_api.post(
                "/auth/token", {"username": f"victim{i}", "password": "guess guess"}
            )
        response = anonymous_api.post(
            "/auth/token", {"username": "bruno", "password": PASSWORD}
        )
        assert_problem(response, 429, "login_rate_limited")
        elsewhere = client.post(
            "/api/v1/auth/token",
            {"username": "bruno", "password": PASSWORD},
            content_type="application/json",
            REMOTE_ADDR="192.0.2.7",
        )
        assert elsewhere.status_code == 200


class TestBearerTokens:
    def test_an_unknown_token_is_401(self, db, client):
        response = client.get(
            "/api/v1/members/me", HTTP_AUTHORIZATION="Bearer sw_not-a-real-token"
        )
        assert_problem(response, 401, "invalid_token")

    def test_a_revoked_token_is_401(self, buyer, client, now):
        token = services.api_token_create(member=buyer, now=now)
        services.api_token_revoke(
            member=buyer, token_id=ApiToken.objects.get(member=buyer).pk
        )
        response = client.get(
            "/api/v1/members/me", HTTP_AUTHORIZATION=f"Bearer {token}"
        )
        assert_problem(response, 401, "invalid_token")

    @pytest.mark.parametrize("header", ["Basic YnJ1bm86cGFzcw==", "Bearer", "Bearer  "])
    def test_a_header_that_is_not_a_bearer_token_is_401(self, db, client, header):
        response = client.get("/api/v1/members/me", HTTP_AUTHORIZATION=header)
        assert_problem(response, 401, "invalid_token")

    def test_no_token_is_401_where_a_member_is_needed(self, db, anonymous_api):
        assert_problem(anonymous_api.get("/members/me"), 401, "not_authenticated")

    def test_a_bad_token_is_refused_even_where_no_member_is_needed(self, buyer, client):
        response = client.get(
            "/api/v1/members/bruno", HTTP_AUTHORIZATION="Bearer sw_forged"
        )
        assert response.status_code == 401

    def test_a_session_cookie_does_not_authenticate_the_api(self, buyer, client):
        client.force_login(buyer)
        assert client.get("/api/v1/members/me").status_code == 401


class TestPublicProfile:
    def test_shows_the_profile_without_the_email(self, provider, anonymous_api):
        response = anonymous_api.get("/members/priya")
        assert response.status_code == 200
        body = response.json()
        assert body["username"] == "priya"
        assert body["city"] == "Pune"
        assert "email" not in body
        assert "priya@example.com" not in response.content.decode()

    def test_an_unknown_member_is_404(self, db, anonymous_api):
        assert_problem(anonymous_api.get("/members/nobody"), 404, "member_not_found")

    def test_a_deactivated_member_is_404(self, provider, anonymous_api):
        Member.objects.filter(pk=provider.pk).update(is_active=False)
        assert anonymous_api.get("/members/priya").status_code == 404


class TestMe:
    def test_reads_the_callers_own_profile_with_email(self, provider, api_as):
        body = api_as(provider).get("/members/me").json()
        assert body["username"] == "priya"
        assert body["email"] == "priya@example.com"

    def test_updates_the_profile(self, provider, api_as):
        response = api_as(provider).patch(
            "/members/me",
            {
                "display_name": "Priya R.",
                "time_zone": "Asia/Kolkata",
                "preferred_currency": "INR",
                "skills": ["ink", "watercolour"],
                "commission_status": "waitlist",
                "commission_slots": 0,
                "bio": "I paint *portraits*.",
            },
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["display_name"] == "Priya R."
        assert body["preferred_currency"] == "INR"
        assert body["commission_slots"] == 0
        provider.refresh_from_db()
        assert provider.time_zone == "Asia/Kolkata"
        assert provider.skills == ["ink", "watercolour"]

    @pytest.mark.parametrize(
        ("changes", "code"),
        [
            ({"time_zone": "Europe/Atlantis"}, "invalid_input"),
            ({"preferred_currency": "XYZ"}, "unknown_currency"),
            ({"preferred_currency": "usd"}, "unknown_currency"),
            ({"display_name": "<script>alert(1)</script>"}, "markup_not_allowed"),
            ({"display_name": "x" * 81}, "too_long"),
            ({"commission_slots": 101}, "invalid_input"),
            ({"commission_slots": -1}, "invalid_input"),
            ({"commission_slots": 10**30}, "invalid_input"),
            ({"commission_slots": "many"}, "invalid_input"),
            ({"commission_status": "busy"}, "invalid_input"),
            ({"country": "XXX"}, "invalid_input"),
            ({"avatar": "not-an-upload"}, "unknown_upload"),
            ({"display_name": None}, "invalid_input"),
        ],
    )
    def test_refuses_a_bad_field_and_changes_nothing(
        self, provider, api_as, changes, code
    ):
        before = Member.objects.values().get(pk=provider.pk)
        response = api_as(provider).patch("/members/me", {"city": "Goa", **changes})
        assert_problem(response, 422, code)
        assert Member.objects.values().get(pk=provider.pk) == before

    def test_an_avatar_must_be_the_members_own_upload(
        self, provider, buyer, api_as, png_bytes
    ):
        theirs = api_as(buyer).upload(png_bytes()).json()["id"]
        response = api_as(provider).patch("/members/me", {"avatar": theirs})
        assert_problem(response, 422, "unknown_upload")
        mine = api_as(provider).upload(png_bytes()).json()["id"]
        response = api_as(provider).patch("/members/me", {"avatar": mine})
        assert response.status_code == 200
        assert response.json()["avatar"].startswith("/media/uploads/")


class TestPortfolioApi:
    def test_adds_and_removes_an_own_image(self, provider, api_as, png_bytes):
        api = api_as(provider)
        upload = api.upload(png_bytes()).json()
        response = api.post(
            "/members/me/portfolio", {"image": upload["id"], "caption": "Fox"}
        )
        assert response.status_code == 201, response.content
        item = response.json()
        assert item["image"] == upload["url"]
        profile = api.get("/members/priya").json()
        assert [p["caption"] for p in profile["portfolio"]] == ["Fox"]
        assert api.delete(f"/members/me/portfolio/{item['id']}").status_code == 204
        assert not PortfolioItem.objects.exists()

    def test_refuses_someone_elses_upload(self, provider, buyer, api_as, png_bytes):
        theirs = api_as(buyer).upload(png_bytes()).json()["id"]
        response = api_as(provider).post("/members/me/portfolio", {"image": theirs})
        assert_problem(response, 422, "unknown_upload")
        assert not PortfolioItem.objects.exists()

    def test_refuses_to_remove_someone_elses_item(
        self, provider, buyer, api_as, png_bytes
    ):
        upload = api_as(provider).upload(png_bytes()).json()["id"]
        item = api_as(provider).post("/members/me/portfolio", {"image": upload}).json()
        response = api_as(buyer).delete(f"/members/me/portfolio/{item['id']}")
        assert_problem(response, 404, "not_found")
        assert PortfolioItem.objects.count() == 1

    @pytest.mark.parametrize("item_id", ["0", "-1", "99999999999999999999999", "abc"])
    def test_an_impossible_item_id_is_4xx(self, provider, api_as, item_id):
        response = api_as(provider).delete(f"/members/me/portfolio/{item_id}")
        assert 400 <= response.status_code < 500
