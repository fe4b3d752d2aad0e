"""The pure evidence parser, fed the real registry records bundled in fixtures/ (no database)."""

import copy
import json

import pytest

from evidence.importing.parse import parse_evidence, read_number
from tests.conftest import all_record_paths, load_record
from trials.registries.ctgov.parse import RecordRejected

RECORDS_WITH_RESULTS = [
    path
    for path in all_record_paths()
    if "resultsSection" in json.loads(path.read_text(encoding="utf-8"))
]


def _ids(path):
    return f"{path.parent.name}/{path.stem}"


def _raw_counts(record: dict) -> dict[str, int]:
    """Row counts read straight from the raw JSON, without the parser, to compare against it."""
    results = record["resultsSection"]
    measures = results["outcomeMeasuresModule"]["outcomeMeasures"]
    events = results["adverseEventsModule"]
    outcomes = record["protocolSection"].get("outcomesModule", {})
    return {
        "registered_outcomes": sum(len(v) for v in outcomes.values()),
        "outcome_measures": len(measures),
        "outcome_groups": sum(len(m.get("groups", [])) for m in measures),
        "measurements": sum(
            len(category["measurements"])
            for m in measures
            for c in m.get("classes", [])
            for category in c["categories"]
        ),
        "analyses": sum(len(m.get("analyses", [])) for m in measures),
        "event_groups": len(events["eventGroups"]),
        "serious_events": len(events.get("seriousEvents", [])),
        "other_events": len(events.get("otherEvents", [])),
        "event_stats": sum(
            len(e["stats"]) for e in events.get("seriousEvents", []) + events.get("otherEvents", [])
        ),
    }


def _parsed_counts(evidence) -> dict[str, int]:
    events = evidence.adverse_events
    return {
        "registered_outcomes": len(evidence.registered_outcomes),
        "outcome_measures": len(evidence.outcome_results),
        "outcome_groups": sum(len(m.groups) for m in evidence.outcome_results),
        "measurements": sum(len(m.measurements) for m in evidence.outcome_results),
        "analyses": sum(len(m.analyses) for m in evidence.outcome_results),
        "event_groups": len(events.groups),
        "serious_events": len(events.serious_events),
        "other_events": len(events.other_events),
        "event_stats": sum(len(e.stats) for e in events.events),
    }


@pytest.mark.parametrize("path", all_record_paths(), ids=_ids)
def test_every_bundled_record_parses_and_warns_only_about_legacy_total_rows(path):
    record = json.loads(path.read_text(encoding="utf-8"))

    evidence = parse_evidence(record)

    assert evidence.nct_id == path.stem
    assert evidence.has_results == ("resultsSection" in record)
    assert [w for w in evidence.warnings if "legacy total row" not in w] == []


def test_the_fixtures_hold_the_sixteen_records_with_results_the_readme_lists():
    assert len(RECORDS_WITH_RESULTS) == 16


@pytest.mark.parametrize("path", RECORDS_WITH_RESULTS, ids=_ids)
def test_parsed_row_counts_equal_the_raw_json_counts(path):
    record = json.loads(path.read_text(encoding="utf-8"))

    assert _parsed_counts(parse_evidence(record)) == _raw_counts(record)


# Verified by hand, reading each file's resultsSection table by table (not computed by code).
HAND_COUNTED = {
    # ALS, HYNR-CS (lenzumestrocel) vs no treatment: 4 measures x 2 groups x 1 value, no analyses;
    # 5 serious (Cardiac arrest ... Respiratory failure) and 62 other terms, 2 groups each.
    "NCT01363401": ("snapshot/2020-07-28", (4, 4, 8, 8, 0, 2, 5, 62, 134)),
    # Stroke, SB623 2.5M / 5.0M / sham: 8 measures x 3 groups; Neuro-QoL has 4 classes (12 values),
    # the other 7 have 6 values each; 1 + 2 analyses; 17 serious events (incl. the legacy
    # "Total, all-cause mortality" row) x 3 groups, no other events.
    "NCT02448641": ("other/2020-07-28", (8, 8, 24, 54, 3, 3, 17, 0, 51)),
    # ALS, tocilizumab vs placebo: 10 measures x 2 groups; values 2+4+2+2+4+6+12+10+2+4;
    # analyses 1+1+1+1+0+3+6+5+1+0; 2 serious (incl. legacy total row) and 42 other, 2 groups each.
    "NCT02469896": ("snapshot/2020-07-28", (10, 10, 20, 48, 19, 2, 2, 42, 88)),
}


