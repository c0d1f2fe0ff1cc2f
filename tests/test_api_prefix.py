"""The API where a proxy serves the site under a path (``SCRIPT_NAME``), not at /."""

import json

from selfwork.core.tests.test_problems import assert_problem


class TestMountedUnderAPrefix:
    def test_a_token_authenticates_under_the_prefix(self, buyer, now):
        from django.test import Client

        from selfwork.accounts.services import api_token_create

        token = api_token_create(member=buyer, now=now)
        response = Client().get(
            "/api/v1/members/me",
            SCRIPT_NAME="/market",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        assert response.status_code == 200, response.content
        assert json.loads(response.content)["username"] == buyer.username

    def test_an_unknown_token_under_the_prefix_is_refused(self, db):
        from django.test import Client

        response = Client().get(
            "/api/v1/members/me", SCRIPT_NAME="/market", HTTP_AUTHORIZATION="Bearer no"
        )
        assert_problem(response, 401, "invalid_token")

    def test_a_write_to_an_unknown_path_under_the_prefix_is_a_404_problem(self, db):
        from django.test import Client

        browser = Client(enforce_csrf_checks=True)
        response = browser.post(
            "/api/v1/no-such-thing", "{}", "application/json", SCRIPT_NAME="/market"
        )
        assert_problem(response, 404, "not_found")
