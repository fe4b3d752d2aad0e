"""The summary of findings: one row per question, readings made only from the numbers."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evidence.synthesis import families
from evidence.synthesis.effects import Estimate, Side
from evidence.synthesis.meta import random_effects
from evidence.synthesis.pools import Pool
from evidence.synthesis.registry_effects import TrialDesign, TrialEffect
from evidence.synthesis.summary import NO_DIFFERENCE, efficacy_reading
from tests.conftest import load_record
from tests.evidence.browsing.test_overview import import_all_with_results, label
from tests.helpers import upsert

ALSFRS = families.families_by_slug()["alsfrs-r"]
DEATHS = families.families_by_slug()["deaths"]


def effect(trial_id, estimate, variance, measure="MD", family=ALSFRS, randomized=True):
    return TrialEffect(
        trial_id=trial_id,
        nct_id=f"NCT{trial_id:08d}",
        source="registry",
        citation="",
        outcome_domain="function",
        measure="ALSFRS-R change",
        measure_type="PRIMARY",
        timepoint="6 months",
        comparison="controlled",
        family=family,
        favours="",
        cell=Side("cells", 65, 0.0, 1.0),
        control=Side("placebo", 65, 0.0, 1.0),
        effect=Estimate(measure, estimate, None, None, estimate, variance),
        design=TrialDesign(randomized, "DOUBLE", "placebo", ("PHASE2",)),
    )


def pool_of(*effects):
    result = random_effects([e.effect.yi for e in effects], [e.effect.vi for e in effects])
    first = effects[0]
    return Pool(first.family, "3-6-months", "all", first.effect_measure, result, tuple(effects))


def test_the_issues_example_reads_as_the_issue_says_without_claiming_benefit():
    # Two randomized trials, 260 participants, MD 0.4 (95% CI about −1.1 to 1.9).
    reading = efficacy_reading(pool_of(effect(1, 0.4, 0.6), effect(2, 0.4, 0.6)))
    assert reading.startswith("2 randomized blinded trials, 260 participants: 0.40 points higher")
    assert NO_DIFFERENCE in reading
    assert "better" not in reading


@pytest.mark.parametrize(
    ("estimates", "variance", "measure", "family"),
    [
        ((0.4, 0.5), 0.6, "MD", ALSFRS),
        ((2.0, -1.0), 0.5, "MD", ALSFRS),
        ((3.0,), 2.5, "MD", ALSFRS),
        ((-0.2, -0.1), 0.1, "RR", DEATHS),  # log RR: fewer deaths, CI crosses 1
        ((0.05,), 0.01, "RD", DEATHS),
    ],
)
def test_a_reading_never_claims_benefit_when_the_interval_includes_no_effect(
    estimates, variance, measure, family
):
    pool = pool_of(*(effect(i, y, variance, measure, family) for i, y in enumerate(estimates, 1)))
    null = 1.0 if measure == "RR" else 0.0
    assert pool.ci_low <= null <= pool.ci_high
    reading = efficacy_reading(pool)
    assert NO_DIFFERENCE in reading
    assert not re.search(r"better|benefit|favours|worse", reading)


def test_a_reading_says_better_only_when_the_interval_excludes_no_effect():
    better = efficacy_reading(pool_of(effect(1, 3.0, 0.1), effect(2, 3.5, 0.1)))
    assert better.endswith("better with cells.")
    fewer = pool_of(effect(1, -1.0, 0.05, "RR", DEATHS), effect(2, -1.2, 0.05, "RR", DEATHS))
    assert efficacy_reading(fewer).endswith("better with cells.")
    more = pool_of(effect(1, 1.0, 0.05, "RR", DEATHS), effect(2, 1.2, 0.05, "RR", DEATHS))
    assert efficacy_reading(more).endswith("worse with cells.")
    mixed = pool_of(effect(1, 3.0, 0.1, randomized=False), effect(2, 3.5, 0.1))
    assert efficacy_reading(mixed).startswith("2 controlled trials (1 randomized, 2 blinded)")


@pytest.mark.django_db
def test_the_summary_page_answers_each_question_from_nct01363401(client):
    upsert(load_record("snapshot/2020-07-28", "NCT01363401"))
    label("NCT01363401", ["msc"], ["intrathecal"])

    response = client.get("/evidence/summary/")

    assert response.status_code == 200
    rows = {row.slug: row for row in response.context["rows"]}
    assert len(rows) == 14
    function = rows["function"]
    assert (function.k, function.participants, function.effect) == (
        1,
        66,
        "MD 3.31 (95% CI 1.87 to 4.75)",
    )
    # NCT01363401 is randomized (allocation RANDOMIZED) and open (masking NONE).
    assert (function.randomized, function.blinded) == (1, 0)
    assert function.reading == (
        "1 randomized trial, 66 participants: 3.31 points higher with cells than control "
        "(95% CI 1.87 to 4.75); better with cells."
    )
    assert rows["respiratory"].includes_no_effect is True
    assert NO_DIFFERENCE in rows["respiratory"].reading
    headache = rows["headache"]
    assert headache.effect == "RR 1.51 (95% CI 0.30 to 7.73)"
    assert NO_DIFFERENCE in headache.reading
    assert (
        headache.single_arm
    ) == "9.8% with cells (95% CI 3.9% to 22.5%) over 1 trial, 0 without a control"
    assert rows["tumour"].reading == "No selected trial reported it."
    assert b"Summary of findings" in response.content


@pytest.mark.django_db
def test_the_summary_takes_the_lists_filters(client):
    upsert(load_record("snapshot/2020-07-28", "NCT01363401"))
    label("NCT01363401", ["msc"], ["intrathecal"])

    response = client.get("/evidence/summary/?route=intravenous&route=teleportation")

    assert response.context["ignored"] == ["route"]
    response = client.get("/evidence/summary/?route=intravenous")
    assert response.context["trial_count"] == 0
    assert {row.k for row in response.context["rows"]} == {0}


@pytest.mark.django_db
def test_the_summary_costs_the_same_queries_for_one_trial_as_for_all(client):
    upsert(load_record("snapshot/2020-07-28", "NCT01363401"))
    label("NCT01363401", ["msc"], ["intrathecal"])
    with CaptureQueriesContext(connection) as one:
        client.get("/evidence/summary/")
    import_all_with_results()
    with CaptureQueriesContext(connection) as many:
        client.get("/evidence/summary/?scope=all")

    assert len(many) == len(one) <= 19
