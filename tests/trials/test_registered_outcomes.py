"""Registered outcomes read from a registry record (the trial page's stop-gap until evidence)."""

from tests.conftest import load_record
from trials.registered_outcomes import registered_outcomes


def test_primary_outcomes_come_first_then_secondary_in_the_registrys_order():
    record = load_record("snapshot/2022-10", "NCT03280056")

    outcomes = registered_outcomes(record)

    module = record["protocolSection"]["outcomesModule"]
    assert [o.kind for o in outcomes] == ["primary"] * len(module["primaryOutcomes"]) + [
        "secondary"
    ] * len(module["secondaryOutcomes"])
    assert outcomes[0].measure.startswith("To evaluate the efficacy and safety of NurOwn")
    assert outcomes[0].time_frame == "28 weeks following the first treatment"


def test_a_record_without_outcomes_has_none():
    assert registered_outcomes({"protocolSection": {}}) == []
    assert registered_outcomes(None) == []


def test_an_outcome_without_a_measure_is_left_out():
    record = {
        "protocolSection": {
            "outcomesModule": {
                "primaryOutcomes": [{"measure": " "}, {"measure": "ALSFRS-R", "timeFrame": "6 m"}],
                "otherOutcomes": [{"measure": "NfL"}],
            }
        }
    }

    outcomes = registered_outcomes(record)

    assert [(o.kind, o.measure) for o in outcomes] == [("primary", "ALSFRS-R"), ("other", "NfL")]
    assert outcomes[1].description == ""
