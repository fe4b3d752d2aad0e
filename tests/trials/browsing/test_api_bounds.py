"""Issue 14: the API's paging is strict and its schema declares its bounds and its 400/404."""

import pytest
import yaml

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["null", "0", "101", "-1", "2.5", "", "²"])
def test_a_page_size_outside_1_to_100_is_a_400_not_the_default(client, snapshot, value):
    response = client.get("/api/trials/", {"page_size": value})

    assert response.status_code == 400
    assert response.json() == {"page_size": [f"A whole number from 1 to 100, not “{value}”."]}


@pytest.mark.parametrize("value", ["0", "last", "x", "-3"])
def test_a_page_that_is_no_page_number_is_a_400(client, snapshot, value):
    response = client.get("/api/trials/", {"page": value})

    assert response.status_code == 400
    assert "page" in response.json()


def test_a_page_past_the_last_is_a_404(client, snapshot):
    response = client.get("/api/trials/", {"page": 99})

    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}


def test_page_size_100_is_accepted(client, snapshot):
    assert len(client.get("/api/trials/", {"page_size": 100}).json()["results"]) == 41


@pytest.fixture
def operations(client):
    paths = yaml.safe_load(client.get("/api/schema/").content)["paths"]
    return paths["/api/trials/"]["get"], paths["/api/trials/{nct_id}/"]["get"]


def test_the_schema_declares_the_400_and_404_answers(operations):
    for operation in operations:
        assert {"200", "400", "404"} <= set(operation["responses"])


def test_the_schema_declares_the_bounds(operations):
    parameters = {p["name"]: p["schema"] for p in operations[0]["parameters"]}

    assert parameters["page_size"] == {"type": "integer", "minimum": 1, "maximum": 100}
    assert parameters["page"]["minimum"] == 1
    assert parameters["start_year_min"] == {"type": "integer", "minimum": 1900, "maximum": 2100}
    assert parameters["country"]["maxItems"] == 50
    assert "pattern" in parameters["q"]
