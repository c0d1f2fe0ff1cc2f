"""Charts drawn on the server as SVG: readable without JavaScript, and accessible.

A chart is a small value object (a title, the category labels, one or more series
of numbers, and the same numbers as text for its table); ``svg`` draws it. The
drawing carries ``role="img"``, an ``aria-label`` and a ``<title>``; the template
puts it in a ``<figure>`` with the table beside it, so no one depends on the
picture. Every text in the SVG is escaped.
"""

import math
from dataclasses import dataclass, field

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH = 480
HEIGHT = 240
LEFT = 48
RIGHT = 8
TOP = 28
BOTTOM = 36
ROW = 24  # height of one bar of a horizontal chart
LABEL_WIDTH = 165
# Colours with at least 3:1 contrast against white (WCAG non-text contrast).
PALETTE = ("#1f6feb", "#b35900", "#2f855a", "#9f1ab1", "#c53030")
MAX_X_LABELS = 8


@dataclass(frozen=True)
class Series:
    """One named row of numbers, one per label of its chart."""

    name: str
    values: list[float]


@dataclass(frozen=True)
class Chart:
    """A chart and the table behind it.

    ``kind`` is ``columns`` (time along the bottom, a group of columns per
    label) or ``bars`` (one horizontal bar per label, for categories).
    ``headers`` and ``rows`` are the table's text, formatted for reading;
    ``csv_headers`` and ``csv_rows`` the same numbers for a spreadsheet.
    """

    key: str
    title: str
    labels: list[str]
    series: list[Series]
    kind: str = "columns"
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    csv_headers: list[str] = field(default_factory=list)
    csv_rows: list[list[str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(v for s in self.series for v in s.values)

    @property
    def svg(self) -> SafeString:
        if self.kind == "bars":
            return bars_svg(self.title, self.labels, self.series[0])
        return columns_svg(self.title, self.labels, self.series)


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10ⁿ at or above ``value`` (1 for nothing)."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


def _number(value: float) -> str:
    return f"{value:g}" if value != int(value) else str(int(value))


def _open(title: str, height: int) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        'aria-label="{}" viewBox="0 0 {} {}" width="100%" '
        'preserveAspectRatio="xMinYMin meet"><title>{}</title>',
        title,
        WIDTH,
        height,
        title,
    )


def columns_svg(title: str, labels: list[str], series: list[Series]) -> SafeString:
    """Grouped columns: one group per label, one column per series, with a legend."""
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    top = nice_ceiling(max((v for s in series for v in s.values), default=0))
    groups = max(len(labels), 1)
    group_w = plot_w / groups
    column_w = max(group_w * 0.8 / max(len(series), 1), 1)
    parts = [_open(title, HEIGHT)]
    # Axis: the baseline and the top value, with a faint guide line.
    parts.append(
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#555" />'
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#ddd" />'
            '<text x="{}" y="{}" font-size="13" text-anchor="end">{}</text>'
            '<text x="{}" y="{}" font-size="13" text-anchor="end">0</text>',
            LEFT,
            TOP + plot_h,
            WIDTH - RIGHT,
            TOP + plot_h,
            LEFT,
            TOP,
            WIDTH - RIGHT,
            TOP,
            LEFT - 4,
            TOP + 4,
            _number(top),
            LEFT - 4,
            TOP + plot_h,
        )
    )
    for index, one in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        parts.append(
            format_html(
                '<rect x="{}" y="6" width="10" height="10" fill="{}" />'
                '<text x="{}" y="15" font-size="14">{}</text>',
                LEFT + index * 120,
                colour,
                LEFT + index * 120 + 14,
                one.name,
            )
        )
        for position, value in enumerate(one.values):
            height = plot_h * value / top if value > 0 else 0
            x = LEFT + position * group_w + group_w * 0.1 + index * column_w
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
                    "<title>{}: {} {}</title></rect>",
                    round(x, 2),
                    round(TOP + plot_h - height, 2),
                    round(column_w, 2),
                    round(height, 2),
                    colour,
                    labels[position] if position < len(labels) else "",
                    one.name,
                    _number(value),
                )
            )
    every = max(math.ceil(len(labels) / MAX_X_LABELS), 1)
    parts.append(
        format_html_join(
            "",
            '<text x="{}" y="{}" font-size="13" text-anchor="middle">{}</text>',
            (
                (round(LEFT + (i + 0.5) * group_w, 2), HEIGHT - BOTTOM + 16, label)
                for i, label in enumerate(labels)
                if i % every == 0
            ),
        )
    )
    parts.append(mark_safe("</svg>"))
    return SafeString("".join(parts))


def bars_svg(title: str, labels: list[str], series: Series) -> SafeString:
    """Horizontal bars, one per label, each with its value written after it."""
    height = TOP + ROW * max(len(labels), 1) + 8
    top = nice_ceiling(max(series.values, default=0))
    plot_w = WIDTH - LABEL_WIDTH - RIGHT - 40
    parts = [_open(title, height)]
    for index, (label, value) in enumerate(zip(labels, series.values, strict=True)):
        y = TOP + index * ROW
        width = plot_w * value / top if value > 0 else 0
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="14" text-anchor="end">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" />'
                '<text x="{}" y="{}" font-size="14">{}</text>',
                LABEL_WIDTH - 6,
                y + ROW * 0.65,
                label,
                LABEL_WIDTH,
                y + 4,
                round(width, 2),
                ROW - 8,
                PALETTE[0],
                round(LABEL_WIDTH + width + 4, 2),
                y + ROW * 0.65,
                _number(value),
            )
        )
    parts.append(mark_safe("</svg>"))
    return SafeString("".join(parts))
