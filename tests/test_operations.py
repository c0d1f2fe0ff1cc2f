"""Operating a site: request ids, /metrics for an allowed scraper, /readyz."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from selfwork.core.heartbeats import heartbeat_record
from selfwork.core.models import WorkerHeartbeat
from selfwork.exchanges.models import Exchange
from selfwork.ledger.models import Leg

pytestmark = pytest.mark.django_db


@pytest.fixture
def commission(community, provider, buyer, member_of, now):
    """A Sketch commission by ``buyer`` in the guild, awaiting payment."""
    from selfwork.catalog.services import listing_create
    from selfwork.exchanges.services import exchange_order

    member_of(community, provider)
    member_of(community, buyer)
    listing = listing_create(
        owner=provider,
        community=community,
        title="Book cover illustration",
        modes=[
            {
                "mode": "service",
                "packages": [
                    {
                        "name": "Sketch",
                        "price": {"amount": "40.00", "currency": "EUR"},
                        "delivery_days": 3,
                        "revisions": 1,
                    }
                ],
            }
        ],
        now=now,
    )
    package = str(listing.modes.get().packages.get().public_id)
    return exchange_order(
        listing=listing, customer=buyer, mode="service", package=package, now=now
    )


def scrape(client, **headers) -> dict:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    return {
        family.name: family
        for family in text_string_to_metric_families(response.content.decode())
    }


def value(families, name, sample_name=None, **labels) -> float:
    wanted = sample_name or name
    return sum(
        sample.value
        for sample in families[name].samples
        if sample.name == wanted
        and all(sample.labels.get(k) == v for k, v in labels.items())
    )


class TestRequestId:
    def test_a_plain_incoming_id_is_kept_and_answered(self, client):
        response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a.42")
        assert response["X-Request-ID"] == "lb-7f3a.42"

    @pytest.mark.parametrize("sent", ["", "a b", "x" * 200, "<script>", "é"])
    def test_anything_else_is_replaced_by_a_new_one(self, client, sent):
        response = client.get("/healthz", HTTP_X_REQUEST_ID=sent)
        assert response["X-Request-ID"] != sent
        assert len(response["X-Request-ID"]) == 32

    def test_a_problem_names_the_request(self, client):
        response = client.get("/api/v1/nowhere", HTTP_X_REQUEST_ID="req-1")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["request_id"] == "req-1"
        assert response["X-Request-ID"] == "req-1"


class TestMetrics:
    def test_counts_requests_by_route_and_reads_the_database(
        self, client, commission, buyer, api_as, now
    ):
        api = api_as(buyer)
        response = api.post(
            f"/exchanges/{commission.public_id}/transitions",
            {"name": "pay", "card": "4242 4242 4242 4242"},
        )
        assert response.status_code == 200, response.content
        before = scrape(client)
        route = "api/v1/exchanges/<exchange_id>"
        read = value(
            before,
            "selfwork_http_requests",
            "selfwork_http_requests_total",
            route=route,
            status="200",
        )
        assert api.get(f"/exchanges/{commission.public_id}").status_code == 200
        api.get("/exchanges/00000000-0000-0000-0000-000000000000")
        families = scrape(client)

        # Requests by URL pattern, never by raw path; a histogram of latency.
        assert (
            value(
                families,
                "selfwork_http_requests",
                "selfwork_http_requests_total",
                route=route,
                status="200",
                method="GET",
            )
            == read + 1
        )
        assert (
            value(
                families,
                "selfwork_http_requests",
                "selfwork_http_requests_total",
                route=route,
                status="404",
            )
            >= 1
        )
        routes = {s.labels["route"] for s in families["selfwork_http_requests"].samples}
        assert not any(str(commission.public_id) in r for r in routes)
        assert (
            value(
                families,
                "selfwork_http_request_duration_seconds",
                "selfwork_http_request_duration_seconds_count",
                route=route,
            )
            >= 2
        )

        # What the database says: the paid commission, the money it moved.
        state = Exchange.objects.get(pk=commission.pk).state
        assert (
            value(families, "selfwork_exchanges", process="commission", state=state)
            == 1
        )
        credits = sum(
            leg.amount_minor
            for leg in Leg.objects.filter(unit="EUR", amount_minor__gt=0)
        )
        assert credits > 0
        assert (
            value(
                families,
                "selfwork_ledger_moved_minor",
                "selfwork_ledger_moved_minor_total",
                currency="EUR",
            )
            == credits
        )
        for queue in ("events", "outbox", "emails", "webhooks"):
            assert any(
                s.labels["queue"] == queue
                for s in families["selfwork_outbox_backlog"].samples
            )
        assert value(families, "selfwork_outbox_backlog", queue="emails") >= 1
        assert "selfwork_timers_due" in families
        assert value(families, "selfwork_email_failures", state="failed") == 0
        assert value(families, "selfwork_webhook_failures", state="failed") == 0

    def test_worker_heartbeats_are_shown_by_age(self, client):
        at = timezone.now() - dt.timedelta(seconds=30)
        heartbeat_record(name="box:41", started_at=at, now=at)
        families = scrape(client)
        age = value(families, "selfwork_worker_heartbeat_age_seconds", worker="box:41")
        assert 30 <= age < 60

    def test_a_stranger_is_refused(self, client):
        response = client.get("/metrics", REMOTE_ADDR="203.0.113.9")
        assert response.status_code == 403
        assert b"selfwork_" not in response.content

    def test_a_loopback_proxy_forwarding_a_stranger_is_refused(self, client):
        response = client.get(
            "/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9"
        )
        assert response.status_code == 403

    def test_the_token_lets_a_scraper_in_from_anywhere(self, client, settings):
        settings.SELFWORK_METRICS_TOKEN = "metrics-secret-1"
        stranger = {"REMOTE_ADDR": "203.0.113.9"}
        ok = client.get(
            "/metrics", HTTP_AUTHORIZATION="Bearer metrics-secret-1", **stranger
        )
        assert ok.status_code == 200
        wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer nope", **stranger)
        assert wrong.status_code == 403

    def test_an_allowed_network_lets_a_scraper_in(self, client, settings):
        settings.SELFWORK_METRICS_ALLOW = ["10.0.0.0/8", "not an address"]
        assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
        assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403

    def test_counts_of_several_processes_add_up(self, client, tmp_path, monkeypatch):
        """gunicorn's workers are processes: each counts in the shared directory."""
        # One process set up, then forked as gunicorn forks its workers: two
        # process ids, two files of counts.
        script = (
            "import os, django; django.setup()\n"
            "from selfwork.core.observability import REQUESTS\n"
            "pid = os.fork()\n"
            "REQUESTS.labels('shared/<int:n>', 'GET', '200').inc()\n"
            "if pid: os.waitpid(pid, 0)\n"
        )
        env = {
            **os.environ,
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "selfwork.config.settings",
        }
        subprocess.run([sys.executable, "-c", script], env=env, check=True, timeout=60)
        assert len(list(Path(tmp_path).glob("counter_*.db"))) == 2
        monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
        families = scrape(client)
        assert (
            value(
                families,
                "selfwork_http_requests",
                "selfwork_http_requests_total",
                route="shared/<int:n>",
            )
            == 2
        )
        assert "selfwork_exchanges" in families


