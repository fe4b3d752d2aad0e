"""The trial page: the registry record laid out, the labels with their deciding phrases."""

import copy

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import load_record
from tests.helpers import upsert
from trials.curating.services import curate
from trials.models import Trial

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return response.content.decode()


def test_a_trial_page_shows_the_registry_record_laid_out(client, nurown):
    html = text_of(client.get("/trials/NCT03280056/"))

    assert "<h1" in html and html.count("<h1") == 1
    assert "Safety and Efficacy of Repeated Administrations of NurOwn® in ALS Patients" in html
    for heading in (
        "Cell therapy",
        "Summary",
        "Status and dates",
        "Design",
        "Arms and interventions",
        "Registered outcomes",
        "Eligibility",
        "Locations",
        "Source of this page",
    ):
        assert f'-heading">{heading}</h2>' in html
    assert "263 participants (actual)" in html
    assert 'href="https://clinicaltrials.gov/study/NCT03280056"' in html
    assert "Registry version imported</dt><dd>2022-10-10" in html
    assert 'United States <span class="count">(6)</span>' in html


def test_the_phrase_that_decided_a_label_is_highlighted_in_its_sentence(client, nurown):
    html = text_of(client.get("/trials/NCT03280056/"))

    assert "<mark>mesenchymal stem cells</mark>" in html
    assert "Three <mark>Intrathecal</mark> administrations of NurOwn" in html
    assert "in arm 1 description, confidence 0.97" in html


def test_a_label_says_whether_it_is_automatic_or_curated(client, nurown):
    trial = Trial.objects.get(nct_id="NCT03280056")
    curate(
        trial=trial,
        field_name="routes",
        value=["intrathecal", "intramuscular"],
        note="Protocol paper: IM cohort",
        curator_name="ada",
    )

    html = text_of(client.get("/trials/NCT03280056/"))

    routes = html[html.index("<dt>Delivery route</dt>") :]
    assert '<span class="origin origin--curated">curated</span>' in routes[:600]
    assert "Set by ada on" in routes
    assert "Protocol paper: IM cohort" in routes
    donor = html[html.index("<dt>Donor</dt>") :]
    assert '<span class="origin origin--auto">automatic</span>' in donor[:600]


def test_sections_without_data_are_not_shown(client, db):
    record = copy.deepcopy(load_record("snapshot/2022-10", "NCT03280056"))
    protocol = record["protocolSection"]
    for module in ("outcomesModule", "contactsLocationsModule", "referencesModule"):
        protocol.pop(module, None)
    protocol["descriptionModule"] = {}
    upsert(record)

    html = text_of(client.get("/trials/NCT03280056/"))

    for heading in ("Registered outcomes", "Locations", "References", "Summary"):
        assert f">{heading}</h2>" not in html
    assert "Arms and interventions</h2>" in html


def test_an_unknown_nct_id_gets_a_friendly_404(client, nurown):
    response = client.get("/trials/NCT99999999/")

    assert response.status_code == 404
    assert "No trial NCT99999999 in the tracker" in text_of(response)
    assert 'href="https://clinicaltrials.gov/study/NCT99999999"' in text_of(response)


def test_something_that_is_not_an_nct_id_gets_a_404_that_explains_nct_ids(client, db):
    response = client.get("/trials/banana/", follow=True)

    assert response.status_code == 404
    assert "NCT” followed by eight digits" in text_of(response)


def test_a_lower_case_nct_id_redirects_to_the_trials_address(client, nurown):
    response = client.get("/trials/nct03280056/")

    assert response.status_code == 301
    assert response["Location"] == "/trials/NCT03280056/"


def test_the_raw_record_is_served_as_imported(client, nurown):
    response = client.get("/trials/NCT03280056/record.json")

    assert response.json() == load_record("snapshot/2022-10", "NCT03280056")


def test_the_trial_page_costs_a_fixed_number_of_queries(client, nurown):
    with CaptureQueriesContext(connection) as queries:
        client.get("/trials/NCT03280056/")

    # The trial and its eight prefetched kinds of rows (9), the evidence sections (at most 19,
    # see evidence.browsing.trial) and the timeline (1): fixed, whatever the record holds.
    assert len(queries) <= 29


def test_a_trial_with_posted_results_shows_the_evidence_sections_and_its_history(client, db):
    # NCT01363401 posted outcome measures and adverse events (Korea, bone-marrow MSC).
    upsert(load_record("snapshot/2020-07-28", "NCT01363401"))

    html = text_of(client.get("/trials/NCT01363401/"))

    for heading in ("Registered outcomes", "Posted results", "Adverse events", "History"):
        assert f">{heading}</h2>" in html
    assert "First seen" in html
    # The page's own table of contents leads to them.
    assert 'href="#evidence"' in html and 'id="evidence"' in html
    assert 'href="#history"' in html and 'id="history"' in html


def test_a_cell_therapy_with_no_route_stated_says_so_on_its_page_and_in_the_list(client, db):
    # NCT05562024 (a CAR-T product) never says how its cells are given.
    upsert(load_record("other/v2-2026", "NCT05562024"))

    page = text_of(client.get("/trials/NCT05562024/"))
    listing = text_of(client.get("/trials/?q=NCT05562024"))

    assert "route not stated in the record" in page
    assert "Other cell product" in page
    assert "route not stated in the record" in listing


def test_the_records_publications_are_listed_once(client, db):
    upsert(load_record("snapshot/2020-07-28", "NCT01363401"))

    page = text_of(client.get("/trials/NCT01363401/"))

    assert page.count('href="https://pubmed.ncbi.nlm.nih.gov/25934946/"') == 1
    assert 'references-heading">Publications and references</h2>' in page


def test_a_curator_records_route_not_stated_apart_from_not_yet_curated(client, nurown):
    trial = Trial.objects.get(nct_id="NCT03280056")
    curate(
        trial=trial, field_name="routes", value=[], note="no route in the record", curator_name="c"
    )

    page = text_of(client.get("/trials/NCT03280056/"))
    trial.refresh_from_db()

    assert "route not stated in the record" in page
    assert 'origin--curated">curated' in page
    assert trial.curations.current().get(field="routes").value == []
