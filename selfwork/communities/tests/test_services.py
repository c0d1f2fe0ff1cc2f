from decimal import Decimal

import pytest

from selfwork.communities import selectors, services
from selfwork.communities.models import (
    ALL_MODES,
    Category,
    Community,
    ListingField,
    Membership,
)
from selfwork.core.errors import Conflict, InvalidInput, NotFound, NotPermitted


def start(host, now, slug="makers", **settings):
    return services.community_create(
        creator=host, slug=slug, name="Makers' Market", now=now, settings=settings
    )


def role_of(community, member):
    return Membership.objects.get(community=community, member=member).role


class TestCommunityCreate:
    def test_makes_the_creator_its_host_with_every_mode_enabled(self, host, now):
        community = start(host, now, currency="GBP", fee_percent="7.5")
        assert role_of(community, host) == "host"
        assert community.enabled_modes == ALL_MODES
        assert community.fee_percent == Decimal("7.5")
        assert community.currency == "GBP"
        assert community.member_count == 1

    def test_keeps_the_modes_it_is_given_in_a_stable_order(self, host, now):
        community = start(host, now, enabled_modes=["gift", "lend", "gift"])
        assert community.enabled_modes == ["lend", "gift"]

    @pytest.mark.parametrize(
        ("slug", "options", "code"),
        [
            ("Makers", {}, "invalid_slug"),
            ("my makers", {}, "invalid_slug"),
            ("ab", {}, "invalid_slug"),
            ("admin", {}, "invalid_slug"),
            ("-makers", {}, "invalid_slug"),
            ("makers", {"fee_percent": "51"}, "invalid_percent"),
            ("makers", {"fee_percent": "-1"}, "invalid_percent"),
            ("makers", {"fee_percent": "five"}, "invalid_percent"),
            ("makers", {"fee_percent": "5.125"}, "invalid_percent"),
            ("makers", {"fee_percent": "NaN"}, "invalid_percent"),
            ("makers", {"fee_percent": True}, "invalid_percent"),
            ("makers", {"customer_fee_percent": "50.01"}, "invalid_percent"),
            ("makers", {"treasury_share_percent": "101"}, "invalid_percent"),
            ("makers", {"currency": "XYZ"}, "unknown_currency"),
            ("makers", {"currency": "eur"}, "unknown_currency"),
            ("makers", {"currency": "HOUR"}, "unknown_currency"),
            ("makers", {"minimum_fee": "0.005"}, "too_precise"),
            ("makers", {"minimum_fee": "-1"}, "invalid_input"),
            ("makers", {"visibility": "secret"}, "invalid_visibility"),
            ("makers", {"enabled_modes": ["auction"]}, "unknown_mode"),
            ("makers", {"enabled_modes": []}, "invalid_input"),
            ("makers", {"description": "<script>x</script>"}, "markup_not_allowed"),
            ("makers", {"owner": "me"}, "invalid_input"),
        ],
    )
    def test_refuses_bad_settings_and_stores_nothing(
        self, host, now, slug, options, code
    ):
        with pytest.raises(InvalidInput) as refused:
            start(host, now, slug=slug, **options)
        assert refused.value.code == code
        assert not Community.objects.exists()
        assert not Membership.objects.exists()

    def test_refuses_a_taken_slug(self, host, now, stranger):
        start(host, now)
        with pytest.raises(Conflict) as refused:
            start(stranger, now)
        assert refused.value.code == "slug_taken"
        assert Community.objects.count() == 1


class TestCommunityUpdate:
    def test_a_host_narrows_the_modes(self, community, host):
        services.community_update(
            community=community, actor=host, changes={"enabled_modes": ["service"]}
        )
        community.refresh_from_db()
        assert community.enabled_modes == ["service"]

    def test_a_member_who_is_not_host_may_not(self, community, buyer, member_of):
        member_of(community, buyer)
        with pytest.raises(NotPermitted):
            services.community_update(
                community=community, actor=buyer, changes={"name": "Mine now"}
            )
        community.refresh_from_db()
        assert community.name == "Illustrators' Guild"

    def test_a_bad_change_leaves_the_community_as_it_was(self, community, host):
        with pytest.raises(InvalidInput):
            services.community_update(
                community=community,
                actor=host,
                changes={"name": "New name", "fee_percent": "99"},
            )
        community.refresh_from_db()
        assert community.name == "Illustrators' Guild"
        assert community.fee_percent == Decimal("5")


