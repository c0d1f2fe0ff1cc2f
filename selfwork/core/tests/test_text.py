from html.parser import HTMLParser

import pytest

from selfwork.core.errors import InvalidInput
from selfwork.core.text import markdown_check, markdown_render, plain_check


class _Elements(HTMLParser):
    """Collects the elements and attributes a browser would build from the HTML."""

    def __init__(self, html):
        super().__init__()
        self.tags, self.attributes = [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [
            (name, (value or "").strip().lower()) for name, value in attrs
        ]


class TestMarkdownRender:
    def test_keeps_emphasis_lists_and_safe_links(self):
        html = markdown_render(
            "I paint *foxes* and **owls**.\n\n- ink\n- oil\n\n[my site](https://ex.org)"
        )
        assert "<em>foxes</em>" in html
        assert "<strong>owls</strong>" in html
        assert "<li>ink</li>" in html
        assert 'href="https://ex.org"' in html
        assert "nofollow" in html

    @pytest.mark.parametrize(
        "source",
        [
            "<script>alert(1)</script>",
            "hello <img src=x onerror=alert(1)>",
            '<a href="javascript:alert(1)">x</a>',
            "[click](javascript:alert(1))",
            "[click](JaVaScRiPt:alert(1))",
            "[click](vbscript:msgbox(1))",
            "[click](data:text/html;base64,PHNjcmlwdD4=)",
            "![x](javascript:alert(1))",
            "<iframe src=https://evil.example></iframe>",
            "<style>body{display:none}</style>",
        ],
    )
    def test_never_lets_script_through(self, source):
        found = _Elements(markdown_render(source))
        assert not {"script", "img", "iframe", "style"} & set(found.tags)
        for name, value in found.attributes:
            assert not name.startswith("on")
            if name in {"href", "src"}:
                assert value.startswith(("http:", "https:", "mailto:")), value

    def test_renders_nothing_for_nothing(self):
        assert markdown_render("") == ""
        assert markdown_render(None) == ""


class TestMarkdownCheck:
    @pytest.mark.parametrize(
        "source",
        [
            "<script>alert(1)</script>",
            "text <b>bold</b>",
            "[x](javascript:alert(1))",
            "[x]( JAVASCRIPT :alert(1))",
            "[x](data:text/html,hi)",
        ],
    )
    def test_refuses_raw_html_and_script_addresses(self, source):
        with pytest.raises(InvalidInput) as refused:
            markdown_check(source, field="description", max_length=1000)
        assert refused.value.code == "markup_not_allowed"
        assert refused.value.field == "description"

    def test_accepts_markdown_with_a_comparison(self):
        text = "Delivery in < 3 days, 2 > 1, *fast*."
        assert markdown_check(text, field="d", max_length=100) == text

    def test_refuses_an_over_long_text(self):
        with pytest.raises(InvalidInput) as refused:
            markdown_check("x" * 11, field="d", max_length=10)
        assert refused.value.code == "too_long"


class TestPlainCheck:
    def test_strips_surrounding_space(self):
        assert plain_check("  Fox  ", field="title", max_length=10) == "Fox"

    @pytest.mark.parametrize(
        ("value", "code"),
        [
            ("<b>x</b>", "markup_not_allowed"),
            ("</script>", "markup_not_allowed"),
            ("<!--hi-->", "markup_not_allowed"),
            ("bell\x07", "markup_not_allowed"),
            ("   ", "required"),
            ("x" * 11, "too_long"),
            (5, "invalid_input"),
        ],
    )
    def test_refuses_markup_control_characters_and_bad_lengths(self, value, code):
        with pytest.raises(InvalidInput) as refused:
            plain_check(value, field="title", max_length=10)
        assert refused.value.code == code

    def test_accepts_a_comparison_that_no_browser_reads_as_a_tag(self):
        assert (
            plain_check("A5 < A4 sizes", field="title", max_length=40)
            == "A5 < A4 sizes"
        )

    def test_allows_an_optional_empty_value(self):
        assert plain_check("", field="city", max_length=10, required=False) == ""
