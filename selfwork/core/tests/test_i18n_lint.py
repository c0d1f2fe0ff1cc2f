"""The checker that finds template text nobody marked for translation."""

from pathlib import Path

import pytest

from selfwork.core.i18n_lint import unmarked_in

HERE = Path("t.html")


def texts(source: str) -> list[str]:
    return [u.text for u in unmarked_in(HERE, source)]


class TestUnmarkedText:
    def test_finds_plain_text_between_tags(self):
        assert texts("<h1>Welcome back</h1>") == ["Welcome back"]

    def test_finds_text_around_a_variable(self):
        assert texts("<p>Hello {{ name }}, welcome</p>") == ["Hello , welcome"]

    def test_accepts_translated_and_blocktranslated_text(self):
        source = (
            "{% load i18n %}<h1>{% translate 'Welcome back' %}</h1>"
            "<p>{% blocktranslate %}Hello {{ name }}{% endblocktranslate %}</p>"
        )
        assert texts(source) == []

    @pytest.mark.parametrize(
        "source",
        [
            '<img alt="A portrait">',
            '<input placeholder="Search listings">',
            '<button aria-label="Close menu"></button>',
            '<input type="submit" value="Send">',
            '<a title="Open the wallet" href="/w/">{{ x }}</a>',
        ],
    )
    def test_finds_human_attributes(self, source):
        assert len(texts(source)) == 1

    def test_ignores_machine_attributes_and_values(self):
        source = '<input type="hidden" name="next" value="home"><a class="btn primary" href="/x">'
        assert texts(source) == []

    def test_ignores_scripts_styles_comments_and_symbols(self):
        source = (
            "<script>var label = 'x';</script><style>.a{color:red}</style>"
            "{# a note #}{% comment %}Draft text{% endcomment %}<span>· — &middot; 42 %</span>"
        )
        assert texts(source) == []

    def test_reports_the_template_line(self):
        found = unmarked_in(HERE, "{% load i18n %}\n<p>\n{{ x }}\n  Left behind\n</p>")
        assert [(u.line, u.text) for u in found] == [(4, "Left behind")]

    def test_product_name_alone_is_not_text_to_translate(self):
        assert texts("<a class='brand'>selfwork</a>") == []


def test_every_template_of_selfwork_is_marked_for_translation():
    # Text typed straight into a template reaches every member in English,
    # whatever language they chose; the checker names the file and the line.
    import selfwork
    from selfwork.core.i18n_lint import templates_under

    root = Path(selfwork.__file__).parent
    found = [str(u) for path in templates_under([root]) for u in unmarked_in(path)]
    assert found == [], "\n".join(found)
