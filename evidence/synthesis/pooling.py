"""Adverse events pooled by category, overall, by delivery route and by cell type. Pure.

What is counted, per trial and category (docs/evidence-method.md says the same to readers):

- **Per group, the largest count of any one term.** A group's participants with "Back pain" and
  with "Procedural pain" may be the same people; the registry does not say, so the category's
  count in a group is its largest term count (a lower bound), never the sum. The group's at-risk
  number is the largest given for it.
- **Only trials that reported the category** (≥1 participant affected in some group: the rule
  of the `ae_categories` facet, so a link to /trials/?ae_category=… finds them). A trial that
  listed no such term may have seen none, or filtered it out below its reporting threshold: it
  is left out rather than counted as zero.
- **Cell-therapy groups and control groups**, each summed over the trial's groups of that role;
  other groups (a drug arm, a crossover sequence, a group of unknown role) are in neither. A
  pooled "Total" group counts as cell therapy only when its trial has no other cell-therapy group.
- **The legacy "Total, all-cause mortality" rows are not events** and are left out by the caller.

What is pooled:

- **Controlled trials** (a cell-therapy and a control side): the Mantel–Haenszel risk ratio
  (statsmodels `StratifiedTable.riskratio_pooled`) with the Greenland–Robins (1985) variance of
  its log, as metafor's `rma.mh(measure="RR")` computes it; no correction for zero cells (a
  trial with no events on either side adds nothing). Not estimable when no trial has an event on
  one of the sides.
- **Every trial with a cell-therapy side**: the incidence in the cell-therapy groups, per trial
  with its Wilson 95% CI (statsmodels `proportion_confint(method="wilson")`), pooled on the logit
  scale by DerSimonian–Laird random effects (0.5 added to both counts of a trial with 0 or all
  affected, as metafor's `escalc(measure="PLO")`), back-transformed. A pool of one trial is that
  trial's incidence and Wilson CI.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from statsmodels.stats.contingency_tables import StratifiedTable
from statsmodels.stats.proportion import proportion_confint

from evidence.synthesis.meta import Z95, PoolResult, random_effects

ALL = "all"
MH = "Mantel-Haenszel risk ratio (Greenland-Robins variance)"
LOGIT_DL = "DerSimonian-Laird random effects on the logit scale"


@dataclass(frozen=True)
class GroupCount:
    """One reported term's count in one event group (a registry `stats` row)."""

    trial_id: int
    group_id: int
    role: str  # "cell" | "control" | "" (neither, or unknown)
    pooled: bool  # a "Total" / "All participants" group
    category: str
    affected: int | None
    at_risk: int | None


@dataclass(frozen=True)
class Counts:
    affected: int
    at_risk: int

    @property
    def wilson(self) -> tuple[float, float, float]:
        """The proportion and its Wilson 95% CI."""
        low, high = proportion_confint(self.affected, self.at_risk, alpha=0.05, method="wilson")
        return self.affected / self.at_risk, float(low), float(high)


@dataclass(frozen=True)
class TrialCounts:
    trial_id: int
    category: str
    cell: Counts | None
    control: Counts | None

    @property
    def controlled(self) -> bool:
        return self.cell is not None and self.control is not None


@dataclass(frozen=True)
class RiskRatio:
    k: int
    estimate: float | None  # None: not estimable (no events on a side in any trial)
    ci_low: float | None
    ci_high: float | None
    method: str = MH


@dataclass(frozen=True)
class Incidence:
    k: int
    estimate: float  # a proportion, 0 to 1
    ci_low: float
    ci_high: float
    tau2: float | None
    i2: float | None
    pi_low: float | None
    pi_high: float | None
    method: str = LOGIT_DL


@dataclass
class SafetyPool:
    category: str
    subgroup: str
    trials: list[TrialCounts] = field(default_factory=list)
    risk_ratio: RiskRatio | None = None  # over the controlled trials, None when there are none
    incidence: Incidence | None = None  # over the trials with a cell side

    @property
    def trial_ids(self) -> set[int]:
        return {t.trial_id for t in self.trials}


def _per_group(counts: Iterable[GroupCount]):
    """(trial, group, category) → [role, pooled, largest affected, largest at risk], and the
    (trial, category) pairs with a participant affected in some group."""
    groups: dict[tuple[int, int, str], list] = {}
    reported: set[tuple[int, str]] = set()
    for c in counts:
        if c.affected:
            reported.add((c.trial_id, c.category))
        if c.affected is None or c.at_risk is None:
            continue  # a term the registry gave no number for in this group: unknown, not zero
        key = (c.trial_id, c.group_id, c.category)
        if key not in groups:
            groups[key] = [c.role, c.pooled, c.affected, c.at_risk]
        else:
            row = groups[key]
            row[2] = max(row[2], c.affected)
            row[3] = max(row[3], c.at_risk)
    return groups, reported


