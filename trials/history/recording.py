"""Recording a trial's history: the tracked registry fields and the change rows an import makes.

Used by the writers (the importer and the curators' services); it knows nothing of how a change
reads to people (that is `trials.history.timeline`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from trials import labels
from trials.models import ImportRun, Trial, TrialChange, TrialFacet


def _partial(name: str) -> Callable[[Trial], str | None]:
    return lambda trial: trial.partial_date(name) or None


# Registry fields whose changes are recorded: name → their value as kept in the history (JSON).
# Enrollment keeps its type with it (an estimate becoming an actual count is news) and results
# keep their first-posted date, so that each is one entry, not two.
REGISTRY_FIELDS: dict[str, Callable[[Trial], Any]] = {
    "brief_title": lambda t: t.brief_title,
    "overall_status": lambda t: t.overall_status,
    "enrollment": lambda t: (
        None if t.enrollment is None else {"count": t.enrollment, "type": t.enrollment_type}
    ),
    "phases": lambda t: sorted(t.phases),
    "start_date": _partial("start_date"),
    "primary_completion_date": _partial("primary_completion_date"),
    "completion_date": _partial("completion_date"),
    "results": lambda t: {
        "posted": t.has_results,
        "first_posted": t.partial_date("results_first_posted") or None,
    },
    "lead_sponsor": lambda t: t.lead_sponsor,
    "in_registry": lambda t: t.missing_since is None,
}
# Effective labels an import can change (when not curated).
LABEL_FIELDS = tuple(labels.LABEL_FIELDS)


def registry_snapshot(trial: Trial) -> dict[str, Any]:
    """The tracked registry values of a trial, as the history keeps them."""
    return {name: read(trial) for name, read in REGISTRY_FIELDS.items()}


def label_snapshots(trials: Sequence[Trial]) -> dict[int, dict[str, Any]]:
    """The stored effective labels of these trials (one query), before a refresh changes them."""
    sets: dict[int, dict[str, list[str]]] = {
        t.pk: {name: [] for name in labels.SET_FIELDS} for t in trials
    }
    for trial_id, facet, value in TrialFacet.objects.filter(
        trial__in=[t.pk for t in trials], facet__in=labels.SET_FIELDS
    ).values_list("trial_id", "facet", "value"):
        sets[trial_id][facet].append(value)
    return {
        t.pk: {
            "is_cell_therapy": t.is_cell_therapy,
            "donor": t.donor,
            **{name: sorted(values) for name, values in sets[t.pk].items()},
        }
        for t in trials
    }


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(field, old, new) for each field whose value differs, in the order of `new`."""
    return [(name, old.get(name), value) for name, value in new.items() if old.get(name) != value]


# --- Building the import's history rows (unsaved; the upsert bulk-creates them) ---------------


def first_seen(trial: Trial, *, at: datetime, run: ImportRun | None) -> TrialChange:
    return TrialChange(
        trial=trial,
        at=at,
        kind=TrialChange.Kind.FIRST_SEEN,
        new_value=registry_snapshot(trial),
        import_run=run,
    )


def registry_changes(
    trial: Trial, before: dict[str, Any], *, at: datetime, run: ImportRun | None
) -> list[TrialChange]:
    return [
        TrialChange(
            trial=trial,
            at=at,
            kind=TrialChange.Kind.REGISTRY,
            field=name,
            old_value=old,
            new_value=new,
            import_run=run,
        )
        for name, old, new in diff(before, registry_snapshot(trial))
    ]


def label_changes(
    trial: Trial,
    before: dict[str, Any],
    effective: dict[str, Any],
    *,
    at: datetime,
    run: ImportRun | None,
) -> list[TrialChange]:
    after = {name: effective[name] for name in LABEL_FIELDS}
    return [
        TrialChange(
            trial=trial,
            at=at,
            kind=TrialChange.Kind.LABEL,
            field=name,
            old_value=old,
            new_value=new,
            import_run=run,
        )
        for name, old, new in diff(before, after)
    ]


def _in_registry(trial: Trial, now_listed: bool, at: datetime, run: ImportRun | None):
    return TrialChange(
        trial=trial,
        at=at,
        kind=TrialChange.Kind.REGISTRY,
        field="in_registry",
        old_value=not now_listed,
        new_value=now_listed,
        import_run=run,
    )


def back_in_registry(trial: Trial, *, at: datetime, run: ImportRun | None) -> TrialChange:
    return _in_registry(trial, True, at, run)


def missing_from_registry(trial: Trial, *, at: datetime, run: ImportRun | None) -> TrialChange:
    return _in_registry(trial, False, at, run)