class TestReadiness:
    def test_ready_with_a_recent_heartbeat(self, client):
        heartbeat_record(name="w:1", started_at=timezone.now(), now=timezone.now())
        response = client.get("/readyz")
        assert response.status_code == 200
        assert response.json() == {
            "status": "ready",
            "checks": {"database": "ok", "migrations": "ok", "worker": "ok"},
        }

    def test_no_worker_is_not_ready_and_says_so(self, client):
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["checks"]["worker"] == "no heartbeat"

    def test_a_stale_heartbeat_is_not_ready(self, client):
        at = timezone.now() - dt.timedelta(seconds=90)
        heartbeat_record(name="w:1", started_at=at, now=at)
        body = client.get("/readyz").json()
        assert body["status"] == "unavailable"
        assert body["checks"]["worker"].startswith("last heartbeat 9")

    def test_a_site_without_a_worker_may_skip_that_check(self, client, settings):
        settings.SELFWORK_READY_HEARTBEAT_SECONDS = 0
        response = client.get("/readyz")
        assert response.status_code == 200
        assert response.json()["checks"]["worker"] == "not checked"

    def test_the_worker_beats_its_heart_each_round(self, now):
        from io import StringIO

        from selfwork.exchanges.tasks import worker_loop

        assert worker_loop(once=True, now=now, stdout=StringIO()) == 0
        beat = WorkerHeartbeat.objects.get()
        assert beat.name.endswith(f":{os.getpid()}")
        assert timezone.now() - beat.beat_at < dt.timedelta(seconds=30)


