"""The evidence sections of a trial page: selector content, fixed queries, accessible markup."""

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from evidence.browsing.trial import trial_evidence
from tests.conftest import load_record
from tests.helpers import upsert
from trials.models import Trial

pytestmark = pytest.mark.django_db


def evidence_of(nct_id):
    return trial_evidence(Trial.objects.get(nct_id=nct_id))["evidence"]


def test_registered_outcomes_are_grouped_by_domain_in_vocabulary_order():
    upsert(load_record("snapshot/2020-07-28", "NCT01363401"))

    evidence = evidence_of("NCT01363401")

    assert [(b.domain, len(b.outcomes)) for b in evidence.registered_by_domain] == [
        ("function", 2),
        ("respiratory", 1),
        ("quality-of-life", 1),
    ]


def test_each_posted_measure_is_a_table_per_group_with_its_n_and_a_chart():
    # NCT01363401, measure 1 (ALSFRS-R change, mean and SD), read from the record by hand.
    upsert(load_record("snapshot/2020-07-28", "NCT01363401"))

    [alsfrs, *_] = evidence_of("NCT01363401").measures

    assert alsfrs.value_heading == "Mean (Standard Deviation), score on a scale"
    assert [(c.title, c.role, c.n) for c in alsfrs.columns] == [
        ("HYNR-CS Inj.", "cell", "39"),
        ("No Treatment", "control", "27"),
    ]
    [row] = alsfrs.rows
    assert [cell.text for cell in row.cells] == ["-1.36 (2.39)", "-4.67 (3.25)"]
    # Dots at the means, bars over mean ± SD: -3.75 … 1.03 and -7.92 … -1.42.
    assert (alsfrs.chart.min_label, alsfrs.chart.max_label) == ("-7.92", "1.03")
    cell_row, control_row = alsfrs.chart.rows
    assert cell_row.x_low < cell_row.x < cell_row.x_high
    assert control_row.x_low == 8.0  # the lowest number sits at the left edge
    assert alsfrs.chart.zero_x is not None


def test_a_measure_with_limits_and_analyses_shows_them():
    # NCT02469896 (tocilizumab): measures with posted statistical analyses.
    upsert(load_record("snapshot/2020-07-28", "NCT02469896"))

    measures = evidence_of("NCT02469896").measures
    analyses = [a for m in measures for a in m.analyses]

    assert len(analyses) == 19
    assert all(" vs " in a.groups or a.groups for a in analyses)
    assert any(a.p_value for a in analyses)


def test_the_event_table_puts_serious_events_first_with_totals_per_group():
    upsert(load_record("snapshot/2020-07-28", "NCT01363401"))

    events = evidence_of("NCT01363401").events

    assert [g.title for g in events.groups] == ["HYNR-CS Inj.", "No Treatment"]
    assert [
        (label, [(c.affected, c.at_risk) for c in cells]) for label, cells in events.totals
    ] == [
        ("Participants with serious adverse events", [(3, 41), (3, 31)]),
        ("Participants with other adverse events", [(28, 41), (22, 31)]),
    ]
    assert (len(events.serious), len(events.other)) == (5, 62)
    back_pain = next(r for r in events.other if r.event.term == "Back pain")
    assert back_pain.category_label.startswith("Procedural pain")
    assert [(c.affected, c.at_risk, c.percent) for c in back_pain.cells] == [
        (9, 41, "22.0%"),
        (0, 31, "0.0%"),
    ]


def test_a_trial_without_results_has_outcomes_and_no_tables():
    upsert(load_record("snapshot/2022-10", "NCT03280056"))

    evidence = evidence_of("NCT03280056")

    assert evidence.registered_by_domain
    assert (evidence.measures, evidence.events) == ([], None)


def test_the_selector_costs_the_same_queries_for_a_small_and_a_large_trial():
    upsert(
        load_record("other/v2-verbatim", "NCT05594173"),  # 2 measures, 1 event group, 1 term
        load_record("other/v2-verbatim", "NCT02552212"),  # 31 measures, 5 event groups, 45 terms
        load_record("snapshot/2022-10", "NCT03280056"),  # no results
    )

    def queries(nct_id):
        trial = Trial.objects.get(nct_id=nct_id)
        with CaptureQueriesContext(connection) as captured:
            render_to_string("evidence/_trial_evidence.html", trial_evidence(trial))
        return len(captured)

    assert queries("NCT05594173") == queries("NCT02552212") == 19
    assert queries("NCT03280056") == 13  # no measures, no event groups: nothing more to read


def test_the_partial_renders_accessible_tables_a_chart_and_pubmed_links():
    upsert(load_record("snapshot/2020-07-28", "NCT01363401"))

    html = render_to_string(
        "evidence/_trial_evidence.html", trial_evidence(Trial.objects.get(nct_id="NCT01363401"))
    )

    assert html.count("<caption>") == 10  # four measures, effects, four forests, adverse events
    assert '<th scope="col"' in html and '<th scope="row"' in html
    assert '<svg viewBox="0 0 320' in html and 'role="img"' in html
    assert "-1.36 (2.39)" in html
    # The publications are the trial page's "Publications and references", listed once there.
    assert "pubmed.ncbi.nlm.nih.gov" not in html


def test_a_legacy_total_row_is_shown_as_all_cause_deaths_not_an_event():
    upsert(load_record("snapshot/2020-07-28", "NCT02469896"))

    html = render_to_string(
        "evidence/_trial_evidence.html", trial_evidence(Trial.objects.get(nct_id="NCT02469896"))
    )

    assert "Total, all-cause mortality" in html
    assert "all-cause deaths (legacy total row), not an event term" in html


def test_the_trial_page_shows_the_effects_beside_the_registry_analysis():
    # NCT01363401: ALSFRS-R change -1.36 (2.39, n 39) vs -4.67 (3.25, n 27):
    # MD 3.31 (1.87 to 4.75).
    upsert(load_record("snapshot/2020-07-28", "NCT01363401"))

    html = render_to_string(
        "evidence/_trial_evidence.html", trial_evidence(Trial.objects.get(nct_id="NCT01363401"))
    )

    assert "Effects computed from the results" in html
    assert "MD 3.31 (1.87 to 4.75)" in html
    assert "HYNR-CS Inj.: n 39, -1.36 (2.39)" in html
    assert "No Treatment: n 27, -4.67 (3.25)" in html
