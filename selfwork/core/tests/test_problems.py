"""Every API failure is an RFC 9457 problem with a stable code; nothing is a bare 500."""

import json

import pytest

PROBLEM_KEYS = {"type", "title", "status", "code", "detail"}


def assert_problem(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = json.loads(response.content)
    assert set(body) >= PROBLEM_KEYS
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"].endswith(f"/problems/{code}")
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    return body


class TestProblemShapes:
    def test_401_without_a_token(self, db, anonymous_api):
        assert_problem(anonymous_api.get("/members/me"), 401, "not_authenticated")

    def test_401_for_an_unknown_token(self, db, client):
        response = client.get("/api/v1/members/me", HTTP_AUTHORIZATION="Bearer nope")
        assert_problem(response, 401, "invalid_token")

    def test_404_for_an_unknown_object(self, db, anonymous_api):
        assert_problem(
            anonymous_api.get("/listings/00000000-0000-0000-0000-000000000000"),
            404,
            "listing_not_found",
        )

    def test_422_for_a_missing_field_names_the_field(self, buyer, api_as):
        body = assert_problem(
            api_as(buyer).post("/communities", {"slug": "riverside"}),
            422,
            "invalid_input",
        )
        assert "name" in body["detail"]
        assert body["errors"][0]["loc"][-1] == "name"

    def test_422_for_a_wrong_type(self, buyer, api_as):
        body = assert_problem(
            api_as(buyer).post("/communities", {"name": ["x"], "slug": "riverside"}),
            422,
            "invalid_input",
        )
        assert "name" in body["detail"]

    def test_422_for_a_bad_query_parameter(self, db, anonymous_api):
        assert_problem(
            anonymous_api.get("/listings", {"limit": "many"}), 422, "invalid_input"
        )

    @pytest.mark.parametrize(
        ("content", "content_type"),
        [
            ("{not json", "application/json"),
            ('{"name": "x",', "application/json"),
            ("\udcff", "application/json"),
            ("name=x&slug=y", "application/x-www-form-urlencoded"),
        ],
    )
    def test_400_for_a_body_that_cannot_be_parsed(
        self, buyer, api_as, client, content, content_type
    ):
        response = client.post(
            "/api/v1/communities",
            content.encode("utf-8", "surrogateescape"),
            content_type=content_type,
            HTTP_AUTHORIZATION=f"Bearer {api_as(buyer).token}",
        )
        assert_problem(response, 400, "bad_request")

    @pytest.mark.parametrize("content", ["[1, 2, 3]", "[null, null]", '"hi"', "7"])
    @pytest.mark.parametrize(
        ("method", "path"),
        [("post", "/api/v1/communities"), ("patch", "/api/v1/members/me")],
    )
    def test_422_for_json_that_is_not_an_object(
        self, buyer, api_as, client, content, method, path
    ):
        response = getattr(client, method)(
            path,
            content,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {api_as(buyer).token}",
        )
        assert_problem(response, 422, "invalid_input")

    @pytest.mark.parametrize(
        "changes",
        [
            {"away": 0},
            {"away": "yes"},
            {"commission_slots": "5"},
            {"commission_slots": 5.5},
            {"commission_slots": True},
        ],
    )
    def test_422_for_a_value_of_the_wrong_json_type(self, buyer, api_as, changes):
        before = api_as(buyer).get("/members/me").json()
        body = assert_problem(
            api_as(buyer).patch("/members/me", changes), 422, "invalid_input"
        )
        assert next(iter(changes)) in body["detail"]
        assert api_as(buyer).get("/members/me").json() == before

    def test_a_whole_number_written_with_a_fraction_is_an_integer(self, buyer, api_as):
        # JSON Schema counts 5.0 as an integer, so a client holding the
        # OpenAPI document may send it.
        response = api_as(buyer).patch("/members/me", {"commission_slots": 5.0})
        assert response.status_code == 200, response.content
        assert response.json()["commission_slots"] == 5

    def test_405_for_a_method_the_path_lacks(self, buyer, api_as, client):
        response = client.put(
            "/api/v1/communities",
            "{}",
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {api_as(buyer).token}",
        )
        body = assert_problem(response, 405, "method_not_allowed")
        assert set(response["Allow"].split(", ")) == {"GET", "POST"}
        assert "PUT" in body["detail"]

    @pytest.mark.parametrize(
        "path", ["/api/v1/no-such-thing", "/api/v2/listings", "/api/"]
    )
    def test_an_unknown_api_path_is_a_404_problem(self, db, client, path):
        response = client.get(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["code"] == "not_found"


TOO_BIG = 11 * 1024 * 1024


class TestNoInputIsA5xx:
    """Malformed and oversized requests are 4xx problems, never a 500 or an HTML page."""

    @pytest.mark.parametrize(
        "content_type",
        [
            "multipart/form-data",
            "multipart/form-data; boundary=",
            'multipart/form-data; boundary=""',
        ],
    )
    def test_a_multipart_body_without_a_boundary_is_400(
        self, buyer, api_as, client, content_type
    ):
        response = client.post(
            "/api/v1/uploads",
            b"--x\r\n\r\n",
            content_type=content_type,
            HTTP_AUTHORIZATION=f"Bearer {api_as(buyer).token}",
        )
        assert_problem(response, 400, "bad_request")

    @pytest.mark.parametrize("headers", [{}, {"Idempotency-Key": "big-1"}])
    def test_a_json_body_over_the_limit_is_413_and_stores_nothing(
        self, host, api_as, client, headers
    ):
        body = {"name": "Big", "slug": "big", "description": "x" * TOO_BIG}
        response = api_as(host).post("/communities", body, headers=headers)
        assert_problem(response, 413, "payload_too_large")
        slugs = [c["slug"] for c in client.get("/api/v1/communities").json()["items"]]
        assert slugs == []

    def test_a_key_refused_as_too_big_may_be_used_again(self, host, api_as):
        api = api_as(host)
        key = {"Idempotency-Key": "big-2"}
        api.post("/communities", {"name": "x" * TOO_BIG}, headers=key)
        response = api.post("/communities", {"name": "Small", "slug": "small"}, key)
        assert response.status_code == 201, response.content

    @pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
    @pytest.mark.parametrize("path", ["/api/v1/no-such-thing", "/api/elsewhere"])
    def test_a_write_to_an_unknown_api_path_is_a_404_problem_not_a_csrf_page(
        self, db, method, path
    ):
        from django.test import Client

        browser = Client(enforce_csrf_checks=True)
        response = getattr(browser, method)(path, "{}", "application/json")
        assert_problem(response, 404, "not_found")

    def test_a_csrf_failure_under_the_api_is_a_403_problem(self, db, rf):
        from django.conf import settings
        from django.utils.module_loading import import_string

        csrf_failure = import_string(settings.CSRF_FAILURE_VIEW)
        response = csrf_failure(rf.post("/api/v1/communities"), reason="No token")
        assert_problem(response, 403, "csrf_failed")

    def test_a_csrf_failure_on_a_web_page_stays_a_page(self, db, rf):
        from django.conf import settings
        from django.utils.module_loading import import_string

        csrf_failure = import_string(settings.CSRF_FAILURE_VIEW)
        response = csrf_failure(rf.post("/login/"), reason="No token")
        assert response.status_code == 403
        assert response["Content-Type"].startswith("text/html")

    def test_a_request_for_an_unknown_host_is_a_400_problem(self, db, client):
        response = client.get("/api/v1/processes", HTTP_HOST="evil.example")
        assert_problem(response, 400, "bad_request")


class TestOpenApiDocument:
    def test_is_served_with_every_resource(self, db, client):
        response = client.get("/api/v1/openapi.json")
        assert response.status_code == 200
        paths = response.json()["paths"]
        for path in [
            "/api/v1/auth/signup",
            "/api/v1/auth/token",
            "/api/v1/members/me",
            "/api/v1/members/{username}",
            "/api/v1/communities",
            "/api/v1/communities/{slug}/join",
            "/api/v1/listings",
            "/api/v1/listings/{listing_id}",
            "/api/v1/uploads",
        ]:
            assert path in paths, path

    def test_declares_problem_responses(self, db, client):
        paths = client.get("/api/v1/openapi.json").json()["paths"]
        create = paths["/api/v1/listings"]["post"]["responses"]
        assert {"201", "401", "403", "404", "422"} <= set(create)

    def test_states_the_rules_the_server_enforces(self, db, client):
        document = client.get("/api/v1/openapi.json").json()
        paths, schemas = document["paths"], document["components"]["schemas"]
        search = {
            p["name"]: p["schema"]
            for p in paths["/api/v1/listings"]["get"]["parameters"]
        }
        assert search["sort"]["enum"] == [
            "",
            "relevance",
            "newest",
            "price_asc",
            "price_desc",
            "rating",
        ]
        assert search["cursor"]["format"] == "cursor"
        assert search["q"]["pattern"] == "^[^\\x00]*$"
        assert schemas["SignupIn"]["properties"]["username"]["pattern"].startswith(
            "^[a-z0-9]"
        )
        assert schemas["CommunityIn"]["properties"]["slug"]["pattern"].startswith(
            "^[a-z0-9]"
        )
        assert schemas["RoleIn"]["properties"]["role"]["enum"] == [
            "host",
            "moderator",
            "member",
        ]
        assert schemas["CategoryIn"]["properties"]["name"]["maxLength"] == 80

    def test_the_docs_page_is_served_locally(self, db, client):
        response = client.get("/api/v1/docs")
        assert response.status_code == 200
        html = response.content.decode()
        assert "cdn.jsdelivr.net" not in html
        assert "unpkg.com" not in html


class TestHealthz:
    def test_answers_ok_when_the_database_answers(self, db, client):
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}


NUL = "fox\x00portrait"


class TestNulCharacters:
    """PostgreSQL cannot hold NUL in text: the API refuses it, on either engine."""

    @pytest.mark.parametrize(
        "params",
        [
            {"q": NUL},
            {"community": NUL},
            {"category": NUL},
            {"city": NUL},
            {"country": "\x00"},
            {"owner": NUL},
            {"mode": NUL},
            {"sort": NUL},
            {"currency": "\x00"},
            {"show_in": "\x00"},
            {"cursor": NUL},
        ],
    )
    def test_a_search_filter_with_nul_is_422(self, community, anonymous_api, params):
        assert_problem(anonymous_api.get("/listings", params), 422, "invalid_input")

    @pytest.mark.parametrize(
        ("method", "path", "body"),
        [
            ("post", "/listings", {"description": NUL}),
            ("post", "/listings", {"modes": [{"mode": "swap", "wants": NUL}]}),
            ("post", "/listings", {"custom": {NUL: "x"}}),
            ("post", "/auth/token", {"username": NUL, "password": NUL}),
            ("patch", "/members/me", {"bio": NUL}),
            ("post", "/communities", {"name": "Good", "slug": "good", "tagline": NUL}),
            ("post", "/communities/guild/invitations", {"username": NUL}),
            ("patch", "/communities/guild", {"description": NUL}),
        ],
    )
    def test_a_body_with_nul_is_422_and_stores_nothing(
        self, community, host, api_as, client, method, path, body
    ):
        if path == "/listings":
            body = {
                "community": "guild",
                "title": "Fox",
                "modes": [{"mode": "gift"}],
                **body,
            }
        response = getattr(api_as(host), method)(path, body)
        assert_problem(response, 422, "invalid_input")
        # Seen through the API: the core may not import the apps above it.
        assert client.get("/api/v1/listings").json()["items"] == []
        communities = client.get("/api/v1/communities").json()["items"]
        assert [(c["slug"], c["description"]) for c in communities] == [("guild", "")]
        assert (
            api_as(host)
            .get("/communities/guild/members", {"status": "invited"})
            .json()["items"]
            == []
        )

    @pytest.mark.parametrize(
        ("path", "code"),
        [
            (f"/members/{NUL}", "member_not_found"),
            (f"/communities/{NUL}", "community_not_found"),
            (f"/communities/{NUL}/members", "community_not_found"),
            (f"/listings/{NUL}", "listing_not_found"),
        ],
    )
    def test_a_path_with_nul_is_404(self, db, anonymous_api, path, code):
        assert_problem(anonymous_api.get(path), 404, code)

    def test_an_idempotency_key_with_nul_is_400(self, host, api_as):
        response = api_as(host).post(
            "/communities",
            {"name": "Good", "slug": "good"},
            headers={"Idempotency-Key": "key\x00"},
        )
        assert_problem(response, 400, "invalid_idempotency_key")


class TestExtraMembers:
    def test_an_errors_own_status_member_never_replaces_the_responses(self):
        import json

        from selfwork.core.errors import Conflict
        from selfwork.core.problems import problem_for

        response = problem_for(Conflict("The deposit is pending.", status="pending"))
        body = json.loads(response.content)
        assert response.status_code == body["status"] == 409
        assert body["detail"] == "The deposit is pending."
