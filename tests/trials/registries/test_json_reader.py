"""The one lenient reader both parsers use: keep what can be kept, report every value of the wrong
shape, and make text fit every output (no database)."""

import copy
import logging

from evidence.importing.parse import parse_evidence
from tests.conftest import load_record
from trials.registries.ctgov.parse import parse_study
from trials.registries.json_reader import LONG_TEXT, TITLE, LenientReader

NUROWN = ("snapshot/2022-10", "NCT03280056")
WITH_RESULTS = ("snapshot/2020-07-28", "NCT01363401")


def reader() -> LenientReader:
    return LenientReader("NCT00000001", logging.getLogger("test"))


def test_a_number_where_text_belongs_is_kept_as_text_and_reported():
    r = reader()

    assert r.text({"name": 12}, "name", "here") == "12"
    assert r.warnings == ["here.name is a number, not text (kept as '12')"]


def test_a_value_that_cannot_be_text_is_left_empty_and_reported():
    r = reader()

    assert r.text({"name": {"a": 1}}, "name", "here") == ""
    assert r.texts({"names": "one"}, "names", "here") == ()
    assert len(r.warnings) == 2


def test_control_characters_no_output_can_carry_become_spaces_and_are_reported():
    r = reader()

    text = r.text({"t": "Stem\u000bcells\x00 for\tALS\r\n in \ud800 two"}, "t", "here", TITLE)

    assert text == "Stem cells  for\tALS\r\n in   two"
    assert r.warnings == ["here.t: 3 control character(s) no output can carry, made spaces"]


def test_free_text_is_cut_at_its_limit_with_a_warning():
    r = reader()

    assert len(r.text({"t": "x" * (TITLE + 5)}, "t", "here", TITLE)) == TITLE
    assert len(r.text({"t": "y" * (LONG_TEXT + 1)}, "t", "here")) == LONG_TEXT
    assert r.warnings == [
        "here.t: 1,005 characters, cut to 1,000",
        "here.t: 100,001 characters, cut to 100,000",
    ]


def test_an_unknown_code_too_long_for_its_column_is_left_empty_not_cut():
    r = reader()

    assert r.enum({"s": "X" * 50}, "s", frozenset({"OK"}), "here", limit=40) == ""
    assert "too long for a code" in r.warnings[0]


def test_the_trials_parser_now_reports_what_it_used_to_drop_silently():
    record = copy.deepcopy(load_record(*NUROWN))
    protocol = record["protocolSection"]
    protocol["conditionsModule"]["keywords"] = ["ALS", 7, None]
    protocol["eligibilityModule"]["healthyVolunteers"] = "no"
    protocol["contactsLocationsModule"] = ["not", "an", "object"]

    study = parse_study(record)

    assert study.keywords[-1] == "7"
    assert study.healthy_volunteers is None
    assert study.locations == ()
    warnings = "\n".join(study.warnings)
    assert "keywords[1] is a number, not text (kept as '7')" in warnings
    assert "keywords[2] is a NoneType, not text (left empty)" in warnings
    assert "healthyVolunteers = 'no' is not true/false" in warnings
    assert "contactsLocationsModule is a list, not an object" in warnings


def test_a_pmid_that_is_not_digits_is_left_out_with_a_warning_and_the_citation_kept():
    record = copy.deepcopy(load_record(*NUROWN))
    references = record["protocolSection"].setdefault("referencesModule", {})
    references["references"] = [
        {"pmid": "javascript:alert(1)", "type": "RESULT", "citation": "A paper."},
        {"pmid": "31234567", "type": "RESULT", "citation": "Another paper."},
    ]

    study = parse_study(record)

    assert [(r.pmid, r.citation) for r in study.references] == [
        ("", "A paper."),
        ("31234567", "Another paper."),
    ]
    assert any("'javascript:alert(1)' is not a PubMed id" in w for w in study.warnings)


def test_both_parsers_read_the_arm_groups_the_same_way():
    record = copy.deepcopy(load_record(*WITH_RESULTS))
    arm = record["protocolSection"]["armsInterventionsModule"]["armGroups"][0]
    arm["label"] = "Cells\u000bfirst"

    study, evidence = parse_study(record), parse_evidence(record)

    assert evidence.arms == study.arms
    assert study.arms[0].label == "Cells first"
