"""What the trial page shows about the labels, built from one trial with its rows prefetched.

For each label field: the effective values, whether they are the classifier's or a curator's, and
the classifier's evidence — the phrase that decided each value, highlighted where it stands in the
record, with how sure the classifier was. Reads only prefetched rows (see
`TrialQuerySet.for_detail`), so building the page costs no query.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.safestring import SafeString

from trials import labels
from trials.browsing.display import highlight, source_label
from trials.models import Arm, AutoLabel, Curation, Intervention, Trial

FIELD_NAMES = labels.LABEL_FIELD_NAMES
TRIAL_TEXTS = (
    "brief_title",
    "official_title",
    "acronym",
    "brief_summary",
    "detailed_description",
    "keywords",
    "conditions",
)


@dataclass(frozen=True)
class Evidence:
    """One label the classifier proposed and why."""

    field_name: str
    value_label: str
    phrase: str
    where: str
    context: SafeString
    confidence: float
    accepted: bool


@dataclass
class LabelRow:
    field: str
    name: str
    values: list[str]
    origin: str  # "auto" or "curated"
    curation: Curation | None
    evidence: list[Evidence]
    empty: str = "none"  # what the page says when there is no value


@dataclass
class ArmView:
    arm: Arm
    interventions: list[Intervention] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)


def value_label(field_name: str, value: str) -> str:
    if field_name == "is_cell_therapy":
        return "Yes" if value in ("true", True) else "No"
    return labels.label_for(field_name, value)


def source_text(trial: Trial, source: str) -> str:
    """The text of the record a classifier phrase was found in ('arm[0].description', …)."""
    if source in TRIAL_TEXTS:
        value = getattr(trial, source)
        return "; ".join(value) if isinstance(value, list) else value
    kind, _, rest = source.partition("[")
    index, _, part = rest.partition("].")
    rows = {"arm": trial.arms.all(), "intervention": trial.interventions.all()}.get(kind)
    if rows is None or not index.isdigit():
        return ""
    by_position = {row.position: row for row in rows}
    row = by_position.get(int(index))
    value = getattr(row, part, "") if row is not None else ""
    return "; ".join(value) if isinstance(value, list) else str(value or "")


def evidence_for(trial: Trial, label: AutoLabel) -> Evidence:
    return Evidence(
        field_name=FIELD_NAMES.get(label.field, label.field),
        value_label=value_label(label.field, label.value),
        phrase=label.phrase,
        where=source_label(label.source),
        context=highlight(source_text(trial, label.source), label.phrase),
        confidence=label.confidence,
        accepted=label.accepted,
    )


def _ordered(autos: list[AutoLabel]) -> list[AutoLabel]:
    return sorted(autos, key=lambda a: (not a.accepted, -a.confidence, a.value))


def effective_values(trial: Trial, field_name: str) -> list[str]:
    if field_name == "is_cell_therapy":
        return ["true" if trial.is_cell_therapy else "false"]
    if field_name == "donor":
        return [trial.donor]
    return trial.facet_values(field_name)


# Said in words when a cell therapy has no value, so that a reader does not take a missing line
# for a missing check: the classifier read the record and found none.
NOT_STATED = {
    "cell_types": "cell type not stated in the record",
    "cell_sources": "source not stated in the record",
    "routes": "route not stated in the record",
}


def label_rows(trial: Trial) -> list[LabelRow]:
    """One row per label field, in the vocabulary's order (needs `curations_in_force`)."""
    curations = {c.field: c for c in trial.curations_in_force if c.value is not None}
    autos = [a for a in trial.auto_labels.all() if not a.arm]
    rows = []
    for name in labels.LABEL_FIELDS:
        field_autos = _ordered([a for a in autos if a.field == name])
        rows.append(
            LabelRow(
                field=name,
                name=FIELD_NAMES[name],
                values=[value_label(name, v) for v in effective_values(trial, name)],
                origin="curated" if name in curations else "auto",
                curation=curations.get(name),
                evidence=[evidence_for(trial, a) for a in field_autos],
                empty=NOT_STATED.get(name, "none") if trial.is_cell_therapy else "none",
            )
        )
    return rows


def arm_views(trial: Trial) -> list[ArmView]:
    """Each arm with its interventions and the labels the classifier gave that arm."""
    interventions = list(trial.interventions.all())
    autos = [a for a in trial.auto_labels.all() if a.arm and a.field != "is_cell_therapy"]
    views = []
    for arm in trial.arms.all():
        # The registry links both ways: "Biological: NurOwn" in the arm, arm labels in the
        # intervention; older records fill only one side.
        names = {name.split(": ", 1)[-1] for name in arm.intervention_names}
        views.append(
            ArmView(
                arm=arm,
                interventions=[
                    i for i in interventions if arm.label in i.arm_labels or i.name in names
                ],
                evidence=[
                    evidence_for(trial, a)
                    for a in _ordered([a for a in autos if a.arm == arm.label])
                ],
            )
        )
    return views
