"""Adverse events pooled: counted per trial by hand, MH against metafor, Wilson and logit pools."""

import math

import pytest

from evidence.synthesis.pooling import (
    ALL,
    Counts,
    GroupCount,
    TrialCounts,
    mantel_haenszel,
    pooled_incidence,
    safety_pools,
    trial_counts,
)
from tests.evidence.synthesis.test_meta import BCG


def count(trial, group, role, category, affected, at_risk, pooled=False):
    return GroupCount(trial, group, role, pooled, category, affected, at_risk)


# Trial 1, intrathecal: cells (group 11, 20 at risk) vs placebo (group 12, 10 at risk).
#   "Headache": 5 cell, 1 placebo; "Migraine" (also headache): 3 cell, 2 placebo.
#   "Back pain" (procedural pain): 4 cell, 0 placebo.
# Trial 2, intrathecal and intramuscular: one cell arm (group 21, 8 at risk) and a "Total"
#   (group 22, pooled cell group, 8 at risk): "Headache" 2 and 2; "Fever" 0 (listed, nobody).
# Trial 3, intravenous: cells (31, 12 at risk), drug arm (32, role unknown, 12 at risk):
#   "Headache" 0 cell, 3 drug.
# Trial 4, intravenous: a pooled cell group only (41, 6 at risk): "Headache" 1.
COUNTS = [
    count(1, 11, "cell", "headache", 5, 20),
    count(1, 12, "control", "headache", 1, 10),
    count(1, 11, "cell", "headache", 3, 20),
    count(1, 12, "control", "headache", 2, 10),
    count(1, 11, "cell", "procedural-pain", 4, 20),
    count(1, 12, "control", "procedural-pain", 0, 10),
    count(2, 21, "cell", "headache", 2, 8),
    count(2, 22, "cell", "headache", 2, 8, pooled=True),
    count(2, 21, "cell", "fever", 0, 8),
    count(3, 31, "cell", "headache", 0, 12),
    count(3, 32, "", "headache", 3, 12),
    count(4, 41, "cell", "headache", 1, 6, pooled=True),
]
SUBGROUPS = {
    1: ["route:intrathecal"],
    2: ["route:intrathecal", "route:intramuscular"],
    3: ["route:intravenous"],
    4: ["route:intravenous"],
}


def sides(pool):
    return {
        t.trial_id: (
            t.cell and (t.cell.affected, t.cell.at_risk),
            t.control and (t.control.affected, t.control.at_risk),
        )
        for t in pool.trials
    }


def test_each_trial_counts_the_largest_term_of_each_group_once():
    pools = safety_pools(COUNTS, SUBGROUPS)

    # Trial 1: cell max(5, 3) = 5 of 20, control max(1, 2) = 2 of 10; trial 2: its arm, 2 of 8
    # (its "Total" would count the same 8 participants again).
    assert sides(pools["route:intrathecal"]["headache"]) == {
        1: ((5, 20), (2, 10)),
        2: ((2, 8), None),
    }
    # Trial 3: its drug arm makes it a reporting trial, its cells had 0 of 12; trial 4: only a
    # pooled cell group, 1 of 6.
    assert sides(pools["route:intravenous"]["headache"]) == {3: ((0, 12), None), 4: ((1, 6), None)}


def test_a_trial_with_two_routes_counts_under_each_and_once_under_all():
    pools = safety_pools(COUNTS, SUBGROUPS)

    assert pools["route:intramuscular"]["headache"].trial_ids == {2}
    assert pools[ALL]["headache"].trial_ids == {1, 2, 3, 4}


def test_the_risk_ratio_uses_only_controlled_trials_and_a_pool_of_one_is_that_trial():
    headache = safety_pools(COUNTS, SUBGROUPS)["route:intrathecal"]["headache"]

    # Trial 1 alone: (5/20)/(2/10) = 1.25; var log RR = 1/5 − 1/20 + 1/2 − 1/10 = 0.55.
    rr = headache.risk_ratio
    assert rr.k == 1
    assert rr.estimate == pytest.approx(1.25)
    assert rr.ci_low == pytest.approx(math.exp(math.log(1.25) - 1.959964 * math.sqrt(0.55)))
    assert rr.ci_high == pytest.approx(math.exp(math.log(1.25) + 1.959964 * math.sqrt(0.55)))
    # The incidence pools trials 1 and 2 (both have cells).
    assert headache.incidence.k == 2


def test_a_category_nobody_had_is_not_reported_and_no_events_on_a_side_is_not_estimable():
    pools = safety_pools(COUNTS, SUBGROUPS)

    assert "fever" not in pools["route:intrathecal"]
    pain = pools["route:intrathecal"]["procedural-pain"]
    assert sides(pain) == {1: ((4, 20), (0, 10))}
    assert (pain.risk_ratio.k, pain.risk_ratio.estimate) == (1, None)


def test_a_count_the_registry_left_empty_is_unknown_not_zero():
    [trial] = trial_counts(
        [count(5, 51, "cell", "fever", 2, 10), count(5, 52, "control", "fever", None, 9)]
    )
    assert (trial.cell, trial.control) == (Counts(2, 10), None)


def test_the_mantel_haenszel_risk_ratio_of_the_bcg_trials_is_metafors():
    # metafor's tests/testthat/test_misc_metan_vs_rma.mh_with_dat.bcg.r: rma.mh(measure="RR",
    # ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg): log RR -0.4537, CI -0.5308 to -0.3766.
    trials = [
        TrialCounts(i, "tb", Counts(tp, tp + tn), Counts(cp, cp + cn))
        for i, (tp, tn, cp, cn) in enumerate(BCG)
    ]
    rr = mantel_haenszel(trials)
    assert rr.k == 13
    assert round(math.log(rr.estimate), 4) == -0.4537
    assert (round(math.log(rr.ci_low), 4), round(math.log(rr.ci_high), 4)) == (-0.5308, -0.3766)


def test_one_trials_incidence_is_its_wilson_interval():
    # 4 of 41 (NCT01363401's headache with cells): Wilson 95% CI 3.86% to 22.55%.
    incidence = pooled_incidence([Counts(4, 41)])
    assert incidence.estimate == pytest.approx(4 / 41)
    assert (round(incidence.ci_low, 4), round(incidence.ci_high, 4)) == (0.0386, 0.2255)


def test_incidences_are_pooled_on_the_logit_scale():
    # Two trials of 10 and 30% (2/20, 6/20): logits -2.1972 and -0.8473 with variances 0.5556 and
    # 0.2381; Q = 2.3 > df, so tau² > 0 and the pool lies between them.
    incidence = pooled_incidence([Counts(2, 20), Counts(6, 20)])
    assert incidence.k == 2
    assert 0.1 < incidence.estimate < 0.3
    assert incidence.tau2 > 0
    assert incidence.ci_low < incidence.estimate < incidence.ci_high
