"""The rows a planned batch writes (trials.importing.plan): trials, their effective values, child
rows and facets, with bulk statements only.

Effective values are settled in memory before writing, so each trial is written once (re-reading
and re-updating every trial after the insert cost half the import's time). Child rows go in as
column dicts (trials.importing.bulk.insert_rows), not model instances.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from trials import labels
from trials.effective import compute_effective, curations_in_force, facet_values
from trials.importing.bulk import insert_rows
from trials.importing.plan import EFFECTIVE_COLUMNS, Plan, Write
from trials.importing.rows import child_rows
from trials.models import Arm, AutoLabel, Intervention, Location, Reference, Trial, TrialFacet

# A trial row carries its raw record (~20 KB of JSON): one INSERT for a whole page built a
# statement of tens of megabytes, the import's peak memory. Smaller statements cost no speed.
TRIAL_ROWS_PER_INSERT = 100


def write_batch(plan: Plan, *, now: datetime) -> dict[str, dict[str, Any]]:
    """Write the plan's rows; the effective values settled, by NCT id."""
    if plan.seen_only:
        # Seen in the registry again: that is all that changed (and it is back if it was missing).
        Trial.objects.filter(nct_id__in=plan.seen_only).update(last_seen=now, missing_since=None)
    effective, facets = _settle_effective(plan)
    creates, updates = plan.creates, plan.updates
    if creates:
        _create_trials([w.trial for w in creates])
    if updates:
        _update_trials([w.trial for w in updates], columns=[*plan.columns, *EFFECTIVE_COLUMNS])
    rows: dict[type, list[dict[str, Any]]] = {
        TrialFacet: [
            {"trial_id": t.pk, "facet": facet, "value": value} for t, facet, value in facets
        ]
    }
    for write in plan.writes:
        for model, objs in child_rows(write.trial, write.study, write.classification).items():
            rows.setdefault(model, []).extend(objs)
    for model, objs in rows.items():
        insert_rows(model, objs)
    return effective


def _settle_effective(
    plan: Plan,
) -> tuple[dict[str, dict[str, Any]], list[tuple[Trial, str, str]]]:
    """Set each written trial's effective values (curations in force over the automatic ones,
    one query for the batch); those values by NCT id, and the facet rows they give."""
    curated = curations_in_force([w.trial.pk for w in plan.updates])
    effective: dict[str, dict[str, Any]] = {}
    facets: list[tuple[Trial, str, str]] = []
    for write in plan.writes:
        trial = write.trial
        values = effective[trial.nct_id] = _effective_values(write, curated.get(trial.pk, {}))
        trial.is_cell_therapy = values["is_cell_therapy"]
        trial.donor = values["donor"]
        trial.excluded = values["excluded"]
        facets.extend((trial, facet, value) for facet, value in facet_values(trial, values))
    return effective, facets


def _effective_values(write: Write, curated: dict[str, Any]) -> dict[str, Any]:
    return compute_effective(
        auto_is_cell_therapy=write.trial.auto_is_cell_therapy,
        auto_donor=write.trial.auto_donor,
        auto_sets={name: write.classification.values(name) for name in labels.SET_FIELDS},
        curated=curated,
    )


def _create_trials(trials: list[Trial]) -> None:
    Trial.objects.bulk_create(trials, batch_size=TRIAL_ROWS_PER_INSERT)
    if trials[0].pk is None:  # SQLite before returning ids: fetch them
        ids = dict(
            Trial.objects.filter(nct_id__in=[t.nct_id for t in trials]).values_list("nct_id", "pk")
        )
        for trial in trials:
            trial.pk = ids[trial.nct_id]


def _update_trials(trials: list[Trial], *, columns: list[str]) -> None:
    """Overwrite the trials' columns and replace their child rows (inserted with the new ones)."""
    Trial.objects.bulk_update(trials, columns, batch_size=500)
    for model in (Arm, Intervention, Location, Reference, AutoLabel):
        model.objects.filter(trial__in=trials).delete()
    TrialFacet.objects.filter(trial__in=trials, facet__in=TrialFacet.FACETS).delete()