class TestCommunityJoin:
    def test_a_public_community_makes_the_joiner_an_active_member(
        self, community, buyer, now
    ):
        membership = services.community_join(community=community, member=buyer, now=now)
        assert membership.status == "active"
        assert membership.role == "member"
        community.refresh_from_db()
        assert community.member_count == 2

    def test_joining_twice_is_a_conflict(self, community, buyer, now):
        services.community_join(community=community, member=buyer, now=now)
        with pytest.raises(Conflict) as refused:
            services.community_join(community=community, member=buyer, now=now)
        assert refused.value.code == "already_member"

    def test_approval_makes_a_request_wait_for_a_host(
        self, community, host, buyer, now
    ):
        services.community_update(
            community=community, actor=host, changes={"membership_approval": True}
        )
        membership = services.community_join(community=community, member=buyer, now=now)
        assert membership.status == "pending"
        with pytest.raises(Conflict) as again:
            services.community_join(community=community, member=buyer, now=now)
        assert again.value.code == "join_pending"
        approved = services.membership_approve(
            community=community, actor=host, member=buyer, now=now
        )
        assert approved.status == "active"
        community.refresh_from_db()
        assert community.member_count == 2

    def test_only_hosts_and_moderators_approve(self, community, host, stranger, now):
        services.community_update(
            community=community, actor=host, changes={"membership_approval": True}
        )
        services.community_join(community=community, member=stranger, now=now)
        with pytest.raises(NotPermitted):
            services.membership_approve(
                community=community, actor=stranger, member=stranger, now=now
            )
        assert Membership.objects.get(member=stranger).status == "pending"

    def test_approving_someone_who_did_not_ask_is_not_found(
        self, community, host, buyer, now
    ):
        with pytest.raises(NotFound):
            services.membership_approve(
                community=community, actor=host, member=buyer, now=now
            )

    def test_an_invite_only_community_needs_an_invitation(
        self, community, host, buyer, now
    ):
        services.community_update(
            community=community, actor=host, changes={"visibility": "invite_only"}
        )
        with pytest.raises(NotPermitted) as refused:
            services.community_join(community=community, member=buyer, now=now)
        assert refused.value.code == "invitation_required"
        assert not Membership.objects.filter(member=buyer).exists()
        services.community_invite(
            community=community, actor=host, member=buyer, now=now
        )
        membership = services.community_join(community=community, member=buyer, now=now)
        assert membership.status == "active"

    def test_only_moderators_invite(self, community, buyer, stranger, member_of, now):
        member_of(community, buyer)
        with pytest.raises(NotPermitted):
            services.community_invite(
                community=community, actor=buyer, member=stranger, now=now
            )
        assert not Membership.objects.filter(member=stranger).exists()

    def test_a_private_community_does_not_exist_for_an_uninvited_joiner(
        self, community, host, buyer, now
    ):
        services.community_update(
            community=community, actor=host, changes={"visibility": "private"}
        )
        with pytest.raises(NotFound):
            services.community_join(community=community, member=buyer, now=now)
        assert not Membership.objects.filter(member=buyer).exists()


class TestCommunityLeave:
    def test_a_member_leaves(self, community, buyer, member_of):
        member_of(community, buyer)
        services.community_leave(community=community, member=buyer)
        community.refresh_from_db()
        assert community.member_count == 1
        assert not Membership.objects.filter(member=buyer).exists()

    def test_the_last_host_cannot_leave(self, community, host):
        with pytest.raises(Conflict) as refused:
            services.community_leave(community=community, member=host)
        assert refused.value.code == "last_host"
        assert role_of(community, host) == "host"

    def test_a_host_may_leave_once_another_host_exists(
        self, community, host, buyer, member_of
    ):
        member_of(community, buyer)
        services.membership_set_role(
            community=community, actor=host, member=buyer, role="host"
        )
        services.community_leave(community=community, member=host)
        assert not Membership.objects.filter(member=host).exists()

    def test_someone_who_is_not_a_member_cannot_leave(self, community, stranger):
        with pytest.raises(NotFound):
            services.community_leave(community=community, member=stranger)


class TestMembershipSetRole:
    def test_a_host_makes_a_moderator_who_can_then_approve(
        self, community, host, buyer, stranger, member_of, now
    ):
        member_of(community, buyer)
        services.membership_set_role(
            community=community, actor=host, member=buyer, role="moderator"
        )
        services.community_update(
            community=community, actor=host, changes={"membership_approval": True}
        )
        services.community_join(community=community, member=stranger, now=now)
        services.membership_approve(
            community=community, actor=buyer, member=stranger, now=now
        )
        assert Membership.objects.get(member=stranger).status == "active"

    def test_a_moderator_cannot_hand_out_roles(
        self, community, host, buyer, stranger, member_of
    ):
        member_of(community, buyer)
        member_of(community, stranger)
        services.membership_set_role(
            community=community, actor=host, member=buyer, role="moderator"
        )
        with pytest.raises(NotPermitted):
            services.membership_set_role(
                community=community, actor=buyer, member=stranger, role="host"
            )
        assert role_of(community, stranger) == "member"

    def test_refuses_an_unknown_role(self, community, host, buyer, member_of):
        member_of(community, buyer)
        with pytest.raises(InvalidInput):
            services.membership_set_role(
                community=community, actor=host, member=buyer, role="owner"
            )
        assert role_of(community, buyer) == "member"

    def test_the_last_host_cannot_step_down(self, community, host):
        with pytest.raises(Conflict) as refused:
            services.membership_set_role(
                community=community, actor=host, member=host, role="member"
            )
        assert refused.value.code == "last_host"

    def test_a_role_needs_an_active_member(self, community, host, stranger):
        with pytest.raises(NotFound):
            services.membership_set_role(
                community=community, actor=host, member=stranger, role="moderator"
            )


