"""``{% url %}`` keeps its answers, and answers exactly as Django's would."""

import uuid

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, reverse, set_script_prefix

from selfwork.web.templatetags import urls


def render(text: str, **context) -> str:
    return Template(text).render(Context(context))


@pytest.fixture(autouse=True)
def fresh():
    urls._reversed.cache_clear()
    yield
    set_script_prefix("/")


def test_the_builtin_is_the_kept_one():
    assert isinstance(Template("{% url 'web:home' %}").nodelist[0], urls.KeptURLNode)


def test_links_match_reverse_and_are_kept():
    key = uuid.uuid4()
    text = "{% url 'web:listing' key %} {% url 'web:profile' name %} {% url 'web:search' %}"
    first = render(text, key=key, name="ana")
    assert first == " ".join(
        [
            reverse("web:listing", args=[key]),
            reverse("web:profile", args=["ana"]),
            reverse("web:search"),
        ]
    )
    assert render(text, key=key, name="ana") == first
    info = urls._reversed.cache_info()
    assert (info.misses, info.hits) == (3, 3)
    # Other arguments are other links.
    assert render("{% url 'web:profile' name %}", name="bo") == reverse(
        "web:profile", args=["bo"]
    )


def test_the_script_prefix_is_part_of_the_key():
    assert render("{% url 'web:search' %}") == "/search/"
    set_script_prefix("/market/")
    assert render("{% url 'web:search' %}") == "/market/search/"


def test_other_objects_are_reversed_each_time():
    class Name:
        def __init__(self, text):
            self.text = text

        def __str__(self):
            return self.text

    name = Name("ana")
    assert render("{% url 'web:profile' name %}", name=name) == "/m/ana/"
    name.text = "bo"
    assert render("{% url 'web:profile' name %}", name=name) == "/m/bo/"
    assert urls._reversed.cache_info().currsize == 0


def test_escaped_as_a_variable_and_refused_as_django_does():
    assert render("{% url 'web:profile' name %}", name="a&b") == "/m/a&amp;b/"
    assert render("{% url 'web:nowhere' as link %}[{{ link }}]") == "[]"
    with pytest.raises(NoReverseMatch):
        render("{% url 'web:nowhere' %}")
