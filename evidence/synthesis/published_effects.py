"""Effects of the curated extraction of published results (evidence.models.PublishedResult).

Rows of one trial, citation, measure and timepoint make a comparison:

- **Group values** of a cell-therapy and a control group: with an SD, SE or 95% CI and n, a mean
  difference (the same conventions as the registry's, evidence.synthesis.effects); without a
  dispersion, when the note says they are counts of participants, or the note or measure says
  they are percentages (turned back into counts of n), a risk ratio and a risk difference.
  Several cell groups are combined.
- **A reported difference** with its 95% CI (not an odds or hazard ratio): that MD as
  published, its variance from the CI ((upper − lower) / (2 × 1.96))², with the n of each side.
- **Events** of a cell-therapy and a control group (affected of n): RR and RD.

Rows of single arms (before/after) and of a source pooling two trials are shown, not turned into
effects. An effect keeps the flags of its rows; a flagged effect is pooled only when a curator
cleared every row behind it (evidence.curating.published.clear_published_result).
"""

from __future__ import annotations

import re
from collections import defaultdict

from django.db.models import QuerySet

from evidence.models import PublishedResult
from evidence.synthesis import families
from evidence.synthesis.effects import (
    CONTROLLED,
    MD,
    Z95,
    Estimate,
    Side,
    combine,
    combine_counts,
    mean_difference,
    risk_difference,
    risk_ratio,
    sd_of,
)
from evidence.synthesis.registry_effects import TrialEffect, designs_of
from trials.models import Trial

_RATIO = re.compile(r"odds ratio|hazard ratio|\bOR\b|\bHR\b", re.I)
_COUNT_NOTE = re.compile(r"count of participants", re.I)
_PERCENT_VALUE = re.compile(r"value is a percentage", re.I)
_PERCENT_MEASURE = re.compile(r"%\s*of participants|percent(?:age)? of", re.I)
_PERCENT_NOTE = re.compile(r"value is a percentage|percent", re.I)


def _dispersion(row) -> str:
    return {
        "SD": "Standard Deviation",
        "SE": "Standard Error",
        "95% CI": "95% Confidence Interval",
    }.get(row.dispersion_type, "")


def _mean_side(row) -> Side | None:
    if row.value is None or not row.n or not _dispersion(row):
        return None
    sd = sd_of(
        _dispersion(row),
        n=row.n,
        spread=row.dispersion_or_lower,
        lower=row.dispersion_or_lower,
        upper=row.upper,
    )
    return Side(row.group_label, row.n, row.value, sd) if sd is not None else None


def _count_side(row) -> Side | None:
    if row.value is None or not row.n:
        return None
    if row.kind == "events":
        if "counts-events" in row.flags or _PERCENT_NOTE.search(row.note):
            return None  # events, not participants, or a percentage: no count of participants
        return Side(row.group_label, row.n, row.value)
    if _COUNT_NOTE.search(row.note):
        return Side(row.group_label, row.n, row.value)  # "≥50% improvement" is no percentage
    if _PERCENT_VALUE.search(row.note) or _PERCENT_MEASURE.search(row.measure):
        return Side(row.group_label, row.n, round(row.value * row.n / 100.0))
    return None


def _estimates(rows) -> list[tuple[Side, Side, Estimate, list]]:
    cells = [r for r in rows if r.group_role == "cell-therapy" and r.kind != "difference"]
    controls = [r for r in rows if r.group_role == "control" and r.kind != "difference"]
    found = []
    if cells and controls:
        means = [_mean_side(r) for r in cells], [_mean_side(r) for r in controls]
        if all(s is not None for s in means[0] + means[1]):
            cell, control = combine(means[0]), combine(means[1])
            md = mean_difference(cell, control)
            if md:
                found.append((cell, control, md, cells + controls))
        else:
            counts = [_count_side(r) for r in cells], [_count_side(r) for r in controls]
            if all(s is not None for s in counts[0] + counts[1]):
                cell, control = combine_counts(counts[0]), combine_counts(counts[1])
                for estimate in (risk_ratio(cell, control), risk_difference(cell, control)):
                    if estimate:
                        found.append((cell, control, estimate, cells + controls))
    for row in rows:
        if (
            row.kind == "difference"
            and row.dispersion_type == "95% CI"
            and None not in (row.value, row.dispersion_or_lower, row.upper)
            and not _RATIO.search(row.measure)
            and row.upper > row.dispersion_or_lower
        ):
            variance = ((row.upper - row.dispersion_or_lower) / (2 * Z95)) ** 2
            estimate = Estimate(
                MD, row.value, row.dispersion_or_lower, row.upper, row.value, variance
            )
            cell = Side("cell therapy (as published)", row.n_cell)
            control = Side("control (as published)", row.n_control)
            found.append((cell, control, estimate, [row]))
    return found


def published_effects(trials: QuerySet[Trial], rows=None) -> list[TrialEffect]:
    """The effects of these trials' published results (`rows`: those rows, when loaded
    already). Three queries, two with `rows`, whatever the rows."""
    if rows is None:
        rows = list(
            PublishedResult.objects.filter(trial__in=trials.order_by().values("pk")).order_by(
                "trial_id", "row_number"
            )
        )
    with_results = trials.filter(pk__in=PublishedResult.objects.values("trial_id"))
    # The control groups' labels tell the control type when the arm types do not.
    control_titles = defaultdict(list)
    for row in rows:
        if row.group_role == "control":
            control_titles[row.trial_id].append(row.group_label)
    designs = designs_of(with_results, control_titles)
    groups = defaultdict(list)
    for row in rows:
        groups[(row.trial_id, row.citation, row.measure, row.timepoint)].append(row)
    effects = []
    for (trial_id, citation, measure, timepoint), members in groups.items():
        nct_id, design = designs[trial_id]
        family = families.measure_family(measure)
        for cell, control, estimate, behind in _estimates(members):
            flags = tuple(sorted({f for r in behind for f in r.flags}))
            effects.append(
                TrialEffect(
                    trial_id=trial_id,
                    nct_id=nct_id,
                    source="publication",
                    citation=citation,
                    outcome_domain=members[0].outcome_domain,
                    measure=measure,
                    measure_type="",
                    timepoint=timepoint,
                    comparison=CONTROLLED,
                    family=family,
                    favours=families.favours(
                        estimate.effect_measure, estimate.ci_low, estimate.ci_high, family.better
                    ),
                    cell=cell,
                    control=control,
                    effect=estimate,
                    design=design,
                    registry_analysis="",
                    note="; ".join(PublishedResult.flag_text(f) for f in flags),
                    position=(min(r.row_number for r in behind),),
                    flags=flags,
                    cleared=all(r.cleared for r in behind if r.flags),
                    preferred=any(r.preferred for r in behind),
                )
            )
    return effects
