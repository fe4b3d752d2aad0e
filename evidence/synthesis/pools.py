"""Pools of per-trial effects: measure family × timepoint window × effect measure, overall and by
cell type, route and donor (the selector `pools_of`, and the pure `pool_effects`).

What goes into a pool:

- **Controlled comparisons only.** Single-arm changes are never pooled with them (nor with each
  other: a change without a comparator is shown, not synthesised).
- **Classified measures only.** A measure no row of measure_families.csv matched is not pooled:
  two unclassified measures need not measure the same thing.
- **One effect per trial and pool.** When a trial has several, the registry's is used before a
  publication's (unless a curator preferred the publication), then the primary measure's, then
  the one with the most participants, then the first posted.
- **Flagged published results** (link inferred, secondary source, pre-correction, counted
  events) only once a curator cleared them.
- **By trial labels.** A trial with two cell types (or routes) counts in each of their
  subgroups, once in "all".
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from evidence.synthesis import families
from evidence.synthesis.effects import CONTROLLED, RR
from evidence.synthesis.meta import DL, PoolResult, random_effects, timepoint_window
from evidence.synthesis.registry_effects import TrialEffect
from trials import labels

ALL = "all"
SUBGROUP_FACETS = {"cell_types": "cell_type", "routes": "route", "donor": "donor"}
SUBGROUP_LABELS = {
    "cell_type": labels.CELL_TYPES,
    "route": labels.ROUTES,
    "donor": labels.DONORS,
}


def subgroup_label(subgroup: str) -> str:
    """'all' → 'All trials'; 'route:intrathecal' → 'Route: intrathecal'."""
    if subgroup == ALL:
        return "All trials"
    kind, _, value = subgroup.partition(":")
    word = {"cell_type": "Cell type", "route": "Route", "donor": "Donor"}[kind]
    return f"{word}: {SUBGROUP_LABELS[kind].get(value, value)}"


@dataclass(frozen=True)
class Pool:
    family: families.Family
    timepoint_window: str
    subgroup: str
    effect_measure: str
    result: PoolResult
    effects: tuple[TrialEffect, ...]

    def _natural(self, value: float | None) -> float | None:
        if value is None:
            return None
        return math.exp(value) if self.effect_measure == RR else value

    @property
    def measure_family(self) -> str:
        return self.family.slug

    @property
    def k(self) -> int:
        return self.result.k

    @property
    def participants(self) -> int:
        return sum(e.n for e in self.effects)

    @property
    def method(self) -> str:
        return self.result.method

    @property
    def estimate(self) -> float:
        return self._natural(self.result.estimate)

    @property
    def ci_low(self) -> float:
        return self._natural(self.result.ci_low)

    @property
    def ci_high(self) -> float:
        return self._natural(self.result.ci_high)

    @property
    def pi_low(self) -> float | None:
        return self._natural(self.result.pi_low)

    @property
    def pi_high(self) -> float | None:
        return self._natural(self.result.pi_high)

    @property
    def tau2(self) -> float | None:
        return self.result.tau2

    @property
    def i2(self) -> float | None:
        return self.result.i2

    @property
    def nct_ids(self) -> list[str]:
        return [e.nct_id for e in self.effects]

    @property
    def subgroup_label(self) -> str:
        return subgroup_label(self.subgroup)

    @property
    def window_label(self) -> str:
        from evidence.synthesis.meta import WINDOWS

        return WINDOWS[self.timepoint_window]

    @property
    def favours(self) -> str:
        return families.favours(self.effect_measure, self.ci_low, self.ci_high, self.family.better)

    @property
    def randomized(self) -> int:
        return sum(bool(e.design.randomized) for e in self.effects)

    @property
    def blinded(self) -> int:
        return sum(e.design.blinded for e in self.effects)


def _preference(effect: TrialEffect):
    registry_first = effect.source != "registry" and not effect.preferred
    return (
        not effect.preferred,
        registry_first,
        effect.measure_type != "PRIMARY",
        -effect.n,
        effect.position,
    )


def one_per_trial(effects: Iterable[TrialEffect]) -> list[TrialEffect]:
    """The effect each trial contributes to a pool (see the module docstring), in NCT order."""
    chosen: dict[int, TrialEffect] = {}
    for effect in effects:
        best = chosen.get(effect.trial_id)
        if best is None or _preference(effect) < _preference(best):
            chosen[effect.trial_id] = effect
    return sorted(chosen.values(), key=lambda e: e.nct_id)


def poolable(effect: TrialEffect) -> bool:
    return effect.comparison == CONTROLLED and bool(effect.family.slug) and effect.fit_to_pool


def pool_effects(
    effects: Iterable[TrialEffect],
    subgroups: Mapping[int, Iterable[str]],
    method: str = "dl",
) -> list[Pool]:
    """Every pool of these effects; `subgroups` gives each trial's "route:…", "cell_type:…",
    "donor:…" keys (a trial without any counts only under "all")."""
    cells: dict[tuple[str, str, str, str], list[TrialEffect]] = defaultdict(list)
    by_slug: dict[str, families.Family] = {}
    for effect in effects:
        if not poolable(effect):
            continue
        by_slug[effect.family.slug] = effect.family
        window = timepoint_window(effect.timepoint)
        for subgroup in (ALL, *sorted(subgroups.get(effect.trial_id, ()))):
            key = (effect.family.slug, window, effect.effect_measure, subgroup)
            cells[key].append(effect)

    pools = []
    for (slug, window, measure, subgroup), members in sorted(cells.items()):
        chosen = one_per_trial(members)
        result = random_effects(
            [e.effect.yi for e in chosen], [e.effect.vi for e in chosen], method
        )
        pools.append(Pool(by_slug[slug], window, subgroup, measure, result, tuple(chosen)))
    return pools


def method_line() -> str:
    return (
        f"{DL} (DerSimonian–Laird τ², statsmodels combine_effects), 95% CI by the normal "
        "distribution; prediction interval (k ≥ 3) by t with k − 2 degrees of freedom; RR "
        "pooled on the log scale. One effect per trial; controlled comparisons of classified "
        "measures only."
    )
