"""Property-based API test: whatever a client sends, the API answers as its OpenAPI says.

Schemathesis reads /api/v1/openapi.json and, for every operation, generates
requests that fit the schema and requests that break it, sent with a real bearer
token through the WSGI application into a real database. No answer may be a 5xx,
and every answer must have a documented status, content type and shape.
"""

import io
import os
import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import positive_data_acceptance

# `make test` runs a bounded number of examples per operation; `make fuzz` sets
# SELFWORK_FUZZ=1 for many more, and the stateful phase, with every check.
pytestmark = pytest.mark.slow

FUZZ = os.environ.get("SELFWORK_FUZZ") == "1"
MAX_EXAMPLES = int(os.environ.get("SELFWORK_FUZZ_EXAMPLES", "200" if FUZZ else "10"))
# Codes a schema-valid request may still meet, by operation, because no JSON
# Schema can state the rule behind them (docs/decisions/0011, "Limits"): an
# upload id must name one of the caller's uploads; an uploaded file must be an
# image (or a deliverable) by its content. positive_data_acceptance lets these
# codes pass on these operations, and no other refusal of a schema-valid request.
IRREDUCIBLE = {
    # Parameters that go together (OpenAPI cannot say "this one needs that one"):
    # available_from with available_to, in order and at most a year apart; a
    # price range with the currency whose decimals its amounts follow.
    "GET /api/v1/listings": {
        "period_incomplete",
        "period_invalid",
        "range_too_long",
        "currency_required",
        "too_precise",
    },
    # A password must not be too common, too like the username or all digits
    # (Django's password validators); no schema can list the common ones.
    "POST /api/v1/auth/signup": {"weak_password"},
    # A username must name an active member other than the caller; a block must
    # exist to be lifted, and not exist to be made; a listing must be one the
    # caller may see, offered by one of the two.
    "POST /api/v1/blocks": {"unknown_member", "cannot_message_self", "already_blocked"},
    "DELETE /api/v1/blocks/{username}": {"unknown_member", "not_blocked"},
    "POST /api/v1/conversations": {
        "unknown_member",
        "cannot_message_self",
        "unknown_listing",
        "listing_not_theirs",
        "unknown_upload",
    },
    "POST /api/v1/conversations/{conversation_id}/messages": {"unknown_upload"},
    "POST /api/v1/communities/{slug}/posts": {"unknown_upload"},
    # A minimum fee has at most as many decimals as the community's currency
    # (one request body for every currency, so generated clients have one class).
    "POST /api/v1/communities": {"too_precise"},
    # A logo or cover must be one of the caller's uploads; an accent colour must
    # read at 4.5:1 on the page and under white text, which no pattern can say.
    "PATCH /api/v1/communities/{slug}": {
        "unknown_upload",
        "low_contrast",
        "too_precise",
    },
    "PATCH /api/v1/members/me": {"unknown_upload"},
    "POST /api/v1/members/me/portfolio": {"unknown_upload"},
    "POST /api/v1/uploads": {"empty_file", "not_an_image", "unsupported_file"},
    # A webhook URL must resolve, and to a public address (docs/webhooks.md).
    "POST /api/v1/webhooks": {"webhook_url_invalid", "webhook_url_private"},
    "PATCH /api/v1/webhooks/{endpoint_id}": {
        "webhook_url_invalid",
        "webhook_url_private",
    },
}
# A POST's Idempotency-Key is any unique string; the fuzzer sends fresh UUIDs, but
# may send one again with another body (refused, as documented) or while the first
# request is in flight.
KEY_REFUSALS = {"idempotency_key_reused", "idempotency_request_in_flight"}
schemathesis.openapi.format("idempotency-key", st.uuids().map(str))
# Every check schemathesis has, in `make fuzz` and in `make test`, except that
# `make test` leaves out positive_data_acceptance for the operations below: their
# documents still state some rules only in prose (docs/decisions/0011, "Limits").
IMPRECISE: set[str] = set()


def imprecise(label: str) -> bool:
    return label in IMPRECISE


def _problem_code(response) -> str | None:
    try:
        return response.json().get("code")
    except ValueError:
        return None


