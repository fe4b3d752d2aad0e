"""The effect of one comparison in one trial, from its group summaries. Pure: numbers in and out.

Conventions, chosen so that a reader can recompute every row with R's metafor `escalc`:

- **Mean difference (MD)** = cell-therapy mean − control mean; its variance
  sd₁²/n₁ + sd₂²/n₂ (escalc `measure="MD"`); 95% CI = MD ± 1.96·SE.
- **Risk ratio (RR)** = (a/n₁)/(c/n₂), analysed as log RR with variance
  1/a − 1/n₁ + 1/c − 1/n₂; when a group has no events (or all), 0.5 is added to the four cells
  of that trial (escalc's default `add=1/2, to="only0"`); no events in either group: no RR.
- **Risk difference (RD)** = a/n₁ − c/n₂ with variance p₁(1−p₁)/n₁ + p₂(1−p₂)/n₂, uncorrected.
  A variance of 0 (nobody, or everybody, affected in both groups) gives RD 0 with no CI.
- **Change** (single-arm trials): the mean change a trial reports, with 95% CI mean ± 1.96·sd/√n
  (escalc `measure="MN"`). Kept apart from the controlled comparisons and never pooled with them.
- **SD from what is posted**: an SE times √n; a 95% CI's width / (2·t₀.₉₇₅,ₙ₋₁) times √n
  (Cochrane Handbook 6.5.2.2, t rather than 1.96 because these groups are small). An IQR or a
  range gives no SD: medians and ranges are shown, not turned into effects.
- **Several cell-therapy (or control) groups** — dose cohorts — are combined into one side
  (Cochrane Handbook 6.5.2.10, table 6.5.a: n summed, the pooled mean and SD), so a trial counts
  once in a pool.

statsmodels computes the binary effects (`effectsize_2proportions`); the mean difference and the
change are one line each and kept here, beside the conventions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats
from statsmodels.stats.meta_analysis import effectsize_2proportions

Z95 = 1.959963984540054  # the 97.5% point of the normal distribution

MD, RR, RD, CHANGE = "MD", "RR", "RD", "change"
CONTROLLED, SINGLE_ARM = "controlled", "single-arm"


@dataclass(frozen=True)
class Side:
    """One side of a comparison: a group, or several combined."""

    label: str
    n: float | None
    value: float | None = None  # the mean (continuous) or the number affected (counts)
    sd: float | None = None


@dataclass(frozen=True)
class Estimate:
    effect_measure: str  # MD | RR | RD | change
    estimate: float  # on the natural scale: RR itself, not its log
    ci_low: float | None
    ci_high: float | None
    yi: float  # the analysis scale (log RR for RR): what is pooled
    vi: float  # its sampling variance


def _is(dispersion: str, *words: str) -> bool:
    text = (dispersion or "").upper().replace("_", " ")
    return all(w in text for w in words)


def sd_of(
    dispersion: str,
    *,
    n: float | None,
    spread: float | None = None,
    lower: float | None = None,
    upper: float | None = None,
) -> float | None:
    """The group's SD from the posted dispersion ("Standard Deviation", "STANDARD_ERROR_OF_MEAN",
    "95% Confidence Interval"), or None when it cannot be had (IQR, range, no n)."""
    if _is(dispersion, "STANDARD", "DEVIATION"):
        return spread
    if not n or n < 1:
        return None
    if _is(dispersion, "STANDARD", "ERROR") and spread is not None:
        return spread * math.sqrt(n)
    if _is(dispersion, "95%", "CONFIDENCE") and lower is not None and upper is not None and n > 1:
        return (upper - lower) / (2 * stats.t.ppf(0.975, n - 1)) * math.sqrt(n)
    return None


def combine(sides: Sequence[Side], label: str = "") -> Side:
    """Several groups as one (Cochrane Handbook table 6.5.a); a single group unchanged."""
    if len(sides) == 1:
        return sides[0]
    label = label or " + ".join(s.label for s in sides)
    if any(s.n is None or s.value is None for s in sides):
        return Side(label, None)
    n = sum(s.n for s in sides)
    total = sum(s.n * s.value for s in sides)
    mean = total / n if n else None
    if mean is None or any(s.sd is None for s in sides):
        return Side(label, n, mean)
    squares = sum((s.n - 1) * s.sd**2 + s.n * (s.value - mean) ** 2 for s in sides)
    return Side(label, n, mean, math.sqrt(squares / (n - 1)) if n > 1 else None)


def combine_counts(sides: Sequence[Side], label: str = "") -> Side:
    """Several groups' events as one: affected and at risk summed."""
    if len(sides) == 1:
        return sides[0]
    label = label or " + ".join(s.label for s in sides)
    if any(s.n is None or s.value is None for s in sides):
        return Side(label, None)
    return Side(label, sum(s.n for s in sides), sum(s.value for s in sides))


def _ci(estimate: float, variance: float) -> tuple[float, float]:
    half = Z95 * math.sqrt(variance)
    return estimate - half, estimate + half


def mean_difference(cell: Side, control: Side) -> Estimate | None:
    """MD = cell − control with its 95% CI; None without both means, SDs and n ≥ 1."""
    sides = (cell, control)
    if any(s.value is None or s.sd is None or not s.n for s in sides):
        return None
    md = cell.value - control.value
    variance = cell.sd**2 / cell.n + control.sd**2 / control.n
    if variance <= 0:
        return None
    low, high = _ci(md, variance)
    return Estimate(MD, md, low, high, md, variance)


def mean_change(side: Side) -> Estimate | None:
    """A single arm's mean change with its 95% CI; None without mean, SD and n."""
    if side.value is None or side.sd is None or not side.n:
        return None
    variance = side.sd**2 / side.n
    if variance <= 0:
        return None
    low, high = _ci(side.value, variance)
    return Estimate(CHANGE, side.value, low, high, side.value, variance)


def _counts_ok(side: Side) -> bool:
    if side.n is None or side.value is None:
        return False
    return side.n > 0 and 0 <= side.value <= side.n


def risk_ratio(cell: Side, control: Side) -> Estimate | None:
    """RR of cell vs control (affected in `value`, at risk in `n`), 0.5 added when a cell is 0."""
    if not (_counts_ok(cell) and _counts_ok(control)):
        return None
    if cell.value == 0 and control.value == 0:
        return None  # no events in either group: a ratio says nothing
    a, n1, c, n2 = cell.value, cell.n, control.value, control.n
    if 0 in (a, n1 - a, c, n2 - c):
        a, c, n1, n2 = a + 0.5, c + 0.5, n1 + 1, n2 + 1
    log_rr, variance = effectsize_2proportions(
        np.array([a]), np.array([n1]), np.array([c]), np.array([n2]), statistic="risk-ratio"
    )
    yi, vi = float(log_rr[0]), float(variance[0])
    low, high = _ci(yi, vi)
    return Estimate(RR, math.exp(yi), math.exp(low), math.exp(high), yi, vi)


def risk_difference(cell: Side, control: Side) -> Estimate | None:
    """RD of cell vs control, uncorrected; no CI when its variance is 0."""
    if not (_counts_ok(cell) and _counts_ok(control)):
        return None
    rd, variance = effectsize_2proportions(
        np.array([cell.value]),
        np.array([cell.n]),
        np.array([control.value]),
        np.array([control.n]),
        statistic="diff",
    )
    yi, vi = float(rd[0]), float(variance[0])
    low, high = _ci(yi, vi) if vi > 0 else (None, None)
    return Estimate(RD, yi, low, high, yi, vi)