@pytest.mark.parametrize("nct_id", sorted(HAND_COUNTED))
def test_parsed_row_counts_equal_the_hand_counted_numbers(nct_id):
    folder, expected = HAND_COUNTED[nct_id]

    counts = _parsed_counts(parse_evidence(load_record(folder, nct_id)))

    assert tuple(counts.values()) == expected


def test_registered_outcomes_keep_their_type_position_and_text():
    evidence = parse_evidence(load_record("snapshot/2020-07-28", "NCT03241784"))

    by_type = {}
    for outcome in evidence.registered_outcomes:
        by_type.setdefault(outcome.type, []).append(outcome)
    assert {t: len(v) for t, v in by_type.items()} == {"primary": 1, "secondary": 5, "other": 3}
    assert [o.position for o in by_type["other"]] == [1, 2, 3]
    tracheostomy = by_type["other"][2]
    assert tracheostomy.measure == "Tracheostomy- Exploratory Measure"
    assert tracheostomy.description == "Duration of tracheostomy-free survival"
    assert tracheostomy.time_frame


def test_an_outcome_result_keeps_its_groups_denoms_values_and_spread():
    evidence = parse_evidence(load_record("snapshot/2020-07-28", "NCT01363401"))

    alsfrs = evidence.outcome_results[0]
    assert alsfrs.type == "PRIMARY"
    assert alsfrs.title.startswith("The Difference in the Changes of Amyotrophic Lateral")
    assert (alsfrs.param_type, alsfrs.dispersion_type) == ("MEAN", "Standard Deviation")
    assert alsfrs.unit_of_measure == "score on a scale"
    assert [(g.id, g.title) for g in alsfrs.groups] == [
        ("OG000", "HYNR-CS Inj."),
        ("OG001", "No Treatment"),
    ]
    assert alsfrs.denoms[0].units == "Participants"
    assert alsfrs.denoms[0].count_for("OG001").value == 27
    treated = alsfrs.measurements[0]
    assert (treated.group_id, treated.value.text, treated.value.value) == ("OG000", "-1.36", -1.36)
    assert treated.spread.value == 2.39
    assert alsfrs.reporting_status == ""  # legacy-converted records have none


def test_a_p_value_keeps_the_registry_text_and_its_bound():
    evidence = parse_evidence(load_record("snapshot/2020-07-28", "NCT02469896"))

    plasma = next(m for m in evidence.outcome_results if m.title.startswith("Changes in Cytokine"))
    crp = plasma.analyses[0]
    assert crp.group_ids == ("OG000", "OG001")
    assert crp.statistical_method == "Mixed Models Analysis"
    assert (crp.p_value.text, crp.p_value.value, crp.p_value.qualifier) == ("<0.001", 0.001, "<")
    assert not crp.p_value.is_exact
    assert (crp.param_type, crp.param_value.value) == ("Ratio of fold change", 0.047)
    assert (crp.ci_pct_value.value, crp.ci_num_sides) == (95.0, "TWO_SIDED")
    assert crp.ci_lower_limit is not None and crp.ci_upper_limit is not None
    assert plasma.analyses[1].p_value.is_exact


def test_a_p_value_written_with_an_equals_sign_is_exact():
    evidence = parse_evidence(load_record("other/v2-verbatim", "NCT02552212"))

    uveitis = evidence.outcome_results[27]
    assert uveitis.title.startswith("Number of Subjects With Anterior Uveitis")
    assert uveitis.analyses[0].p_value.text == "=0.247"
    assert uveitis.analyses[0].p_value.is_exact
    assert uveitis.analyses[0].p_value.value == 0.247


def test_a_value_given_as_na_keeps_its_text_and_comment_without_a_number():
    evidence = parse_evidence(load_record("other/v2-verbatim", "NCT02552212"))

    follow_up = evidence.outcome_results[10]
    below_limit = next(m for m in follow_up.measurements if m.value.text == "NA")
    assert below_limit.value.value is None
    assert below_limit.lower_limit.text == "NA"
    assert below_limit.comment == "Values were below the level of quantification."


def test_a_posted_measure_without_values_has_no_classes_and_no_warning():
    evidence = parse_evidence(load_record("other/v2-verbatim", "NCT02552212"))

    baseline = next(m for m in evidence.outcome_results if m.title.endswith("at Baseline"))
    assert baseline.reporting_status == "POSTED"
    assert baseline.classes == ()
    assert baseline.measurements == ()


def test_group_ids_are_read_per_measure_because_the_registry_reuses_them():
    evidence = parse_evidence(load_record("other/v2-verbatim", "NCT02552212"))

    og000_titles = {m.groups[0].title for m in evidence.outcome_results if m.groups}
    assert {"Placebo (SS)", "CZP 200 mg Q2W (SS)", "Placebo (FAS)"} <= og000_titles


