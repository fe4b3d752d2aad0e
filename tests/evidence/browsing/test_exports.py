"""The evidence columns of the trial export: outcomes, adverse events, publications."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import load_record
from tests.helpers import upsert
from trials.browsing import exports
from trials.models import Trial

pytestmark = pytest.mark.django_db


def export(fmt: str) -> str:
    return "".join(exports.iter_export(exports.iter_rows(Trial.objects.order_by("nct_id")), fmt))


def test_the_json_export_carries_outcomes_adverse_events_and_publications(tmp_path):
    upsert(load_record("snapshot/2020-07-28", "NCT01363401"))

    call_command("export_trials", "--format", "json", "--output", str(tmp_path / "t.json"))

    [row] = json.loads((tmp_path / "t.json").read_text())
    assert list(row)[-3:] == ["outcomes", "adverse_events", "publications"]
    assert [(o["type"], o["domain"]) for o in row["outcomes"]] == [
        ("primary", "function"),
        ("secondary", "function"),
        ("secondary", "respiratory"),
        ("secondary", "quality-of-life"),
    ]
    assert row["outcomes"][1]["measure"] == "Change in Appel Scale"
    # 67 terms (5 serious, 62 other) x 2 event groups, as the registry lists them.
    assert len(row["adverse_events"]) == 134
    assert row["adverse_events"][:2] == [
        {
            "term": "Cardiac arrest",
            "organ_system": "Cardiac disorders",
            "serious": True,
            "category": "other",
            "group": "HYNR-CS Inj.",
            "cell_therapy_group": True,
            "affected": 0,
            "at_risk": 41,
            "legacy_total_row": False,
        },
        {
            "term": "Cardiac arrest",
            "organ_system": "Cardiac disorders",
            "serious": True,
            "category": "other",
            "group": "No Treatment",
            "cell_therapy_group": False,
            "affected": 1,
            "at_risk": 31,
            "legacy_total_row": False,
        },
    ]
    assert row["publications"][0] == {"pmid": "19879334", "type": "BACKGROUND"}
    assert [p["type"] for p in row["publications"]] == ["BACKGROUND"] * 3 + ["RESULT"] * 2


def test_the_csv_export_writes_each_evidence_column_as_compact_json_in_its_cell():
    upsert(load_record("snapshot/2020-07-28", "NCT02469896"))

    [header, cells] = list(csv.reader(io.StringIO(export("csv"))))
    row = dict(zip(header, cells, strict=True))
    [json_row] = json.loads(export("json"))

    assert header[-3:] == ["outcomes", "adverse_events", "publications"]
    for column in ("outcomes", "adverse_events", "publications"):
        assert json.loads(row[column]) == json_row[column]
        assert row[column] == json.dumps(
            json_row[column], separators=(",", ":"), ensure_ascii=False
        )
    legacy = [e for e in json_row["adverse_events"] if e["legacy_total_row"]]
    assert {e["term"] for e in legacy} == {"Total, all-cause mortality"}


def test_a_trial_without_results_exports_empty_arrays_of_events():
    upsert(load_record("snapshot/2022-10", "NCT03280056"))

    [row] = json.loads(export("json"))

    assert row["adverse_events"] == []
    assert len(row["outcomes"]) > 0
    assert row["publications"] == []
    [header, cells] = list(csv.reader(io.StringIO(export("csv"))))
    assert dict(zip(header, cells, strict=True))["adverse_events"] == "[]"


def test_an_export_costs_the_same_queries_for_one_trial_as_for_several():
    upsert(load_record("snapshot/2020-07-28", "NCT01363401"))
    with CaptureQueriesContext(connection) as one:
        export("json")
    upsert(
        load_record("snapshot/2020-07-28", "NCT02469896"),
        load_record("other/2020-07-28", "NCT02448641"),
        load_record("snapshot/2022-10", "NCT03280056"),
    )

    with CaptureQueriesContext(connection) as four:
        assert len(json.loads(export("json"))) == 4

    assert len(four) == len(one)
