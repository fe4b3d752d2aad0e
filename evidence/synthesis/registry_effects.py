"""Effects of the trials' posted registry results: one TrialEffect per comparison (a selector).

For every posted measure and row (class × category) of it:

- **Controlled**: the measure has a cell-therapy group and a control group (evidence.importing.
  groups; pooled "Total" groups and groups of unknown role are left out). Means (MEAN,
  LEAST_SQUARES_MEAN) with an SD, SE or 95% CI give an MD; counts of participants
  (COUNT_OF_PARTICIPANTS, or a NUMBER whose unit is a percentage of participants, turned back
  into a count of the group's n) give an RR and an RD. Medians, geometric means and other numbers
  give none. Several cell groups (doses) are combined into one side, as are several controls.
- **Single-arm**: the measure has cell groups and no control, and says it is a change ("change"
  in the row's title, or in the title or description of a measure with one row): its mean
  change, combined over the cell groups. Rows of values before treatment ("Baseline", "Before
  surgery", "Pre-treatment") are never effects.

The registry's own analyses of the groups compared (OutcomeAnalysis) ride along as text.
Each effect carries its measure family (evidence.synthesis.families: the CSV, or a curator's
choice) and which group it favours. Nine queries for any number of trials.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet

from evidence.keys import outcome_kind
from evidence.models import (
    DesignCuration,
    MeasureFamilyCuration,
    OutcomeAnalysis,
    OutcomeDenom,
    OutcomeGroup,
    OutcomeMeasure,
    OutcomeMeasurement,
)
from evidence.synthesis import design, families
from evidence.synthesis.effects import (
    CONTROLLED,
    SINGLE_ARM,
    Estimate,
    Side,
    combine,
    combine_counts,
    mean_change,
    mean_difference,
    risk_difference,
    risk_ratio,
    sd_of,
)
from trials.models import Arm, Trial

MEAN_PARAMS = frozenset({"MEAN", "LEAST_SQUARES_MEAN"})
COUNT_PARAMS = frozenset({"COUNT_OF_PARTICIPANTS"})
_PERCENT_UNIT = re.compile(r"percent|%", re.I)
_PARTICIPANTS_UNIT = re.compile(r"participants|patients|subjects", re.I)
_CHANGE = re.compile(r"\bchange", re.I)
# A row of values before treatment is a check of balance, not an effect.
_BASELINE_ROW = re.compile(
    r"\bbaseline\b(?!.{0,40}\b(?:to|and|through|until|vs)\b)|\bbefore\b|\bscreening\b|\bpre[- ]?"
    r"(?:treatment|operative|surgery|injection|transplant\w*|infusion|administration)\b",
    re.I,
)


@dataclass(frozen=True)
class TrialDesign:
    randomized: bool | None
    masking: str  # NONE, SINGLE, DOUBLE, TRIPLE, QUADRUPLE, or "" when not given
    control_type: str  # design.CONTROL_TYPES
    phases: tuple[str, ...]

    @property
    def blinded(self) -> bool:
        return design.blinded(self.masking)


@dataclass(frozen=True)
class TrialEffect:
    """One comparison of one trial: the groups' numbers, the effect, and the trial's design."""

    trial_id: int
    nct_id: str
    source: str  # "registry" | "publication"
    citation: str
    outcome_domain: str
    measure: str  # the measure's title, and its row when it has several
    measure_type: str  # PRIMARY, SECONDARY, …
    timepoint: str
    comparison: str  # controlled | single-arm
    family: families.Family  # its direction of benefit: family.better
    favours: str  # families.CELL, CONTROL, NEITHER, UNKNOWN or NOT_COMPARED
    cell: Side
    control: Side | None
    effect: Estimate
    design: TrialDesign
    registry_analysis: str = ""  # the registry's own analysis of these groups, as posted
    note: str = ""
    position: tuple[int, ...] = field(default=(), compare=False)
    flags: tuple[str, ...] = ()  # of the published rows behind it (evidence.models.published)
    cleared: bool = False  # a curator cleared the flags
    preferred: bool = False  # a curator chose this publication over the registry

    @property
    def fit_to_pool(self) -> bool:
        """Unflagged, or flagged and cleared by a curator."""
        return not self.flags or self.cleared

    @property
    def n(self) -> int:
        return int(sum(s.n or 0 for s in (self.cell, self.control) if s is not None))

    @property
    def effect_measure(self) -> str:
        return self.effect.effect_measure

    @property
    def measure_family(self) -> str:
        return self.family.slug


def _by_measure(rows):
    grouped = defaultdict(list)
    for row in rows:
        grouped[row.measure_id].append(row)
    return grouped


def designs_of(trials: QuerySet[Trial], control_titles: dict[int, list[str]]) -> dict:
    """Trial pk → (NCT id, TrialDesign): the registry's, with a curator's corrections
    (evidence.models.DesignCuration) in force. Three queries."""
    selected = trials.order_by().values("pk")
    arms = defaultdict(list)
    for arm in Arm.objects.filter(trial__in=selected):
        arms[arm.trial_id].append(design.ArmText(arm.type, arm.label, arm.description))
    curated = defaultdict(dict)
    for c in DesignCuration.objects.current().filter(trial__in=selected).exclude(value=""):
        curated[c.trial_id][c.field] = c.value
    designs = {}
    for pk, nct_id, allocation, masking, phases in trials.order_by().values_list(
        "pk", "nct_id", "allocation", "masking", "phases"
    ):
        fixed = curated.get(pk, {})
        randomized = design.randomized(allocation)
        if "randomized" in fixed:
            randomized = fixed["randomized"] == "true"
        designs[pk] = (
            nct_id,
            TrialDesign(
                randomized=randomized,
                masking=fixed.get("masking", masking),
                control_type=fixed.get("control_type")
                or design.control_type(arms[pk], control_titles.get(pk, ())),
                phases=tuple(phases or ()),
            ),
        )
    return designs


def registry_effects(trials: QuerySet[Trial]) -> list[TrialEffect]:
    """Every computable comparison of these trials' posted results, trial and measure order."""
    selected = trials.order_by().values("pk")
    measures = list(
        OutcomeMeasure.objects.filter(trial__in=selected).order_by("trial_id", "position")
    )
    ids = [m.pk for m in measures]
    return effects_of_measures(
        measures,
        groups=OutcomeGroup.objects.filter(measure_id__in=ids),
        denoms=OutcomeDenom.objects.filter(measure_id__in=ids),
        values=OutcomeMeasurement.objects.filter(measure_id__in=ids),
        analyses=OutcomeAnalysis.objects.filter(measure_id__in=ids),
        trials=trials,
    )


