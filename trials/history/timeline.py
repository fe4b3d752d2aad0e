"""Reading a trial's history back: each change in words, for the trial page, the change list and
the feed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from trials import labels
from trials.curating import fields as curated_fields
from trials.models import Trial, TrialChange

# The tracked registry fields (recording.REGISTRY_FIELDS) in words; tests/trials/test_labels.py
# holds the two to the same names. The label fields are named by the curated field registry.
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
        return labels.enum_label(value) if value else "not given"
    if name == "enrollment":
        if not value:
            return "not given"
        kind = f" ({value['type'].lower()})" if value.get("type") else ""
        return f"{value['count']}{kind}"
    if name == "phases":
        return ", ".join(labels.PHASE_LABELS.get(p, p) for p in value) if value else "not given"
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
