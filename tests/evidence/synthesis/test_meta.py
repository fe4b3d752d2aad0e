"""The pooling against a published worked example, and the pools' rules. No database."""

import math

import pytest

from evidence.synthesis.effects import Estimate, Side, risk_ratio
from evidence.synthesis.meta import months_of, random_effects, timepoint_window

# metafor's dat.bcg (Colditz et al. 1994, JAMA 271:698), the BCG vaccine trials: tpos, tneg,
# cpos, cneg (TB cases and non-cases, vaccinated and not), as printed by print(dat.bcg).
BCG = [
    (4, 119, 11, 128),
    (6, 300, 29, 274),
    (3, 228, 11, 209),
    (62, 13536, 248, 12619),
    (33, 5036, 47, 5761),
    (180, 1361, 372, 1079),
    (8, 2537, 10, 619),
    (505, 87886, 499, 87892),
    (29, 7470, 45, 7232),
    (17, 1699, 65, 1600),
    (186, 50448, 141, 27197),
    (5, 2493, 3, 2338),
    (27, 16886, 29, 17825),
]


def bcg_effects():
    effects = [
        risk_ratio(Side("bcg", tp + tn, tp), Side("none", cp + cn, cp)) for tp, tn, cp, cn in BCG
    ]
    return [e.yi for e in effects], [e.vi for e in effects]


def test_the_bcg_trials_pool_as_metafor_publishes():
    # metafor's own test, tests/testthat/test_misc_metan_vs_rma.uni_with_dat.bcg.r ("RE model w/
    # DL estimator, measure='RR'"): escalc(measure="RR", ai=tpos, bi=tneg, ci=cpos, di=cneg,
    # data=dat.bcg); rma(yi, vi, method="DL"): estimate -0.7141, CI -1.0644 to -0.3638; and
    # metafor's documented output for the same model: SE 0.1787, tau² 0.3088, I² 92.12%.
    # statsmodels' own tests (stats/tests/results/results_meta.py) hold metafor outputs for
    # other data (Kacker 2004, exk1_*) but not dat.bcg, so these figures are metafor's.
    yi, vi = bcg_effects()
    pool = random_effects(yi, vi)
    assert pool.k == 13
    assert pool.method == "DerSimonian-Laird random effects"
    assert round(pool.estimate, 4) == -0.7141
    assert round(pool.se, 4) == 0.1787
    assert (round(pool.ci_low, 4), round(pool.ci_high, 4)) == (-1.0644, -0.3638)
    assert round(pool.tau2, 4) == 0.3088
    assert round(pool.i2, 2) == 92.12
    # Prediction interval, t with 11 df: -0.7141 ± 2.2010 × sqrt(0.3088 + 0.1787²) = ±1.2848
    assert (round(pool.pi_low, 3), round(pool.pi_high, 3)) == (-1.999, 0.571)


def test_a_pool_of_one_trial_is_that_trials_effect():
    effect = Estimate("MD", 3.31, 1.8728, 4.7472, 3.31, 0.537668)
    pool = random_effects([effect.yi], [effect.vi])
    assert pool.k == 1
    assert pool.estimate == effect.estimate
    assert pool.ci_low == pytest.approx(effect.ci_low, abs=1e-4)
    assert pool.ci_high == pytest.approx(effect.ci_high, abs=1e-4)
    assert (pool.tau2, pool.i2, pool.pi_low, pool.pi_high) == (None, None, None, None)


def test_a_negative_dl_tau2_is_truncated_at_zero_so_the_pool_is_the_fixed_effect_one():
    # Q = 0.2²/(0.5+0.5) ≈ 0.04 < df 1: statsmodels' (Q − df)/c is −0.48; DL takes 0, and the
    # estimate is the inverse-variance mean 1.1 with SE sqrt(1 / (2 + 2)) = 0.5.
    pool = random_effects([1.0, 1.2], [0.5, 0.5])
    assert (pool.tau2, pool.i2) == (0.0, 0.0)
    assert pool.estimate == pytest.approx(1.1)
    assert pool.se == pytest.approx(0.5)


def test_two_identical_trials_have_no_heterogeneity_and_no_prediction_interval():
    pool = random_effects([1.0, 1.0], [0.5, 0.5])
    assert pool.estimate == pytest.approx(1.0)
    assert pool.se == pytest.approx(math.sqrt(0.25))
    assert (pool.tau2, pool.i2) == (0.0, 0.0)
    assert pool.pi_low is None


@pytest.mark.parametrize(
    ("text", "window"),
    [
        ("baseline(Visit 5) and week 16(Visit 9)", "3-6-months"),
        ("28 days", "up-to-3-months"),
        ("12 months", "6-12-months"),
        ("Month 6", "3-6-months"),
        ("Baseline to 18 months", "over-12-months"),
        ("6 hours", "up-to-3-months"),
        ("end of study", "not-stated"),
    ],
)
def test_a_timepoint_falls_in_the_window_of_the_latest_time_it_names(text, window):
    assert timepoint_window(text) == window


def test_months_are_read_from_days_weeks_and_years():
    assert months_of("week 16") == pytest.approx(16 * 7 / 30.4375)
    assert months_of("2 years") == 24
    assert months_of("no time") is None