def effects_of_measures(measures, *, groups, denoms, values, analyses, trials) -> list:
    """The effects of measures whose rows are loaded already (the trial page has them)."""
    groups, denoms = _by_measure(groups), _by_measure(denoms)
    values, analyses = _by_measure(values), _by_measure(analyses)
    control_titles = defaultdict(list)
    for measure in measures:
        control_titles[measure.trial_id] += [g.title for g in groups[measure.pk] if g.is_control]
    designs = designs_of(trials, control_titles)
    curated = _curated_families(trials)

    effects = []
    for measure in measures:
        nct_id, trial_design = designs[measure.trial_id]
        key = (measure.trial_id, outcome_kind(measure.type), measure.measure_key)
        family = curated.get(key) or families.measure_family(measure.title, measure.description)
        effects += _measure_effects(
            measure,
            nct_id,
            trial_design,
            family,
            groups[measure.pk],
            denoms[measure.pk],
            values[measure.pk],
            analyses[measure.pk],
        )
    return effects


def _curated_families(trials: QuerySet[Trial]) -> dict[tuple[int, str, str], families.Family]:
    """(trial, outcome kind, measure key) → the family a curator chose (evidence.curating)."""
    known = families.families_by_slug()
    curations = MeasureFamilyCuration.objects.current().filter(
        trial__in=trials.order_by().values("pk")
    )
    return {
        (c.trial_id, c.outcome_kind, c.measure_key): known[c.family]
        for c in curations
        if c.family in known
    }


def _n_of(denoms) -> dict[tuple[int, int | None], float]:
    """(group pk, class index or None) → participants; the first units listed win."""
    units = next((d.units for d in denoms), "")
    n = {}
    for d in denoms:
        if d.group_id is not None and d.value is not None and d.units == units:
            n.setdefault((d.group_id, d.class_index), d.value)
    return n


def _kind(measure: OutcomeMeasure) -> str:
    if measure.param_type in MEAN_PARAMS:
        return "mean"
    if measure.param_type in COUNT_PARAMS:
        return "count"
    unit = measure.unit_of_measure or ""
    percent = _PERCENT_UNIT.search(unit) and _PARTICIPANTS_UNIT.search(unit)
    if measure.param_type == "NUMBER" and percent:
        return "percent"
    return ""


