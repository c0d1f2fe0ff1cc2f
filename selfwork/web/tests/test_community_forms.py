"""Start a community, join and leave it, and run it from the settings page."""

from django.urls import reverse

from selfwork.communities.models import Category, Community, ListingField, Membership
from selfwork.communities.services import community_join, community_update
from selfwork.web.tests.conftest import page_text


def _start(client, **overrides):
    data = {
        "name": "Wellington Makers",
        "slug": "wellington-makers",
        "tagline": "Things made in Wellington",
        "description": "We **make** things.",
        "currency": "NZD",
        "fee_percent": "5",
        "customer_fee_percent": "0",
        "visibility": "public",
    }
    data.update(overrides)
    return client.post(reverse("web:community_new"), data)


class TestStartCommunity:
    def test_given_the_form_when_opened_then_it_has_the_fields_and_button(
        self, login, host
    ):
        html = page_text(login(host).get(reverse("web:community_new")))
        for name in (
            "name",
            "slug",
            "tagline",
            "description",
            "currency",
            "fee_percent",
        ):
            assert f'name="{name}"' in html
        assert "Start community</button>" in html

    def test_given_good_settings_when_submitted_then_the_community_exists_with_its_host(
        self, login, host
    ):
        response = _start(login(host))
        assert response.status_code == 302
        assert response["Location"] == reverse(
            "web:community", args=["wellington-makers"]
        )
        community = Community.objects.get(slug="wellington-makers")
        assert community.currency == "NZD"
        assert str(community.fee_percent) == "5.00"
        assert Membership.objects.get(community=community, member=host).role == "host"

    def test_given_a_fee_above_the_limit_when_submitted_then_the_error_shows_and_nothing_is_stored(
        self, login, host
    ):
        response = _start(login(host), fee_percent="75")
        assert response.status_code == 422
        html = page_text(response)
        assert "fee_percent may be at most 50%" in html
        assert "id_fee_percent_error" in html
        assert not Community.objects.exists()

    def test_given_a_taken_slug_when_submitted_then_the_slug_field_says_so(
        self, login, host, community
    ):
        response = _start(login(host), slug="guild")
        assert response.status_code == 409
        assert "id_slug_error" in page_text(response)
        assert Community.objects.count() == 1


class TestJoinAndLeave:
    def test_given_a_public_community_when_a_member_joins_then_they_are_active(
        self, login, community, buyer
    ):
        client = login(buyer)
        response = client.post(
            reverse("web:community_join", args=["guild"]), follow=True
        )
        assert "Welcome to Illustrators" in page_text(response)
        assert (
            Membership.objects.get(community=community, member=buyer).status == "active"
        )
        assert "You're a member" in page_text(response)

    def test_given_approval_is_needed_when_a_member_asks_then_the_request_waits(
        self, login, community, host, buyer
    ):
        community_update(
            community=community, actor=host, changes={"membership_approval": True}
        )
        html = page_text(login(buyer).get(reverse("web:community", args=["guild"])))
        assert "Request to join" in html
        response = login(buyer).post(
            reverse("web:community_join", args=["guild"]), follow=True
        )
        assert "Request waiting for a host" in page_text(response)
        assert (
            Membership.objects.get(community=community, member=buyer).status
            == "pending"
        )

    def test_given_a_member_when_they_leave_then_their_membership_is_gone(
        self, login, community, buyer, member_of
    ):
        member_of(community, buyer)
        login(buyer).post(reverse("web:community_leave", args=["guild"]))
        assert not Membership.objects.filter(community=community, member=buyer).exists()

    def test_given_the_only_host_when_they_leave_then_it_is_refused_politely(
        self, login, community, host
    ):
        response = login(host).post(
            reverse("web:community_leave", args=["guild"]), follow=True
        )
        assert "only host" in page_text(response)
        assert Membership.objects.filter(community=community, member=host).exists()