# Not registered (schemathesis.check would run it everywhere): passed per case.
def accepts_what_it_documents(ctx, response, case):
    """positive_data_acceptance, but for the operation's ``IRREDUCIBLE`` codes."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        code = _problem_code(response)
        if code in IRREDUCIBLE.get(case.operation.label, ()):
            return None
        if case.method.upper() == "POST" and code in KEY_REFUSALS:
            return None
        raise


def checks_for(case) -> dict:
    if not FUZZ and imprecise(case.operation.label):
        return {"excluded_checks": [positive_data_acceptance]}
    return {
        "excluded_checks": [positive_data_acceptance],
        "additional_checks": [accepts_what_it_documents],
    }


# A cursor is opaque (format: cursor); a fuzzer cannot know one the server gave
# out, so it pages from the start. The paging tests follow real cursors.
schemathesis.openapi.format("cursor", st.just(""))


def _image(fmt: str) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 80, 40)).save(out, fmt)
    return out.getvalue()


# An upload id (format: upload) must name one of the caller's uploads; the fuzzer
# is given the image the token fixture uploaded. An uploaded file (format: binary)
# must be an image or a deliverable by its content, which no schema can describe:
# the fuzzer sends small real images, accepted as either kind.
UPLOAD_ID = uuid.UUID("00000000-0000-4000-8000-00000000f022")
schemathesis.openapi.format("upload", st.just(str(UPLOAD_ID)))
schemathesis.openapi.format(
    "binary", st.sampled_from([_image(f) for f in ("PNG", "JPEG", "GIF", "WEBP")])
)


@pytest.fixture
def token(settings, now):
    """A member who hosts a community with a listing, and their bearer token."""
    from selfwork.accounts.services import api_token_create, member_signup
    from selfwork.catalog.services import listing_create
    from selfwork.communities.services import community_create
    from selfwork.core.models import Upload
    from selfwork.core.uploads import upload_create

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
    image = upload_create(owner=member, data=_image("PNG"), now=now)
    Upload.objects.filter(pk=image.pk).update(public_id=UPLOAD_ID)
    return api_token_create(member=member, now=now)


def _load_schema():
    # Read at collection time (pytest-django has configured Django by then);
    # serving the document touches no database.
    from selfwork.config.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    # Unknown query parameters are ignored, not refused: the listing search takes
    # any ``field.<key>`` a community defines, which no static schema can list.
    schema.config.generation.update(allow_extra_parameters=False)
    # "stateful" lets schemathesis infer the links between operations (from
    # Location headers and the ids responses carry) that the sequences follow.
    # The coverage phase (every boundary of every field, hundreds of requests an
    # operation) runs in `make fuzz`; the suite's run draws a few of each.
    phases = (
        ["examples", "coverage", "fuzzing", "stateful"]
        if FUZZ
        else ["examples", "fuzzing"]
    )
    schema.config.phases.update(phases=phases)
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
        headers={"Authorization": f"Bearer {token}"},
        **checks_for(case),
    )


@pytest.mark.skipif(not FUZZ, reason="the stateful phase runs in `make fuzz`")
@pytest.mark.django_db(transaction=True)
def test_no_sequence_of_requests_breaks_the_api(token):
    # The member's token is the schema's own auth (a fresh schema, so the
    # one-request test above keeps passing its header per call). Marked as
    # explicit credentials, every 2xx an operation that needs a member gives
    # makes the ignored_auth check send it again without the token and with a
    # wrong one, and expect a 401. (As a configured header it was taken for a
    # generated one, and a 201 from it reported as "invalid auth accepted".)
    sequences = _load_schema()

    @sequences.auth()
    class MemberToken:
        def get(self, case, context):
            return token

        def set(self, case, data, context):
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    class Machine(sequences.as_state_machine()):  # type: ignore[misc]
        def validate_response(self, response, case, additional_checks=None, **kwargs):
            # The same checks as one request at a time (IRREDUCIBLE codes pass).
            case.validate_response(
                response,
                **checks_for(case),
                transport_kwargs=kwargs or None,
                recorder=self.recorder,
            )

    Machine.run(
        settings=settings(
            max_examples=MAX_EXAMPLES // 4 or 1,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            stateful_step_count=6,
        ),
    )


def test_every_schema_has_its_own_name():
    """Two request or response classes of one name would share one component, and
    the document would describe one of them wrongly (it did: a review's reply and
    a board reply were both ``ReplyIn``)."""
    from ninja import Schema

    from selfwork.core.api import QueryIn

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    named: dict[str, set[str]] = {}
    for cls in subclasses(Schema):
        if cls.__module__.startswith("selfwork.") and not issubclass(cls, QueryIn):
            named.setdefault(cls.__name__, set()).add(cls.__module__)
    assert {name: mods for name, mods in named.items() if len(mods) > 1} == {}


def test_operation_ids_are_short_and_unique(client):
    document = client.get("/api/v1/openapi.json").json()
    ids = [
        operation["operationId"]
        for operations in document["paths"].values()
        for operation in operations.values()
    ]
    assert len(ids) == len(set(ids)) > 100
    assert "listing_create" in ids
    assert all(i.isidentifier() and "selfwork" not in i for i in ids)


def test_every_post_declares_the_idempotency_key(client):
    document = client.get("/api/v1/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            headers = {
                p["name"]
                for p in operation.get("parameters", [])
                if p["in"] == "header"
            }
            assert ("Idempotency-Key" in headers) == (method == "post"), (method, path)
