"""The evidence rows an import writes: the registry's counts exactly, idempotent, never stale."""

import copy
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evidence.importing import services as evidence_services
from evidence.importing.build import INSERT_ORDER
from evidence.importing.services import rebuild_all_evidence, rebuild_evidence
from evidence.models import (
    AdverseEvent,
    AdverseEventCount,
    EventGroup,
    OutcomeAnalysis,
    OutcomeDenom,
    OutcomeGroup,
    OutcomeMeasure,
    OutcomeMeasurement,
    RegisteredOutcome,
    TrialEvidence,
)
from tests.conftest import FIXTURES, all_record_paths, load_record
from tests.helpers import upsert
from trials import extensions
from trials.importing.upsert import import_files
from trials.models import Reference, Trial, TrialFacet

pytestmark = pytest.mark.django_db

# The bundled records with posted results: fixtures/other/* and two ALS trials of the snapshot.
RECORDS_WITH_RESULTS = [
    path
    for path in all_record_paths()
    if "resultsSection" in json.loads(path.read_text(encoding="utf-8"))
]


def _ids(path):
    return f"{path.parent.name}/{path.stem}"


def registry_counts(record: dict) -> dict[str, int]:
    """Row counts and totals read straight from the registry JSON, to compare with the tables."""
    protocol = record["protocolSection"]
    results = record["resultsSection"]
    measures = results.get("outcomeMeasuresModule", {}).get("outcomeMeasures", [])
    events = results.get("adverseEventsModule", {})
    serious, other = events.get("seriousEvents", []), events.get("otherEvents", [])
    stats = [s for e in serious + other for s in e.get("stats", [])]
    classes = [c for m in measures for c in m.get("classes", [])]
    return {
        "registered_outcomes": sum(len(v) for v in protocol.get("outcomesModule", {}).values()),
        "outcome_measures": len(measures),
        "outcome_groups": sum(len(m.get("groups", [])) for m in measures),
        "denom_counts": sum(
            len(d["counts"]) for block in measures + classes for d in block.get("denoms", [])
        ),
        "measurements": sum(len(cat["measurements"]) for c in classes for cat in c["categories"]),
        "analyses": sum(len(m.get("analyses", [])) for m in measures),
        "event_groups": len(events.get("eventGroups", [])),
        "serious_events": len(serious),
        "other_events": len(other),
        "event_stats": len(stats),
        "affected": sum(s.get("numAffected", 0) for s in stats),
        "at_risk": sum(s.get("numAtRisk", 0) for s in stats),
        "serious_affected_by_groups": sum(
            g.get("seriousNumAffected", 0) for g in events.get("eventGroups", [])
        ),
        "references": len(protocol.get("referencesModule", {}).get("references", [])),
    }


def table_counts(trial: Trial) -> dict[str, int]:
    stats = AdverseEventCount.objects.filter(trial=trial)
    return {
        "registered_outcomes": RegisteredOutcome.objects.filter(trial=trial).count(),
        "outcome_measures": OutcomeMeasure.objects.filter(trial=trial).count(),
        "outcome_groups": OutcomeGroup.objects.filter(trial=trial).count(),
        "denom_counts": OutcomeDenom.objects.filter(trial=trial).count(),
        "measurements": OutcomeMeasurement.objects.filter(trial=trial).count(),
        "analyses": OutcomeAnalysis.objects.filter(trial=trial).count(),
        "event_groups": EventGroup.objects.filter(trial=trial).count(),
        "serious_events": AdverseEvent.objects.filter(trial=trial, serious=True).count(),
        "other_events": AdverseEvent.objects.filter(trial=trial, serious=False).count(),
        "event_stats": stats.count(),
        "affected": sum(s.num_affected or 0 for s in stats),
        "at_risk": sum(s.num_at_risk or 0 for s in stats),
        "serious_affected_by_groups": sum(
            g.serious_num_affected or 0 for g in EventGroup.objects.filter(trial=trial)
        ),
        "references": Reference.objects.filter(trial=trial).count(),
    }


def evidence_content():
    """Every evidence row of the database, without ids (a rebuild gives new ids)."""
    content = {}
    for model in INSERT_ORDER:
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if not f.primary_key and not f.is_relation and f.name != "built_at"
        ]
        content[model.__name__] = sorted(
            json.dumps(row, sort_keys=True, default=str)
            for row in model.objects.values("trial__nct_id", *fields)
        )
    content["facets"] = sorted(
        TrialFacet.objects.filter(
            facet__in=["outcome_domains", "result_domains", "ae_categories"]
        ).values_list("trial__nct_id", "facet", "value")
    )
    return content


@pytest.mark.parametrize("path", RECORDS_WITH_RESULTS, ids=_ids)
def test_the_tables_hold_exactly_the_registrys_rows_and_numbers(path):
    record = json.loads(path.read_text(encoding="utf-8"))

    upsert(record)

    trial = Trial.objects.get(nct_id=path.stem)
    assert table_counts(trial) == registry_counts(record)