class TestCategoriesAndListingFields:
    def test_a_host_adds_categories_in_order(self, community, host):
        services.category_create(
            community=community, actor=host, slug="portraits", name="Portraits"
        )
        services.category_create(
            community=community, actor=host, slug="book-covers", name="Book covers"
        )
        assert [c.slug for c in selectors.categories_of(community=community)] == [
            "portraits",
            "book-covers",
        ]

    def test_a_member_who_is_not_host_cannot_add_a_category(
        self, community, buyer, member_of
    ):
        member_of(community, buyer)
        with pytest.raises(NotPermitted):
            services.category_create(
                community=community, actor=buyer, slug="mine", name="Mine"
            )
        assert not Category.objects.exists()

    def test_a_category_slug_is_unique_per_community(self, community, host):
        services.category_create(
            community=community, actor=host, slug="portraits", name="Portraits"
        )
        with pytest.raises(Conflict):
            services.category_create(
                community=community, actor=host, slug="portraits", name="Again"
            )

    def test_a_host_adds_a_choice_field(self, community, host):
        field = services.listing_field_create(
            community=community,
            actor=host,
            key="style",
            label="Style",
            kind="choice",
            choices=["ink", "oil"],
        )
        assert field.choices == ["ink", "oil"]

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"kind": "choice", "choices": []},
            {"kind": "choice", "choices": ["ink", "ink"]},
            {"kind": "choice", "choices": ["<b>ink</b>"]},
            {"kind": "colour"},
            {"key": "Bad Key"},
            {"key": "1st"},
            {"label": ""},
        ],
    )
    def test_refuses_a_malformed_field(self, community, host, kwargs):
        arguments = {"key": "style", "label": "Style", "kind": "text", **kwargs}
        with pytest.raises(InvalidInput):
            services.listing_field_create(community=community, actor=host, **arguments)
        assert not ListingField.objects.exists()

    def test_a_member_who_is_not_host_cannot_add_a_field(
        self, community, buyer, member_of
    ):
        member_of(community, buyer)
        with pytest.raises(NotPermitted):
            services.listing_field_create(
                community=community, actor=buyer, key="size", label="Size", kind="text"
            )
        assert not ListingField.objects.exists()


class TestCommunitiesVisibleTo:
    def test_outsiders_see_public_and_invite_only_but_not_private(
        self, host, stranger, now
    ):
        start(host, now, slug="open-one")
        start(host, now, slug="by-invite", visibility="invite_only")
        start(host, now, slug="hidden-one", visibility="private")
        seen = {c.slug for c in selectors.communities_list(viewer=stranger)}
        assert seen == {"open-one", "by-invite"}
        hosts_view = {c.slug for c in selectors.communities_list(viewer=host)}
        assert hosts_view == {"open-one", "by-invite", "hidden-one"}

    def test_the_names_of_communities_are_those_the_list_shows_in_its_order(
        self, host, stranger, now
    ):
        start(host, now, slug="open-one")
        start(host, now, slug="by-invite", visibility="invite_only")
        start(host, now, slug="hidden-one", visibility="private")
        for viewer in (stranger, host, None):
            listed = [
                (c.slug, c.name) for c in selectors.communities_list(viewer=viewer)
            ]
            assert selectors.community_names(viewer=viewer) == listed

    def test_an_invited_member_sees_the_private_community(self, host, buyer, now):
        hidden = start(host, now, slug="hidden-one", visibility="private")
        services.community_invite(community=hidden, actor=host, member=buyer, now=now)
        assert selectors.community_get(slug="hidden-one", viewer=buyer) == hidden

    def test_a_pending_member_does_not_see_the_private_community(
        self, host, buyer, now
    ):
        hidden = start(host, now, slug="hidden-one", membership_approval=True)
        services.community_join(community=hidden, member=buyer, now=now)
        services.community_update(
            community=hidden, actor=host, changes={"visibility": "private"}
        )
        with pytest.raises(NotFound):
            selectors.community_get(slug="hidden-one", viewer=buyer)

    def test_lists_in_a_constant_number_of_queries(
        self, host, stranger, now, django_assert_num_queries
    ):
        for i in range(5):
            start(host, now, slug=f"community-{i}")
        with django_assert_num_queries(1):
            assert len(list(selectors.communities_list(viewer=stranger))) == 5

    def test_members_list_in_a_constant_number_of_queries(
        self, community, make_member, member_of, django_assert_num_queries
    ):
        for _ in range(6):
            member_of(community, make_member())
        with django_assert_num_queries(1):
            rows = list(selectors.community_members(community=community))
        assert rows[0].role == "host"
        assert len(rows) == 7
        assert all(m.member.username for m in rows)