def trial_counts(counts: Iterable[GroupCount]) -> list[TrialCounts]:
    """Per trial and reported category, the cell-therapy and control sides (module docstring)."""
    groups, reported = _per_group(counts)
    has_cell_arm = {t for (t, _g, _c), row in groups.items() if row[0] == "cell" and not row[1]}
    sides: dict[tuple[int, str], dict[str, list[int]]] = defaultdict(dict)
    for (trial_id, _group, category), (role, pooled, affected, at_risk) in sorted(groups.items()):
        if (trial_id, category) not in reported or role not in ("cell", "control"):
            continue
        if role == "cell" and pooled and trial_id in has_cell_arm:
            continue
        side = sides[(trial_id, category)].setdefault(role, [0, 0])
        side[0] += affected
        side[1] += at_risk

    def of(side):
        return Counts(side[0], side[1]) if side and side[1] > 0 else None

    # Every reporting trial is listed, also one whose groups are neither cell therapy nor
    # control: it reported the category (the /trials/ link finds it) but adds to no pool.
    return [
        TrialCounts(trial_id, category, of(by_role.get("cell")), of(by_role.get("control")))
        for (trial_id, category) in sorted(reported)
        for by_role in [sides.get((trial_id, category), {})]
    ]


def mantel_haenszel(trials: list[TrialCounts]) -> RiskRatio:
    """The MH risk ratio of cell vs control over controlled trials, Greenland–Robins CI."""
    rows = [
        (t.cell.affected, t.cell.at_risk, t.control.affected, t.control.at_risk) for t in trials
    ]
    r = sum(a * n2 / (n1 + n2) for a, n1, c, n2 in rows)
    s = sum(c * n1 / (n1 + n2) for a, n1, c, n2 in rows)
    if not r or not s:
        return RiskRatio(len(rows), None, None, None)
    tables = np.array([[[a, n1 - a], [c, n2 - c]] for a, n1, c, n2 in rows], float)
    estimate = float(StratifiedTable(np.moveaxis(tables, 0, -1)).riskratio_pooled)
    p = sum((n1 * n2 * (a + c) - a * c * (n1 + n2)) / (n1 + n2) ** 2 for a, n1, c, n2 in rows)
    se = math.sqrt(p / (r * s))
    log_rr = math.log(estimate)
    return RiskRatio(len(rows), estimate, math.exp(log_rr - Z95 * se), math.exp(log_rr + Z95 * se))


def _logit(counts: Counts) -> tuple[float, float]:
    x, n = counts.affected, counts.at_risk
    if x == 0 or x == n:
        x, n = x + 0.5, n + 1
    return math.log(x / (n - x)), 1 / x + 1 / (n - x)


def _expit(value: float | None) -> float | None:
    return None if value is None else 1 / (1 + math.exp(-value))


def pooled_incidence(sides: list[Counts]) -> Incidence:
    """The incidence over trials, pooled on the logit scale; one trial: its Wilson CI."""
    if len(sides) == 1:
        p, low, high = sides[0].wilson
        return Incidence(1, p, low, high, None, None, None, None)
    logits = [_logit(side) for side in sides]
    pool: PoolResult = random_effects([y for y, _ in logits], [v for _, v in logits])
    return Incidence(
        pool.k,
        _expit(pool.estimate),
        _expit(pool.ci_low),
        _expit(pool.ci_high),
        pool.tau2,
        pool.i2,
        _expit(pool.pi_low),
        _expit(pool.pi_high),
    )


def safety_pools(
    counts: Iterable[GroupCount], subgroups: Mapping[int, Iterable[str]]
) -> dict[str, dict[str, SafetyPool]]:
    """subgroup ("all", "route:…", "cell_type:…") → category → its pool. `subgroups` gives each
    trial's keys; a trial without any counts only under "all"."""
    pools: dict[str, dict[str, SafetyPool]] = defaultdict(dict)
    for trial in trial_counts(counts):
        for subgroup in (ALL, *sorted(subgroups.get(trial.trial_id, ()))):
            pool = pools[subgroup].setdefault(trial.category, SafetyPool(trial.category, subgroup))
            pool.trials.append(trial)
    for by_category in pools.values():
        for pool in by_category.values():
            controlled = [t for t in pool.trials if t.controlled]
            pool.risk_ratio = mantel_haenszel(controlled) if controlled else None
            cells = [t.cell for t in pool.trials if t.cell is not None]
            pool.incidence = pooled_incidence(cells) if cells else None
    return dict(pools)
