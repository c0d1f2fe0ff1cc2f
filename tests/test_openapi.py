"""Property-based API test: whatever a client sends, the API answers as its OpenAPI says.

Schemathesis reads /api/v1/openapi.json and, for every operation, generates
requests that fit the schema and requests that break it, sent with a real bearer
token through the WSGI application into a real database. No answer may be a 5xx,
and every answer must have a documented status, content type and shape.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture
def token(settings, now):
    """A member who hosts a community with a listing, and their bearer token."""
    from selfwork.accounts.services import api_token_create, member_signup
    from selfwork.catalog.services import listing_create
    from selfwork.communities.services import community_create

    # Argon2 is slow on purpose; a fuzzer signs up many members.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    member = member_signup(
        username="fuzz", email="fuzz@example.com", password="a long passphrase", now=now
    )
    community = community_create(creator=member, slug="guild", name="Guild", now=now)
    listing_create(
        owner=member,
        community=community,
        title="Fox portrait",
        modes=[{"mode": "gift"}],
        now=now,
    )
    return api_token_create(member=member, now=now)


def _load_schema():
    # Read at collection time (pytest-django has configured Django by then);
    # serving the document touches no database.
    from selfwork.config.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    # Unknown query parameters are ignored, not refused: the listing search takes
    # any ``field.<key>`` a community defines, which no static schema can list.
    schema.config.generation.update(allow_extra_parameters=False)
    return schema


schema = _load_schema()


# Transactional: schemathesis calls the WSGI application directly, which closes
# the connection after each request as a server would.
@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@settings(
    max_examples=15,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_request_breaks_the_api(case, token):
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
