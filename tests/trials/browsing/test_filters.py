"""The shared TrialFilter: selection, facet counts under the other filters, bad input."""

import pytest
from django.http import QueryDict

from tests.conftest import load_record
from tests.helpers import upsert
from trials.browsing.filters import TrialFilter
from trials.curating.services import curate
from trials.models import Trial, TrialFacet

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_trials():
    """Three real trials, labelled by a curator so the test does not hang on the classifier."""
    upsert(
        load_record("snapshot/2022-10", "NCT03280056"),  # phase 3, United States, completed
        load_record("snapshot/2022-10", "NCT02290886"),  # phase 1/2, Spain
        load_record("snapshot/2020-07-28", "NCT02469896"),  # tocilizumab, a drug trial
    )
    labels = {
        "NCT03280056": (True, ["msc"], ["intrathecal"]),
        "NCT02290886": (True, ["msc"], ["intravenous"]),
        "NCT02469896": (False, [], []),
    }
    for nct_id, (is_cell, cell_types, routes) in labels.items():
        trial = Trial.objects.get(nct_id=nct_id)
        for field, value in (
            ("is_cell_therapy", is_cell),
            ("cell_types", cell_types),
            ("routes", routes),
        ):
            curate(trial=trial, field_name=field, value=value, note="test", curator_name="t")


def ids(query: str) -> list[str]:
    return sorted(TrialFilter(QueryDict(query)).qs.values_list("nct_id", flat=True))


def test_cell_therapies_only_by_default_and_every_study_on_request(three_trials):
    assert ids("") == ["NCT02290886", "NCT03280056"]
    assert ids("scope=all") == ["NCT02290886", "NCT02469896", "NCT03280056"]


def test_a_repeated_parameter_selects_any_of_its_values(three_trials):
    assert ids("route=intrathecal") == ["NCT03280056"]
    assert ids("route=intrathecal&route=intravenous") == ["NCT02290886", "NCT03280056"]


def test_a_phase_1_2_trial_is_found_by_both_phases(three_trials):
    assert "NCT02290886" in ids("phase=PHASE1")
    assert "NCT02290886" in ids("phase=PHASE2")
    assert ids("phase=PHASE3") == ["NCT03280056"]


def test_country_names_as_the_registry_writes_them(three_trials):
    assert ids("country=United States") == ["NCT03280056"]
    assert ids("country=Atlantis") == []


def test_facet_counts_ignore_their_own_filter_but_apply_the_others(three_trials):
    filterset = TrialFilter(QueryDict("route=intrathecal"))

    counts = filterset.facet_counts()

    assert counts["routes"] == {"intrathecal": 1, "intravenous": 1}
    assert counts["phases"] == {"PHASE3": 1}
    assert counts["cell_types"] == {"msc": 1}


def test_invalid_values_are_reported_and_ignored(three_trials):
    filterset = TrialFilter(QueryDict("route=teleportation&enrollment_min=lots&phase=PHASE3"))

    assert set(filterset.errors) == {"route", "enrollment_min"}
    assert list(filterset.qs.values_list("nct_id", flat=True)) == ["NCT03280056"]


def test_sorting_by_enrollment_puts_the_largest_first(three_trials):
    trials = list(TrialFilter(QueryDict("sort=enrollment&scope=all")).qs)

    enrollments = [t.enrollment for t in trials]
    assert enrollments == sorted(enrollments, reverse=True)


def test_free_text_finds_interventions_and_sponsors(three_trials):
    assert ids("q=NurOwn") == ["NCT03280056"]
    assert ids("q=brainstorm") == ["NCT03280056"]
    assert ids("scope=all&q=tocilizumab") == ["NCT02469896"]


@pytest.fixture
def evidence_facets(three_trials):
    """Evidence facets as the evidence app writes them (trials reads them, never writes them).

    The ones the evidence app derived from these records are replaced by these, to be sure of
    what is selected.
    """
    TrialFacet.objects.filter(
        facet__in=["outcome_domains", "result_domains", "ae_categories"]
    ).delete()
    rows = {
        "NCT03280056": [
            ("outcome_domains", "function"),
            ("outcome_domains", "respiratory"),
            ("result_domains", "function"),
            ("ae_categories", "headache"),
        ],
        "NCT02290886": [("outcome_domains", "function"), ("ae_categories", "fever")],
    }
    TrialFacet.objects.bulk_create(
        TrialFacet(trial=Trial.objects.get(nct_id=nct_id), facet=facet, value=value)
        for nct_id, pairs in rows.items()
        for facet, value in pairs
    )


def test_evidence_filters_select_on_the_facets_the_evidence_app_writes(evidence_facets):
    assert ids("outcome_domain=function") == ["NCT02290886", "NCT03280056"]
    assert ids("outcome_domain=respiratory") == ["NCT03280056"]
    assert ids("result_domain=function") == ["NCT03280056"]
    assert ids("result_domain=respiratory") == []
    assert ids("ae_category=fever") == ["NCT02290886"]
    assert ids("ae_category=fever&ae_category=headache") == ["NCT02290886", "NCT03280056"]


def test_evidence_facets_are_counted_under_the_other_filters(evidence_facets):
    counts = TrialFilter(QueryDict("route=intravenous")).facet_counts()

    assert counts["outcome_domains"] == {"function": 1}
    assert counts["ae_categories"] == {"fever": 1}
    assert counts["result_domains"] == {}


def test_an_unknown_evidence_slug_is_reported_and_ignored(evidence_facets):
    filterset = TrialFilter(QueryDict("ae_category=hiccups&outcome_domain=function"))

    assert set(filterset.errors) == {"ae_category"}
    assert list(filterset.qs.order_by("nct_id").values_list("nct_id", flat=True)) == [
        "NCT02290886",
        "NCT03280056",
    ]


def test_a_value_that_is_not_a_whole_number_or_yes_no_is_reported_not_guessed(three_trials):
    filterset = TrialFilter(
        QueryDict("enrollment_min=2.5&enrollment_max=1e400&start_year_min=99999&has_results=maybe")
    )

    assert set(filterset.errors) == {
        "enrollment_min",
        "enrollment_max",
        "start_year_min",
        "has_results",
    }


def test_posted_results_filters_both_ways(three_trials):
    assert ids("scope=all&has_results=true") == ["NCT02469896"]
    assert ids("scope=all&has_results=false") == ["NCT02290886", "NCT03280056"]


def test_trials_without_an_enrollment_come_last_when_sorting_by_it(three_trials):
    Trial.objects.filter(nct_id="NCT02290886").update(enrollment=None)

    trials = list(TrialFilter(QueryDict("sort=enrollment&scope=all")).qs)

    assert [t.nct_id for t in trials][-1] == "NCT02290886"
