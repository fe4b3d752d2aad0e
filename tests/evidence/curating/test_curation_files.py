"""Outcome domains and adverse-event categories in curation files: checked whole, applied
through the evidence services, idempotent, exported back, and kept across re-imports."""

import pytest
from django.core.management import call_command

from evidence.curating.services import curate_event_category, curate_outcome_domain
from evidence.models import (
    AdverseEvent,
    EventCategoryCuration,
    OutcomeDomainCuration,
    OutcomeMeasure,
    RegisteredOutcome,
)
from tests.evidence.conftest import HYNR, SF36, reimport_changed
from trials.curating import files as curation

pytestmark = pytest.mark.django_db

HEADER = "nct_id,field,value,note,curator\n"
SF36_FIELD = f'"outcome_domain:secondary:{SF36}"'
FILE = (
    HEADER
    + f"{HYNR},{SF36_FIELD},function,SF-36 physical functioning is the function endpoint,ana\n"
    + ",event_category:Neck pain,procedural-pain,Neck pain after the lumbar puncture,ana\n"
)


def sf36_domains(trial):
    rows = [
        *RegisteredOutcome.objects.filter(trial=trial, measure=SF36),
        *OutcomeMeasure.objects.filter(trial=trial, title=SF36),
    ]
    return [(row.domain, row.domain_origin) for row in rows]


def neck_pain(trial):
    event = AdverseEvent.objects.get(trial=trial, term="Neck pain")
    return event.category, event.category_origin


def test_a_file_corrects_an_outcome_domain_and_an_event_category_with_note_and_curator(hynr):
    result = curation.apply_curation_file(text=FILE)

    assert (result.applied, result.unchanged) == (2, 0)
    assert sf36_domains(hynr) == [("function", "curated")] * 2
    assert neck_pain(hynr) == ("procedural-pain", "curated")
    domain = OutcomeDomainCuration.objects.get()
    assert (domain.trial, domain.outcome_kind, domain.who) == (hynr, "secondary", "ana")
    assert domain.note == "SF-36 physical functioning is the function endpoint"
    category = EventCategoryCuration.objects.get()
    assert (category.term_key, category.who) == ("neck pain", "ana")


def test_applying_the_file_twice_changes_nothing_the_second_time(hynr):
    curation.apply_curation_file(text=FILE)

    result = curation.apply_curation_file(text=FILE)

    assert (result.applied, result.unchanged) == (0, 2)
    assert (OutcomeDomainCuration.objects.count(), EventCategoryCuration.objects.count()) == (1, 1)


def test_auto_hands_the_values_back_to_the_classifier(hynr):
    curation.apply_curation_file(text=FILE)
    back = (
        HEADER
        + f"{HYNR},{SF36_FIELD},auto,SF-36 is quality of life after all,bo\n"
        + ",event_category:NECK PAIN,auto,back to the CSV mapping,bo\n"
    )

    assert curation.apply_curation_file(text=back).applied == 2

    assert sf36_domains(hynr) == [("quality-of-life", "auto")] * 2
    assert neck_pain(hynr) == ("other", "auto")


def test_file_corrections_survive_a_reimport_of_the_record(hynr):
    curation.apply_curation_file(text=FILE)

    reimport_changed()

    assert sf36_domains(hynr) == [("function", "curated")] * 2
    assert neck_pain(hynr) == ("procedural-pain", "curated")
    assert "quality-of-life" not in hynr.facet_values("outcome_domains")
    assert curation.apply_curation_file(text=FILE).applied == 0


def test_invalid_evidence_rows_reject_the_whole_file_with_row_numbers_and_reasons(hynr):
    text = (
        FILE  # rows 2 and 3: valid
        + f'NCT99999999,"outcome_domain:secondary:{SF36}",function,why,ana\n'  # 4
        + f"{HYNR},outcome_domain:secondary:Change in mood,function,why,ana\n"  # 5
        + f"{HYNR},outcome_domain:primary,function,why,ana\n"  # 6
        + f"{HYNR},{SF36_FIELD},happiness,why,ana\n"  # 7
        + f"{HYNR},outcome_domain:tertiary:Change in Appel Scale,function,why,ana\n"  # 8
        + ",event_category:Dizziness,hiccups,why,ana\n"  # 9
        + f"{HYNR},event_category:Dizziness,fatigue,why,ana\n"  # 10
        + ",event_category:neck-pain,other,why,ana\n"  # 11: the term of row 3
        + ",mood_score:Dizziness,other,why,ana\n"  # 12: and no NCT id
        + ",event_category:Dizziness,fatigue,,\n"  # 13
    )

    with pytest.raises(curation.CurationFileError) as error:
        curation.apply_curation_file(text=text)

    assert [row for row, _reason in error.value.problems] == [
        4,
        5,
        6,
        7,
        8,
        9,
        10,
        11,
        12,
        12,
        13,
        13,
    ]
    message = str(error.value)
    assert "row 4: unknown NCT id NCT99999999" in message
    assert f"row 5: {HYNR} has no secondary outcome 'Change in mood'" in message
    assert "row 6: write the field as outcome_domain:<primary|secondary|other>:" in message
    assert "row 7: unknown outcome domain 'happiness'" in message
    assert "row 8: unknown outcome type 'tertiary'" in message
    assert "row 9: unknown category 'hiccups'" in message
    assert "row 10: event_category rows apply to every trial: leave nct_id empty" in message
    assert "row 11: event_category:neck-pain is already set in row 3" in message
    assert "row 12: unknown field prefix 'mood_score'" in message
    assert "row 13: a note saying why is required" in message
    assert not OutcomeDomainCuration.objects.exists()
    assert not EventCategoryCuration.objects.exists()
    assert sf36_domains(hynr) == [("quality-of-life", "auto")] * 2


def test_exported_evidence_curations_apply_back_to_the_same_state(hynr, curator, tmp_path):
    curate_outcome_domain(
        trial=hynr,
        outcome_type="SECONDARY",
        measure=SF36,
        domain="function",
        note="physical functioning",
        curator=curator,
    )
    curate_event_category(term="Neck pain", category="procedural-pain", note="LP", curator=curator)
    curate_event_category(term="Dizziness", category="fatigue", note="x", curator_name="bo")
    curate_event_category(term="Dizziness", category=None, note="undo", curator_name="bo")
    path = tmp_path / "curations.csv"

    call_command("export_curations", "--output", str(path))

    assert path.read_text().splitlines() == [
        "nct_id,field,value,note,curator",
        f"{HYNR},outcome_domain:secondary:{SF36},function,physical functioning,cora",
        ",event_category:Neck pain,procedural-pain,LP,cora",
    ]
    assert curation.apply_curation_file(text=path.read_text()).applied == 0

    # On a database without the curations, the file brings back the same values in force.
    OutcomeDomainCuration.objects.all().delete()
    EventCategoryCuration.objects.all().delete()
    reimport_changed()
    assert curation.apply_curation_file(text=path.read_text()).applied == 2
    assert sf36_domains(hynr) == [("function", "curated")] * 2
    assert neck_pain(hynr) == ("procedural-pain", "curated")
