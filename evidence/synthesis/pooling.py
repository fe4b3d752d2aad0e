"""Pooled crude incidence of adverse-event categories by delivery route. Pure: numbers in and out.

What is pooled, and why (docs/evidence.md#pooling says the same to readers):

- **Per group and category, the largest count of any one term.** A group's participants with
  "Back pain" and with "Procedural pain" may be the same people; the registry does not say, so
  the category's count in the group is the largest term count (a lower bound), never the sum
  (which could exceed the group). The group's at-risk number is the largest given for it.
- **Only trials that reported the category** (≥1 participant affected in some group: the same
  rule as the `ae_categories` facet, so a link to /trials/?ae_category=… finds them) count,
  with all their groups, including those where nobody was affected. A trial that did not list a
  term may have seen none, or filtered it out below its reporting threshold: it is left out
  rather than counted as zero.
- **Cell-therapy groups and control groups separately**; other groups (a drug arm, a
  crossover sequence, a group whose role is unknown) are in neither. A pooled "Total" group
  counts as a cell-therapy group only when its trial has no other cell-therapy group, so no
  participant is counted twice.
- **The legacy "Total, all-cause mortality" rows are not events** and are left out by the caller
  (AdverseEventQuerySet.countable).
- **By route of the trial**: a trial with two routes counts under each, and once under "all".

The result is a crude incidence (affected / at risk over the trials), not adjusted for trial,
dose, follow-up or how events were collected.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

ALL_ROUTES = ""  # the key of the row that pools every route


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


@dataclass
class Pool:
    affected: int = 0
    at_risk: int = 0
    groups: int = 0

    def add(self, affected: int, at_risk: int) -> None:
        self.affected += affected
        self.at_risk += at_risk
        self.groups += 1

    @property
    def incidence(self) -> float | None:
        """Percent of the participants at risk who were affected; None when none were at risk."""
        return 100.0 * self.affected / self.at_risk if self.at_risk else None


@dataclass
class CategoryPool:
    category: str
    trial_ids: set[int] = field(default_factory=set)
    cell: Pool = field(default_factory=Pool)
    control: Pool = field(default_factory=Pool)


def _per_group(counts: Iterable[GroupCount], reported: set[tuple[int, str]]):
    """(trial, group, category) → (role, pooled, largest affected, largest at risk).

    Adds to `reported` every (trial, category) with a participant affected in some group.
    """
    groups: dict[tuple[int, int, str], list] = {}
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
    return groups


def pool_by_route(
    counts: Iterable[GroupCount], routes: Mapping[int, Sequence[str]]
) -> dict[str, dict[str, CategoryPool]]:
    """route (ALL_ROUTES for all) → category → the trials and the pooled cell / control counts.

    `routes` gives each trial's delivery routes; a trial without one counts only under
    ALL_ROUTES.
    """
    reported: set[tuple[int, str]] = set()
    groups = _per_group(counts, reported)
    # Trials whose cell-therapy groups are arms, so that their pooled "Total" is not added.
    has_cell_arm = {t for (t, _g, _c), row in groups.items() if row[0] == "cell" and not row[1]}

    pools: dict[str, dict[str, CategoryPool]] = defaultdict(dict)
    for (trial_id, _group, category), (role, pooled, affected, at_risk) in sorted(groups.items()):
        if (trial_id, category) not in reported:
            continue
        for route in [ALL_ROUTES, *routes.get(trial_id, ())]:
            pool = pools[route].setdefault(category, CategoryPool(category))
            pool.trial_ids.add(trial_id)
            if role == "control":
                pool.control.add(affected, at_risk)
            elif role == "cell" and not (pooled and trial_id in has_cell_arm):
                pool.cell.add(affected, at_risk)
    return dict(pools)
