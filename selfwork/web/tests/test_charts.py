"""SVG charts drawn on the server: shapes, accessibility and escaping."""

import re

from selfwork.web.charts import Chart, Series, bars_svg, columns_svg, nice_ceiling


def heights(svg: str) -> list[float]:
    return [
        float(h)
        for h in re.findall(
            r'<rect x="[^"]+" y="[^"]+" width="[^"]+" height="([^"]+)" fill="[^"]+"><title>',
            svg,
        )
    ]


class TestNiceCeiling:
    def test_rounds_up_to_a_readable_top(self):
        assert [nice_ceiling(v) for v in (0, 0.3, 1, 7, 12, 240, 2600)] == [
            1,
            0.5,
            1,
            10,
            20,
            250,
            5000,
        ]


class TestColumns:
    def test_is_an_image_with_a_label_and_a_title(self):
        svg = columns_svg(
            "Volume in EUR", ["Nov 1", "Nov 2"], [Series("Volume", [1, 2])]
        )

        assert svg.startswith("<svg ")
        assert 'role="img"' in svg
        assert 'aria-label="Volume in EUR"' in svg
        assert "<title>Volume in EUR</title>" in svg
        assert svg.endswith("</svg>")

    def test_draws_one_column_per_value_scaled_to_the_largest(self):
        svg = columns_svg(
            "Exchanges",
            ["a", "b", "c"],
            [Series("Started", [10, 5, 0]), Series("Completed", [2, 0, 0])],
        )

        assert heights(svg) == [176.0, 88.0, 0.0, 35.2, 0.0, 0.0]
        assert "<title>b: Started 5</title>" in svg
        assert ">Completed</text>" in svg

    def test_escapes_every_text(self):
        svg = columns_svg('<b>"x"</b>', ["<i>"], [Series("&", [1])])

        assert "<b>" not in svg and "<i>" not in svg
        assert "&lt;b&gt;&quot;x&quot;&lt;/b&gt;" in svg
        assert "&amp;" in svg

    def test_names_only_some_labels_when_there_are_many(self):
        labels = [f"d{i}" for i in range(30)]
        svg = columns_svg("Members", labels, [Series("Active", [1] * 30)])

        named = re.findall(r'text-anchor="middle">(d\d+)</text>', svg)
        assert named == ["d0", "d4", "d8", "d12", "d16", "d20", "d24", "d28"]


class TestBars:
    def test_writes_each_label_and_value(self):
        svg = bars_svg("States", ["completed", "in_progress"], Series("n", [4, 1]))

        assert ">completed</text>" in svg and ">in_progress</text>" in svg
        assert ">4</text>" in svg and ">1</text>" in svg
        assert 'aria-label="States"' in svg


class TestChart:
    def test_is_empty_when_every_value_is_zero(self):
        chart = Chart(key="k", title="t", labels=["a"], series=[Series("s", [0])])

        assert chart.empty
        assert "<svg" in chart.svg

    def test_draws_bars_for_categories(self):
        chart = Chart(
            key="modes",
            title="Modes",
            kind="bars",
            labels=["Gift"],
            series=[Series("n", [3])],
        )

        assert 'text-anchor="end">Gift</text>' in chart.svg
