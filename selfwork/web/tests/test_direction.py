"""Every page says its language and writing direction on <html>."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation


def opening_tag(template: str, language: str) -> str:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with translation.override(language):
        html = render_to_string(template, request=request)
    return html[html.index("<html") : html.index(">", html.index("<html")) + 1]


@pytest.mark.parametrize("template", ["web/base.html", "500.html", "503.html"])
class TestHtmlLanguageAndDirection:
    def test_english_is_left_to_right(self, template, db):
        assert opening_tag(template, "en") == '<html lang="en" dir="ltr">'

    def test_a_right_to_left_language_turns_the_page(self, template, db):
        # No right-to-left catalogue ships yet; the direction follows the language.
        assert opening_tag(template, "he") == '<html lang="he" dir="rtl">'
