"""The evidence columns of the trial export and API (registered in EvidenceConfig.ready).

Each is an array of objects (JSON; CSV writes it as compact JSON in the cell):

- `outcomes`: the registered outcomes — type (primary/secondary/other), measure, domain;
- `adverse_events`: one object per reported term and event group — term, organ_system,
  serious, category, group (the registry's group title), cell_therapy_group (true, false, or
  null when unknown or pooled), affected, at_risk, and legacy_total_row (true for the
  "Total, all-cause mortality" rows of legacy records: all-cause deaths, not an event term);
- `publications`: the record's references — pmid (may be empty), type (BACKGROUND, RESULT,
  DERIVED, as the registry writes it).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from evidence.models import AdverseEventCount, RegisteredOutcome
from trials.models import Trial

COLUMNS = ("outcomes", "adverse_events", "publications")

PREFETCH = (
    Prefetch(
        "registered_outcomes",
        queryset=RegisteredOutcome.objects.only("trial_id", "order", "type", "measure", "domain"),
        to_attr="export_outcomes",
    ),
    Prefetch(
        "adverse_event_counts",
        queryset=AdverseEventCount.objects.select_related("event", "group").order_by(
            "event__position", "position"
        ),
        to_attr="export_event_counts",
    ),
    "references",
)


def trial_evidence_row(trial: Trial) -> dict[str, Any]:
    """The evidence columns of one trial (prefetched by PREFETCH, else queried)."""
    outcomes = getattr(trial, "export_outcomes", None)
    if outcomes is None:
        outcomes = PREFETCH[0].queryset.filter(trial=trial)
    counts = getattr(trial, "export_event_counts", None)
    if counts is None:
        counts = PREFETCH[1].queryset.filter(trial=trial)
    return {
        "outcomes": [{"type": o.type, "measure": o.measure, "domain": o.domain} for o in outcomes],
        "adverse_events": [
            {
                "term": c.event.term,
                "organ_system": c.event.organ_system,
                "serious": c.event.serious,
                "category": c.event.category,
                "group": c.group.title if c.group else c.group_registry_id,
                "cell_therapy_group": c.group.is_cell_therapy_group if c.group else None,
                "affected": c.num_affected,
                "at_risk": c.num_at_risk,
                "legacy_total_row": c.event.is_legacy_total_row,
            }
            for c in counts
        ],
        "publications": [{"pmid": r.pmid, "type": r.type} for r in trial.references.all()],
    }
