"""SQLite lets one writer at a time: a write that waited out the lock is a 503."""

import pytest
from django.test import Client

from selfwork.accounts.services import api_token_create
from selfwork.core.tests.test_problems import assert_problem


@pytest.fixture
def database_locked(db):
    """Another writer holds SQLite's write lock; this connection waits 50 ms for it."""
    import sqlite3

    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL writers do not lock the whole database")

    def hold():
        connection.ensure_connection()
        connection.connection.execute("PRAGMA busy_timeout = 50")
        other = sqlite3.connect(connection.settings_dict["NAME"])
        other.execute("BEGIN IMMEDIATE")
        return other

    return hold


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("where", ["api", "web"])
def test_a_write_that_waits_out_a_held_lock_is_a_503_to_retry(
    provider, database_locked, where
):
    """A request that waited its whole busy timeout is told to retry in a moment,
    and nothing was written, whichever layer met the lock."""
    client = Client(raise_request_exception=False)
    if where == "api":
        token = api_token_create(member=provider, now=provider.date_joined)
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    else:
        client.force_login(provider)
        headers = {}
    other = database_locked()
    try:
        if where == "api":
            response = client.patch(
                "/api/v1/members/me",
                {"bio": "Changed"},
                content_type="application/json",
                **headers,
            )
        else:
            response = client.post("/logout/")  # ends the session: a write
    finally:
        other.rollback()
        other.close()
    assert response["Retry-After"] == "1"
    if where == "api":
        body = assert_problem(response, 503, "database_busy")
        assert "nothing was changed" in body["detail"]
    else:
        assert response.status_code == 503
        assert "Nothing you sent was changed" in response.content.decode()
    provider.refresh_from_db()
    assert provider.bio != "Changed"
