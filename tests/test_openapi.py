"""Property-based API test: whatever a client sends, the API answers as its OpenAPI says.

Schemathesis reads /api/v1/openapi.json and, for every operation, generates
requests that fit the schema and requests that break it, sent with a real bearer
token through the WSGI application into a real database. No answer may be a 5xx,
and every answer must have a documented status, content type and shape.
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import positive_data_acceptance

# `make test` runs a bounded number of examples per operation; `make fuzz` sets
# SELFWORK_FUZZ=1 for many more, and the stateful phase, with every check.
FUZZ = os.environ.get("SELFWORK_FUZZ") == "1"
MAX_EXAMPLES = int(os.environ.get("SELFWORK_FUZZ_EXAMPLES", "200" if FUZZ else "10"))
# Every check schemathesis has, in `make fuzz`. `make test` leaves out only
# positive_data_acceptance: some schema-valid requests are still refused for rules
# the document states only in prose (see docs/decisions/0011).
EXCLUDED_CHECKS = [] if FUZZ else [positive_data_acceptance]

# A cursor is opaque (format: cursor); a fuzzer cannot know one the server gave
# out, so it pages from the start. The paging tests follow real cursors.
schemathesis.openapi.format("cursor", st.just(""))


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
    schema.config.phases.update(phases=["examples", "coverage", "fuzzing"])
    return schema


schema = _load_schema()
HYPOTHESIS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=not FUZZ,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


# Transactional: schemathesis calls the WSGI application directly, which closes
# the connection after each request as a server would.
@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@HYPOTHESIS
def test_no_request_breaks_the_api(case, token):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"}, excluded_checks=EXCLUDED_CHECKS
    )


@pytest.mark.skipif(not FUZZ, reason="the stateful phase runs in `make fuzz`")
@pytest.mark.django_db(transaction=True)
def test_no_sequence_of_requests_breaks_the_api(token):
    class Machine(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case):
            return {"headers": {"Authorization": f"Bearer {token}"}}

    Machine.run(
        settings=settings(
            max_examples=MAX_EXAMPLES // 4 or 1,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            stateful_step_count=6,
        ),
    )
