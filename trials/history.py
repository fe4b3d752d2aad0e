"""What the history of a trial tracks, and how a change reads to people.

The services write `TrialChange` rows (trials.services.upsert_studies for imports,
trials.services.curate for curators); this module holds what both agree on — which registry
fields are tracked and how their values are kept — and the selectors that read the history back:
`timeline_for(trial)` for the trial page (templates/trials/_timeline.html) and `describe()` for
the change list and feed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from trials import curated_fields, labels
from trials.filters import PHASE_LABELS
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

FIELD_NAMES = {
    "brief_title": "Title",
    "overall_status": "Status",
    "enrollment": "Enrollment",
    "phases": "Phase",
    "start_date": "Start date",
    "primary_completion_date": "Primary completion date",
    "completion_date": "Completion date",
    "results": "Results",
    "lead_sponsor": "Lead sponsor",
    "in_registry": "Listed in the registry",
}


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


# --- Reading the history back ----------------------------------------------------------------


@dataclass(frozen=True)
class ChangeEntry:
    """One change as people read it."""

    pk: int
    at: datetime
    kind: str
    field: str
    title: str  # "Status changed", "Results posted", "Routes corrected by a curator"
    detail: str  # "Recruiting → Completed"
    who: str  # "import run 12", or the curator
    note: str
    trial: Trial
    url: str  # where to read more: the trial page, at this entry

    @property
    def is_curation(self) -> bool:
        return self.kind == TrialChange.Kind.CURATION


def trial_url(trial: Trial) -> str:
    return trial.get_absolute_url()


def field_name(name: str) -> str:
    if name in FIELD_NAMES:
        return FIELD_NAMES[name]
    try:
        return curated_fields.get(name).label
    except curated_fields.CurationError:
        return name.replace("_", " ").capitalize()


def display(name: str, value: Any) -> str:
    """A tracked value in words."""
    if name == "overall_status":
        if value == "ACTIVE_NOT_RECRUITING":
            return "Active, not recruiting"
        return value.replace("_", " ").capitalize() if value else "not given"
    if name == "enrollment":
        if not value:
            return "not given"
        kind = f" ({value['type'].lower()})" if value.get("type") else ""
        return f"{value['count']}{kind}"
    if name == "phases":
        return ", ".join(PHASE_LABELS.get(p, p) for p in value) if value else "not given"
    if name == "results":
        if not value or not value.get("posted"):
            return "none posted"
        first = value.get("first_posted")
        return f"posted (first posted {first})" if first else "posted"
    if name == "in_registry":
        return "yes" if value else "no longer returned by the registry"
    if name in FIELD_NAMES:
        return str(value) if value not in (None, "") else "not given"
    try:
        return curated_fields.get(name).display(value)
    except curated_fields.CurationError:
        return "none" if value is None else str(value)


def _title(change: TrialChange) -> str:
    name = field_name(change.field)
    if change.kind == TrialChange.Kind.FIRST_SEEN:
        return "First seen in the registry"
    if change.kind == TrialChange.Kind.CURATION:
        if change.field == "excluded" and change.new_value != change.old_value:
            return "Excluded by a curator" if change.new_value else "Included again by a curator"
        if change.new_value == change.old_value:
            return f"{name} confirmed by a curator"
        return f"{name} corrected by a curator"
    if change.field == "results":
        posted = bool((change.new_value or {}).get("posted"))
        was_posted = bool((change.old_value or {}).get("posted"))
        if posted and not was_posted:
            return "Results posted"
        return "Results withdrawn" if was_posted and not posted else "Results date changed"
    if change.field == "in_registry":
        return "Back in the registry" if change.new_value else "No longer in the registry"
    if change.kind == TrialChange.Kind.LABEL:
        return f"{name} (automatic) changed"
    return f"{name} changed"


def _detail(change: TrialChange) -> str:
    if change.kind == TrialChange.Kind.FIRST_SEEN:
        values = change.new_value or {}
        parts = [
            display(name, values[name])
            for name in ("overall_status", "phases", "enrollment")
            if values.get(name)
        ]
        return "; ".join(parts)
    new = display(change.field, change.new_value)
    if change.kind == TrialChange.Kind.CURATION and change.new_value == change.old_value:
        return new
    return f"{display(change.field, change.old_value)} → {new}"


def describe(change: TrialChange) -> ChangeEntry:
    return ChangeEntry(
        pk=change.pk,
        at=change.at,
        kind=change.kind,
        field=change.field,
        title=_title(change),
        detail=_detail(change),
        who=change.who,
        note=change.note,
        trial=change.trial,
        url=f"{trial_url(change.trial)}#change-{change.pk}",
    )


def describe_all(changes: Iterable[TrialChange]) -> list[ChangeEntry]:
    return [describe(change) for change in changes]


def timeline_for(trial: Trial) -> list[ChangeEntry]:
    """The trial page's timeline, oldest first: first seen, registry updates (status,
    enrollment, results…), automatic label changes and curator corrections.

    Context for templates/trials/_timeline.html: `{"timeline": timeline_for(trial)}`.
    """
    changes = trial.changes.oldest_first()
    for change in changes:
        change.trial = trial  # spare a query per entry
    return describe_all(changes)
