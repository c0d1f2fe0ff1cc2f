"""One authenticate path with one set of limits: web, API, admin and password reset.

The limits count attempts per account from one origin, per address and per
account, before the password is checked; a device or address that logged in to an
account before is spared the per-address and per-account limits.
"""

import pytest
from django.core import mail

from selfwork.accounts import services
from selfwork.accounts.devices import COOKIE
from selfwork.accounts.errors import LoginRateLimited
from selfwork.accounts.models import ApiToken
from selfwork.core.errors import NotAuthenticated
from selfwork.core.testing import race

PASSWORD = "a long enough passphrase"
ATTACKER = "203.0.113.66"
HOME = "198.51.100.20"


def api_login(client, username, password, address=ATTACKER, **headers):
    return client.post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
        REMOTE_ADDR=address,
        **headers,
    )


def web_login(client, username, password, address=ATTACKER):
    return client.post(
        "/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def admin_login(client, username, password, address=ATTACKER):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


@pytest.fixture
def operator(make_member):
    member = make_member("operator")
    member.is_staff = member.is_superuser = True
    member.save()
    return member


class TestAdminLogin:
    def test_is_limited_like_every_other_way_in(self, operator, client):
        statuses = [
            admin_login(client, "operator", "wrong guess").status_code
            for _ in range(30)
        ]
        assert statuses[:5] == [200] * 5
        assert set(statuses[5:]) == {429}
        refused = admin_login(client, "operator", PASSWORD)
        assert refused.status_code == 429
        assert int(refused["Retry-After"]) > 0
        assert b"Too many failed log-ins" in refused.content
        assert "_auth_user_id" not in client.session

    def test_honours_a_lockout_the_api_started(self, operator, client):
        for _ in range(5):
            assert api_login(client, "operator", "wrong guess").status_code == 401
        refused = admin_login(client, "operator", PASSWORD)
        assert refused.status_code == 429
        assert "_auth_user_id" not in client.session

    def test_lets_the_operator_in_with_the_right_password(self, operator, client):
        response = admin_login(client, "operator", PASSWORD)
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(operator.pk)
        assert COOKIE in response.cookies


class TestWebLogin:
    def test_a_refusal_answers_429_with_a_message_and_retry_after(self, buyer, client):
        for _ in range(5):
            assert web_login(client, "bruno", "wrong guess").status_code == 401
        refused = web_login(client, "bruno", PASSWORD)
        assert refused.status_code == 429
        assert 0 < int(refused["Retry-After"]) <= 900
        assert b"Too many failed log-ins" in refused.content
        assert "_auth_user_id" not in client.session


class TestConcurrentGuesses:
    @pytest.mark.real_hashing
    @pytest.mark.django_db(transaction=True)
    def test_thirty_racing_wrong_passwords_get_at_most_five_checks(
        self, make_member, now
    ):
        make_member("olga")

        def guess(i):
            try:
                services.member_authenticate(
                    username="olga", password=f"guess {i}", address=ATTACKER, now=now
                )
            except NotAuthenticated:
                return "checked"
            except LoginRateLimited:
                return "refused"

        outcomes = race(30, guess)
        assert outcomes.count("checked") == 5, outcomes
        assert outcomes.count("refused") == 25, outcomes


class TestNoLockoutForTheMember:
    def test_five_wrong_passwords_from_an_attacker_do_not_lock_the_member_out(
        self, buyer, client
    ):
        for _ in range(6):
            api_login(client, "bruno", "wrong guess")
        assert api_login(client, "bruno", "wrong guess").status_code == 429
        assert api_login(client, "bruno", PASSWORD, address=HOME).status_code == 200

    def test_a_known_address_still_logs_in_when_the_account_is_hammered(
        self, buyer, client, now
    ):
        services.member_authenticate(
            username="bruno", password=PASSWORD, address=HOME, now=now
        )
        # Attackers on four addresses use up the account-wide allowance (20).
        for n in range(4):
            for _ in range(5):
                api_login(client, "bruno", "wrong guess", address=f"203.0.113.{n}")
        stranger = api_login(client, "bruno", PASSWORD, address="192.0.2.99")
        assert stranger.status_code == 429
        assert stranger.json()["code"] == "login_rate_limited"
        assert api_login(client, "bruno", PASSWORD, address=HOME).status_code == 200

    def test_a_known_device_still_logs_in_from_a_new_address(self, buyer, client):
        assert web_login(client, "bruno", PASSWORD, address=HOME).status_code == 302
        client.post("/logout/")
        for n in range(4):
            for _ in range(5):
                api_login(client, "bruno", "wrong guess", address=f"203.0.113.{n}")
        # Same browser (its device cookie), an address the account never used.
        assert (
            web_login(client, "bruno", PASSWORD, address="192.0.2.50").status_code
            == 302
        )


class TestAddressBehindAProxy:
    def test_failures_of_one_visitor_do_not_lock_out_the_others(
        self, buyer, client, settings
    ):
        settings.SELFWORK_TRUSTED_PROXIES = ["127.0.0.1"]
        for i in range(25):
            api_login(
                client,
                f"victim{i}",
                "wrong guess",
                address="127.0.0.1",
                HTTP_X_FORWARDED_FOR=ATTACKER,
            )
        attacker = api_login(
            client,
            "bruno",
            PASSWORD,
            address="127.0.0.1",
            HTTP_X_FORWARDED_FOR=ATTACKER,
        )
        assert attacker.status_code == 429
        neighbour = api_login(
            client, "bruno", PASSWORD, address="127.0.0.1", HTTP_X_FORWARDED_FOR=HOME
        )
        assert neighbour.status_code == 200

    def test_a_forged_header_from_an_untrusted_peer_changes_nothing(
        self, buyer, client, settings
    ):
        settings.SELFWORK_TRUSTED_PROXIES = []
        for i in range(20):
            api_login(
                client, f"victim{i}", "wrong guess", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}"
            )
        again = api_login(client, "bruno", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.200")
        assert again.status_code == 429


class TestPasswordReset:
    def test_sends_at_most_five_emails_an_hour_to_one_address(self, buyer, client):
        statuses = [
            client.post(
                "/password-reset/", {"email": "bruno@example.com"}, REMOTE_ADDR=ATTACKER
            ).status_code
            for _ in range(20)
        ]
        assert statuses[:5] == [302] * 5
        assert set(statuses[5:]) == {429}
        assert len(mail.outbox) == 5

    def test_a_refusal_says_why_and_when_to_retry(self, buyer, client):
        for _ in range(5):
            client.post("/password-reset/", {"email": "bruno@example.com"})
        refused = client.post("/password-reset/", {"email": "bruno@example.com"})
        assert refused.status_code == 429
        assert int(refused["Retry-After"]) > 0
        assert b"Too many password-reset e-mails" in refused.content


class TestTokens:
    def test_one_account_gets_at_most_twenty_tokens_an_hour(self, buyer, client):
        statuses = [
            api_login(client, "bruno", PASSWORD, address=HOME).status_code
            for _ in range(25)
        ]
        assert statuses[:20] == [200] * 20
        assert set(statuses[20:]) == {429}
        assert ApiToken.objects.filter(member=buyer).count() == 20
        refused = api_login(client, "bruno", PASSWORD, address=HOME)
        assert refused["Content-Type"] == "application/problem+json"
        assert refused.json()["code"] == "rate_limited"
        assert int(refused["Retry-After"]) > 0

    def test_the_web_page_refuses_with_429_and_a_message(
        self, buyer, browse_as, settings
    ):
        settings.SELFWORK_THROTTLES = {**settings.SELFWORK_THROTTLES, "token": "2/hour"}
        browser = browse_as(buyer)
        for _ in range(2):
            assert browser.post("/settings/tokens/", {"name": "t"}).status_code == 302
        refused = browser.post("/settings/tokens/", {"name": "one more"})
        assert refused.status_code == 429
        assert b"Too many new API tokens" in refused.content
