"""Which requests may read from the replica: the rules of selfwork.core.replicas.

The real replica, PgBouncer and the read-your-writes cookie on live servers are
tested by ``make test-scale`` (tests/scale/); these check the decision alone.
"""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from selfwork.core import replicas
from selfwork.core.models import FxRate
from selfwork.core.replicas import request_reads_replica

factory = RequestFactory()


def _wrote_cookie() -> str:
    response = HttpResponse()
    response.set_signed_cookie(replicas.WROTE_COOKIE, "1", salt=replicas._WROTE_SALT)
    return response.cookies[replicas.WROTE_COOKIE].value


@pytest.mark.parametrize(
    "path",
    ["/", "/search/?q=fox", "/api/v1/listings?q=fox", "/m/priya/", "/c/guild/"],
)
def test_given_a_public_read_when_anonymous_then_it_may_use_the_replica(path):
    assert request_reads_replica(factory.get(path)) is True


@pytest.mark.parametrize("path", ["/dashboard/", "/api/v1/members/me", "/healthz"])
def test_given_a_members_own_page_then_it_reads_the_primary(path):
    assert request_reads_replica(factory.get(path)) is False


def test_given_an_unsafe_request_then_it_reads_the_primary():
    assert request_reads_replica(factory.post("/search/")) is False


def test_given_a_bearer_token_then_the_api_reads_the_primary():
    request = factory.get("/api/v1/listings", HTTP_AUTHORIZATION="Bearer abc")
    assert request_reads_replica(request) is False


def test_given_a_fresh_write_cookie_then_the_member_reads_the_primary():
    request = factory.get("/search/?q=fox")
    request.COOKIES[replicas.WROTE_COOKIE] = _wrote_cookie()
    assert request_reads_replica(request) is False


def test_given_an_expired_or_forged_write_cookie_then_the_replica_serves(settings):
    request = factory.get("/search/?q=fox")
    request.COOKIES[replicas.WROTE_COOKIE] = "1:forged"
    assert request_reads_replica(request) is True
    settings.SELFWORK_READ_YOUR_WRITES_SECONDS = -1
    request.COOKIES[replicas.WROTE_COOKIE] = _wrote_cookie()
    assert request_reads_replica(request) is True


def test_given_no_replica_configured_then_every_read_goes_to_the_primary():
    token = replicas._replica_reads.set(True)
    try:
        assert replicas.reads_from(FxRate) == "default"
    finally:
        replicas._replica_reads.reset(token)
