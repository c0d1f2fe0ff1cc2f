"""The rate counters: atomic on both engines, windows, and who a request comes from."""

import datetime as dt

import pytest
from django.test import RequestFactory

from selfwork.core.models import RateCounter
from selfwork.core.testing import race
from selfwork.core.throttle import (
    Rate,
    address_bucket,
    client_address,
    rate_counters_purge,
    rate_hit,
    rate_parse,
)


def request_from(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/login/", **extra)


class TestRateParse:
    @pytest.mark.parametrize(
        ("text", "rate"),
        [
            ("10/hour", Rate(10, 3600)),
            ("5/minutes", Rate(5, 60)),
            ("1/day", Rate(1, 86400)),
        ],
    )
    def test_reads_a_count_per_period(self, text, rate):
        assert rate_parse(text) == rate

    @pytest.mark.parametrize("text", ["10", "ten/hour", "10/fortnight", "-1/hour"])
    def test_refuses_anything_else(self, text):
        with pytest.raises(ValueError):
            rate_parse(text)


class TestRateHit:
    def test_allows_the_limit_then_refuses_until_the_window_ends(self, db, now):
        hits = [rate_hit(bucket="b", limit=2, seconds=60, now=now) for _ in range(3)]
        assert [v.allowed for v in hits] == [True, True, False]
        assert hits[-1].retry_after == 60
        later = rate_hit(
            bucket="b", limit=2, seconds=60, now=now + dt.timedelta(seconds=45)
        )
        assert not later.allowed
        assert later.retry_after == 15
        fresh = rate_hit(
            bucket="b", limit=2, seconds=60, now=now + dt.timedelta(seconds=60)
        )
        assert fresh.allowed
        assert fresh.hits == 1

    @pytest.mark.django_db(transaction=True)
    def test_of_thirty_concurrent_hits_exactly_the_limit_are_allowed(self, now):
        verdicts = race(
            30, lambda i: rate_hit(bucket="race", limit=5, seconds=900, now=now).allowed
        )
        assert verdicts.count(True) == 5, verdicts
        assert verdicts.count(False) == 25, verdicts
        assert RateCounter.objects.get(bucket="race").hits == 30

    def test_purge_deletes_only_counters_whose_window_is_over(self, db, now):
        rate_hit(bucket="old", limit=1, seconds=60, now=now - dt.timedelta(minutes=2))
        rate_hit(bucket="current", limit=1, seconds=60, now=now)
        assert rate_counters_purge(now=now) == 1
        assert list(RateCounter.objects.values_list("bucket", flat=True)) == ["current"]


class TestClientAddress:
    def test_without_trusted_proxies_a_forwarded_header_is_ignored(self, settings):
        settings.SELFWORK_TRUSTED_PROXIES = []
        request = request_from("198.51.100.9", forwarded="203.0.113.5")
        assert client_address(request) == "198.51.100.9"

    def test_behind_a_trusted_proxy_the_client_is_the_last_hop_it_saw(self, settings):
        settings.SELFWORK_TRUSTED_PROXIES = ["10.0.0.0/8"]
        request = request_from("10.0.0.2", forwarded="203.0.113.5")
        assert client_address(request) == "203.0.113.5"

    def test_a_client_cannot_choose_its_address_by_sending_the_header(self, settings):
        settings.SELFWORK_TRUSTED_PROXIES = ["10.0.0.2"]
        request = request_from("10.0.0.2", forwarded="1.2.3.4, 203.0.113.5")
        assert client_address(request) == "203.0.113.5"

    def test_reads_through_a_chain_of_trusted_proxies(self, settings):
        settings.SELFWORK_TRUSTED_PROXIES = ["10.0.0.2", "10.0.0.3"]
        request = request_from("10.0.0.2", forwarded="203.0.113.5, 10.0.0.3")
        assert client_address(request) == "203.0.113.5"

    def test_a_garbled_header_falls_back_to_the_proxy(self, settings):
        settings.SELFWORK_TRUSTED_PROXIES = ["10.0.0.2"]
        request = request_from("10.0.0.2", forwarded="not-an-address")
        assert client_address(request) == "10.0.0.2"

    def test_an_ipv6_client_is_counted_by_its_64_network(self):
        assert address_bucket("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"
        assert address_bucket("192.0.2.7") == "192.0.2.7"
        assert address_bucket("nonsense") is None