def _side(kind, measure, group, value, n) -> Side | None:
    if value is None or value.value is None or value.value_qualifier or n is None:
        return None
    if kind == "mean":
        sd = sd_of(
            measure.dispersion_type,
            n=n,
            spread=value.spread,
            lower=value.lower_limit,
            upper=value.upper_limit,
        )
        return Side(group.title, n, value.value, sd)
    if kind == "percent":
        return Side(group.title, n, round(value.value * n / 100.0))
    return Side(group.title, n, value.value)


def _analysis_text(analyses, registry_ids: set[str]) -> str:
    lines = []
    for a in analyses:
        if not registry_ids <= set(a.group_ids) and not set(a.group_ids) <= registry_ids:
            continue
        parts = [" ".join(p for p in (a.param_type, a.param_value_text) if p)]
        if a.ci_lower_limit_text or a.ci_upper_limit_text:
            pct = f"{a.ci_pct_value:g}% " if a.ci_pct_value is not None else ""
            parts.append(f"{pct}CI {a.ci_lower_limit_text} to {a.ci_upper_limit_text}")
        if a.p_value_text:
            parts.append(f"p {a.p_value_text}")
        if a.statistical_method:
            parts.append(a.statistical_method)
        lines.append(", ".join(p for p in parts if p))
    return "; ".join(lines)


def _measure_effects(measure, nct_id, trial_design, family, groups, denoms, values, analyses):
    kind = _kind(measure)
    cells = [g for g in groups if g.role == "cell" and not g.is_pooled]
    if not cells:
        cells = [g for g in groups if g.role == "cell"]  # a trial whose only cell group is "All"
    controls = [g for g in groups if g.role == "control"]
    if not kind or not cells:
        return []
    comparison = CONTROLLED if controls else SINGLE_ARM
    if comparison == SINGLE_ARM and kind != "mean":
        return []
    n_of = _n_of(denoms)
    rows = defaultdict(dict)
    titles = {}
    for v in values:
        rows[(v.class_index, v.category_index)][v.group_id] = v
        titles[(v.class_index, v.category_index)] = (v.class_title, v.category_title)
    several = len(rows) > 1
    registry_ids = {g.registry_id for g in cells + controls}
    analysis = _analysis_text(analyses, registry_ids) if comparison == CONTROLLED else ""

    effects = []
    for (class_index, category_index), by_group in sorted(rows.items()):
        class_title, category_title = titles[(class_index, category_index)]
        row_title = " ".join(t for t in (class_title, category_title) if t)
        if several and _BASELINE_ROW.search(row_title):
            continue
        # A single arm's row is a change only when it says so, or is the measure's one row and
        # the measure says so: rows by timepoint under a "Change in …" title are often levels.
        said = row_title if several else f"{measure.title} {measure.description}"
        if comparison == SINGLE_ARM and not _CHANGE.search(said):
            continue

        def side(g, ci=class_index, by_group=by_group):
            n = n_of.get((g.pk, ci), n_of.get((g.pk, None)))
            return _side(kind, measure, g, by_group.get(g.pk), n)

        cell_sides = [side(g) for g in cells]
        control_sides = [side(g) for g in controls]
        if any(s is None for s in cell_sides + control_sides):
            continue
        merge = combine if kind == "mean" else combine_counts
        cell = merge(cell_sides)
        control = merge(control_sides) if control_sides else None
        if kind == "mean":
            estimates = [
                mean_difference(cell, control) if control else mean_change(cell),
            ]
        else:
            estimates = [risk_ratio(cell, control), risk_difference(cell, control)]
        label = " — ".join(t for t in (measure.title, class_title, category_title) if t)
        note = "count from the posted percentage" if kind == "percent" else ""
        for estimate in estimates:
            if estimate is None:
                continue
            effects.append(
                TrialEffect(
                    trial_id=measure.trial_id,
                    nct_id=nct_id,
                    source="registry",
                    citation="",
                    outcome_domain=measure.domain,
                    measure=label if several else measure.title,
                    measure_type=measure.type,
                    timepoint=class_title if several and class_title else measure.time_frame,
                    comparison=comparison,
                    family=family,
                    favours=families.favours(
                        estimate.effect_measure, estimate.ci_low, estimate.ci_high, family.better
                    ),
                    cell=cell,
                    control=control,
                    effect=estimate,
                    design=trial_design,
                    registry_analysis=analysis,
                    note=note,
                    position=(measure.position, class_index, category_index),
                )
            )
    return effects
