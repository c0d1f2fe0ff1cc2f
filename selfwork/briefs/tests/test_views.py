"""The brief pages: boards, posting a brief, a brief with its offers and their forms."""

import datetime as dt

import pytest
from django.utils import timezone

from selfwork.briefs import services
from selfwork.briefs.models import Brief, Counter, Offer
from selfwork.briefs.tests.conftest import money
from selfwork.exchanges.models import Exchange

pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    """The real time: these pages and endpoints read the clock themselves."""
    return timezone.now().replace(microsecond=0)


def text(response) -> str:
    return response.content.decode()


def offer_form(**changes):
    return {
        "action": "offer",
        "price": "240.00",
        "delivery_days": "10",
        "revisions": "2",
        "message": "I have painted three lighthouses this year.",
        "milestones": "",
        "use": "personal",
        "expires_in_days": "14",
        **changes,
    }


class TestBoards:
    def test_the_board_lists_open_briefs_to_anyone(self, brief, browse_as):
        page = text(browse_as().get("/briefs/"))
        assert "A cover for my poetry book" in page
        assert "€150.00–€300.00" in page

    def test_the_board_filters_by_community(self, brief, browse_as):
        response = browse_as().get("/briefs/?community=guild")
        assert response.status_code == 200 and brief.title in text(response)
        assert browse_as().get("/briefs/?community=nowhere").status_code == 404

    def test_a_community_board(self, brief, browse_as):
        response = browse_as().get("/c/guild/briefs/")
        assert response.status_code == 200
        assert brief.title in text(response)

    def test_closed_briefs_leave_the_board(self, brief, buyer, browse_as, now):
        services.brief_close(brief=brief, author=buyer, now=now)
        assert brief.title not in text(browse_as().get("/briefs/"))

    def test_a_private_communitys_briefs_are_hidden_from_outsiders(
        self, host, browse_as, stranger, now, member_of
    ):
        from selfwork.communities.services import community_create

        back_room = community_create(
            creator=host,
            slug="back-room",
            name="The Back Room",
            now=now,
            settings={"visibility": "private"},
        )
        secret = services.brief_create(
            author=host,
            community=back_room,
            title="A secret mural",
            description="Shh.",
            budget_min=money("10"),
            budget_max=money("20"),
            now=now,
        )
        for client in (browse_as(), browse_as(stranger)):
            assert client.get("/c/back-room/briefs/").status_code == 404
            assert client.get(f"/briefs/{secret.public_id}/").status_code == 404
            assert "A secret mural" not in text(client.get("/briefs/"))
        assert browse_as(host).get(f"/briefs/{secret.public_id}/").status_code == 200


class TestPostBrief:
    def form(self, **changes):
        return {
            "community": "guild",
            "title": "Logo for a bakery",
            "description": "Warm, hand-drawn, works in one colour.",
            "currency": "EUR",
            "budget_min": "100",
            "budget_max": "250.50",
            "deadline": (timezone.now() + dt.timedelta(days=60)).date().isoformat(),
            **changes,
        }

    def test_asks_to_log_in(self, browse_as):
        response = browse_as().get("/briefs/new/")
        assert response.status_code == 302 and "/login" in response["Location"]

    def test_posts_a_brief_with_a_reference_image(
        self, guild, buyer, browse_as, png_bytes
    ):
        from django.core.files.uploadedfile import SimpleUploadedFile

        response = browse_as(buyer).post(
            "/briefs/new/",
            {
                **self.form(),
                "attachments": [SimpleUploadedFile("sketch.png", png_bytes())],
            },
        )
        brief = Brief.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"/briefs/{brief.public_id}/"
        assert (brief.budget_min_minor, brief.budget_max_minor) == (10000, 25050)
        assert brief.attachments.count() == 1

    @pytest.mark.parametrize(
        "changes, message",
        [
            ({"budget_min": "300", "budget_max": "200"}, "is more than budget.max"),
            ({"budget_min": "1,000"}, "is not an amount"),
            ({"budget_max": "20.005"}, "at most 2 decimals"),
            ({"deadline": "2020-01-01"}, "has passed already"),
            ({"title": ""}, "This field is required"),
        ],
    )
    def test_bad_input_shows_the_error_and_stores_nothing(
        self, guild, buyer, browse_as, changes, message
    ):
        response = browse_as(buyer).post("/briefs/new/", self.form(**changes))
        assert response.status_code == 422
        assert message in text(response)
        assert not Brief.objects.exists()

    def test_a_bad_image_is_refused_and_nothing_is_kept(self, guild, buyer, browse_as):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from selfwork.core.models import Upload

        response = browse_as(buyer).post(
            "/briefs/new/",
            {
                **self.form(),
                "attachments": [SimpleUploadedFile("x.png", b"not an image")],
            },
        )
        assert response.status_code in (415, 422)
        assert not Brief.objects.exists() and not Upload.objects.exists()

    def test_someone_with_no_community_is_sent_to_find_one(self, stranger, browse_as):
        page = text(browse_as(stranger).get("/briefs/new/"))
        assert "Join a community first" in page


