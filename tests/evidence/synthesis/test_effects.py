"""Effects per comparison, checked by hand. No database."""

import math

import pytest

from evidence.synthesis.effects import (
    Side,
    combine,
    mean_change,
    mean_difference,
    risk_difference,
    risk_ratio,
    sd_of,
)


def test_the_alsfrs_r_change_of_nct01363401_is_a_mean_difference_of_3_31():
    # By hand: MD = -1.36 - (-4.67) = 3.31; SE = sqrt(2.39²/39 + 3.25²/27)
    #   = sqrt(0.146464 + 0.391204) = 0.733258; 95% CI 3.31 ± 1.96 × 0.733258 = 1.873 to 4.747.
    md = mean_difference(Side("HYNR-CS", 39, -1.36, 2.39), Side("No Treatment", 27, -4.67, 3.25))
    assert md.effect_measure == "MD"
    assert md.estimate == pytest.approx(3.31)
    assert md.vi == pytest.approx(0.537668, abs=1e-6)
    assert md.ci_low == pytest.approx(1.8728, abs=1e-4)
    assert md.ci_high == pytest.approx(4.7472, abs=1e-4)


def test_an_sd_comes_from_an_se_or_a_95_ci_and_never_from_a_range():
    assert sd_of("Standard Deviation", n=10, spread=2.0) == 2.0
    assert sd_of("Standard Error", n=16, spread=0.5) == pytest.approx(2.0)
    assert sd_of("STANDARD_ERROR_OF_MEAN", n=16, spread=0.5) == pytest.approx(2.0)
    # 95% CI 8 to 12 with n 25: width 4 / (2 × t(0.975, 24) = 2.0639) × 5 = 4.8452.
    ci = sd_of("95% Confidence Interval", n=25, lower=8.0, upper=12.0)
    assert ci == pytest.approx(4.8452, abs=1e-4)
    assert sd_of("Inter-Quartile Range", n=25, lower=8.0, upper=12.0) is None
    assert sd_of("Full Range", n=25, lower=8.0, upper=12.0) is None
    assert sd_of("Standard Error", n=None, spread=0.5) is None


def test_two_dose_groups_are_combined_as_the_cochrane_handbook_says():
    # Table 6.5.a: n 10 + 20 = 30; mean (10×1 + 20×4)/30 = 3;
    # SD² = (9×1 + 19×4 + 10×(1−3)² + 20×(4−3)²)/29 = (9 + 76 + 40 + 20)/29 = 5.0
    side = combine([Side("low", 10, 1.0, 1.0), Side("high", 20, 4.0, 2.0)])
    assert (side.n, side.value) == (30, pytest.approx(3.0))
    assert side.sd == pytest.approx(math.sqrt(5.0))
    assert side.label == "low + high"


def test_a_risk_ratio_and_difference_of_counts():
    # 8 of 41 vs 7 of 31: RR = (8/41)/(7/31) = 0.86411; var log RR = 1/8 − 1/41 + 1/7 − 1/31
    # = 0.211209; CI exp(log 0.86411 ± 1.96 × 0.459575) = 0.3511 to 2.1270.
    rr = risk_ratio(Side("cells", 41, 8), Side("none", 31, 7))
    assert rr.estimate == pytest.approx(0.86411, abs=1e-5)
    assert rr.vi == pytest.approx(0.211209, abs=1e-6)
    assert rr.ci_low == pytest.approx(0.3511, abs=1e-4)
    assert rr.ci_high == pytest.approx(2.1270, abs=1e-4)
    # RD = 0.195122 − 0.225806 = −0.030684
    rd = risk_difference(Side("cells", 41, 8), Side("none", 31, 7))
    assert rd.estimate == pytest.approx(-0.030684, abs=1e-6)
    assert rd.ci_low < rd.estimate < rd.ci_high


def test_a_zero_count_adds_a_half_to_every_cell_and_two_zeros_give_no_ratio():
    # 0 of 10 vs 3 of 10 → 0.5/11 vs 3.5/11: RR = 1/7.
    rr = risk_ratio(Side("cells", 10, 0), Side("none", 10, 3))
    assert rr.estimate == pytest.approx(1 / 7)
    assert risk_ratio(Side("cells", 10, 0), Side("none", 10, 0)) is None
    rd = risk_difference(Side("cells", 10, 0), Side("none", 10, 0))
    assert (rd.estimate, rd.ci_low, rd.ci_high) == (0.0, None, None)


def test_a_single_arm_change_has_its_own_measure():
    change = mean_change(Side("cells", 16, -2.0, 4.0))
    assert change.effect_measure == "change"
    assert change.ci_low == pytest.approx(-3.96, abs=1e-2)
    assert change.ci_high == pytest.approx(-0.04, abs=1e-2)


def test_missing_numbers_give_no_effect():
    assert mean_difference(Side("a", 10, 1.0, None), Side("b", 10, 0.0, 1.0)) is None
    assert mean_difference(Side("a", None, 1.0, 1.0), Side("b", 10, 0.0, 1.0)) is None
    assert risk_ratio(Side("a", 10, 11), Side("b", 10, 1)) is None
