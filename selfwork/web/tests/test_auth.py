"""Sign up, log in (rate-limited), log out and reset a password through the web pages."""

import re

import pytest
from django.urls import reverse

from selfwork.accounts.models import Member

PASSWORD = "a long enough passphrase"


class TestSignup:
    def test_given_a_visitor_when_they_open_sign_up_then_the_form_has_its_fields(
        self, client, db
    ):
        response = client.get(reverse("accounts:signup"))
        html = response.content.decode()
        assert response.status_code == 200
        for name in ("username", "email", "password"):
            assert f'name="{name}"' in html
        assert ">Sign up</button>" in html

    @pytest.mark.real_hashing
    def test_given_good_details_when_signing_up_then_the_member_exists_and_is_logged_in(
        self, client, db
    ):
        response = client.post(
            reverse("accounts:signup"),
            {"username": "ada", "email": "ada@example.com", "password": PASSWORD},
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("web:dashboard")
        member = Member.objects.get(username="ada")
        assert member.password.startswith("argon2")
        assert client.session["_auth_user_id"] == str(member.pk)
        assert client.get(reverse("web:dashboard")).status_code == 200

    def test_given_a_bad_username_when_signing_up_then_the_error_shows_and_nothing_is_stored(
        self, client, db
    ):
        response = client.post(
            reverse("accounts:signup"),
            {
                "username": "Ada Lovelace",
                "email": "ada@example.com",
                "password": PASSWORD,
            },
        )
        assert response.status_code == 422
        assert "lower-case letters" in response.content.decode()
        assert 'aria-invalid="true"' in response.content.decode()
        assert not Member.objects.exists()

    def test_given_a_taken_username_when_signing_up_then_it_says_so_beside_the_username(
        self, client, make_member
    ):
        make_member("ada")
        response = client.post(
            reverse("accounts:signup"),
            {"username": "ada", "email": "other@example.com", "password": PASSWORD},
        )
        assert response.status_code == 409
        assert "id_username_error" in response.content.decode()
        assert "is taken" in response.content.decode()
        assert Member.objects.count() == 1

    def test_given_a_weak_password_when_signing_up_then_the_validator_message_shows(
        self, client, db
    ):
        response = client.post(
            reverse("accounts:signup"),
            {"username": "ada", "email": "ada@example.com", "password": "short"},
        )
        assert response.status_code == 422
        assert "too short" in response.content.decode()
        assert not Member.objects.exists()


class TestLogin:
    def test_given_the_right_password_when_logging_in_then_it_goes_to_the_dashboard(
        self, client, buyer
    ):
        response = client.post(
            reverse("accounts:login"), {"username": "bruno", "password": PASSWORD}
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("web:dashboard")
        assert client.session["_auth_user_id"] == str(buyer.pk)

    def test_given_a_safe_next_when_logging_in_then_it_returns_there(
        self, client, buyer
    ):
        response = client.post(
            reverse("accounts:login") + "?next=/communities/",
            {"username": "bruno", "password": PASSWORD},
        )
        assert response["Location"] == "/communities/"

    def test_given_a_foreign_next_when_logging_in_then_it_is_ignored(
        self, client, buyer
    ):
        response = client.post(
            reverse("accounts:login"),
            {
                "username": "bruno",
                "password": PASSWORD,
                "next": "https://evil.example/",
            },
        )
        assert response["Location"] == reverse("web:dashboard")

    def test_given_a_wrong_password_when_logging_in_then_it_says_so(
        self, client, buyer
    ):
        response = client.post(
            reverse("accounts:login"), {"username": "bruno", "password": "nope"}
        )
        assert response.status_code == 401
        assert "username or password is wrong" in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_given_five_failures_when_logging_in_with_the_right_password_then_it_is_refused(
        self, client, buyer
    ):
        for _ in range(5):
            client.post(
                reverse("accounts:login"), {"username": "bruno", "password": "wrong"}
            )
        response = client.post(
            reverse("accounts:login"), {"username": "bruno", "password": PASSWORD}
        )
        assert response.status_code == 429
        assert "Too many failed log-ins" in response.content.decode()
        assert "_auth_user_id" not in client.session


class TestLogout:
    def test_given_a_member_when_they_post_log_out_then_the_session_ends(
        self, login, buyer
    ):
        client = login(buyer)
        response = client.post(reverse("accounts:logout"))
        assert response.status_code == 302
        assert response["Location"] == reverse("web:home")
        assert "_auth_user_id" not in client.session

    def test_given_a_member_when_they_get_log_out_then_nothing_happens(
        self, login, buyer
    ):
        client = login(buyer)
        assert client.get(reverse("accounts:logout")).status_code == 405
        assert client.session["_auth_user_id"] == str(buyer.pk)


class TestPasswordReset:
    def test_given_a_member_when_they_reset_then_the_emailed_link_sets_a_new_password(
        self, client, buyer, smtp_server
    ):
        response = client.post(
            reverse("accounts:password_reset"), {"email": "bruno@example.com"}
        )
        assert response["Location"] == reverse("accounts:password_reset_done")
        assert len(smtp_server.messages) == 1
        message = smtp_server.messages[0]
        assert message["To"] == "bruno@example.com"
        body = message.get_body(preferencelist=("plain",)).get_content()
        link = re.search(r"https?://[^/]+(/password-reset/\S+/)", body)
        assert link is not None
        # The first visit trades the token for a session and redirects.
        form_page = client.get(link.group(1), follow=True)
        assert "Choose a new password" in form_page.content.decode()
        new = "another long passphrase"
        done = client.post(
            form_page.redirect_chain[-1][0],
            {"new_password1": new, "new_password2": new},
        )
        assert done["Location"] == reverse("accounts:password_reset_complete")
        buyer.refresh_from_db()
        assert buyer.check_password(new)

    def test_given_an_unknown_email_when_resetting_then_no_mail_is_sent(
        self, client, db, smtp_server
    ):
        response = client.post(
            reverse("accounts:password_reset"), {"email": "nobody@example.com"}
        )
        assert response.status_code == 302
        assert smtp_server.messages == []