class TestBriefPage:
    def test_the_author_sees_every_offer_with_accept_and_counter(
        self, brief, offer, buyer, browse_as
    ):
        page = text(browse_as(buyer).get(f"/briefs/{brief.public_id}/"))
        assert "€240.00" in page
        assert 'value="accept"' in page and 'value="counter"' in page
        assert 'value="decline"' in page

    def test_a_provider_sees_the_offer_form(self, brief, provider, browse_as):
        page = text(browse_as(provider).get(f"/briefs/{brief.public_id}/"))
        assert "Make an offer" in page and 'value="offer"' in page

    def test_a_provider_sees_their_offer_not_others(
        self, brief, offer, make_offer, other_provider, provider, browse_as
    ):
        make_offer(provider=other_provider, price=money("199.00"))
        page = text(browse_as(provider).get(f"/briefs/{brief.public_id}/"))
        assert "€240.00" in page and "€199.00" not in page
        assert "Withdraw offer" in page
        assert 'value="accept"' not in page and "Make an offer" not in page

    def test_someone_outside_the_community_sees_no_buttons(
        self, brief, offer, stranger, browse_as
    ):
        page = text(browse_as(stranger).get(f"/briefs/{brief.public_id}/"))
        assert "Join Illustrators" in page
        assert "€240.00" not in page
        assert 'name="action"' not in page

    def test_an_unknown_brief_is_404(self, browse_as, guild):
        response = browse_as().get("/briefs/00000000-0000-0000-0000-000000000000/")
        assert response.status_code == 404


class TestOfferForm:
    def test_sends_an_offer_with_milestones(self, brief, provider, browse_as):
        response = browse_as(provider).post(
            f"/briefs/{brief.public_id}/",
            offer_form(milestones="Sketch — 40.00\nFinal art: 200"),
        )
        assert response.status_code == 302
        offer = Offer.objects.get()
        assert offer.milestones == [
            {"title": "Sketch", "amount_minor": 4000},
            {"title": "Final art", "amount_minor": 20000},
        ]

    @pytest.mark.parametrize(
        "changes, message",
        [
            ({"price": "2.345"}, "at most 2 decimals"),
            ({"price": "abc"}, "is not an amount"),
            ({"delivery_days": "0"}, "greater than or equal to 1"),
            ({"milestones": "Sketch — 40.00"}, "add up to"),
            ({"milestones": "just some words"}, "should read like"),
            ({"use": "resale"}, "Select a valid choice"),
            ({"message": "<img src=x onerror=alert(1)>"}, "may not contain HTML"),
        ],
    )
    def test_a_bad_offer_shows_the_error_and_stores_nothing(
        self, brief, provider, browse_as, changes, message
    ):
        response = browse_as(provider).post(
            f"/briefs/{brief.public_id}/", offer_form(**changes)
        )
        assert response.status_code == 422
        assert message in text(response)
        assert "Make an offer" in text(response)
        assert not Offer.objects.exists()

    def test_the_author_cannot_forge_an_offer_on_their_brief(
        self, brief, buyer, browse_as
    ):
        response = browse_as(buyer).post(f"/briefs/{brief.public_id}/", offer_form())
        assert response.status_code == 403
        assert not Offer.objects.exists()

    def test_a_second_offer_is_refused_politely(
        self, brief, offer, provider, browse_as
    ):
        response = browse_as(provider).post(
            f"/briefs/{brief.public_id}/", offer_form(), follow=True
        )
        assert "withdraw it first" in text(response)
        assert Offer.objects.count() == 1