@pytest.fixture
def log_lines():
    """Every record logged while the test runs, as the JSON lines production writes."""
    import io
    import json
    import logging

    from selfwork.core.logs import log_formatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(log_formatter("json"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)

    class Lines:
        @property
        def text(self) -> str:
            return stream.getvalue()

        def events(self, event: str) -> list[dict]:
            rows = [json.loads(line) for line in self.text.splitlines() if line]
            return [row for row in rows if row["event"] == event]

    try:
        yield Lines()
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


class TestLogs:
    def test_money_and_log_ins_are_logged_and_no_secret_is(
        self,
        client,
        api_as,
        anonymous_api,
        host,
        community,
        commission,
        buyer,
        log_lines,
        django_capture_on_commit_callbacks,
    ):
        password = "correct horse battery staple 93"
        wrong = "wrong horse battery staple 17"
        card = "4242 4242 4242 4242"
        with django_capture_on_commit_callbacks(execute=True):
            signup = anonymous_api.post(
                "/auth/signup",
                {"username": "olga", "email": "olga@example.com", "password": password},
            )
            assert signup.status_code == 201, signup.content
            refused = anonymous_api.post(
                "/auth/token",
                {"username": "olga", "password": wrong},
                headers={"X-Request-ID": "login-try-1"},
            )
            assert refused.status_code == 401
            issued = anonymous_api.post(
                "/auth/token", {"username": "olga", "password": password}
            )
            assert issued.status_code in (200, 201), issued.content
            host_api = api_as(host)
            endpoint = host_api.post(
                "/webhooks",
                {
                    "url": "http://127.0.0.1:9/hooks",
                    "events": ["exchange.paid"],
                    "community": "guild",
                },
            )
            assert endpoint.status_code == 201, endpoint.content
            buyer_api = api_as(buyer)
            paid = buyer_api.post(
                f"/exchanges/{commission.public_id}/transitions",
                {"name": "pay", "card": card},
                headers={"X-Request-ID": "pay-1"},
            )
            assert paid.status_code == 200, paid.content

        secrets = [
            password,
            wrong,
            signup.json()["token"],
            issued.json()["token"],
            host_api.token,
            buyer_api.token,
            endpoint.json()["secret"],
            endpoint.json()["secret"].removeprefix("whsec_"),
            card,
            card.replace(" ", ""),
        ]
        for secret in secrets:
            assert secret not in log_lines.text

        # What is logged instead: the failed log-in by a digest of the name and
        # the address, money by amounts and public ids, each under its request.
        (failed,) = log_lines.events("log-in failed")
        assert failed["request_id"] == "login-try-1"
        assert failed["address"] == "127.0.0.1"
        assert failed["reason"] == "bad_credentials"
        assert "olga" not in str(failed)
        posted = log_lines.events("ledger transaction posted")
        assert posted and all(p["request_id"] == "pay-1" for p in posted)
        assert {"EUR": 4000} in [p["amounts_minor"] for p in posted]
        assert all(p["transaction"] and p["kind"] for p in posted)
        (moved,) = log_lines.events("exchange transitioned")
        assert moved == {
            **moved,
            "exchange": str(commission.public_id),
            "process_name": "commission",
            "from_state": "awaiting_payment",
            "request_id": "pay-1",
        }

    def test_a_refusal_for_too_many_requests_is_logged(
        self, anonymous_api, buyer, settings, log_lines
    ):
        settings.LOGIN_MAX_FAILURES = 1
        for _ in range(2):
            response = anonymous_api.post(
                "/auth/token", {"username": buyer.username, "password": "not it"}
            )
        assert response.status_code == 429
        (throttled,) = log_lines.events("request throttled")
        assert throttled["route"] == "api/v1/auth/token"
        assert throttled["address"] == "127.0.0.1"
        assert throttled["retry_after"]
        assert [f["reason"] for f in log_lines.events("log-in failed")] == [
            "bad_credentials",
            "rate_limited",
        ]

    def test_plain_text_is_the_default(self):
        import logging

        from selfwork.core.logs import (
            log_context_bind,
            log_context_clear,
            log_formatter,
        )

        record = logging.LogRecord(
            "selfwork.ledger", logging.INFO, __file__, 1, "payout paid", None, None
        )
        record.currency = "EUR"
        log_context_bind(job="emails")
        try:
            line = log_formatter().format(record)
        finally:
            log_context_clear()
        assert "payout paid" in line and "currency=EUR" in line and "job=emails" in line
        assert not line.startswith("{")