def test_every_link_between_rows_points_within_the_same_trial_and_measure():
    for path in RECORDS_WITH_RESULTS[:6]:
        upsert(json.loads(path.read_text(encoding="utf-8")))

    for m in OutcomeMeasurement.objects.select_related("group", "measure"):
        assert m.group.measure_id == m.measure_id
        assert m.group.registry_id == m.group_registry_id
        assert m.measure.trial_id == m.trial_id
    for count in AdverseEventCount.objects.select_related("group", "event"):
        assert count.group.trial_id == count.event.trial_id == count.trial_id
        assert count.group.registry_id == count.group_registry_id


def test_a_known_record_keeps_its_values_groups_and_links():
    # NCT01363401 (ALS, HYNR-CS): 2 groups per measure and per event table, read by hand.
    upsert(load_record("snapshot/2020-07-28", "NCT01363401"))
    trial = Trial.objects.get(nct_id="NCT01363401")

    alsfrs = OutcomeMeasure.objects.get(trial=trial, position=1)
    assert (alsfrs.domain, alsfrs.param_type, alsfrs.dispersion_type) == (
        "function",
        "MEAN",
        "Standard Deviation",
    )
    values = [
        (m.group.title, m.value_text, m.value, m.spread)
        for m in alsfrs.measurements.select_related("group")
    ]
    assert values == [
        ("HYNR-CS Inj.", "-1.36", -1.36, 2.39),
        ("No Treatment", "-4.67", -4.67, 3.25),
    ]
    assert [(d.group.title, d.value) for d in alsfrs.denoms.select_related("group")] == [
        ("HYNR-CS Inj.", 39.0),
        ("No Treatment", 27.0),
    ]
    groups = EventGroup.objects.filter(trial=trial)
    assert [(g.title, g.role, g.arm_label, g.serious_num_at_risk) for g in groups] == [
        ("HYNR-CS Inj.", "cell", "Test group", 41),
        ("No Treatment", "control", "Control group", 31),
    ]
    arrest = AdverseEvent.objects.get(trial=trial, term="Cardiac arrest", serious=True)
    assert (arrest.serious, arrest.organ_system, arrest.category) == (
        True,
        "Cardiac disorders",
        "other",
    )
    assert [(c.num_affected, c.num_at_risk) for c in arrest.counts.all()] == [(0, 41), (1, 31)]
    evidence = TrialEvidence.objects.get(trial=trial)
    assert (evidence.has_results, evidence.ae_frequency_threshold) == (True, "2")


def test_a_legacy_total_row_is_kept_and_marked_and_left_out_of_countable_events():
    # NCT02469896 (tocilizumab) carries the converted "Total, all-cause mortality" row.
    upsert(load_record("snapshot/2020-07-28", "NCT02469896"))

    total = AdverseEvent.objects.get(trial__nct_id="NCT02469896", is_legacy_total_row=True)
    assert (total.term, total.category, total.serious) == (
        "Total, all-cause mortality",
        "death",
        True,
    )
    assert AdverseEvent.objects.countable().filter(trial__nct_id="NCT02469896").count() == 43


def test_the_snapshot_has_evidence_for_every_trial_and_results_for_the_two_that_posted_them():
    paths = [
        p
        for d in ("2020-07-28", "2022-09-28", "2022-10")
        for p in sorted((FIXTURES / "snapshot" / d).glob("*.json"))
    ]
    import_files(paths=paths)

    assert TrialEvidence.objects.count() == Trial.objects.count() == 42
    with_results = TrialEvidence.objects.filter(has_results=True)
    assert sorted(with_results.values_list("trial__nct_id", flat=True)) == [
        "NCT01363401",
        "NCT02469896",
    ]
    # Every trial's registered outcomes, from the version each trial ended at.
    for trial in Trial.objects.all():
        outcomes = trial.raw_record["protocolSection"].get("outcomesModule", {})
        assert trial.registered_outcomes.count() == sum(len(v) for v in outcomes.values())


def test_importing_twice_writes_no_evidence_and_changes_nothing():
    records = [json.loads(p.read_text(encoding="utf-8")) for p in RECORDS_WITH_RESULTS[:5]]
    upsert(*records)
    before = evidence_content()

    with CaptureQueriesContext(connection) as queries:
        upsert(*records)

    assert evidence_content() == before
    assert not [q for q in queries if "evidence_" in q["sql"]]


def test_rebuilding_from_the_same_records_gives_the_same_rows():
    records = [json.loads(p.read_text(encoding="utf-8")) for p in RECORDS_WITH_RESULTS]
    upsert(*records)
    before = evidence_content()

    assert rebuild_all_evidence(only_stale=False) == Trial.objects.count()

    assert evidence_content() == before


