"""Charts drawn on the server as inline SVG: no script, no CDN, readable without a browser
that runs JavaScript, printable. Each bar may link to the list behind it.

`bar_chart` draws horizontal bars (one per label: stations, majors, categories),
`column_chart` vertical columns over an ordered axis (years, months).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

ROW_HEIGHT = 22
LABEL_WIDTH = 160
BAR_WIDTH = 300
VALUE_WIDTH = 70
COLUMN_WIDTH = 34
PLOT_HEIGHT = 160


@dataclass(frozen=True)
class Point:
    label: str
    value: int | float | Decimal
    url: str | None = None  # the filtered list behind the bar


def _number(value: int | float | Decimal) -> str:
    if isinstance(value, int):
        return f"{value:,}"
    return f"{float(value):,.1f}".removesuffix(".0")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _linked(point: Point, shape: SafeString) -> SafeString:
    if point.url:
        return format_html('<a href="{}">{}</a>', point.url, shape)
    return shape


def bar_chart(points: Sequence[Point], *, title: str) -> SafeString:
    """Horizontal bars scaled to the largest value; empty markup for no points."""
    if not points:
        return mark_safe("")
    top = float(max(point.value for point in points)) or 1.0
    height = ROW_HEIGHT * len(points) + 4
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    rows = []
    for index, point in enumerate(points):
        y = index * ROW_HEIGHT + 2
        length = max(float(point.value) / top * BAR_WIDTH, 1.0 if point.value else 0.0)
        shape = format_html(
            '<g class="bar"><title>{label}: {value}</title>'
            '<text x="{lx}" y="{ty}" text-anchor="end">{short}</text>'
            '<rect x="{bx}" y="{y}" width="{w}" height="{h}" rx="2"></rect>'
            '<text class="value" x="{vx}" y="{ty}">{value}</text></g>',
            label=point.label,
            short=_clip(point.label, 14),
            value=_number(point.value),
            lx=LABEL_WIDTH - 6,
            bx=LABEL_WIDTH,
            vx=f"{LABEL_WIDTH + length + 4:.1f}",
            y=y,
            ty=y + ROW_HEIGHT - 8,
            w=f"{length:.1f}",
            h=ROW_HEIGHT - 6,
        )
        rows.append(_linked(point, shape))
    return format_html(
        '<svg class="chart bars" role="img" aria-label="{}" viewBox="0 0 {} {}" '
        'width="100%" preserveAspectRatio="xMinYMin meet" '
        'xmlns="http://www.w3.org/2000/svg">{}</svg>',
        title,
        width,
        height,
        format_html_join("", "{}", ((row,) for row in rows)),
    )


def column_chart(points: Sequence[Point], *, title: str) -> SafeString:
    """Vertical columns in the order given (years, months), labelled below."""
    if not points:
        return mark_safe("")
    top = float(max(point.value for point in points)) or 1.0
    label_band = 36
    width = max(COLUMN_WIDTH * len(points), 200)
    height = PLOT_HEIGHT + label_band
    columns = []
    for index, point in enumerate(points):
        x = index * COLUMN_WIDTH
        size = max(float(point.value) / top * (PLOT_HEIGHT - 16), 1.0 if point.value else 0.0)
        shape = format_html(
            '<g class="bar"><title>{label}: {value}</title>'
            '<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="2"></rect>'
            '<text class="value" x="{cx}" y="{vy}" text-anchor="middle">{value}</text>'
            '<text x="{cx}" y="{ly}" text-anchor="middle">{short}</text></g>',
            label=point.label,
            short=_clip(point.label, 7),
            value=_number(point.value),
            x=x + 3,
            y=f"{PLOT_HEIGHT - size:.1f}",
            w=COLUMN_WIDTH - 6,
            h=f"{size:.1f}",
            cx=x + COLUMN_WIDTH // 2,
            vy=f"{PLOT_HEIGHT - size - 3:.1f}",
            ly=PLOT_HEIGHT + 16,
        )
        columns.append(_linked(point, shape))
    return format_html(
        '<svg class="chart columns" role="img" aria-label="{}" viewBox="0 0 {} {}" '
        'width="100%" preserveAspectRatio="xMinYMin meet" '
        'xmlns="http://www.w3.org/2000/svg">{}</svg>',
        title,
        width,
        height,
        format_html_join("", "{}", ((column,) for column in columns)),
    )
