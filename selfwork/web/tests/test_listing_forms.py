"""The listing editor: images and modes in, the same rules as the API, nothing half-stored."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from selfwork.catalog.models import Listing, ListingImage, ListingMode, ListingPackage
from selfwork.communities.services import listing_field_create
from selfwork.core.models import Upload
from selfwork.web.tests.conftest import page_text


@pytest.fixture
def seller(provider, community, member_of, login):
    member_of(community, provider)
    return login(provider)


def _png(png_bytes, name="fox.png", **kw):
    return SimpleUploadedFile(name, png_bytes(**kw), content_type="image/png")


def _new(client, data, files=None):
    payload = {
        "community": "guild",
        "currency": "EUR",
        "title": "Fox in gouache",
        **data,
    }
    if files:
        payload["images"] = files
    return client.post(reverse("web:listing_new") + "?community=guild", payload)


class TestNewListing:
    def test_given_a_member_when_they_open_the_editor_then_the_modes_of_the_community_show(
        self, seller
    ):
        html = page_text(seller.get(reverse("web:listing_new") + "?community=guild"))
        for name in (
            "title",
            "description",
            "images",
            "mode_made_to_order",
            "made_to_order_price",
            "mode_service",
            "service_1_price",
            "mode_rental",
            "rental_price",
            "mode_gift",
            "mode_timebank",
        ):
            assert f'name="{name}"' in html
        assert 'type="file" name="images"' in html and "multiple" in html
        assert "Publish listing</button>" in html

    def test_given_a_png_and_a_price_when_published_then_the_listing_page_shows_both(
        self, seller, png_bytes, provider
    ):
        response = _new(
            seller,
            {
                "description": "Your pet, **painted**.",
                "tags": "pets, gouache",
                "mode_made_to_order": "on",
                "made_to_order_price": "40.00",
                "made_to_order_options": "Size: A4, A3 +15",
            },
            [_png(png_bytes)],
        )
        listing = Listing.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("web:listing", args=[listing.public_id])
        assert listing.owner == provider and listing.tags == ["pets", "gouache"]
        mode = ListingMode.objects.get(listing=listing)
        assert mode.price_minor == 4000 and mode.unit == "EUR"
        assert mode.options == [
            {
                "name": "Size",
                "choices": [
                    {"label": "A4", "price_delta_minor": 0},
                    {"label": "A3", "price_delta_minor": 1500},
                ],
            }
        ]
        image = ListingImage.objects.get(listing=listing)
        html = page_text(seller.get(response["Location"]))
        # Shown as its gallery thumbnail (WebP, JPEG fallback), not as stored.
        gallery = image.upload.thumbnail("gallery")
        assert f"/media/{gallery['webp']}" in html
        assert f"/media/{gallery['jpeg']}" in html
        assert f'src="{image.upload.url}"' not in html
        assert "Fox in gouache" in html and "€40.00" in html and "+€15.00" in html
        assert "<strong>painted</strong>" in html

    def test_given_service_packages_when_published_then_each_package_is_stored(
        self, seller
    ):
        _new(
            seller,
            {
                "mode_service": "on",
                "service_1_name": "Sketch",
                "service_1_price": "45",
                "service_1_days": "5",
                "service_1_revisions": "1",
                "service_2_name": "Full colour",
                "service_2_price": "120",
                "service_2_days": "10",
            },
        )
        packages = ListingPackage.objects.order_by("position")
        assert [
            (p.name, p.price_minor, p.delivery_days, p.revisions) for p in packages
        ] == [
            ("Sketch", 4500, 5, 1),
            ("Full colour", 12000, 10, 0),
        ]

    def test_given_a_bad_price_when_published_then_the_error_shows_and_nothing_is_stored(
        self, seller, png_bytes
    ):
        response = _new(
            seller,
            {"mode_made_to_order": "on", "made_to_order_price": "12.345"},
            [_png(png_bytes)],
        )
        assert response.status_code == 422
        html = page_text(response)
        assert "EUR amounts have at most 2 decimals" in html
        assert "id_made_to_order_price_error" in html
        assert 'value="Fox in gouache"' in html
        assert Listing.objects.count() == 0
        assert ListingMode.objects.count() == 0
        assert Upload.objects.count() == 0

    def test_given_a_zero_package_price_when_published_then_the_package_row_says_so(
        self, seller
    ):
        response = _new(
            seller,
            {
                "mode_service": "on",
                "service_1_name": "Sketch",
                "service_1_price": "0",
                "service_1_days": "5",
            },
        )
        assert response.status_code == 422
        html = page_text(response)
        assert "id_service_1_price_error" in html
        assert "Price must be more than zero." in html
        assert Listing.objects.count() == 0

    def test_given_no_mode_ticked_when_published_then_it_asks_for_one(self, seller):
        response = _new(seller, {"made_to_order_price": "40"})
        assert response.status_code == 422
        assert "Choose at least one way" in page_text(response)
        assert Listing.objects.count() == 0

    def test_given_a_file_that_is_no_image_when_published_then_nothing_is_stored(
        self, seller
    ):
        bad = SimpleUploadedFile(
            "fox.png", b"not an image at all", content_type="image/png"
        )
        response = _new(seller, {"mode_gift": "on"}, [bad])
        assert response.status_code == 415
        assert "id_images_error" in page_text(response)
        assert Listing.objects.count() == 0 and Upload.objects.count() == 0

    def test_given_a_required_custom_field_when_left_empty_then_it_is_asked_for(
        self, seller, community, host
    ):
        listing_field_create(
            community=community,
            actor=host,
            key="paper",
            label="Paper",
            kind="choice",
            choices=["A4", "A3"],
            required=True,
        )
        response = _new(seller, {"mode_gift": "on"})
        assert response.status_code == 422
        assert "id_custom_paper_error" in page_text(response)
        response = _new(seller, {"mode_gift": "on", "custom_paper": "A3"})
        assert response.status_code == 302
        assert Listing.objects.get().custom == {"paper": "A3"}

    def test_given_a_community_the_member_is_not_in_when_asked_then_they_choose_another(
        self, seller, private_community
    ):
        response = seller.get(reverse("web:listing_new") + "?community=back-room")
        assert response.status_code == 404
        assert "Illustrators&#x27; Guild" in page_text(response)

    def test_given_a_member_of_no_community_when_they_open_the_editor_then_it_says_join_first(
        self, login, stranger
    ):
        html = page_text(login(stranger).get(reverse("web:listing_new")))
        assert "Join a community first" in html


class TestEditListing:
    @pytest.fixture
    def listing(self, seller, png_bytes):
        _new(
            seller,
            {"mode_made_to_order": "on", "made_to_order_price": "40"},
            [_png(png_bytes, "a.png"), _png(png_bytes, "b.png", color=(10, 20, 30))],
        )
        return Listing.objects.get()

    def test_given_a_listing_when_the_editor_opens_then_its_values_are_filled_in(
        self, seller, listing
    ):
        html = page_text(
            seller.get(reverse("web:listing_edit", args=[listing.public_id]))
        )
        assert 'value="Fox in gouache"' in html
        assert 'value="40.00"' in html
        assert 'name="mode_made_to_order" id="id_mode_made_to_order" checked' in html
        assert html.count('name="remove_images"') == 2

    def test_given_an_edit_when_saved_then_kept_images_stay_and_removed_ones_go(
        self, seller, listing
    ):
        first, second = [i.upload for i in listing.images.order_by("position")]
        response = seller.post(
            reverse("web:listing_edit", args=[listing.public_id]),
            {
                "title": "Fox in oils",
                "currency": "EUR",
                "mode_rental": "on",
                "rental_price": "12.50",
                "rental_unit": "day",
                "rental_deposit": "50",
                "remove_images": [str(first.public_id)],
            },
        )
        assert response.status_code == 302
        listing.refresh_from_db()
        assert listing.title == "Fox in oils"
        assert [i.upload for i in listing.images.all()] == [second]
        mode = ListingMode.objects.get(listing=listing)
        assert (mode.mode, mode.price_minor, mode.deposit_minor) == (
            "rental",
            1250,
            5000,
        )

    def test_given_a_new_image_when_saved_then_it_is_added_after_the_kept_ones(
        self, seller, listing, png_bytes
    ):
        kept = [i.upload for i in listing.images.order_by("position")]
        response = seller.post(
            reverse("web:listing_edit", args=[listing.public_id]),
            {
                "title": "Fox in gouache",
                "currency": "EUR",
                "mode_made_to_order": "on",
                "made_to_order_price": "40",
                "images": [_png(png_bytes, "c.png", color=(1, 2, 3))],
            },
        )
        assert response.status_code == 302
        uploads = [i.upload for i in listing.images.order_by("position")]
        assert uploads[:2] == kept and len(uploads) == 3

    def test_given_a_bad_edit_when_saved_then_the_listing_is_unchanged(
        self, seller, listing
    ):
        response = seller.post(
            reverse("web:listing_edit", args=[listing.public_id]),
            {
                "title": "Fox in oils",
                "currency": "EUR",
                "mode_rental": "on",
                "rental_price": "12.50",
                "rental_unit": "day",
                "rental_deposit": "-5",
            },
        )
        assert response.status_code == 422
        assert "id_rental_deposit_error" in page_text(response)
        listing.refresh_from_db()
        assert listing.title == "Fox in gouache"
        assert ListingMode.objects.get(listing=listing).mode == "made_to_order"
        assert listing.images.count() == 2


class TestManageListing:
    def test_given_the_owner_when_they_hide_and_show_from_the_dashboard_then_status_follows(
        self, seller, provider, community, make_listing
    ):
        listing = make_listing(provider, community)
        dashboard = reverse("web:dashboard")
        response = seller.post(
            reverse("web:listing_hide", args=[listing.public_id]), {"next": dashboard}
        )
        assert response["Location"] == dashboard
        listing.refresh_from_db()
        assert listing.status == "hidden"
        assert "Hidden" in page_text(seller.get(dashboard))
        seller.post(reverse("web:listing_show", args=[listing.public_id]))
        listing.refresh_from_db()
        assert listing.status == "active"

    def test_given_the_owner_when_they_delete_then_the_listing_is_gone(
        self, seller, provider, community, make_listing
    ):
        listing = make_listing(provider, community)
        response = seller.post(reverse("web:listing_delete", args=[listing.public_id]))
        assert response["Location"] == reverse("web:dashboard")
        assert not Listing.objects.exists()

    def test_given_someone_else_when_they_try_to_hide_or_delete_then_404(
        self, login, buyer, provider, community, member_of, make_listing
    ):
        member_of(community, provider)
        listing = make_listing(provider, community)
        client = login(buyer)
        assert (
            client.post(
                reverse("web:listing_hide", args=[listing.public_id])
            ).status_code
            == 404
        )
        assert (
            client.post(
                reverse("web:listing_delete", args=[listing.public_id])
            ).status_code
            == 404
        )
        assert Listing.objects.get().status == "active"

    def test_given_the_host_when_they_delete_a_members_listing_then_it_is_gone(
        self, login, host, provider, community, member_of, make_listing
    ):
        member_of(community, provider)
        listing = make_listing(provider, community)
        response = login(host).post(
            reverse("web:listing_delete", args=[listing.public_id])
        )
        assert response["Location"] == reverse("web:community", args=["guild"])
        assert not Listing.objects.exists()


class TestOddInput:
    @pytest.mark.parametrize(
        "data",
        [
            {"mode_made_to_order": "on", "made_to_order_price": "1e5"},
            {"mode_made_to_order": "on", "made_to_order_price": "-4"},
            {
                "mode_made_to_order": "on",
                "made_to_order_price": "40",
                "made_to_order_options": "no colon here",
            },
            {
                "mode_made_to_order": "on",
                "made_to_order_price": "40",
                "made_to_order_options": "Size: A3 +1.2.3",
            },
            {
                "mode_made_to_order": "on",
                "made_to_order_price": "40",
                "currency": "XYZ",
            },
            {
                "mode_service": "on",
                "service_1_name": "Sketch",
                "service_1_price": "40",
                "service_1_days": "soon",
            },
            {
                "mode_service": "on",
                "service_1_name": "Sketch",
                "service_1_price": "40",
                "service_1_days": "999",
            },
            {"mode_service": "on", "service_2_price": "40", "service_2_days": "3"},
            {"mode_rental": "on", "rental_price": "5", "rental_unit": "week"},
            {"mode_timebank": "on", "timebank_hours": "1.555"},
            {"mode_lend": "on", "lend_hours": "abc"},
            {"mode_gift": "on", "title": "<b>bold</b>"},
            {"mode_gift": "on", "tags": ", ".join(f"t{n}" for n in range(20))},
            {"mode_gift": "on", "country": "NZL"},
            {"mode_gift": "on", "remove_images": ["not-an-image-of-yours"]},
            {"mode_gift": "on", "description": "[x](javascript:alert(1))"},
        ],
    )
    def test_given_odd_input_when_published_then_it_is_refused_with_a_message(
        self, seller, data
    ):
        response = _new(seller, data)
        assert 400 <= response.status_code < 500
        html = page_text(response)
        assert 'class="errorlist' in html or "alert-error" in html
        assert Listing.objects.count() == 0


class TestRequestForHelp:
    def test_a_timebank_listing_may_be_a_request_for_help(self, seller):
        response = _new(
            seller,
            {"mode_timebank": "on", "timebank_hours": "1.5", "timebank_request": "on"},
        )
        assert response.status_code == 302
        listing = Listing.objects.get()
        assert listing.kind == "request"
        page = page_text(seller.get(reverse("web:listing", args=[listing.public_id])))
        assert "This is your own listing" not in page

    def test_a_request_is_for_the_time_bank_only(self, seller):
        response = _new(
            seller,
            {
                "mode_timebank": "on",
                "timebank_hours": "1",
                "timebank_request": "on",
                "mode_gift": "on",
            },
        )
        assert 400 <= response.status_code < 500
        assert Listing.objects.count() == 0
