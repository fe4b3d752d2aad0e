"""The geometry of a forest plot: one line per trial (a square at its effect, a bar over its 95%
CI, the square's size by its inverse-variance weight), a diamond for the pool, a line at no
effect. Pure: numbers in and out; the template draws only what this computes, and the same
numbers stand in the table beside it (what screen readers get).

RR is drawn on a log axis, so that 0.5 and 2 are as far from 1.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 560
LABEL_WIDTH = 190  # the trial names on the left
TEXT_WIDTH = 150  # the numbers on the right
ROW_HEIGHT = 20
TOP, AXIS_HEIGHT = 8, 30
MAX_BOX = 10.0


@dataclass(frozen=True)
class ForestInput:
    label: str
    estimate: float
    low: float | None
    high: float | None
    weight: float | None = None  # 1 / variance; None: drawn at a middle size


@dataclass(frozen=True)
class ForestRow:
    label: str
    text: str  # "3.31 (1.87 to 4.75)"
    y: float
    x: float
    x_low: float | None
    x_high: float | None
    box: float  # the square's side

    @property
    def text_y(self) -> float:
        return self.y + 4

    @property
    def box_corner(self) -> tuple[float, float]:
        return round(self.x - self.box / 2, 1), round(self.y - self.box / 2, 1)


@dataclass(frozen=True)
class Diamond:
    label: str
    text: str
    y: float
    points: str  # the SVG polygon's points

    @property
    def text_y(self) -> float:
        return self.y + 4


@dataclass(frozen=True)
class Forest:
    width: int
    height: int
    rows: tuple[ForestRow, ...]
    diamond: Diamond | None
    null_x: float | None
    axis_y: float
    plot_left: int
    plot_right: int
    text_x: int
    ticks: tuple[tuple[float, str], ...]
    left_label: str  # "favours control" / "favours cell therapy" under the axis, when known
    right_label: str

    @property
    def tick_y(self) -> float:
        return self.axis_y + 12

    @property
    def side_y(self) -> float:
        return self.axis_y + 25


def interval_text(estimate: float, low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return f"{estimate:.2f}"
    return f"{estimate:.2f} ({low:.2f} to {high:.2f})"


def build_forest(
    rows: Sequence[ForestInput],
    *,
    log_scale: bool,
    pooled: ForestInput | None = None,
    better: str = "",
) -> Forest | None:
    """A forest of these rows and an optional pooled diamond; None when there is nothing."""
    if not rows:
        return None
    scale = (lambda v: math.log(v) if v and v > 0 else None) if log_scale else (lambda v: v)
    null = 0.0  # on the drawn scale: log 1 = 0
    drawn_inputs = [*rows, *([pooled] if pooled else [])]
    values = [scale(n) for r in drawn_inputs for n in (r.estimate, r.low, r.high)]
    values = [v for v in values if v is not None] + [null]
    lo, hi = min(values), max(values)
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    pad = (hi - lo) * 0.05
    lo, hi = lo - pad, hi + pad
    plot_left, plot_right = LABEL_WIDTH, WIDTH - TEXT_WIDTH

    def x_of(value: float | None) -> float | None:
        v = scale(value) if value is not None else None
        if v is None:
            return None
        return round(plot_left + (v - lo) / (hi - lo) * (plot_right - plot_left), 1)

    weights = [r.weight for r in rows if r.weight]
    top_weight = max(weights) if weights else None
    drawn = []
    for i, r in enumerate(rows):
        share = math.sqrt(r.weight / top_weight) if r.weight and top_weight else 0.6
        drawn.append(
            ForestRow(
                label=r.label,
                text=interval_text(r.estimate, r.low, r.high),
                y=TOP + i * ROW_HEIGHT + ROW_HEIGHT / 2,
                x=x_of(r.estimate),
                x_low=x_of(r.low),
                x_high=x_of(r.high),
                box=round(max(4.0, MAX_BOX * share), 1),
            )
        )
    diamond = None
    y = TOP + len(rows) * ROW_HEIGHT + ROW_HEIGHT / 2
    if pooled is not None:
        left, mid, right = x_of(pooled.low), x_of(pooled.estimate), x_of(pooled.high)
        diamond = Diamond(
            pooled.label,
            interval_text(pooled.estimate, pooled.low, pooled.high),
            y,
            f"{left},{y} {mid},{y - 6} {right},{y} {mid},{y + 6}",
        )
        y += ROW_HEIGHT / 2
    axis_y = round(y + 4, 1)
    # The ends of the data and no effect (0, or 1 for RR), unless no effect crowds an end.
    tick_values = [lo + pad, hi - pad]
    if all(abs(null - v) > (hi - lo) * 0.12 for v in tick_values):
        tick_values.insert(1, null)
    ticks = tuple(
        (
            round(plot_left + (v - lo) / (hi - lo) * (plot_right - plot_left), 1),
            f"{math.exp(v) if log_scale else v:.3g}",
        )
        for v in tick_values
    )
    # Which side favours whom: higher values to the right; "better" says who gains there.
    right = {"higher": "favours cell therapy", "lower": "favours control"}.get(better, "")
    left_side = {"higher": "favours control", "lower": "favours cell therapy"}.get(better, "")
    return Forest(
        width=WIDTH,
        height=int(axis_y + AXIS_HEIGHT),
        rows=tuple(drawn),
        diamond=diamond,
        null_x=round(plot_left + (null - lo) / (hi - lo) * (plot_right - plot_left), 1),
        axis_y=axis_y,
        plot_left=plot_left,
        plot_right=plot_right,
        text_x=plot_right + 8,
        ticks=ticks,
        left_label=left_side,
        right_label=right,
    )


@dataclass(frozen=True)
class ForestView:
    title: str
    heading_id: str
    forest: Forest


def pool_forest(pool, index: int) -> ForestView | None:
    """The forest of one pool (evidence.synthesis.pools.Pool): its trials and its diamond."""
    rows = [
        ForestInput(
            f"{e.nct_id} (n {e.n})",
            e.effect.estimate,
            e.effect.ci_low,
            e.effect.ci_high,
            1 / e.effect.vi if e.effect.vi else None,
        )
        for e in pool.effects
    ]
    pooled = ForestInput(f"Pooled, k = {pool.k}", pool.estimate, pool.ci_low, pool.ci_high)
    forest = build_forest(
        rows, log_scale=pool.effect_measure == "RR", pooled=pooled, better=pool.family.better
    )
    if forest is None:
        return None
    title = f"{pool.family.label}, {pool.window_label}: {pool.effect_measure} ({pool.method})"
    return ForestView(title, f"forest-{index}", forest)


def trial_forests(effects) -> list[ForestView]:
    """One forest per measure family (or unclassified measure) and effect measure of a trial's
    controlled effects, one line per row of the measure."""
    groups: dict[tuple[str, str], list] = {}
    for e in effects:
        if e.comparison != "controlled":
            continue
        key = (e.family.label if e.family.slug else e.measure, e.effect_measure)
        groups.setdefault(key, []).append(e)
    views = []
    for index, ((name, measure), members) in enumerate(groups.items()):
        rows = [
            ForestInput(
                (e.timepoint or e.measure)[:60],
                e.effect.estimate,
                e.effect.ci_low,
                e.effect.ci_high,
                1 / e.effect.vi if e.effect.vi else None,
            )
            for e in members
        ]
        forest = build_forest(rows, log_scale=measure == "RR", better=members[0].family.better)
        if forest:
            views.append(
                ForestView(f"{name}: {measure}, cells vs control", f"trial-forest-{index}", forest)
            )
    return views
