"""Forest plots: the geometry, and the same numbers in the table beside the picture."""

import math

import pytest
from django.template.loader import render_to_string

from evidence.browsing.forest import ForestInput, build_forest
from evidence.browsing.trial import trial_evidence
from tests.conftest import load_record
from tests.evidence.browsing.test_overview import label
from tests.helpers import upsert
from trials.models import Trial


def test_the_no_effect_line_and_the_ci_bars_are_where_the_numbers_say():
    forest = build_forest(
        [ForestInput("A", 1.0, -1.0, 3.0, 1.0), ForestInput("B", 2.0, 1.0, 3.0, 4.0)],
        log_scale=False,
        pooled=ForestInput("Pooled", 1.8, 0.9, 2.7),
        better="higher",
    )
    a, b = forest.rows
    assert a.x_low < forest.null_x < a.x_high  # A's CI crosses 0
    assert forest.null_x < b.x_low  # B's does not
    assert b.box > a.box  # B weighs four times as much: a larger square
    assert forest.diamond.text == "1.80 (0.90 to 2.70)"
    assert (forest.left_label, forest.right_label) == ("favours control", "favours cell therapy")


def test_a_risk_ratio_is_drawn_on_a_log_axis_so_half_and_double_are_as_far_from_one():
    forest = build_forest(
        [ForestInput("A", 0.5, 0.5, 0.5), ForestInput("B", 2.0, 2.0, 2.0)],
        log_scale=True,
        better="lower",
    )
    a, b = forest.rows
    assert math.isclose(forest.null_x - a.x, b.x - forest.null_x, abs_tol=0.2)
    assert forest.right_label == "favours control"  # more events with cells
    assert [label for _x, label in forest.ticks] == ["0.5", "1", "2"]


def test_nothing_to_draw_is_no_forest():
    assert build_forest([], log_scale=False) is None


@pytest.mark.django_db
def test_the_trial_page_draws_a_forest_per_measure_family_with_its_numbers_beside_it():
    upsert(load_record("snapshot/2020-07-28", "NCT01363401"))

    context = trial_evidence(Trial.objects.get(nct_id="NCT01363401"))
    html = render_to_string("evidence/_trial_evidence.html", context)

    titles = [view.title for view in context["evidence"].forests]
    assert titles[0] == "ALSFRS-R: MD, cells vs control"
    assert len(titles) == 4
    assert html.count('<figure class="forest"') == 4
    assert html.count("the numbers of the forest plot</caption>") == 4
    # The number drawn beside the ALSFRS-R line, and in its table.
    assert html.count("3.31 (1.87 to 4.75)") >= 2


@pytest.mark.django_db
def test_the_evidence_page_draws_the_forest_of_each_pool_of_all_trials(client):
    upsert(load_record("snapshot/2020-07-28", "NCT01363401"))
    label("NCT01363401", ["msc"], ["intrathecal"])

    response = client.get("/evidence/")

    forests = response.context["forests"]
    assert [f.title for f in forests][0] == (
        "ALSFRS-R, 3 to 6 months: MD (DerSimonian-Laird random effects)"
    )
    html = response.content.decode()
    assert html.count('<figure class="forest"') == len(forests) == 4
    assert "Pooled, k = 1" in html
