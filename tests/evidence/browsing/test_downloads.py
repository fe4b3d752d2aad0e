"""The effects and pools downloads and API: the issue's columns, the filters, fixed queries."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evidence.browsing.downloads import EFFECT_COLUMNS, POOL_COLUMNS
from tests.conftest import load_record
from tests.evidence.browsing.test_overview import import_all_with_results, label
from tests.helpers import upsert

pytestmark = pytest.mark.django_db

ISSUE_EFFECT_COLUMNS = [
    "nct_id",
    "source",
    "citation",
    "outcome_domain",
    "measure_family",
    "measure",
    "timepoint",
    "timepoint_window",
    "comparison",
    "effect_measure",
    "cell_group",
    "cell_n",
    "cell_value",
    "cell_sd",
    "control_group",
    "control_n",
    "control_value",
    "control_sd",
    "estimate",
    "ci_low",
    "ci_high",
    "favours",
    "randomized",
    "masking",
    "control_type",
]
ISSUE_POOL_COLUMNS = [
    "measure_family",
    "timepoint_window",
    "subgroup",
    "k",
    "participants",
    "effect_measure",
    "method",
    "estimate",
    "ci_low",
    "ci_high",
    "tau2",
    "i2",
    "pi_low",
    "pi_high",
    "nct_ids",
]


@pytest.fixture
def hynr():
    upsert(load_record("snapshot/2020-07-28", "NCT01363401"))
    label("NCT01363401", ["msc"], ["intrathecal"])


def rows(response):
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_downloads_have_at_least_the_issues_columns():
    assert set(ISSUE_EFFECT_COLUMNS) <= set(EFFECT_COLUMNS)
    assert set(ISSUE_POOL_COLUMNS) <= set(POOL_COLUMNS)


def test_the_effects_csv_has_nct01363401s_alsfrs_r_mean_difference(client, hynr):
    response = client.get("/evidence/effects.csv")

    assert response["Content-Disposition"].startswith('attachment; filename="als-cell-trials-')
    alsfrs = next(r for r in rows(response) if r["measure_family"] == "alsfrs-r")
    assert {k: alsfrs[k] for k in ("nct_id", "source", "comparison", "effect_measure")} == {
        "nct_id": "NCT01363401",
        "source": "registry",
        "comparison": "controlled",
        "effect_measure": "MD",
    }
    assert (alsfrs["cell_n"], alsfrs["cell_value"], alsfrs["cell_sd"]) == ("39.0", "-1.36", "2.39")
    assert (alsfrs["control_n"], alsfrs["control_value"], alsfrs["control_sd"]) == (
        "27.0",
        "-4.67",
        "3.25",
    )
    assert (alsfrs["estimate"], alsfrs["ci_low"][:4], alsfrs["ci_high"][:4]) == (
        "3.31",
        "1.87",
        "4.74",
    )
    assert (alsfrs["favours"], alsfrs["control_type"], alsfrs["timepoint_window"]) == (
        "cell therapy",
        "no treatment",
        "3-6-months",
    )
    assert alsfrs["pooled"] == "true"


def test_the_pooled_json_has_a_pool_of_one_equal_to_the_trials_effect(client, hynr):
    effects = client.get("/evidence/effects.json").json()
    pools = client.get("/evidence/pooled.json").json()

    effect = next(e for e in effects if e["measure_family"] == "alsfrs-r")
    pool = next(p for p in pools if p["measure_family"] == "alsfrs-r" and p["subgroup"] == "all")
    assert (pool["k"], pool["participants"], pool["nct_ids"]) == (1, 66, ["NCT01363401"])
    assert (pool["estimate"], pool["ci_low"], pool["ci_high"]) == (
        effect["estimate"],
        effect["ci_low"],
        effect["ci_high"],
    )
    assert pool["method"] == "DerSimonian-Laird random effects"
    subgroups = {p["subgroup"] for p in pools if p["measure_family"] == "alsfrs-r"}
    assert subgroups == {"all", "cell_type:msc", "route:intrathecal", "donor:autologous"}
    headache = next(
        p
        for p in pools
        if p["measure_family"] == "adverse-events:headache"
        and p["subgroup"] == "all"
        and p["effect_measure"] == "RR"
    )
    assert (headache["k"], round(headache["estimate"], 4)) == (1, round((4 / 41) / (2 / 31), 4))


def test_the_downloads_take_the_lists_filters_and_refuse_bad_ones(client, hynr):
    assert rows(client.get("/evidence/effects.csv?route=intravenous")) == []
    assert len(rows(client.get("/evidence/effects.csv?route=intrathecal"))) == 4

    response = client.get("/evidence/pooled.csv?route=teleportation")
    assert response.status_code == 400
    assert b"Nothing was exported" in response.content


def test_the_api_gives_the_same_rows_and_a_400_for_an_unknown_parameter(client, hynr):
    assert (
        client.get("/api/evidence/effects/").json() == client.get("/evidence/effects.json").json()
    )
    assert client.get("/api/evidence/pooled/").json() == client.get("/evidence/pooled.json").json()

    response = client.get("/api/evidence/effects/?cel_type=msc")
    assert response.status_code == 400
    assert "cel_type" in response.json()


def test_the_downloads_cost_the_same_queries_for_one_trial_as_for_all(client, hynr):
    with CaptureQueriesContext(connection) as one:
        client.get("/evidence/pooled.csv")
    import_all_with_results()
    with CaptureQueriesContext(connection) as many:
        response = client.get("/evidence/pooled.csv")

    assert len(rows(response)) > 10
    assert len(many) == len(one) <= 19
