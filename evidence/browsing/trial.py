"""The evidence sections of one trial's page, in nineteen queries whatever the trial's size."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from evidence.browsing.charts import Chart, Point, build_chart, spread_of
from evidence.browsing.forest import ForestView, trial_forests
from evidence.models import (
    AdverseEvent,
    AdverseEventCount,
    EventGroup,
    OutcomeAnalysis,
    OutcomeDenom,
    OutcomeGroup,
    OutcomeMeasure,
    OutcomeMeasurement,
    PublishedResult,
    RegisteredOutcome,
    TrialEvidence,
)
from evidence.synthesis.published_effects import published_effects
from evidence.synthesis.registry_effects import TrialEffect, effects_of_measures
from trials import labels
from trials.models import Reference, Trial


def percent_text(affected: int | None, at_risk: int | None) -> str:
    if affected is None or not at_risk:
        return ""
    return f"{100.0 * affected / at_risk:.1f}%"


@dataclass
class DomainOutcomes:
    domain: str
    label: str
    outcomes: list[RegisteredOutcome]


@dataclass
class GroupColumn:
    title: str
    description: str
    role: str
    role_label: str
    n: str  # the measure's denominator for the group, as written


@dataclass
class ValueCell:
    text: str  # "-1.36 (2.39)", "12 (8 to 15)", "NA"
    comment: str = ""


@dataclass
class MeasureRow:
    label: str  # class and category titles, "" when the measure has one row
    cells: list[ValueCell | None]


@dataclass
class AnalysisLine:
    groups: str
    method: str
    p_value: str
    estimate: str
    interval: str
    comment: str


@dataclass
class MeasureView:
    measure: OutcomeMeasure
    value_heading: str
    columns: list[GroupColumn]
    rows: list[MeasureRow]
    analyses: list[AnalysisLine]
    chart: Chart | None
    n_units: str


@dataclass
class EventCell:
    affected: int | None
    at_risk: int | None
    percent: str


@dataclass
class EventRow:
    event: AdverseEvent
    category_label: str
    cells: list[EventCell | None]


@dataclass
class EventTable:
    groups: list[EventGroup]
    totals: list[tuple[str, list[EventCell | None]]]
    serious: list[EventRow]
    other: list[EventRow]


@dataclass
class TrialEvidenceView:
    trial: Trial
    built: TrialEvidence | None
    registered_by_domain: list[DomainOutcomes]
    measures: list[MeasureView]
    events: EventTable | None
    effects: list[TrialEffect] = field(default_factory=list)
    forests: list[ForestView] = field(default_factory=list)
    published: list[PublishedResult] = field(default_factory=list)
    publications: list[Reference] = field(default_factory=list)

    @property
    def has_any(self) -> bool:
        return bool(self.registered_by_domain or self.measures or self.events or self.publications)


def trial_evidence(trial: Trial) -> dict:
    """The context of templates/evidence/_trial_evidence.html: {"evidence": TrialEvidenceView}."""
    registered = list(RegisteredOutcome.objects.filter(trial=trial))
    by_domain: dict[str, list[RegisteredOutcome]] = defaultdict(list)
    for outcome in registered:
        by_domain[outcome.domain].append(outcome)

    measures, effects, published = _measures(trial)
    view = TrialEvidenceView(
        trial=trial,
        built=TrialEvidence.objects.filter(trial=trial).first(),
        registered_by_domain=[
            DomainOutcomes(slug, label, by_domain[slug])
            for slug, label in labels.OUTCOME_DOMAINS.items()
            if by_domain.get(slug)
        ],
        measures=measures,
        effects=effects,
        forests=trial_forests(effects),
        published=published,
        events=_events(trial),
        publications=list(Reference.objects.filter(trial=trial)),
    )
    return {"evidence": view}


def _by_measure(rows):
    grouped = defaultdict(list)
    for row in rows:
        grouped[row.measure_id].append(row)
    return grouped


def _measures(trial: Trial) -> tuple[list[MeasureView], list[TrialEffect], list]:
    """The posted measures as tables, and the effects computed from the same rows."""
    measures = list(OutcomeMeasure.objects.filter(trial=trial))
    rows = {
        "groups": list(OutcomeGroup.objects.filter(trial=trial)),
        "denoms": list(OutcomeDenom.objects.filter(trial=trial)),
        "values": list(OutcomeMeasurement.objects.filter(trial=trial)),
        "analyses": list(OutcomeAnalysis.objects.filter(trial=trial)),
    }
    this_trial = Trial.objects.filter(pk=trial.pk)
    effects = effects_of_measures(measures, **rows, trials=this_trial) if measures else []
    published = list(PublishedResult.objects.filter(trial=trial).order_by("row_number"))
    effects += published_effects(this_trial, rows=published)
    groups, values = _by_measure(rows["groups"]), _by_measure(rows["values"])
    denoms = _by_measure(d for d in rows["denoms"] if d.class_index is None)
    analyses = _by_measure(rows["analyses"])
    views = [
        _measure_view(m, groups[m.pk], denoms[m.pk], values[m.pk], analyses[m.pk]) for m in measures
    ]
    return views, effects, published


def value_text(m: OutcomeMeasurement) -> str:
    """A value with its spread as the table shows it: '-1.36 (2.39)', '12 (8 to 15)'."""
    text = m.value_text or "—"
    if m.lower_limit_text or m.upper_limit_text:
        return f"{text} ({m.lower_limit_text or '?'} to {m.upper_limit_text or '?'})"
    if m.spread_text:
        return f"{text} ({m.spread_text})"
    return text


def _measure_view(measure, groups, denoms, values, analyses) -> MeasureView:
    by_group_id = {g.pk: i for i, g in enumerate(groups)}
    units = next((d.units for d in denoms), "")
    n_of = {}
    for d in denoms:
        if d.units == units and d.group_id is not None:
            n_of.setdefault(d.group_id, d.value_text)
    columns = [
        GroupColumn(g.title, g.description, g.role, g.role_label, n_of.get(g.pk, ""))
        for g in groups
    ]

    rows: dict[tuple[int, int], MeasureRow] = {}
    points: list[Point] = []
    for m in values:
        key = (m.class_index, m.category_index)
        if key not in rows:
            label = " — ".join(t for t in (m.class_title, m.category_title) if t)
            rows[key] = MeasureRow(label, [None] * len(groups))
        index = by_group_id.get(m.group_id)
        if index is not None:
            rows[key].cells[index] = ValueCell(value_text(m), m.comment)
        if m.value is not None:
            low, high = spread_of(m.value, m.spread, m.lower_limit, m.upper_limit)
            group = groups[index] if index is not None else None
            title = group.title if group else m.group_registry_id
            label = " — ".join(t for t in (title, rows[key].label) if t)
            points.append(Point(label, group.role if group else "", m.value, low, high))

    titles = {g.registry_id: g.title for g in groups}
    return MeasureView(
        measure=measure,
        value_heading=value_heading(measure),
        columns=columns,
        rows=list(rows.values()),
        analyses=[_analysis_line(a, titles) for a in analyses],
        chart=build_chart(points),
        n_units=units,
    )


def value_heading(measure: OutcomeMeasure) -> str:
    """'Mean (Standard Deviation), score on a scale'."""
    statistic = measure.param_type.replace("_", " ").capitalize()
    if measure.dispersion_type:
        statistic = f"{statistic} ({measure.dispersion_type})".strip()
    return ", ".join(p for p in (statistic, measure.unit_of_measure) if p) or "Value"


def _analysis_line(a: OutcomeAnalysis, titles: dict[str, str]) -> AnalysisLine:
    estimate = " ".join(p for p in (a.param_type, a.param_value_text) if p)
    interval = ""
    if a.ci_lower_limit_text or a.ci_upper_limit_text:
        pct = f"{a.ci_pct_value:g}% " if a.ci_pct_value is not None else ""
        interval = f"{pct}CI {a.ci_lower_limit_text or '?'} to {a.ci_upper_limit_text or '?'}"
    return AnalysisLine(
        groups=" vs ".join(titles.get(g, g) for g in a.group_ids),
        method=a.statistical_method,
        p_value=a.p_value_text,
        estimate=estimate,
        interval=interval,
        comment=a.p_value_comment or a.estimate_comment or a.statistical_comment,
    )


def _events(trial: Trial) -> EventTable | None:
    groups = list(EventGroup.objects.filter(trial=trial))
    if not groups:
        return None
    events = list(AdverseEvent.objects.filter(trial=trial))
    column = {g.pk: i for i, g in enumerate(groups)}
    cells: dict[int, list[EventCell | None]] = {e.pk: [None] * len(groups) for e in events}
    for c in AdverseEventCount.objects.filter(trial=trial):
        if c.group_id in column:
            cells[c.event_id][column[c.group_id]] = EventCell(
                c.num_affected, c.num_at_risk, percent_text(c.num_affected, c.num_at_risk)
            )

    totals = []
    for label, prefix in (
        ("Deaths, all causes", "deaths"),
        ("Participants with serious adverse events", "serious"),
        ("Participants with other adverse events", "other"),
    ):
        row: list[EventCell | None] = []
        for g in groups:
            affected = getattr(g, f"{prefix}_num_affected")
            at_risk = getattr(g, f"{prefix}_num_at_risk")
            given = affected is not None or at_risk is not None
            row.append(
                EventCell(affected, at_risk, percent_text(affected, at_risk)) if given else None
            )
        if any(row):
            totals.append((label, row))

    def rows(serious: bool) -> list[EventRow]:
        return [
            EventRow(e, labels.EVENT_CATEGORIES.get(e.category, e.category), cells[e.pk])
            for e in events
            if e.serious == serious
        ]

    return EventTable(
        groups=groups,
        totals=totals,
        serious=rows(True),
        other=rows(False),
    )
