"""The geometry of the small server-rendered chart of a posted measure. Pure: numbers in and out.

One line per value: a dot at the value and a bar over its spread (the limits the registry gave —
interquartile range, confidence interval, range — or else value ± the spread, a standard
deviation or error). The template only draws what this computes; the numbers themselves are in
the table beside the chart, which is what screen readers get.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 320
LEFT, RIGHT = 8, 8
ROW_HEIGHT = 30  # a label line, then the dot line
TOP, AXIS_HEIGHT = 4, 18


@dataclass(frozen=True)
class Point:
    label: str
    role: str  # "cell" | "control" | ""
    value: float
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class ChartRow:
    label: str
    role: str
    label_y: float
    y: float
    x: float
    x_low: float | None
    x_high: float | None

    @property
    def box(self) -> tuple[float, float]:
        """Top-left corner of the square drawn for a control group's value."""
        return round(self.x - 4, 1), round(self.y - 4, 1)


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    rows: tuple[ChartRow, ...]
    axis_y: float
    min_label: str
    max_label: str
    zero_x: float | None  # where 0 is, when it is within the axis

    @property
    def axis_x(self) -> tuple[int, int]:
        return LEFT, self.width - RIGHT

    @property
    def tick_y(self) -> float:
        return self.height - 3


def spread_of(
    value: float, spread: float | None, lower: float | None, upper: float | None
) -> tuple[float | None, float | None]:
    """The interval to draw: the registry's limits when given, else value ± spread."""
    if lower is not None or upper is not None:
        return lower, upper
    if spread is not None:
        return value - abs(spread), value + abs(spread)
    return None, None


def number_label(value: float) -> str:
    return f"{value:.3g}"


def build_chart(points: Sequence[Point]) -> Chart | None:
    """The chart of these points, or None when there is nothing to draw."""
    if not points:
        return None
    numbers = [n for p in points for n in (p.value, p.low, p.high) if n is not None]
    lo, hi = min(numbers), max(numbers)
    if lo == hi:  # one value (or all equal): give it some room
        pad = abs(lo) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    span = hi - lo
    plot = WIDTH - LEFT - RIGHT

    def x_of(n: float | None) -> float | None:
        return None if n is None else round(LEFT + (n - lo) / span * plot, 1)

    rows = tuple(
        ChartRow(
            label=p.label,
            role=p.role,
            label_y=TOP + i * ROW_HEIGHT + 10,
            y=TOP + i * ROW_HEIGHT + 21,
            x=x_of(p.value),
            x_low=x_of(p.low),
            x_high=x_of(p.high),
        )
        for i, p in enumerate(points)
    )
    axis_y = TOP + len(points) * ROW_HEIGHT + 2
    return Chart(
        width=WIDTH,
        height=int(axis_y + AXIS_HEIGHT),
        rows=rows,
        axis_y=axis_y,
        min_label=number_label(lo),
        max_label=number_label(hi),
        zero_x=x_of(0.0) if lo < 0 < hi else None,
    )
