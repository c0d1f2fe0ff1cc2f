"""Reviews in the web pages: the room's form, replies, hiding, profiles, cards."""

import pytest
from django.utils import timezone

from selfwork.exchanges.models import Review

pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    """The real time: these pages read the clock themselves."""
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def ended(finish, now):
    return finish(now)


def room(exchange) -> str:
    return f"/exchanges/{exchange.public_id}/"


def text(response) -> str:
    return response.content.decode()


def post_review(client, exchange, **fields):
    data = {"action": "review", "rating": "5", "text": "Wonderful work.", **fields}
    return client.post(room(exchange), data)


class TestTheRoom:
    def test_the_form_appears_once_the_exchange_ended(
        self, client, commission, finish, buyer, now
    ):
        client.force_login(buyer)
        assert 'value="review"' not in text(client.get(room(commission)))
        ended = finish(now)
        page = text(client.get(room(ended)))
        assert 'value="review"' in page
        assert "Communication" in page

    def test_the_provider_form_has_no_sub_ratings(self, client, ended, provider):
        client.force_login(provider)
        page = text(client.get(room(ended)))
        assert 'value="review"' in page
        assert 'name="communication"' not in page

    def test_a_review_is_hidden_from_the_other_party_until_they_review(
        self, client, ended, buyer, provider
    ):
        client.force_login(buyer)
        response = post_review(
            client, ended, text="The **fox** is perfect.", quality="5"
        )
        assert response.status_code == 302
        client.force_login(provider)
        assert "The <strong>fox</strong> is perfect." not in text(
            client.get(room(ended))
        )

        post_review(client, ended, rating="4", text="Clear brief.")

        page = text(client.get(room(ended)))
        assert "The <strong>fox</strong> is perfect." in page
        assert "Clear brief." in page
        assert Review.objects.filter(published_at__isnull=False).count() == 2

    def test_a_bad_review_shows_its_error_and_stores_nothing(
        self, client, ended, buyer
    ):
        client.force_login(buyer)
        response = post_review(client, ended, text="<b>bold</b>")
        assert response.status_code == 422
        assert "raw HTML tags are not allowed" in text(response)
        assert Review.objects.count() == 0
        assert post_review(client, ended, rating="9").status_code == 422

    def test_a_second_review_is_refused_in_words(self, client, ended, buyer):
        client.force_login(buyer)
        post_review(client, ended)
        response = post_review(client, ended)
        assert response.status_code == 409
        assert "You have reviewed this exchange already." in text(response)
        assert Review.objects.count() == 1

    def test_a_stranger_gets_404(self, client, ended, stranger):
        client.force_login(stranger)
        assert post_review(client, ended).status_code == 404


@pytest.fixture
def published(client, ended, buyer, provider):
    client.force_login(buyer)
    post_review(client, ended, rating="4", text="Lovely fox.")
    client.force_login(provider)
    post_review(client, ended, rating="5", text="Kind buyer.")
    client.logout()
    return Review.objects.get(author=buyer)


class TestAnswers:
    def test_the_reviewed_member_replies_once(self, client, published, ended, provider):
        client.force_login(provider)
        data = {"action": "review_reply", "review": str(published.public_id)}
        response = client.post(room(ended), {**data, "text": "Thank you!"})
        assert response.status_code == 302
        assert "Thank you!" in text(client.get(room(ended)))
        again = client.post(room(ended), {**data, "text": "Again."})
        assert "replied to this review already" in text(again)

    def test_a_host_hides_a_review_with_a_reason(
        self, client, published, ended, host, provider
    ):
        client.force_login(host)
        page = text(client.get(room(ended)))
        assert 'value="review_hide"' in page
        response = client.post(
            room(ended),
            {
                "action": "review_hide",
                "review": str(published.public_id),
                "reason": "It shares a phone number.",
            },
        )
        assert response.status_code == 302
        published.refresh_from_db()
        assert published.hidden_reason == "It shares a phone number."
        assert "Lovely fox." not in text(client.get("/m/priya/"))

    def test_a_party_sees_no_hide_form(self, client, published, ended, provider):
        client.force_login(provider)
        assert 'value="review_hide"' not in text(client.get(room(ended)))


class TestProfilesAndCards:
    def test_the_profile_shows_reputation_and_reviews(self, client, published):
        page = text(client.get("/m/priya/"))
        assert "Rated 4.0 out of 5 in 1 review." in page
        assert "Lovely fox." in page
        assert "Completed exchanges" in page

    def test_the_listing_page_and_card_show_the_rating(
        self, client, published, portrait
    ):
        listing_page = text(client.get(f"/listings/{portrait.public_id}/"))
        assert "Rated 4.0 out of 5 in 1 review." in listing_page
        search = text(client.get("/search/?sort=rating"))
        assert "Rated 4.0 out of 5 in 1 review." in search
