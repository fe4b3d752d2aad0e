"""Evidence gaps: overdue trials without results, per cell type × route; the `reported` filter."""

import datetime

import pytest
from django.http import QueryDict

from evidence.synthesis.gaps import evidence_gaps
from tests.conftest import load_record
from tests.evidence.browsing.test_overview import label
from tests.helpers import upsert
from trials.browsing.filters import TrialFilter
from trials.models import Trial

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2022, 11, 1)


@pytest.fixture
def three():
    # NCT01363401: results posted (completion 2013-05). NCT03296501: no results, a RESULT
    # reference (2020-10-31). NCT01609283: neither (primary completion 2019-01-31).
    # NCT05003921: neither, but primary completion 2025-09, not yet due.
    upsert(
        load_record("snapshot/2020-07-28", "NCT01363401"),
        load_record("snapshot/2022-10", "NCT03296501"),
        load_record("snapshot/2022-10", "NCT01609283"),
        load_record("snapshot/2022-10", "NCT05003921"),
    )
    for nct_id in ("NCT01363401", "NCT03296501", "NCT01609283", "NCT05003921"):
        label(nct_id, ["msc"], ["intrathecal"])
    label("NCT01609283", ["msc", "nsc"], ["intrathecal", "intravenous"])


def ids(query):
    return set(TrialFilter(QueryDict(query)).qs.values_list("nct_id", flat=True))


def test_the_reported_filter_finds_registry_publication_and_neither(three):
    assert ids("reported=registry") == {"NCT01363401"}
    # NCT01363401 lists RESULT references too.
    assert ids("reported=publication") == {"NCT01363401", "NCT03296501"}
    assert ids("reported=none") == {"NCT01609283", "NCT05003921"}
    assert ids("reported=registry&reported=none") == {"NCT01363401", "NCT01609283", "NCT05003921"}
    assert TrialFilter(QueryDict("reported=maybe")).errors


def test_only_overdue_trials_without_any_report_are_gaps_listed_per_cell_type_and_route(three):
    gaps = evidence_gaps(Trial.objects.all(), today=TODAY)

    assert [t.nct_id for t in gaps.trials] == ["NCT01609283"]
    assert gaps.cutoff == datetime.date(2021, 11, 1)
    enrollment = Trial.objects.get(nct_id="NCT01609283").enrollment
    assert gaps.participants == enrollment
    assert [(c.cell_type, c.route, len(c.trials)) for c in gaps.cells] == [
        ("msc", "intrathecal", 1),
        ("msc", "intravenous", 1),
        ("nsc", "intrathecal", 1),
        ("nsc", "intravenous", 1),
    ]


def test_the_gaps_are_shown_on_the_evidence_page_and_in_the_summary(client, three):
    for url in ("/evidence/", "/evidence/summary/"):
        response = client.get(url)
        assert response.status_code == 200
        assert "NCT01609283" in [t.nct_id for t in response.context["gaps"].trials]
        assert b"Evidence gaps: trials that have not reported" in response.content
