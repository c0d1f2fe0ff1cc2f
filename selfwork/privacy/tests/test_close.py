"""Closing an account: refused while something is unfinished, then erased for good."""

import pytest
from django.test import Client

from selfwork.accounts.models import ApiToken, Member
from selfwork.accounts.services import member_authenticate
from selfwork.core.errors import NotAuthenticated
from selfwork.core.money import Money
from selfwork.ledger.models import Account, Transaction
from selfwork.payments import services as payments
from selfwork.payments.gateways import CARD_SUCCEEDS
from selfwork.privacy.services import member_close

PASSWORD = "a long enough passphrase"


def _problem(response, status, code):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == code
    return response.json()


class TestRefusals:
    def test_an_open_exchange_is_a_409_that_names_it(self, commission, api_as, buyer):
        body = _problem(
            api_as(buyer).post("/members/me/close", {"password": PASSWORD}),
            409,
            "open_exchanges",
        )
        assert body["exchanges"] == [str(commission.public_id)]
        assert Member.objects.get(pk=buyer.pk).is_active

    def test_money_in_the_wallet_is_a_409_saying_to_pay_it_out(
        self, community, api_as, buyer, provider, now
    ):
        charge = payments.escrow_charge(
            reference="exchange-1",
            amount=Money.parse("30.00", "EUR"),
            card=CARD_SUCCEEDS,
            customer=buyer,
            provider=provider,
            community=community,
            now=now,
        )
        body = _problem(
            api_as(buyer).post("/members/me/close", {"password": PASSWORD}),
            409,
            "money_held",
        )
        assert "you paid is in escrow" in body["detail"]
        payments.escrow_release(
            reference=charge.reference, provider=provider, community=community, now=now
        )
        body = _problem(
            api_as(provider).post("/members/me/close", {"password": PASSWORD}),
            409,
            "money_held",
        )
        assert "in your wallet: pay it out first" in body["detail"]
        assert Member.objects.filter(pk=provider.pk, closed_at__isnull=True).exists()

    def test_a_wrong_password_is_a_403_and_closes_nothing(self, api_as, buyer):
        _problem(
            api_as(buyer).post("/members/me/close", {"password": "not-it"}),
            403,
            "wrong_password",
        )
        _problem(api_as(buyer).post("/members/me/close", {}), 422, "invalid_input")
        assert Member.objects.get(pk=buyer.pk).closed_at is None

    def test_an_anonymous_caller_gets_401(self, anonymous_api):
        response = anonymous_api.post("/members/me/close", {"password": PASSWORD})
        assert response.status_code == 401


class TestClosing:
    def test_erases_the_member_keeps_their_reviews_and_the_books(
        self, reviewed, api_as, client, buyer, provider, audit
    ):
        api = api_as(buyer)
        assert api.post("/members/me/close", {"password": PASSWORD}).status_code == 204
        closed = Member.objects.get(pk=buyer.pk)
        assert closed.username.startswith("closed-")
        assert (closed.email, closed.display_name, closed.city) == ("", "", "")
        assert not closed.is_active and not closed.has_usable_password()
        assert not ApiToken.objects.filter(member=closed).exists()
        # The token it closed with is dead, and no log-in works any more.
        assert api.get("/members/me").status_code == 401
        with pytest.raises(NotAuthenticated):
            member_authenticate(
                username="bruno", password=PASSWORD, address=None, now=closed.closed_at
            )
        assert client.get("/m/bruno/").status_code == 404
        assert client.get(f"/m/{closed.username}/").status_code == 404
        # The review Bruno wrote stays on Priya's profile, by a former member.
        page = client.get("/m/priya/").content.decode()
        assert "Bruno says: a wonderful cover." in page
        assert "a former member" in page.lower()
        assert "bruno" not in page.lower().replace("bruno says", "")
        # The books are whole, and name no one.
        assert audit() == []
        assert not Transaction.objects.filter(memo__icontains="bruno").exists()
        assert not Account.objects.filter(name__icontains="bruno").exists()

    def test_ends_the_members_other_sessions(self, browse_as, buyer, now):
        elsewhere = browse_as(buyer)
        assert elsewhere.get("/settings/profile/").status_code == 200
        member_close(member=buyer, password=PASSWORD, now=now)
        response = elsewhere.get("/settings/profile/")
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")

    def test_closing_twice_changes_nothing(self, buyer, now):
        first = member_close(member=buyer, password=PASSWORD, now=now)
        name = first.username
        again = member_close(member=buyer, password=None, by_staff=True, now=now)
        assert again.username == name


class TestTheClosePage:
    def test_confirms_with_the_password_then_logs_out(self, browse_as, buyer):
        client = browse_as(buyer)
        page = client.get("/settings/account/close/")
        assert page.status_code == 200
        assert "cannot be undone" in page.content.decode()
        refused = client.post("/settings/account/close/", {"password": PASSWORD})
        assert refused.status_code == 422  # the confirm box was not ticked
        wrong = client.post(
            "/settings/account/close/", {"password": "nope", "confirm": "on"}
        )
        assert wrong.status_code == 403
        assert "That is not your password." in wrong.content.decode()
        done = client.post(
            "/settings/account/close/", {"password": PASSWORD, "confirm": "on"}
        )
        assert done.status_code == 302 and done["Location"] == "/"
        assert Member.objects.get(pk=buyer.pk).closed_at is not None
        assert client.get("/settings/profile/").status_code == 302  # logged out

    def test_lists_what_to_finish_first(self, commission, browse_as, buyer):
        page = browse_as(buyer).get("/settings/account/close/").content.decode()
        assert "Finish these first" in page and "1 open exchange" in page
        response = browse_as(buyer).post(
            "/settings/account/close/", {"password": PASSWORD, "confirm": "on"}
        )
        assert response.status_code == 409

    def test_sends_an_anonymous_visitor_to_log_in(self, browse_as):
        response = browse_as(None).get("/settings/account/close/")
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


class TestStaffClosureInTheAdmin:
    def test_an_action_closes_accounts_or_says_why_not(
        self, make_member, commission, buyer, stranger
    ):
        staff = make_member("stella", is_staff=True, is_superuser=True)
        client = Client()
        client.force_login(staff)
        response = client.post(
            "/admin/accounts/member/",
            {"action": "close_account", "_selected_action": [buyer.pk, stranger.pk]},
            follow=True,
        )
        text = response.content.decode().lower()
        assert "bruno: not closed. you have 1 open exchange" in text
        assert "sam: account closed." in text
        assert Member.objects.get(pk=stranger.pk).closed_at is not None
        assert Member.objects.get(pk=buyer.pk).closed_at is None
