"""The ICTRP export parser, on the real export in fixtures/ and on records built to break it."""

import io
import xml.etree.ElementTree as ET
from dataclasses import fields
from datetime import date

import pytest

from tests.conftest import FIXTURES
from trials.registries.ctgov.parse import RecordRejected
from trials.registries.ictrp.parse import (
    IctrpRecord,
    clean,
    parse_date,
    parse_phases,
    parse_sex,
    parse_target_size,
    read_export,
)

ICTRP_EXPORT = FIXTURES / "ictrp" / "ICTRP-Results-hATTR-2024-06-09.xml"


@pytest.fixture(scope="module")
def records() -> dict[str, IctrpRecord]:
    return {r.trial_id: r for r in read_export(str(ICTRP_EXPORT))}


def export_of(*trials: str) -> io.BytesIO:
    body = "".join(f"<Trial>{trial}</Trial>" for trial in trials)
    return io.BytesIO(
        f"<Trials_downloaded_from_ICTRP>{body}</Trials_downloaded_from_ICTRP>".encode()
    )


def test_every_record_of_the_real_export_is_read_without_a_warning(records):
    assert len(records) == 95
    assert all(isinstance(r, IctrpRecord) for r in records.values())
    assert {tid: r.warnings for tid, r in records.items() if r.warnings} == {}


def test_an_eu_ctr_record_reads_its_prose_phases_gender_and_dates(records):
    spain = records["EUCTR2021-000037-14-ES"]

    assert (spain.registry, spain.source_register) == ("euctr", "EU Clinical Trials Register")
    assert [i.key for i in spain.registration_ids] == ["eudract:2021-000037-14"]
    assert spain.phases == ("PHASE3",)
    assert spain.sex == "ALL"
    assert spain.last_refreshed == date(2021, 7, 5)
    assert spain.registered == date(2021, 6, 9)
    assert spain.start_date == date(2021, 7, 1)
    assert spain.enrollment_count == 150
    assert spain.study_type == "INTERVENTIONAL"
    # "Authorised" says a regulator approved it, not whether it recruits: no status is guessed.
    assert (spain.recruitment_status, spain.overall_status) == ("Authorised", "")
    assert "Spain" in spain.countries and "Korea, Republic of" in spain.countries
    assert spain.study_design.startswith("Controlled: yes\nRandomised: yes\nOpen: no")


def test_a_clinicaltrials_gov_record_inside_the_export_reads_as_that_registry(records):
    nfl = records["NCT06360289"]

    assert (nfl.registry, nfl.registration_ids[0].id) == ("ctgov", "NCT06360289")
    assert (nfl.overall_status, nfl.study_type) == ("RECRUITING", "OBSERVATIONAL")
    assert (nfl.start_date, nfl.last_refreshed) == (date(2024, 4, 25), date(2024, 5, 20))
    assert nfl.enrollment_count == 500
    assert nfl.countries == ("France",)


def test_a_record_keeps_the_registrations_it_cites_but_not_sponsor_codes(records):
    jrct = records["JPRN-jRCT2071210009"]
    netherlands = records["NL-OMON55279"]

    assert [(i.registry, i.id) for i in jrct.registration_ids] == [
        ("jprn", "jRCT2071210009"),
        ("ctgov", "NCT04136184"),
        ("euctr", "2019-001698-10"),
    ]
    assert [i.key for i in netherlands.registration_ids] == [
        "nl:NL-OMON55279",
        "eudract:2019-001698-10",
        "ctgov:NCT04136184",
    ]


def test_text_loses_its_html_breaks_and_padding_but_keeps_its_lines(records):
    text_fields = [f.name for f in fields(IctrpRecord) if f.type in ("str", "tuple[str, ...]")]
    assert len(text_fields) > 20
    for record in records.values():
        for name in text_fields:
            value = getattr(record, name)
            for text in value if isinstance(value, tuple) else [value]:
                assert "<br" not in text.lower(), (record.trial_id, name)
                assert text == text.strip(), (record.trial_id, name)
    criteria = records["NCT06360289"].eligibility_criteria
    assert criteria.startswith("Inclusion Criteria:\n- Carrier of a documented pathogenic TTR")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("08/04/2024", date(2024, 4, 8)),
        ("20240408", date(2024, 4, 8)),
        ("20 May 2024", date(2024, 5, 20)),
        ("April 25, 2024", date(2024, 4, 25)),
        ("2016/12/06", date(2016, 12, 6)),
        ("\n   5 July 2021\n    ", date(2021, 7, 5)),
        ("sometime in 2020", None),
        ("", None),
    ],
)
def test_dates_are_read_in_every_form_the_registries_write(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "phases"),
    [
        ("Phase 3", ("PHASE3",)),
        ("3", ("PHASE3",)),
        ("Phase 2/Phase 3", ("PHASE2", "PHASE3")),
        ("N/A", ("NA",)),
        ("Not selected", ()),
        ("", ()),
        (
            "Human pharmacology (Phase I): no\nTherapeutic exploratory (Phase II): yes\n"
            "Therapeutic confirmatory - (Phase III): yes\nTherapeutic use (Phase IV): no",
            ("PHASE2", "PHASE3"),
        ),
    ],
)
def test_phases_are_read_from_words_numbers_and_eu_ctr_prose(text, phases):
    assert parse_phases(text) == (phases, True)


def test_a_phase_that_says_nothing_readable_is_not_understood():
    assert parse_phases("Pilot") == ((), False)


@pytest.mark.parametrize(
    ("text", "sex"),
    [
        ("All", "ALL"),
        ("Both", "ALL"),
        ("<br>Female: yes<br>Male: yes<br>", "ALL"),
        ("<br> Female: no<br> Male: yes<br>", "MALE"),
        ("Female: yes Male: no", "FEMALE"),
    ],
)
def test_gender_is_read_from_words_and_yes_no_lines(text, sex):
    assert parse_sex(text) == (sex, True)


def test_per_group_target_sizes_are_summed():
    assert parse_target_size("control group:50;sepsis group:50;") == 100
    assert parse_target_size("about forty") is None


def test_clean_turns_breaks_into_lines():
    assert clean("\n  a<br>b <BR/>  c\r\n\n d  ") == "a\nb\nc\nd"


def test_a_record_without_a_registration_id_is_rejected_and_the_next_one_read():
    results = list(
        read_export(
            export_of(
                "<Public_title>No id</Public_title>",
                "<TrialID>SPONSOR-123</TrialID>",
                "<TrialID>DRKS00032447</TrialID><Public_title>Fine</Public_title>",
            )
        )
    )

    assert [type(r) for r in results] == [RecordRejected, RecordRejected, IctrpRecord]
    assert "not a registration id" in results[1].reason
    assert results[2].brief_title == "Fine"


def test_an_unreadable_value_is_left_empty_and_said():
    [record] = read_export(
        export_of("<TrialID>DRKS00032447</TrialID><Date_enrollement>spring</Date_enrollement>")
    )

    assert record.start_date is None
    assert record.warnings == ("Date_enrollement: unreadable date 'spring'",)


def test_a_file_that_is_not_well_formed_fails_after_the_records_before_the_fault():
    broken = io.BytesIO(
        b"<Trials_downloaded_from_ICTRP><Trial><TrialID>DRKS00032447</TrialID></Trial><Trial><Tr"
    )
    results = read_export(broken)

    assert next(results).trial_id == "DRKS00032447"
    with pytest.raises(ET.ParseError):
        next(results)
