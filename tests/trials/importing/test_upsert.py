"""The upsert service and the file import command, on real registry records."""

import copy
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import load_record
from tests.helpers import database_content, import_snapshot, upsert
from trials import extensions
from trials.curating.services import curate
from trials.effective import effective_values
from trials.models import Curation, ImportRun, Trial

pytestmark = pytest.mark.django_db


def test_the_snapshot_imports_every_trial_once_at_its_newest_version():
    run = import_snapshot()

    assert run.status == ImportRun.Status.SUCCEEDED
    assert (run.received, run.created, run.rejected) == (67, 42, 0)
    assert run.older == 25  # the 2020 and 2022-09 copies of trials also present in 2022-10
    assert Trial.objects.count() == 42
    nurown = Trial.objects.get(nct_id="NCT03280056")
    assert str(nurown.version_date) == "2022-10-10"
    assert nurown.interventions.count() == 3  # the 2022 record has a third intervention


def test_a_trial_keeps_what_the_registry_says():
    upsert(load_record("snapshot/2022-10", "NCT03280056"))

    trial = Trial.objects.get(nct_id="NCT03280056")
    assert trial.phases == ["PHASE3"]
    assert trial.overall_status == "COMPLETED"
    assert (trial.enrollment, trial.enrollment_type) == (263, "ACTUAL")
    assert trial.lead_sponsor == "Brainstorm-Cell Therapeutics"
    assert trial.countries == ["United States"]
    assert trial.raw_record == load_record("snapshot/2022-10", "NCT03280056")
    assert trial.partial_date("start_date") == "2017-08-28"
    assert trial.locations.count() == len(
        trial.raw_record["protocolSection"]["contactsLocationsModule"]["locations"]
    )
    assert trial.facets.filter(facet="phases").values_list("value", flat=True).get() == "PHASE3"


def test_importing_twice_writes_nothing_but_the_last_seen_stamp():
    import_snapshot()
    before = database_content()

    with CaptureQueriesContext(connection) as queries:
        run = import_snapshot()

    assert (run.created, run.updated, run.unchanged) == (0, 0, 42)
    assert database_content() == before
    writes = [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and "trials_importrun" not in q["sql"]
    ]
    assert writes and all("last_seen" in sql and "trials_trial" in sql for sql in writes)


def test_an_older_then_newer_version_applies_the_update():
    old = load_record("snapshot/2020-07-28", "NCT03280056")
    new = load_record("snapshot/2022-10", "NCT03280056")

    first = upsert(old)
    second = upsert(new)

    assert first.created == ["NCT03280056"]
    assert second.updated == ["NCT03280056"]
    trial = Trial.objects.get(nct_id="NCT03280056")
    assert trial.overall_status == "COMPLETED"
    assert trial.interventions.count() == 3


def test_a_newer_then_older_version_changes_nothing():
    upsert(load_record("snapshot/2022-10", "NCT03280056"))
    before = database_content()

    result = upsert(load_record("snapshot/2020-07-28", "NCT03280056"))

    assert result.older == ["NCT03280056"]
    assert database_content() == before


def test_a_changed_record_replaces_its_children_without_leftovers():
    record = load_record("snapshot/2022-10", "NCT03280056")
    upsert(record)
    changed = copy.deepcopy(record)
    changed["protocolSection"]["contactsLocationsModule"]["locations"] = [
        {"facility": "Only Site", "city": "Boston", "country": "Canada"}
    ]

    upsert(changed)

    trial = Trial.objects.get(nct_id="NCT03280056")
    assert list(trial.locations.values_list("facility", flat=True)) == ["Only Site"]
    assert trial.countries == ["Canada"]
    assert trial.facet_values("countries") == ["Canada"]


def test_a_curated_value_survives_a_reimport():
    upsert(load_record("snapshot/2020-07-28", "NCT03280056"))
    trial = Trial.objects.get(nct_id="NCT03280056")
    curate(
        trial=trial,
        field_name="routes",
        value=["intramuscular", "intrathecal"],
        note="Arm description lists both",
        curator_name="tester",
    )
    curate(trial=trial, field_name="donor", value="allogeneic", note="test", curator_name="tester")

    upsert(load_record("snapshot/2022-10", "NCT03280056"))

    trial.refresh_from_db()
    assert trial.facet_values("routes") == ["intramuscular", "intrathecal"]
    assert trial.donor == "allogeneic"
    assert Curation.objects.filter(trial=trial).count() == 2
    assert effective_values(trial)["origins"]["routes"] == "curated"


