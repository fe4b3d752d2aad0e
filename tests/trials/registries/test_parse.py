"""The pure parser, fed the real registry records bundled in fixtures/ (no database)."""

import copy
import json
from datetime import date

import pytest

from tests.conftest import all_record_paths, load_record
from trials.registries.ctgov.parse import (
    RecordRejected,
    content_hash,
    parse_partial_date,
    parse_study,
)


@pytest.mark.parametrize("path", all_record_paths(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_bundled_record_parses_without_warnings(path):
    study = parse_study(json.loads(path.read_text(encoding="utf-8")))

    assert study.nct_id == path.stem
    assert study.brief_title
    assert study.warnings == ()


def test_it_reads_the_fields_of_a_phase3_record():
    study = parse_study(load_record("snapshot/2022-10", "NCT03280056"))

    assert study.phases == ("PHASE3",)
    assert study.overall_status == "COMPLETED"
    assert study.start_date.value == date(2017, 8, 28)
    assert study.start_date.precision == "day"
    assert (study.enrollment_count, study.enrollment_type) == (263, "ACTUAL")
    assert study.lead_sponsor.name == "Brainstorm-Cell Therapeutics"
    assert study.lead_sponsor.sponsor_class == "INDUSTRY"
    assert study.version_date == date(2022, 10, 10)
    assert "United States" in study.countries


def test_a_phase_1_2_trial_keeps_both_phases():
    study = parse_study(load_record("snapshot/2020-07-28", "NCT00855400"))

    assert study.phases == ("PHASE1", "PHASE2")


def test_a_month_only_date_keeps_its_precision():
    study = parse_study(load_record("snapshot/2020-07-28", "NCT03280056"))

    assert str(study.completion_date) == "2020-12"
    assert study.completion_date.precision == "month"
    assert study.completion_date.type == "ESTIMATED"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2020", (date(2020, 1, 1), "year")),
        ("2020-12", (date(2020, 12, 1), "month")),
        ("2020-12-31", (date(2020, 12, 31), "day")),
        ("2020-13", None),
        ("December 2020", None),
        (None, None),
    ],
)
def test_partial_dates(raw, expected):
    assert parse_partial_date(raw) == expected


def test_a_record_without_an_nct_id_is_rejected_with_a_reason():
    record = load_record("snapshot/2022-10", "NCT03280056")
    del record["protocolSection"]["identificationModule"]["nctId"]

    with pytest.raises(RecordRejected, match="no NCT id"):
        parse_study(record)


@pytest.mark.parametrize("bad", [[], "NCT03280056", None, {"hasResults": True}])
def test_things_that_are_not_study_objects_are_rejected(bad):
    with pytest.raises(RecordRejected):
        parse_study(bad)


def test_a_malformed_nct_id_is_rejected():
    record = load_record("snapshot/2022-10", "NCT03280056")
    record["protocolSection"]["identificationModule"]["nctId"] = "NCT123"

    with pytest.raises(RecordRejected, match="malformed NCT id") as excinfo:
        parse_study(record)
    assert excinfo.value.nct_id == "NCT123"


def test_missing_modules_give_empty_values_not_errors():
    record = {"protocolSection": {"identificationModule": {"nctId": "NCT00000001"}}}

    study = parse_study(record)

    assert study.nct_id == "NCT00000001"
    assert study.phases == ()
    assert study.start_date is None
    assert study.arms == ()
    assert study.enrollment_count is None


def test_unknown_enum_values_are_kept_and_reported():
    record = load_record("snapshot/2022-10", "NCT03280056")
    record["protocolSection"]["statusModule"]["overallStatus"] = "PAUSED_FOR_REVIEW"
    record["protocolSection"]["designModule"]["phases"] = ["PHASE2", "PHASE5"]

    study = parse_study(record)

    assert study.overall_status == "PAUSED_FOR_REVIEW"
    assert study.phases == ("PHASE2", "PHASE5")
    assert any("PAUSED_FOR_REVIEW" in w for w in study.warnings)
    assert any("PHASE5" in w for w in study.warnings)


def test_unreadable_values_are_left_empty_and_reported():
    record = load_record("snapshot/2022-10", "NCT03280056")
    record["protocolSection"]["statusModule"]["startDateStruct"] = {"date": "soon"}
    record["protocolSection"]["designModule"]["enrollmentInfo"] = {"count": "many"}

    study = parse_study(record)

    assert study.start_date is None
    assert study.enrollment_count is None
    assert len(study.warnings) == 2


def test_content_hash_ignores_key_order_but_not_content():
    record = load_record("snapshot/2022-10", "NCT03280056")
    reordered = json.loads(json.dumps(record, sort_keys=True))
    changed = copy.deepcopy(record)
    changed["protocolSection"]["statusModule"]["overallStatus"] = "TERMINATED"

    assert content_hash(record) == content_hash(reordered)
    assert content_hash(record) != content_hash(changed)


def test_content_hash_ignores_the_registrys_daily_version_stamp():
    record = load_record("snapshot/2022-10", "NCT03280056")
    restamped = copy.deepcopy(record)
    restamped["derivedSection"]["miscInfoModule"]["versionHolder"] = "2026-11-24"

    assert content_hash(record) == content_hash(restamped)


def test_the_design_modules_intervention_model_description_is_carried_for_the_classifier():
    study = parse_study(load_record("snapshot/2020-07-28", "NCT03482050"))

    assert study.intervention_model_description.endswith(
        "AstroRx will be administered by intrathecal (spinal) injection to subjects with ALS at "
        "the early disease stage."
    )
