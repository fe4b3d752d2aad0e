"""Small server-rendered SVG charts: no chart library, no JavaScript, nothing from a CDN.

Pure functions: data in, SVG markup out. Each chart carries a <title> and a <desc> that states
every value in words (screen readers read the chart as one image with that description), draws
its values as text beside the bars, and takes the width of its container.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Geometry in pixels vertically and in percent of the width horizontally: the SVG has no viewBox,
# so it takes the width of its container while its text keeps its size on a phone and a desktop.
LINE_HEIGHT = 16  # one line of label
BAR_HEIGHT = 14
ROW_GAP = 9
WRAP_AT = 38  # characters of label per line: what a phone's width holds
LONGEST_BAR = 86  # percent of the width; the rest is room for the value
MAX_COLUMN_LABELS = 12


@dataclass(frozen=True)
class Bar:
    label: str
    value: int


def _describe(bars: Sequence[Bar], unit: str) -> str:
    if not bars:
        return f"No {unit}."
    return "; ".join(f"{bar.label}: {bar.value} {unit}" for bar in bars) + "."


def _svg(chart_id: str, title: str, description: str, height: int, body: list[str]) -> SafeString:
    chart_id = escape(chart_id)
    head = (
        f'<svg class="chart" id="{chart_id}" width="100%" height="{height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
    )
    # Safe: every text that came from the data went through escape() here or in the body.
    return mark_safe(head + "".join(body) + "</svg>")


def wrap(label: str, width: int = WRAP_AT) -> list[str]:
    """A label cut into lines of at most `width` characters, at spaces where it can be."""
    return textwrap.wrap(label, width, break_long_words=True, break_on_hyphens=False) or [""]


def bar_chart(
    *, chart_id: str, title: str, bars: Sequence[Bar], unit: str = "trials"
) -> SafeString:
    """Horizontal bars, each under its label (long labels wrap, and stay readable on a phone)."""
    if not bars:
        return _svg(chart_id, title, _describe(bars, unit), 30, [_empty_text(20)])
    largest = max(bar.value for bar in bars) or 1
    body = []
    top = 0
    for bar in bars:
        lines = wrap(bar.label)
        label = "".join(
            f'<tspan x="0" y="{top + LINE_HEIGHT * (number + 1) - 3}">{escape(line)}</tspan>'
            for number, line in enumerate(lines)
        )
        bar_top = top + LINE_HEIGHT * len(lines)
        length = bar.value / largest * LONGEST_BAR
        body.append(
            f'<g class="chart-row">'
            f'<text class="chart-label">{label}</text>'
            f'<rect class="chart-bar" x="0" y="{bar_top}" width="{length:.2f}%" '
            f'height="{BAR_HEIGHT}" rx="2"></rect>'
            f'<text class="chart-value" x="{length:.2f}%" dx="5" '
            f'y="{bar_top + BAR_HEIGHT - 2}">{bar.value}</text>'
            f"</g>"
        )
        top = bar_top + BAR_HEIGHT + ROW_GAP
    return _svg(chart_id, title, _describe(bars, unit), top, body)


def column_chart(
    *, chart_id: str, title: str, bars: Sequence[Bar], unit: str = "trials"
) -> SafeString:
    """Vertical columns in order (years): a value above each column, labels below.

    Past a dozen columns only every nth label is drawn, so that they never overlap.
    """
    if not bars:
        return _svg(chart_id, title, _describe(bars, unit), 30, [_empty_text(20)])
    label_every = math.ceil(len(bars) / MAX_COLUMN_LABELS)
    plot_top, plot_height, axis_space = 16, 140, 20
    baseline = plot_top + plot_height
    largest = max(bar.value for bar in bars) or 1
    # Columns within 4%..96%, so the first and last year labels are not cut at the edges.
    step = 92 / len(bars)
    column = step * 0.7
    body = [f'<line class="chart-axis" x1="0" x2="100%" y1="{baseline}" y2="{baseline}"></line>']
    for index, bar in enumerate(bars):
        height = bar.value / largest * plot_height
        left = 4 + index * step + (step - column) / 2
        middle = 4 + index * step + step / 2
        body.append(
            f'<rect class="chart-bar" x="{left:.2f}%" y="{baseline - height:.1f}" '
            f'width="{column:.2f}%" height="{height:.1f}" rx="1"></rect>'
        )
        if bar.value:
            body.append(
                f'<text class="chart-value" text-anchor="middle" x="{middle:.2f}%" '
                f'y="{baseline - height - 3:.1f}">{bar.value}</text>'
            )
        if index % label_every == 0:
            body.append(
                f'<text class="chart-label" text-anchor="middle" x="{middle:.2f}%" '
                f'y="{baseline + axis_space - 5}">{escape(bar.label)}</text>'
            )
    return _svg(chart_id, title, _describe(bars, unit), baseline + axis_space, body)


def _empty_text(y: int) -> str:
    return f'<text class="chart-label" x="0" y="{y}">No data yet.</text>'