def test_a_record_without_nct_id_is_rejected_and_the_rest_imported():
    bad = load_record("snapshot/2022-10", "NCT03280056")
    del bad["protocolSection"]["identificationModule"]["nctId"]

    result = upsert(bad, load_record("snapshot/2022-10", "NCT01142856"))

    assert result.created == ["NCT01142856"]
    assert result.rejections == [
        {
            "nct_id": "",
            "reason": "no NCT id (protocolSection.identificationModule.nctId)",
            "source": "test",
        }
    ]


def test_a_stored_version_and_a_newer_one_in_the_same_batch_end_at_the_newer():
    upsert(load_record("snapshot/2020-07-28", "NCT03280056"))

    result = upsert(
        load_record("snapshot/2020-07-28", "NCT03280056"),
        load_record("snapshot/2022-10", "NCT03280056"),
    )

    assert (result.updated, result.unchanged, result.older) == (
        ["NCT03280056"],
        [],
        ["NCT03280056"],
    )
    assert str(Trial.objects.get(nct_id="NCT03280056").version_date) == "2022-10-10"


def test_a_failure_mid_batch_leaves_the_database_as_it_was(monkeypatch):
    upsert(load_record("snapshot/2020-07-28", "NCT03280056"))
    before = database_content()

    def explode(pairs, prepared):
        raise RuntimeError("disk full")

    monkeypatch.setattr(extensions, "_record_handlers", [])
    extensions.register_record_handler(explode)
    with pytest.raises(RuntimeError):
        upsert(
            load_record("snapshot/2022-10", "NCT03280056"),
            load_record("snapshot/2022-10", "NCT01142856"),
        )

    assert database_content() == before


def test_the_command_prints_a_summary_and_exits_1_on_rejections(tmp_path, capsys):
    (tmp_path / "a.json").write_text(json.dumps(load_record("snapshot/2022-10", "NCT03280056")))
    (tmp_path / "b.json").write_text("{not json")
    page = {"studies": [load_record("snapshot/2022-10", "NCT01142856"), {"protocolSection": {}}]}
    (tmp_path / "page.json").write_text(json.dumps(page))

    with pytest.raises(SystemExit) as exit_info:
        call_command("import_trials", "--from-dir", str(tmp_path))

    assert exit_info.value.code == 1
    out, err = capsys.readouterr()
    assert "file import partial: received 4, created 2, updated 0, unchanged 0" in out
    assert "older skipped 0, rejected 2" in out
    assert "b.json: not readable JSON" in err
    assert Trial.objects.count() == 2


def test_the_command_rejects_a_missing_folder_clearly(capsys):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a folder"):
        call_command("import_trials", "--from-dir", "/nonexistent/folder")


def test_export_lists_every_trial_with_slugs_and_origins(tmp_path):
    import_snapshot()
    trial = Trial.objects.get(nct_id="NCT03280056")
    curate(
        trial=trial, field_name="routes", value=["intrathecal"], note="arm text", curator_name="t"
    )

    call_command("export_trials", "--format", "json", "--output", str(tmp_path / "t.json"))
    call_command("export_trials", "--format", "csv", "--output", str(tmp_path / "t.csv"))

    rows = json.loads((tmp_path / "t.json").read_text())
    assert len(rows) == 42
    nurown = next(r for r in rows if r["nct_id"] == "NCT03280056")
    assert nurown["routes"] == ["intrathecal"]
    assert nurown["routes_origin"] == "curated"
    assert nurown["cell_types_origin"] == "auto"
    assert nurown["phases"] == ["PHASE3"]
    lines = (tmp_path / "t.csv").read_text().splitlines()
    assert lines[0].startswith("nct_id,brief_title,overall_status,phases,study_type,enrollment")
    assert len(lines) == 43
