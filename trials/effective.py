"""Effective label values: the curated value of a field when there is one, else the automatic.

Stored on Trial and as TrialFacet rows only so that filters and facet counts are single indexed
queries; written by the upsert (in memory, before it writes) and after a curation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from trials import labels
from trials.models import (
    AutoLabel,
    Curation,
    Trial,
    TrialFacet,
)


def curations_in_force(trial_ids: list[int]) -> dict[int, dict[str, Any]]:
    """trial id → {field: curated value in force} (None values mean handed back: left out)."""
    current: dict[int, dict[str, Any]] = {}
    if trial_ids:
        for curation in Curation.objects.filter(trial_id__in=trial_ids).current():
            if curation.value is not None:
                current.setdefault(curation.trial_id, {})[curation.field] = curation.value
    return current


def compute_effective(
    *,
    auto_is_cell_therapy: bool,
    auto_donor: str,
    auto_sets: dict[str, list[str]],
    curated: dict[str, Any],
) -> dict[str, Any]:
    """The effective label values: the curated value of a field when there is one, else the
    automatic one. A study that is not (effectively) a cell therapy has no cell types, sources
    or routes unless a curator gave them."""
    is_cell = curated.get("is_cell_therapy")
    values: dict[str, Any] = {
        "is_cell_therapy": auto_is_cell_therapy if is_cell is None else bool(is_cell),
        "donor": curated.get("donor") or auto_donor or "unknown",
    }
    for name in labels.SET_FIELDS:
        if curated.get(name) is not None:
            values[name] = sorted(set(curated[name]))
        else:
            values[name] = sorted(set(auto_sets.get(name, []))) if values["is_cell_therapy"] else []
    values["excluded"] = bool(curated.get("excluded"))
    values["origins"] = {
        name: ("curated" if curated.get(name) is not None else "auto")
        for name in labels.LABEL_FIELDS
    }
    return values


def effective_values(trial: Trial, current: dict[str, Any] | None = None) -> dict[str, Any]:
    """The effective label values of a stored trial (see compute_effective).

    `current` maps field → curated value in force; it is read from the database when not given.
    """
    if current is None:
        current = curations_in_force([trial.pk]).get(trial.pk, {})
    accepted = [label for label in trial.auto_labels.all() if label.accepted and not label.arm]
    return compute_effective(
        auto_is_cell_therapy=trial.auto_is_cell_therapy,
        auto_donor=trial.auto_donor,
        auto_sets={
            name: [label.value for label in accepted if label.field == name]
            for name in labels.SET_FIELDS
        },
        curated=current,
    )


def refresh_effective_labels(*, trials: Sequence[Trial]) -> dict[int, dict[str, Any]]:
    """Recompute the stored effective values (and facet rows) of stored trials, after a curation.

    Returns the effective values of each trial by primary key (see `effective_values`).
    """
    if not trials:
        return {}
    ids = [t.pk for t in trials]
    current = curations_in_force(ids)
    autos: dict[int, list[AutoLabel]] = {}
    for label in AutoLabel.objects.filter(trial_id__in=ids, accepted=True, arm=""):
        autos.setdefault(label.trial_id, []).append(label)

    facets: list[TrialFacet] = []
    effective: dict[int, dict[str, Any]] = {}
    for trial in trials:
        # Reuse the labels just read instead of a query per trial.
        trial._prefetched_objects_cache = {
            **getattr(trial, "_prefetched_objects_cache", {}),
            "auto_labels": autos.get(trial.pk, []),
        }
        values = effective[trial.pk] = effective_values(trial, current.get(trial.pk, {}))
        trial.is_cell_therapy = values["is_cell_therapy"]
        trial.donor = values["donor"]
        trial.excluded = values["excluded"]
        facets.extend(
            TrialFacet(trial=trial, facet=facet, value=value)
            for facet, value in facet_values(trial, values)
        )
    Trial.objects.bulk_update(trials, ["is_cell_therapy", "donor", "excluded"], batch_size=500)
    # Only the facets this module owns: other apps (evidence) keep facet rows of their own.
    TrialFacet.objects.filter(trial_id__in=ids, facet__in=TrialFacet.FACETS).delete()
    TrialFacet.objects.bulk_create(facets, batch_size=2000)
    return effective


def facet_values(trial: Trial, values: dict[str, Any]):
    for name in labels.SET_FIELDS:
        for value in values[name]:
            yield name, value
    yield "donor", values["donor"]
    for phase in set(trial.phases):
        yield "phases", phase
    for country in set(trial.countries):
        yield "countries", country
    if trial.overall_status:
        yield "status", trial.overall_status
    if trial.study_type:
        yield "study_type", trial.study_type
    if trial.lead_sponsor_class:
        yield "sponsor_class", trial.lead_sponsor_class
    yield "has_results", "true" if trial.has_results else "false"
