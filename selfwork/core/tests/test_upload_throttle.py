"""Uploads are throttled per member and per address."""

import pytest


@pytest.fixture
def two_an_hour(settings):
    settings.SELFWORK_THROTTLES = {**settings.SELFWORK_THROTTLES, "uploads": "2/hour"}


class TestUploadThrottle:
    def test_the_third_upload_in_an_hour_is_429(
        self, two_an_hour, make_member, api_as, png_bytes
    ):
        api = api_as(make_member("olga"))
        assert [api.upload(png_bytes()).status_code for _ in range(2)] == [201, 201]
        refused = api.upload(png_bytes())
        assert refused.status_code == 429
        assert refused["Content-Type"] == "application/problem+json"
        assert refused.json()["code"] == "rate_limited"
        assert int(refused["Retry-After"]) > 0

    def test_another_member_may_still_upload(
        self, two_an_hour, make_member, api_as, png_bytes
    ):
        olga = api_as(make_member("olga"))
        for _ in range(3):
            olga.upload(png_bytes())
        assert api_as(make_member("ines")).upload(png_bytes()).status_code == 201

    def test_one_address_gets_four_members_worth(
        self, two_an_hour, make_member, api_as, png_bytes
    ):
        for n in range(4):
            api = api_as(make_member(f"member{n}x"))
            assert [api.upload(png_bytes()).status_code for _ in range(2)] == [201, 201]
        fifth = api_as(make_member("fifth"))
        assert fifth.upload(png_bytes()).status_code == 429

    def test_the_profile_page_refuses_a_portfolio_image_with_429(
        self, two_an_hour, make_member, browse_as, png_bytes
    ):
        from django.core.files.uploadedfile import SimpleUploadedFile

        browser = browse_as(make_member("olga"))

        def add():
            return browser.post(
                "/settings/profile/",
                {
                    "action": "portfolio_add",
                    "image": SimpleUploadedFile("a.png", png_bytes()),
                },
            )

        assert [add().status_code for _ in range(2)] == [302, 302]
        refused = add()
        assert refused.status_code == 429
        assert b"Too many uploads for now" in refused.content
