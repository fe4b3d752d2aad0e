"""Random-effects meta-analysis of per-trial effects, and the timepoint windows pools are cut by.
Pure: numbers in and out.

- **The model**: DerSimonian–Laird random effects (`DL`), computed by statsmodels'
  `combine_effects(yi, vi, method_re="dl")`, on the analysis scale (MD and RD as they are, RR on
  the log scale, exponentiated back). The 95% CI is the normal one (metafor's default `test="z"`).
- **Heterogeneity**: τ² (DL, truncated at 0 as the estimator defines it: statsmodels leaves it
  negative when Q < df), I² = (Q − df)/Q as a percentage (0 when Q ≤ df).
- **Prediction interval** (k ≥ 3): estimate ± t₀.₉₇₅,ₖ₋₂ · √(τ² + SE²) (Higgins, Thompson &
  Spiegelhalter 2009; Cochrane Handbook 10.10.4.3). metafor's `predict()` uses z by default; the
  docs give the line that reproduces ours.
- **One trial**: the pool is that trial's effect and CI; τ², I² and the prediction interval are
  not estimable (None).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats
from statsmodels.stats.meta_analysis import combine_effects

DL = "DerSimonian-Laird random effects"
METHODS = {"dl": DL}
Z95 = 1.959963984540054

WINDOWS = {
    "up-to-3-months": "up to 3 months",
    "3-6-months": "3 to 6 months",
    "6-12-months": "6 to 12 months",
    "over-12-months": "over 12 months",
    "not-stated": "timepoint not stated",
}
_TIME = re.compile(
    r"(?:(\d+(?:\.\d+)?)\s*[- ]?\s*(hours?|hrs?|days?|weeks?|wks?|months?|mos?|years?|yrs?)\b)"
    r"|(?:\b(hours?|days?|weeks?|months?|years?)\s*(\d+(?:\.\d+)?))",
    re.I,
)
_MONTHS_PER = {"h": 1 / (24 * 30.4375), "d": 1 / 30.4375, "w": 7 / 30.4375, "m": 1.0, "y": 12.0}


def months_of(text: str) -> float | None:
    """The latest time a timepoint names, in months: "week 16" → 3.68; "12 months" → 12."""
    found = []
    for number, unit, unit_first, number_after in _TIME.findall(text or ""):
        value, name = (number, unit) if number else (number_after, unit_first)
        found.append(float(value) * _MONTHS_PER[name[0].lower()])
    return max(found) if found else None


def timepoint_window(text: str) -> str:
    """The window a timepoint falls in (a slug of WINDOWS), by the latest time it names."""
    months = months_of(text)
    if months is None:
        return "not-stated"
    if months <= 3:
        return "up-to-3-months"
    if months <= 6:
        return "3-6-months"
    return "6-12-months" if months <= 12 else "over-12-months"


@dataclass(frozen=True)
class PoolResult:
    k: int
    method: str
    estimate: float  # on the analysis scale (log RR for RR)
    se: float
    ci_low: float
    ci_high: float
    tau2: float | None
    i2: float | None  # percent
    pi_low: float | None
    pi_high: float | None


def random_effects(yi: Sequence[float], vi: Sequence[float], method: str = "dl") -> PoolResult:
    """Pool effects on their analysis scale; one effect is returned as it is."""
    if not yi or len(yi) != len(vi):
        raise ValueError("need as many variances as effects, and at least one")
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}")
    k = len(yi)
    if k == 1:
        se = math.sqrt(vi[0])
        return PoolResult(
            1,
            METHODS[method],
            yi[0],
            se,
            yi[0] - Z95 * se,
            yi[0] + Z95 * se,
            None,
            None,
            None,
            None,
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        result = combine_effects(np.asarray(yi, float), np.asarray(vi, float), method_re=method)
    tau2 = float(result.tau2)
    if tau2 > 0:
        estimate, se = float(result.mean_effect_re), float(result.sd_eff_w_re)
        i2 = max(0.0, float(result.i2)) * 100.0
    else:
        # statsmodels leaves the DL moment estimate (Q − df)/c negative when Q < df; the
        # estimator (and metafor) truncates it at 0, where the random-effects model is the
        # fixed-effect one.
        tau2, i2 = 0.0, 0.0
        estimate, se = float(result.mean_effect_fe), float(result.sd_eff_w_fe)
    pi_low = pi_high = None
    if k >= 3:
        half = stats.t.ppf(0.975, k - 2) * math.sqrt(tau2 + se**2)
        pi_low, pi_high = estimate - half, estimate + half
    return PoolResult(
        k,
        METHODS[method],
        estimate,
        se,
        estimate - Z95 * se,
        estimate + Z95 * se,
        tau2,
        i2,
        pi_low,
        pi_high,
    )
