"""The template helpers: money, Markdown and the viewer's currency."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from selfwork.web.templatetags.selfwork import markdown, money, percent, response_time


def test_money_formats_minor_units_in_their_currency():
    assert money(4120, "NZD") == "NZ$41.20"
    assert money(1200, "JPY") == "¥1,200"
    assert money(150, "HOUR") == "1.5 hours"
    assert money(100, "HOUR") == "1 hour"
    assert money(None, "EUR") == ""


def test_markdown_renders_and_drops_script_links():
    html = markdown("**hi** [x](javascript:alert(1))")
    assert "<strong>hi</strong>" in html
    assert 'href="javascript' not in html


def test_percent_drops_trailing_zeros():
    from decimal import Decimal

    assert percent(Decimal("5.00")) == "5%"
    assert percent(Decimal("7.50")) == "7.5%"


class _Viewer:
    is_authenticated = True
    preferred_currency = "NZD"


def test_in_my_currency_converts_once_per_request(db, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = _Viewer()
    template = Template(
        "{% load selfwork %}{% in_my_currency 4000 'EUR' %}|{% in_my_currency 100 'EUR' %}"
        "|{% in_my_currency 100 'NZD' %}"
    )
    with django_assert_num_queries(1):
        text = template.render(Context({"request": request}))
    first, second, same = text.split("|")
    assert first.startswith("≈ NZ$") and second.startswith("≈ NZ$")
    assert same == ""


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (None, ""),
        (20, "within 1 minute"),
        (60, "within 1 minute"),
        (25 * 60, "within 25 minutes"),
        (60 * 60, "about 1 hour"),
        (5 * 3600, "about 5 hours"),
        (3 * 86400, "about 3 days"),
    ],
)
def test_response_time_says_a_median_answer_in_words(seconds, words):
    assert response_time(seconds) == words


def test_capture_renders_once_and_shows_it_where_asked():
    calls = []

    class Counted:
        def __str__(self):
            calls.append(1)
            return "<b>"

    html = Template(
        "{% load selfwork %}{% capture part %}[{{ value }}]{% endcapture %}"
        "{{ part }}|{{ part }}"
    ).render(Context({"value": Counted()}))
    assert html == "[&lt;b&gt;]|[&lt;b&gt;]"
    assert len(calls) == 1