class TestOfferActions:
    def post(self, client, brief, action, offer, **extra):
        return client.post(
            f"/briefs/{brief.public_id}/",
            {"action": action, "offer": str(offer.public_id), **extra},
        )

    def test_accepting_opens_the_exchange_room(self, brief, offer, buyer, browse_as):
        response = self.post(browse_as(buyer), brief, "accept", offer)
        exchange = Exchange.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"/exchanges/{exchange.public_id}/"
        assert browse_as(buyer).get(response["Location"]).status_code == 200

    def test_a_forged_accept_by_the_provider_is_refused(
        self, brief, offer, provider, browse_as
    ):
        response = self.post(browse_as(provider), brief, "accept", offer)
        assert response.status_code == 403
        assert not Exchange.objects.exists()

    def test_a_forged_accept_by_a_stranger_is_404(
        self, brief, offer, stranger, browse_as
    ):
        response = self.post(browse_as(stranger), brief, "accept", offer)
        assert response.status_code == 404
        assert not Exchange.objects.exists()

    def test_an_anonymous_post_goes_to_log_in(self, brief, offer, browse_as):
        response = self.post(browse_as(), brief, "accept", offer)
        assert response.status_code == 302 and "/login" in response["Location"]
        assert not Exchange.objects.exists()

    def test_counter_and_the_provider_takes_it(
        self, brief, offer, buyer, provider, browse_as
    ):
        prefix = f"counter-{offer.public_id}"
        response = self.post(
            browse_as(buyer),
            brief,
            "counter",
            offer,
            **{f"{prefix}-price": "200", f"{prefix}-delivery_days": "12"},
        )
        assert response.status_code == 302
        page = text(browse_as(provider).get(f"/briefs/{brief.public_id}/"))
        assert "proposes €200.00 in 12 days" in page
        self.post(browse_as(provider), brief, "counter_accept", offer)
        offer.refresh_from_db()
        assert (offer.price_minor, offer.revision) == (20000, 2)

    def test_a_bad_counter_shows_its_error_beside_its_offer(
        self, brief, offer, buyer, browse_as
    ):
        prefix = f"counter-{offer.public_id}"
        response = self.post(
            browse_as(buyer), brief, "counter", offer, **{f"{prefix}-price": "9.999"}
        )
        assert response.status_code == 422
        assert "at most 2 decimals" in text(response)
        assert not Counter.objects.exists()

    def test_withdraw_decline_and_close(
        self, brief, offer, make_offer, other_provider, buyer, provider, browse_as
    ):
        rival = make_offer(provider=other_provider)
        self.post(browse_as(provider), brief, "withdraw", offer)
        self.post(browse_as(buyer), brief, "decline", rival)
        offer.refresh_from_db()
        rival.refresh_from_db()
        assert (offer.status, rival.status) == ("withdrawn", "declined")
        browse_as(buyer).post(f"/briefs/{brief.public_id}/", {"action": "close"})
        brief.refresh_from_db()
        assert brief.status == "closed"

    def test_only_the_author_closes_the_brief(self, brief, provider, browse_as):
        response = browse_as(provider).post(
            f"/briefs/{brief.public_id}/", {"action": "close"}
        )
        assert response.status_code == 404
        brief.refresh_from_db()
        assert brief.status == "open"


class TestDashboard:
    def test_shows_my_briefs_and_offers(self, brief, offer, buyer, provider, browse_as):
        assert brief.title in text(browse_as(buyer).get("/dashboard/"))
        page = text(browse_as(provider).get("/dashboard/"))
        assert "My offers" in page and brief.title in page


class TestAdmin:
    def test_staff_read_briefs_and_offers_but_cannot_change_them(
        self, offer, make_member, browse_as
    ):
        staff = make_member("operator", is_staff=True, is_superuser=True)
        client = browse_as(staff)
        assert client.get("/admin/briefs/brief/").status_code == 200
        assert client.get("/admin/briefs/offer/").status_code == 200
        assert client.get("/admin/briefs/brief/add/").status_code == 403