def test_event_groups_keep_their_totals_and_deaths_when_given():
    evidence = parse_evidence(load_record("other/2022-09-28", "NCT02097641"))

    cells, placebo = evidence.adverse_events.groups
    assert (cells.id, cells.title) == ("EG000", "Human Mesenchymal Stem Cells")
    assert (cells.deaths_num_affected, cells.deaths_num_at_risk) == (15, 40)
    assert (cells.serious_num_affected, cells.serious_num_at_risk) == (17, 40)
    assert (placebo.other_num_affected, placebo.other_num_at_risk) == (2, 20)


def test_legacy_records_have_no_deaths_totals_and_no_mortality_comment():
    evidence = parse_evidence(load_record("snapshot/2020-07-28", "NCT01363401"))

    events = evidence.adverse_events
    assert events.frequency_threshold.value == 2
    assert events.all_cause_mortality_comment == ""
    assert [g.deaths_num_affected for g in events.groups] == [None, None]
    assert [g.serious_num_at_risk for g in events.groups] == [41, 31]


def test_organ_system_names_used_as_terms_are_kept_as_the_registry_wrote_them():
    evidence = parse_evidence(load_record("snapshot/2020-07-28", "NCT01363401"))

    terms_equal_to_organ_system = [
        e.term for e in evidence.adverse_events.events if e.term == e.organ_system
    ]
    assert terms_equal_to_organ_system == [
        "Hepatobiliary disorders",
        "Reproductive system and breast disorders",
    ]


def test_a_combined_term_stays_one_event_with_its_own_counts():
    evidence = parse_evidence(load_record("snapshot/2020-07-28", "NCT01363401"))

    combined = [e for e in evidence.adverse_events.events if e.term == "Contusion, Ankle fracture"]
    assert len(combined) == 1
    event = combined[0]
    assert event.serious
    assert event.organ_system == "Injury, poisoning and procedural complications"
    assert event.source_vocabulary == "MedDRA"
    assert event.assessment_type == "SYSTEMATIC_ASSESSMENT"
    no_treatment = event.stats_for("EG001")
    assert (no_treatment.num_events, no_treatment.num_affected, no_treatment.num_at_risk) == (
        2,
        2,
        31,
    )


def test_a_record_that_files_every_event_as_serious_has_no_other_events():
    evidence = parse_evidence(load_record("other/2020-07-28", "NCT02448641"))

    events = evidence.adverse_events
    assert len(events.events) == 17
    assert all(e.serious for e in events.events)
    assert events.other_events == ()
    assert {"Headache", "Nausea", "Procedural headache"} <= {e.term for e in events.events}
    assert [g.other_num_affected for g in events.groups] == [0, 0, 0]


def test_a_pooled_record_reports_every_event_for_its_one_group():
    evidence = parse_evidence(load_record("other/2020-07-28", "NCT01638819"))

    events = evidence.adverse_events
    assert [(g.id, g.title) for g in events.groups] == [("EG000", "All Participants")]
    assert {s.group_id for e in events.events for s in e.stats} == {"EG000"}
    # Two crossover sequences in the flow and baseline, one pooled group for adverse events.
    assert len(evidence.flow_groups) == 2
    assert [g.title for g in evidence.baseline_groups][-1] == "Total"


def test_a_legacy_total_mortality_row_is_kept_as_a_serious_event_and_reported():
    evidence = parse_evidence(load_record("other/2020-07-28", "NCT02448641"))

    total = evidence.adverse_events.events[0]
    assert (total.term, total.organ_system, total.serious) == (
        "Total, all-cause mortality",
        "Total",
        True,
    )
    assert total.is_legacy_total_row
    assert [s.num_affected for s in total.stats] == [0, 1, 0]
    assert total.stats[0].num_events is None
    assert any("legacy total row" in w for w in evidence.warnings)


def test_missing_numbers_of_events_stay_none_rather_than_zero():
    evidence = parse_evidence(load_record("other/2022-09-28", "NCT00957931"))

    assert all(s.num_events is None for e in evidence.adverse_events.events for s in e.stats)
    assert all(s.num_affected is not None for e in evidence.adverse_events.events for s in e.stats)


def test_arms_are_read_for_linking_groups():
    evidence = parse_evidence(load_record("other/2020-07-28", "NCT02448641"))

    assert [(a.label, a.type) for a in evidence.arms] == [
        ("SB623 Implant (2.5M)", "EXPERIMENTAL"),
        ("SB623 Implant (5.0M)", "EXPERIMENTAL"),
        ("Sham Control", "SHAM_COMPARATOR"),
    ]


