"""History: what the importer and curators change is recorded with who, when, old and new values,
and reads back as the trial page's timeline."""

import pytest
from django.template.loader import render_to_string

from tests.conftest import load_record
from tests.helpers import newer, upsert
from trials.curating.services import curate
from trials.history import timeline
from trials.models import ImportRun, Trial, TrialChange

pytestmark = pytest.mark.django_db

NUROWN = "NCT03280056"


def nurown_2022():
    return load_record("snapshot/2022-10", NUROWN)


def changes_of(nct_id, **filters):
    return list(
        TrialChange.objects.filter(trial__nct_id=nct_id, **filters)
        .order_by("pk")
        .values_list("kind", "field", "old_value", "new_value")
    )


def test_a_new_trial_gets_one_first_seen_entry_naming_its_import_run():
    upsert(nurown_2022())

    change = TrialChange.objects.get(trial__nct_id=NUROWN)
    assert change.kind == TrialChange.Kind.FIRST_SEEN
    assert change.import_run == ImportRun.objects.get()
    assert change.new_value["overall_status"] == "COMPLETED"
    assert change.new_value["enrollment"] == {"count": 263, "type": "ACTUAL"}


def test_reimporting_an_unchanged_record_records_nothing():
    upsert(nurown_2022())

    upsert(nurown_2022())

    assert TrialChange.objects.count() == 1


def test_an_update_records_status_enrollment_and_dates_with_old_and_new_values():
    upsert(load_record("snapshot/2020-07-28", NUROWN))

    upsert(nurown_2022())

    assert changes_of(NUROWN, kind="registry") == [
        ("registry", "overall_status", "ACTIVE_NOT_RECRUITING", "COMPLETED"),
        (
            "registry",
            "enrollment",
            {"count": 261, "type": "ACTUAL"},
            {"count": 263, "type": "ACTUAL"},
        ),
        ("registry", "primary_completion_date", "2020-10", "2020-10-30"),
        ("registry", "completion_date", "2020-12", "2020-10-30"),
    ]
    second_run = ImportRun.objects.order_by("-pk").first()
    assert set(
        TrialChange.objects.filter(kind="registry").values_list("import_run", flat=True)
    ) == {second_run.pk}


def test_posted_results_are_one_entry_with_their_date():
    upsert(nurown_2022())
    record = newer(nurown_2022())
    record["hasResults"] = True
    record["protocolSection"]["statusModule"]["resultsFirstPostDateStruct"] = {
        "date": "2023-09-01",
        "type": "ACTUAL",
    }

    upsert(record)

    assert changes_of(NUROWN, field="results") == [
        (
            "registry",
            "results",
            {"posted": False, "first_posted": None},
            {"posted": True, "first_posted": "2023-09-01"},
        )
    ]


def test_an_import_that_changes_an_automatic_label_records_it():
    upsert(nurown_2022())
    record = newer(nurown_2022())
    arm = record["protocolSection"]["armsInterventionsModule"]["armGroups"][0]
    arm["description"] = arm["description"].replace("Intrathecal", "Intravenous")

    upsert(record)

    assert changes_of(NUROWN, kind="label") == [
        ("label", "routes", ["intrathecal"], ["intravenous"])
    ]


def test_an_import_does_not_record_a_label_change_hidden_by_a_curation():
    upsert(nurown_2022())
    trial = Trial.objects.get(nct_id=NUROWN)
    curate(
        trial=trial, field_name="routes", value=["intrathecal"], note="arm text", curator_name="c"
    )
    record = newer(nurown_2022())
    arm = record["protocolSection"]["armsInterventionsModule"]["armGroups"][0]
    arm["description"] = arm["description"].replace("Intrathecal", "Intravenous")

    upsert(record)

    assert changes_of(NUROWN, kind="label") == []
    assert trial.facet_values("routes") == ["intrathecal"]


def test_a_curation_records_the_curator_the_note_and_the_effective_values_around_it(curator):
    upsert(nurown_2022())
    trial = Trial.objects.get(nct_id=NUROWN)

    curate(
        trial=trial,
        field_name="routes",
        value=["intrathecal", "intramuscular"],
        note="Cohort B received intramuscular injections",
        curator=curator,
    )

    change = TrialChange.objects.get(kind="curation")
    assert (change.field, change.old_value, change.new_value) == (
        "routes",
        ["intrathecal"],
        ["intramuscular", "intrathecal"],
    )
    assert (change.who, change.note) == ("cora", "Cohort B received intramuscular injections")


def test_reverting_a_curation_records_the_return_to_the_automatic_value():
    upsert(nurown_2022())
    trial = Trial.objects.get(nct_id=NUROWN)
    curate(trial=trial, field_name="donor", value="allogeneic", note="x", curator_name="a")

    curate(trial=trial, field_name="donor", value=None, note="wrong", curator_name="a")

    assert changes_of(NUROWN, kind="curation") == [
        ("curation", "donor", "autologous", "allogeneic"),
        ("curation", "donor", "allogeneic", "autologous"),
    ]


def test_the_timeline_tells_the_story_oldest_first(curator):
    upsert(load_record("snapshot/2020-07-28", NUROWN))
    upsert(nurown_2022())
    trial = Trial.objects.get(nct_id=NUROWN)
    curate(
        trial=trial, field_name="donor", value="allogeneic", note="Press release", curator=curator
    )

    entries = timeline.timeline_for(trial)

    titles = [entry.title for entry in entries]
    assert titles[0] == "First seen in the registry"
    assert "Status changed" in titles
    assert titles[-1] == "Donor corrected by a curator"
    status = next(entry for entry in entries if entry.title == "Status changed")
    assert status.detail == "Active, not recruiting → Completed"
    assert status.who.startswith("import run ")
    assert entries[-1].detail == "Autologous → Allogeneic"
    assert (entries[-1].who, entries[-1].note) == ("cora", "Press release")


def test_the_timeline_partial_shows_each_entry_with_its_note(curator):
    upsert(nurown_2022())
    trial = Trial.objects.get(nct_id=NUROWN)
    curate(trial=trial, field_name="excluded", value=True, note="Not an ALS study", curator=curator)

    html = render_to_string("trials/_timeline.html", {"timeline": timeline.timeline_for(trial)})

    assert "First seen in the registry" in html
    assert "Excluded by a curator" in html
    assert "Not an ALS study" in html
    assert html.count("<li ") == 2


def test_an_empty_timeline_says_so():
    html = render_to_string("trials/_timeline.html", {"timeline": []})

    assert "No history recorded" in html