def test_a_changed_record_replaces_its_evidence_without_leftovers():
    record = load_record("snapshot/2020-07-28", "NCT01363401")
    upsert(record)
    changed = copy.deepcopy(record)
    module = changed["resultsSection"]["adverseEventsModule"]
    module["otherEvents"] = [e for e in module["otherEvents"] if e["term"] != "Headache"]
    changed["protocolSection"]["outcomesModule"]["secondaryOutcomes"].pop()

    upsert(changed)

    trial = Trial.objects.get(nct_id="NCT01363401")
    assert table_counts(trial) == registry_counts(changed)
    assert not AdverseEvent.objects.filter(trial=trial, term="Headache").exists()
    assert TrialEvidence.objects.get(trial=trial).content_hash == trial.content_hash


def test_a_record_that_loses_its_results_loses_its_result_rows_and_facets():
    record = load_record("snapshot/2020-07-28", "NCT01363401")
    upsert(record)
    withdrawn = copy.deepcopy(record)
    del withdrawn["resultsSection"]
    withdrawn["hasResults"] = False

    upsert(withdrawn)

    trial = Trial.objects.get(nct_id="NCT01363401")
    assert not AdverseEvent.objects.filter(trial=trial).exists()
    assert not OutcomeMeasure.objects.filter(trial=trial).exists()
    assert trial.registered_outcomes.count() == 4
    assert trial.facet_values("ae_categories") == []
    assert trial.facet_values("result_domains") == []
    assert trial.facet_values("outcome_domains") == [
        "function",
        "quality-of-life",
        "respiratory",
    ]


def test_a_failing_rebuild_rolls_the_whole_batch_back(monkeypatch):
    record = load_record("snapshot/2020-07-28", "NCT01363401")
    upsert(record)
    before = evidence_content()

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(evidence_services, "refresh_evidence_facets", explode)
    changed = copy.deepcopy(record)
    changed["protocolSection"]["outcomesModule"]["secondaryOutcomes"].pop()
    with pytest.raises(RuntimeError):
        upsert(changed)

    assert evidence_content() == before
    assert Trial.objects.get(nct_id="NCT01363401").raw_record == record


def test_a_batch_costs_the_same_statements_for_one_trial_as_for_many():
    # Each table's rows fit in one statement here; a full page takes one per 1000 rows.
    def rebuild_queries(records):
        upsert(*records)
        pairs = [
            (Trial.objects.get(nct_id=r["protocolSection"]["identificationModule"]["nctId"]), r)
            for r in records
        ]
        with CaptureQueriesContext(connection) as queries:
            rebuild_evidence(pairs=pairs)
        return len(queries)

    # NCT02469896 fills every table (analyses too), as the seven others together do.
    one = rebuild_queries([load_record("snapshot/2020-07-28", "NCT02469896")])
    many = rebuild_queries(
        [json.loads(p.read_text(encoding="utf-8")) for p in RECORDS_WITH_RESULTS[1:8]]
    )

    assert many == one


def test_trials_imported_before_the_evidence_app_get_their_evidence_from_the_command(
    monkeypatch, capsys
):
    monkeypatch.setattr(extensions, "_record_handlers", [])
    upsert(
        load_record("snapshot/2020-07-28", "NCT01363401"),
        load_record("snapshot/2022-10", "NCT03280056"),
    )
    assert not TrialEvidence.objects.exists()

    call_command("rebuild_evidence")
    call_command("rebuild_evidence")

    out = capsys.readouterr().out
    assert "rebuilt the evidence of 2 trial(s)" in out
    assert "rebuilt the evidence of 0 trial(s)" in out  # nothing stale the second time
    trial = Trial.objects.get(nct_id="NCT01363401")
    assert table_counts(trial) == registry_counts(trial.raw_record)
    assert "function" in trial.facet_values("result_domains")


def test_without_insert_returning_the_ids_are_read_back_and_the_links_hold(monkeypatch):
    # SQLite before 3.35 cannot return the ids of a multi-row INSERT.
    monkeypatch.setattr(type(connection.features), "can_return_rows_from_bulk_insert", False)
    records = [json.loads(p.read_text(encoding="utf-8")) for p in RECORDS_WITH_RESULTS[:4]]

    upsert(*records)

    for record in records:
        trial = Trial.objects.get(nct_id=record["protocolSection"]["identificationModule"]["nctId"])
        assert table_counts(trial) == registry_counts(record)
    for m in OutcomeMeasurement.objects.select_related("group"):
        assert (m.group.measure_id, m.group.registry_id) == (m.measure_id, m.group_registry_id)
    for c in AdverseEventCount.objects.select_related("group", "event"):
        assert c.group.trial_id == c.event.trial_id == c.trial_id


def test_deleting_a_trial_deletes_its_evidence_and_keeps_the_others():
    upsert(
        load_record("snapshot/2020-07-28", "NCT01363401"),
        load_record("snapshot/2020-07-28", "NCT02469896"),
    )

    Trial.objects.get(nct_id="NCT01363401").delete()

    for model in INSERT_ORDER:
        assert not model.objects.filter(trial__nct_id="NCT01363401").exists()
    assert AdverseEvent.objects.filter(trial__nct_id="NCT02469896").count() == 44
