"""The read-only JSON API: the page's filters, the export columns, strict about bad input."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from trials.browsing import exports
from trials.browsing.api.serializers import TrialDetailSerializer, TrialRowSerializer
from trials.browsing.filters import TrialFilter

pytestmark = pytest.mark.django_db


def ids_of(response) -> list[str]:
    return [item["nct_id"] for item in response.json()["results"]]


def test_list_items_carry_the_export_columns_and_links(client, snapshot):
    response = client.get("/api/trials/?cell_type=nsc")

    item = response.json()["results"][0]
    assert response.status_code == 200
    assert list(item) == [*exports.all_columns(), "url", "page_url"]
    assert item["url"] == f"http://testserver/api/trials/{item['nct_id']}/"
    assert item["page_url"] == f"http://testserver/trials/{item['nct_id']}/"
    assert "nsc" in item["cell_types"]


def test_the_declared_fields_are_exactly_what_the_api_returns(client, snapshot):
    listed = client.get("/api/trials/").json()["results"][0]
    detail = client.get(f"/api/trials/{listed['nct_id']}/").json()

    assert set(TrialRowSerializer().fields) == set(listed)
    assert set(TrialDetailSerializer().fields) == set(detail)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "route=intrathecal&route=intravenous",
        "cell_type=msc&route=intrathecal&donor=autologous",
        "q=mesenchymal&sort=relevance",
        "phase=PHASE1&status_group=completed&country=United States",
        "scope=all&has_results=true",
        "start_year_min=2015&enrollment_max=30&sort=enrollment",
    ],
)
def test_the_api_and_the_list_page_select_the_same_trials(client, snapshot, query):
    page = client.get(f"/trials/?{query}&per_page=100", follow=True).context["page"]
    expected = [trial.nct_id for trial in page.object_list]
    assert expected, "the query selects no bundled trial, so the comparison would prove nothing"
    assert page.paginator.count == len(expected)

    response = client.get(f"/api/trials/?{query}&page_size=100")

    assert response.json()["count"] == len(expected)
    assert ids_of(response) == expected


def test_the_list_is_paginated(client, snapshot):
    first = client.get("/api/trials/?page_size=10").json()
    second = client.get(first["next"]).json()

    assert first["count"] == 41
    assert len(first["results"]) == 10
    on_first = {item["nct_id"] for item in first["results"]}
    assert on_first.isdisjoint(item["nct_id"] for item in second["results"])


def test_invalid_filter_values_are_a_400_naming_them(client, snapshot):
    response = client.get("/api/trials/?route=teleportation&enrollment_min=lots&phase=PHASE3")

    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"route", "enrollment_min"}
    assert "teleportation is not one of the available choices" in errors["route"][0]


def test_an_unknown_parameter_is_a_400_rather_than_every_trial(client, snapshot):
    response = client.get("/api/trials/?cel_type=msc")

    assert response.status_code == 400
    assert response.json() == {"cel_type": ["Unknown parameter."]}


@pytest.mark.parametrize(
    ("query", "status"),
    [("page=0", 400), ("page=abc", 400), ("page_size=abc", 400), ("page_size=null", 400)],
)
def test_paging_that_is_not_a_number_from_1_is_a_400(client, snapshot, query, status):
    response = client.get(f"/api/trials/?{query}")

    assert response.status_code == status
    assert set(response.json()) <= {"page", "page_size"}


def test_a_page_past_the_end_is_a_404_saying_so(client, snapshot):
    response = client.get("/api/trials/?page=999")

    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}


@pytest.mark.parametrize("query", ["", "q=bone marrow&route=intrathecal&phase=PHASE1"])
def test_the_api_list_costs_a_fixed_number_of_queries(client, snapshot, query):
    def queries_of(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    first = queries_of(f"/api/trials/?{query}")  # also reads the facet index
    small_page = queries_of(f"/api/trials/?{query}&page_size=10")
    large_page = queries_of(f"/api/trials/?{query}&page_size=100")

    assert first <= 12
    # data version, (free-text ids), page ids, page rows, their facets and curations in force,
    # and the evidence app's export prefetches (outcomes, adverse events, publications)
    assert small_page == large_page <= 9


def test_a_trial_has_arms_interventions_locations_and_labels_with_phrases(client, snapshot):
    trial = client.get("/api/trials/NCT03280056/").json()

    assert trial["brief_title"].startswith("Safety and Efficacy of Repeated Administrations")
    assert [arm["label"] for arm in trial["arms"]] == ["NurOwn® (MSC-NTF cells)", "Placebo"]
    assert trial["interventions"][0]["type"] == "BIOLOGICAL"
    assert {loc["country"] for loc in trial["locations"]} == {"United States"}
    route = next(a for a in trial["auto_labels"] if a["field"] == "routes" and not a["arm"])
    assert (route["value"], route["phrase"], route["source"]) == (
        "intrathecal",
        "Intrathecal",
        "arm[0].description",
    )
    assert trial["version_date"] == "2022-10-10"
    assert trial["curations"] == []


def test_a_trial_id_in_lower_case_is_found(client, snapshot):
    assert client.get("/api/trials/nct03280056/").status_code == 200


def test_an_unknown_trial_is_a_404_saying_so(client, snapshot):
    response = client.get("/api/trials/NCT99999999/")

    assert response.status_code == 404
    assert response.json() == {"detail": "No trial NCT99999999 in the tracker."}


def test_the_openapi_schema_documents_the_shared_filters(client, db):
    response = client.get("/api/schema/?format=json")

    schema = response.json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/trials/"]["get"]["parameters"]}
    assert response.status_code == 200
    assert set(TrialFilter.base_filters) <= set(parameters)
    assert parameters["route"]["schema"]["items"]["enum"] == sorted(
        ["intrathecal", "intraspinal", "intracerebroventricular", "intracerebral", "intravenous"]
        + ["intra-arterial", "intramuscular", "other"]
    )
    assert "/api/trials/{nct_id}/" in schema["paths"]


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_the_docs_pages_load_their_scripts_from_our_own_static_files(client, db, path):
    html = client.get(path).content.decode()

    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn" not in html.lower()
    assert "https://" not in html
