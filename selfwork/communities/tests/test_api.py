import pytest

from selfwork.communities.models import Community, ListingField, Membership


def assert_problem(response, status, code=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    if code is not None:
        assert body["code"] == code
    return body


def community_body(**changes):
    return {
        "name": "Riverside Share",
        "slug": "riverside",
        "description": "Tools and time, shared along the river.",
        "currency": "EUR",
        "fee_percent": "5",
        "visibility": "public",
        **changes,
    }


@pytest.fixture
def hidden(api_as, host):
    """A private community hosted by ``host``."""
    response = api_as(host).post(
        "/communities", community_body(slug="hidden", visibility="private")
    )
    assert response.status_code == 201
    return Community.objects.get(slug="hidden")


class TestCommunityCreate:
    def test_answers_201_with_the_slug_and_the_creator_as_host(self, host, api_as):
        response = api_as(host).post("/communities", community_body())
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["slug"] == "riverside"
        assert body["my_role"] == "host"
        assert body["fee_percent"] == "5.00"
        assert body["minimum_fee"] == {"amount": "0.00", "currency": "EUR"}
        assert len(body["enabled_modes"]) == 7
        assert Membership.objects.get(member=host).role == "host"

    @pytest.mark.parametrize(
        ("changes", "code"),
        [
            ({"slug": "River Side"}, "invalid_slug"),
            ({"slug": "r"}, "invalid_slug"),
            ({"slug": "api"}, "invalid_slug"),
            ({"fee_percent": "50.5"}, "invalid_percent"),
            ({"fee_percent": "-5"}, "invalid_percent"),
            ({"fee_percent": "lots"}, "invalid_percent"),
            ({"fee_percent": "5.555"}, "invalid_percent"),
            ({"fee_percent": "1e1"}, "invalid_percent"),
            ({"fee_percent": 5}, "invalid_input"),
            ({"currency": "ABC"}, "unknown_currency"),
            ({"currency": "eur"}, "unknown_currency"),
            ({"minimum_fee": "1.005"}, "too_precise"),
            ({"minimum_fee": "NaN"}, "invalid_amount"),
            ({"currency": "JPY", "minimum_fee": "1.5"}, "too_precise"),
            ({"visibility": "secret"}, "invalid_visibility"),
            ({"enabled_modes": ["auction"]}, "unknown_mode"),
            ({"enabled_modes": ["gift", 7]}, "invalid_input"),
            ({"name": ""}, "required"),
            ({"name": "<script>alert(1)</script>"}, "markup_not_allowed"),
            ({"name": "x" * 81}, "too_long"),
            ({"description": "[x](javascript:alert(1))"}, "markup_not_allowed"),
        ],
    )
    def test_refuses_bad_input_and_stores_nothing(self, host, api_as, changes, code):
        response = api_as(host).post("/communities", community_body(**changes))
        assert_problem(response, 422, code)
        assert not Community.objects.exists()
        assert not Membership.objects.exists()

    def test_refuses_a_taken_slug_with_409(self, host, stranger, api_as):
        api_as(host).post("/communities", community_body())
        response = api_as(stranger).post("/communities", community_body())
        assert_problem(response, 409, "slug_taken")
        assert Community.objects.count() == 1

    def test_needs_a_member(self, db, anonymous_api):
        assert_problem(
            anonymous_api.post("/communities", community_body()),
            401,
            "not_authenticated",
        )
        assert not Community.objects.exists()


class TestCommunityRead:
    def test_shows_a_public_community_to_anyone(self, community, anonymous_api):
        body = anonymous_api.get("/communities/guild").json()
        assert body["name"] == "Illustrators' Guild"
        assert body["my_role"] is None

    def test_an_unknown_slug_is_404(self, db, anonymous_api):
        assert_problem(
            anonymous_api.get("/communities/nowhere"), 404, "community_not_found"
        )

    def test_a_private_community_is_404_for_outsiders_everywhere(
        self, hidden, stranger, api_as, anonymous_api
    ):
        for api in (api_as(stranger), anonymous_api):
            assert_problem(api.get("/communities/hidden"), 404, "community_not_found")
            assert_problem(api.get("/communities/hidden/members"), 404)
            assert_problem(api.get("/listings", {"community": "hidden"}), 404)
        assert_problem(api_as(stranger).post("/communities/hidden/join"), 404)
        assert not Membership.objects.filter(member=stranger).exists()

    def test_a_private_community_is_shown_to_its_members(self, hidden, host, api_as):
        body = api_as(host).get("/communities/hidden").json()
        assert body["visibility"] == "private"


class TestCommunityList:
    def test_lists_public_communities_and_own_private_ones_only(
        self, hidden, community, host, stranger, api_as, anonymous_api
    ):
        api_as(stranger).post(
            "/communities", community_body(slug="strangers", visibility="private")
        )
        api_as(host).post(
            "/communities", community_body(slug="invites", visibility="invite_only")
        )

        def slugs(api):
            return {c["slug"] for c in api.get("/communities").json()["items"]}

        assert slugs(anonymous_api) == {"guild", "invites"}
        assert slugs(api_as(stranger)) == {"guild", "invites", "strangers"}
        assert slugs(api_as(host)) == {"guild", "invites", "hidden"}

    def test_pages_with_a_cursor(self, host, api_as):
        api = api_as(host)
        for i in range(5):
            api.post("/communities", community_body(slug=f"community-{i}"))
        seen, cursor = [], None
        while True:
            page = api.get(
                "/communities", {"limit": 2, **({"cursor": cursor} if cursor else {})}
            ).json()
            seen += [c["slug"] for c in page["items"]]
            cursor = page["next"]
            if cursor is None:
                break
        assert sorted(seen) == [f"community-{i}" for i in range(5)]

    @pytest.mark.parametrize(
        "params", [{"limit": 101}, {"limit": 0}, {"cursor": "not a cursor"}]
    )
    def test_refuses_a_bad_page_request(self, community, anonymous_api, params):
        assert_problem(anonymous_api.get("/communities", params), 422)


class TestCommunityUpdate:
    def test_a_host_changes_settings(self, community, host, api_as):
        response = api_as(host).patch(
            "/communities/guild", {"fee_percent": "8", "enabled_modes": ["service"]}
        )
        assert response.status_code == 200, response.content
        assert response.json()["enabled_modes"] == ["service"]

    def test_a_plain_member_is_refused_with_403(
        self, community, buyer, member_of, api_as
    ):
        member_of(community, buyer)
        response = api_as(buyer).patch("/communities/guild", {"fee_percent": "0"})
        assert_problem(response, 403, "host_only")
        community.refresh_from_db()
        assert str(community.fee_percent) == "5.00"

    def test_a_bad_value_changes_nothing(self, community, host, api_as):
        response = api_as(host).patch(
            "/communities/guild", {"name": "Renamed", "currency": "eur"}
        )
        assert_problem(response, 422, "unknown_currency")
        community.refresh_from_db()
        assert community.name == "Illustrators' Guild"


class TestJoin:
    def test_joining_a_public_community_makes_an_active_member(
        self, community, buyer, api_as
    ):
        response = api_as(buyer).post("/communities/guild/join")
        assert response.status_code == 200
        assert response.json()["status"] == "active"
        members = api_as(buyer).get("/communities/guild/members").json()["items"]
        assert [m["username"] for m in members] == ["hana", "bruno"]

    def test_joining_twice_is_409(self, community, buyer, api_as):
        api_as(buyer).post("/communities/guild/join")
        assert_problem(
            api_as(buyer).post("/communities/guild/join"), 409, "already_member"
        )

    def test_approval_required_leaves_the_joiner_pending_until_a_host_approves(
        self, community, host, buyer, api_as
    ):
        api_as(host).patch("/communities/guild", {"membership_approval": True})
        assert api_as(buyer).post("/communities/guild/join").json()["status"] == (
            "pending"
        )
        pending = api_as(host).get("/communities/guild/members", {"status": "pending"})
        assert [m["username"] for m in pending.json()["items"]] == ["bruno"]
        assert_problem(
            api_as(buyer).get("/communities/guild/members", {"status": "pending"}),
            403,
            "moderator_only",
        )
        assert_problem(
            api_as(buyer).post("/communities/guild/approvals", {"username": "bruno"}),
            403,
        )
        response = api_as(host).post(
            "/communities/guild/approvals", {"username": "bruno"}
        )
        assert response.status_code == 200
        assert response.json()["status"] == "active"
        assert api_as(buyer).get("/communities/guild").json()["member_count"] == 2

    def test_invite_only_refuses_without_an_invitation_and_admits_with_one(
        self, community, host, buyer, api_as
    ):
        api_as(host).patch("/communities/guild", {"visibility": "invite_only"})
        assert_problem(
            api_as(buyer).post("/communities/guild/join"), 403, "invitation_required"
        )
        assert not Membership.objects.filter(member=buyer).exists()
        invited = api_as(host).post(
            "/communities/guild/invitations", {"username": "bruno"}
        )
        assert invited.status_code == 201
        assert invited.json()["status"] == "invited"
        joined = api_as(buyer).post("/communities/guild/join")
        assert joined.status_code == 200
        assert joined.json()["status"] == "active"

    def test_a_private_community_admits_an_invited_member(
        self, hidden, buyer, host, api_as
    ):
        api_as(host).post("/communities/hidden/invitations", {"username": "bruno"})
        assert api_as(buyer).get("/communities/hidden").status_code == 200
        assert api_as(buyer).post("/communities/hidden/join").status_code == 200

    def test_inviting_an_unknown_member_is_404(self, community, host, api_as):
        response = api_as(host).post(
            "/communities/guild/invitations", {"username": "nobody"}
        )
        assert_problem(response, 404, "member_not_found")


class TestLeave:
    def test_a_member_leaves(self, community, buyer, member_of, api_as):
        member_of(community, buyer)
        assert api_as(buyer).post("/communities/guild/leave").status_code == 204
        assert not Membership.objects.filter(member=buyer).exists()

    def test_the_last_host_cannot_leave(self, community, host, api_as):
        assert_problem(api_as(host).post("/communities/guild/leave"), 409, "last_host")
        assert Membership.objects.filter(member=host, role="host").exists()

    def test_an_outsider_cannot_leave(self, community, stranger, api_as):
        assert_problem(api_as(stranger).post("/communities/guild/leave"), 404)


class TestRoles:
    def test_a_host_makes_a_moderator(self, community, host, buyer, member_of, api_as):
        member_of(community, buyer)
        response = api_as(host).post(
            "/communities/guild/roles", {"username": "bruno", "role": "moderator"}
        )
        assert response.status_code == 200
        assert response.json()["role"] == "moderator"

    def test_a_member_cannot_promote_themselves(
        self, community, buyer, member_of, api_as
    ):
        member_of(community, buyer)
        response = api_as(buyer).post(
            "/communities/guild/roles", {"username": "bruno", "role": "host"}
        )
        assert_problem(response, 403, "host_only")
        assert Membership.objects.get(member=buyer).role == "member"

    def test_refuses_an_unknown_role(self, community, host, buyer, member_of, api_as):
        member_of(community, buyer)
        response = api_as(host).post(
            "/communities/guild/roles", {"username": "bruno", "role": "king"}
        )
        assert_problem(response, 422)


class TestCategoriesAndListingFields:
    def test_a_host_adds_a_category_and_a_field_shown_on_the_community(
        self, community, host, api_as
    ):
        api = api_as(host)
        category = api.post(
            "/communities/guild/categories", {"slug": "portraits", "name": "Portraits"}
        )
        assert category.status_code == 201
        field = api.post(
            "/communities/guild/listing-fields",
            {"key": "style", "label": "Style", "kind": "choice", "choices": ["ink"]},
        )
        assert field.status_code == 201, field.content
        body = api.get("/communities/guild").json()
        assert body["categories"] == [{"slug": "portraits", "name": "Portraits"}]
        assert body["listing_fields"][0]["choices"] == ["ink"]

    def test_a_member_who_is_not_host_is_refused_with_403(
        self, community, buyer, member_of, api_as
    ):
        member_of(community, buyer)
        api = api_as(buyer)
        assert_problem(
            api.post("/communities/guild/categories", {"slug": "x-y", "name": "X"}),
            403,
        )
        assert_problem(
            api.post(
                "/communities/guild/listing-fields",
                {"key": "size", "label": "Size", "kind": "text"},
            ),
            403,
        )
        assert not ListingField.objects.exists()

    def test_a_choice_field_needs_choices(self, community, host, api_as):
        response = api_as(host).post(
            "/communities/guild/listing-fields",
            {"key": "style", "label": "Style", "kind": "choice"},
        )
        assert_problem(response, 422)
        assert not ListingField.objects.exists()

    def test_an_unknown_kind_is_422(self, community, host, api_as):
        response = api_as(host).post(
            "/communities/guild/listing-fields",
            {"key": "style", "label": "Style", "kind": "colour"},
        )
        assert_problem(response, 422)
        assert not ListingField.objects.exists()
