"""Pooled crude incidence by route, on a small case worked out by hand. No database."""

from evidence.synthesis.pooling import ALL_ROUTES, GroupCount, pool_by_route


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
ROUTES = {
    1: ["intrathecal"],
    2: ["intrathecal", "intramuscular"],
    3: ["intravenous"],
    4: ["intravenous"],
}


def test_headache_by_route_pools_the_largest_term_count_of_each_group():
    pools = pool_by_route(COUNTS, ROUTES)

    intrathecal = pools["intrathecal"]["headache"]
    # Trial 1: cell max(5, 3) = 5 of 20, control max(1, 2) = 2 of 10; trial 2: its arm, 2 of 8
    # (its "Total" would count the same 8 participants again).
    assert intrathecal.trial_ids == {1, 2}
    assert (intrathecal.cell.affected, intrathecal.cell.at_risk) == (7, 28)
    assert (intrathecal.control.affected, intrathecal.control.at_risk) == (2, 10)
    assert intrathecal.cell.incidence == 25.0
    assert intrathecal.control.incidence == 20.0


def test_a_trial_reporting_in_a_group_of_unknown_role_counts_its_cell_groups_with_zero():
    pools = pool_by_route(COUNTS, ROUTES)

    intravenous = pools["intravenous"]["headache"]
    # Trial 3: 3 in the drug arm make it a reporting trial; its cell arm had 0 of 12. Trial 4:
    # a pooled cell group, its only cell group, 1 of 6. No control group on this route.
    assert intravenous.trial_ids == {3, 4}
    assert (intravenous.cell.affected, intravenous.cell.at_risk) == (1, 18)
    assert (intravenous.control.at_risk, intravenous.control.incidence) == (0, None)


def test_a_trial_with_two_routes_counts_under_each_and_once_under_all():
    pools = pool_by_route(COUNTS, ROUTES)

    assert pools["intramuscular"]["headache"].trial_ids == {2}
    overall = pools[ALL_ROUTES]["headache"]
    assert overall.trial_ids == {1, 2, 3, 4}
    assert (overall.cell.affected, overall.cell.at_risk) == (5 + 2 + 0 + 1, 20 + 8 + 12 + 6)
    assert (overall.control.affected, overall.control.at_risk) == (2, 10)


def test_a_category_nobody_had_is_not_reported():
    pools = pool_by_route(COUNTS, ROUTES)

    assert "fever" not in pools["intrathecal"]
    assert pools["intrathecal"]["procedural-pain"].trial_ids == {1}
    assert pools["intrathecal"]["procedural-pain"].control.at_risk == 10


def test_a_count_the_registry_left_empty_is_unknown_not_zero():
    pools = pool_by_route(
        [count(5, 51, "cell", "fever", 2, 10), count(5, 52, "control", "fever", None, 9)],
        {5: ["intravenous"]},
    )

    fever = pools["intravenous"]["fever"]
    assert (fever.cell.affected, fever.cell.at_risk) == (2, 10)
    assert fever.control.groups == 0


def test_a_trial_is_reporting_even_when_the_affected_group_gave_no_at_risk_number():
    # The same rule as the ae_categories facet, so that the /trials/ link finds this trial.
    pools = pool_by_route(
        [count(6, 61, "cell", "fever", 0, 10), count(6, 62, "control", "fever", 2, None)],
        {6: ["intrathecal"]},
    )

    fever = pools["intrathecal"]["fever"]
    assert fever.trial_ids == {6}
    assert (fever.cell.affected, fever.cell.at_risk, fever.control.groups) == (0, 10, 0)