def test_a_record_without_results_has_registered_outcomes_only():
    evidence = parse_evidence(load_record("snapshot/2022-10", "NCT03280056"))

    assert not evidence.has_results
    assert evidence.registered_outcomes
    assert evidence.outcome_results == ()
    assert evidence.adverse_events is None
    assert evidence.baseline_groups == evidence.flow_groups == ()


@pytest.mark.parametrize("record", [None, [], "NCT01363401", 42])
def test_a_record_that_is_not_an_object_is_rejected(record):
    with pytest.raises(RecordRejected):
        parse_evidence(record)


def test_an_empty_object_parses_to_empty_evidence_with_a_warning():
    evidence = parse_evidence({})

    assert evidence.nct_id == ""
    assert evidence.registered_outcomes == evidence.outcome_results == ()
    assert evidence.adverse_events is None
    assert any("no NCT id" in w for w in evidence.warnings)


def test_shape_problems_are_skipped_and_reported_never_raised():
    record = copy.deepcopy(load_record("snapshot/2020-07-28", "NCT01363401"))
    results = record["resultsSection"]
    results["participantFlowModule"] = "not an object"
    results["outcomeMeasuresModule"]["outcomeMeasures"][0]["classes"] = {"not": "a list"}
    results["outcomeMeasuresModule"]["outcomeMeasures"][1]["groups"].append("not an object")
    events = results["adverseEventsModule"]
    events["eventGroups"][0]["seriousNumAffected"] = "three"
    events["eventGroups"][1]["otherNumAffected"] = -1
    events["seriousEvents"][0]["stats"][0]["groupId"] = "EG999"
    events["otherEvents"][0]["term"] = 12
    record["protocolSection"]["outcomesModule"]["primaryOutcomes"] = None

    evidence = parse_evidence(record)

    assert evidence.flow_groups == ()
    assert evidence.outcome_results[0].classes == ()
    assert len(evidence.outcome_results[1].groups) == 2
    assert evidence.adverse_events.groups[0].serious_num_affected is None
    assert evidence.adverse_events.groups[1].other_num_affected is None
    assert evidence.adverse_events.events[0].stats[0].group_id == "EG999"
    assert evidence.adverse_events.other_events[0].term == "12"
    assert [o.type for o in evidence.registered_outcomes] == ["secondary"] * 3
    warnings = "\n".join(evidence.warnings)
    assert "participantFlowModule is a str" in warnings
    assert "outcomeMeasures[0].classes is a dict" in warnings
    assert "outcomeMeasures[1].groups: 1 item(s) not objects" in warnings
    assert "seriousNumAffected = 'three' is not a whole number" in warnings
    assert "otherNumAffected = -1 is negative" in warnings
    assert "refers to group 'EG999', not among eventGroups" in warnings


def test_an_unknown_enum_value_is_kept_and_reported():
    record = copy.deepcopy(load_record("other/v2-verbatim", "NCT02210780"))
    record["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"][0]["type"] = "EXPLORATORY"
    record["resultsSection"]["adverseEventsModule"]["otherEvents"][0]["assessmentType"] = "DIARY"

    evidence = parse_evidence(record)

    assert evidence.outcome_results[0].type == "EXPLORATORY"
    assert evidence.adverse_events.other_events[0].assessment_type == "DIARY"
    assert any("'EXPLORATORY'" in w for w in evidence.warnings)
    assert any("'DIARY'" in w for w in evidence.warnings)


def test_has_results_that_disagrees_with_the_record_is_reported():
    record = copy.deepcopy(load_record("snapshot/2020-07-28", "NCT01363401"))
    record["hasResults"] = False

    evidence = parse_evidence(record)

    assert evidence.has_results
    assert any("hasResults is False" in w for w in evidence.warnings)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12.5", ("12.5", 12.5, "")),
        ("-0.765", ("-0.765", -0.765, "")),
        ("1e-4", ("1e-4", 0.0001, "")),
        ("<0.0001", ("<0.0001", 0.0001, "<")),
        ("<= 0.05", ("<= 0.05", 0.05, "<=")),
        ("≥10", ("≥10", 10.0, ">=")),
        ("=0.247", ("=0.247", 0.247, "")),
        ("NA", ("NA", None, "")),
        ("nan", ("nan", None, "")),
        ("inf", ("inf", None, "")),
        ("1,234", ("1,234", None, "")),
        (7, ("7", 7.0, "")),
    ],
)
def test_read_number_keeps_the_text_and_reads_the_number(raw, expected):
    number = read_number(raw)

    assert (number.text, number.value, number.qualifier) == expected


@pytest.mark.parametrize("raw", [None, "", "   ", True, ["1"]])
def test_read_number_gives_none_when_nothing_was_given(raw):
    assert read_number(raw) is None