class TestSettings:
    def url(self):
        return reverse("web:community_settings", args=["guild"])

    def test_given_the_host_when_they_change_modes_and_fees_then_they_are_saved(
        self, login, community, host
    ):
        response = login(host).post(
            self.url(),
            {
                "action": "settings",
                "settings-name": "The Guild",
                "settings-currency": "EUR",
                "settings-fee_percent": "7.5",
                "settings-customer_fee_percent": "1",
                "settings-minimum_fee": "0.50",
                "settings-treasury_share_percent": "20",
                "settings-visibility": "invite_only",
                "settings-enabled_modes": ["service", "made_to_order"],
            },
        )
        assert response.status_code == 302
        community.refresh_from_db()
        assert community.name == "The Guild"
        assert community.enabled_modes == ["made_to_order", "service"]
        assert community.minimum_fee_minor == 50
        assert str(community.treasury_share_percent) == "20.00"
        assert community.visibility == "invite_only"

    def test_given_no_modes_when_the_host_saves_then_the_error_shows_and_nothing_changes(
        self, login, community, host
    ):
        response = login(host).post(
            self.url(),
            {
                "action": "settings",
                "settings-name": "Renamed",
                "settings-currency": "EUR",
                "settings-fee_percent": "5",
                "settings-customer_fee_percent": "0",
                "settings-visibility": "public",
            },
        )
        assert response.status_code == 422
        assert "enabled_modes is a non-empty list" in page_text(response)
        community.refresh_from_db()
        assert community.name == "Illustrators' Guild"

    def test_given_the_host_when_they_add_and_remove_a_category_then_it_comes_and_goes(
        self, login, community, host
    ):
        client = login(host)
        client.post(
            self.url(),
            {
                "action": "category_add",
                "category-name": "Portraits",
                "category-slug": "portraits",
            },
        )
        assert Category.objects.filter(community=community, slug="portraits").exists()
        client.post(self.url(), {"action": "category_delete", "slug": "portraits"})
        assert not Category.objects.filter(community=community).exists()

    def test_given_a_bad_category_address_when_added_then_the_error_shows(
        self, login, community, host
    ):
        response = login(host).post(
            self.url(),
            {
                "action": "category_add",
                "category-name": "Portraits",
                "category-slug": "No Way",
            },
        )
        assert response.status_code == 422
        assert "id_category-slug_error" in page_text(response)
        assert not Category.objects.exists()

    def test_given_the_host_when_they_add_a_choice_field_then_it_has_its_choices(
        self, login, community, host
    ):
        login(host).post(
            self.url(),
            {
                "action": "field_add",
                "field-label": "Paper size",
                "field-key": "paper_size",
                "field-kind": "choice",
                "field-choices": "A4, A3",
                "field-required": "on",
            },
        )
        field = ListingField.objects.get(community=community, key="paper_size")
        assert field.choices == ["A4", "A3"] and field.required

    def test_given_a_pending_request_when_the_host_approves_then_the_member_is_active(
        self, login, community, host, buyer, now
    ):
        community_update(
            community=community, actor=host, changes={"membership_approval": True}
        )
        community_join(community=community, member=buyer, now=now)
        client = login(host)
        assert "@bruno" in page_text(client.get(self.url()))
        client.post(self.url(), {"action": "approve", "username": "bruno"})
        assert (
            Membership.objects.get(community=community, member=buyer).status == "active"
        )

    def test_given_a_username_when_the_host_invites_then_an_invitation_exists(
        self, login, community, host, stranger
    ):
        login(host).post(self.url(), {"action": "invite", "invite-username": "sam"})
        assert (
            Membership.objects.get(community=community, member=stranger).status
            == "invited"
        )

    def test_given_an_unknown_username_when_the_host_invites_then_the_field_says_so(
        self, login, community, host
    ):
        response = login(host).post(
            self.url(), {"action": "invite", "invite-username": "ghost"}
        )
        assert response.status_code == 422
        assert "No member" in page_text(response)

    def test_given_a_member_when_the_host_makes_them_moderator_then_the_role_changes(
        self, login, community, host, buyer, member_of
    ):
        member_of(community, buyer)
        login(host).post(
            self.url(), {"action": "role", "username": "bruno", "role": "moderator"}
        )
        assert (
            Membership.objects.get(community=community, member=buyer).role
            == "moderator"
        )

    def test_given_a_member_who_is_not_host_when_they_post_settings_then_403(
        self, login, community, buyer, member_of
    ):
        member_of(community, buyer)
        response = login(buyer).post(
            self.url(), {"action": "category_delete", "slug": "x"}
        )
        assert response.status_code == 403
