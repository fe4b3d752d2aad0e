"""Reads for the synthesis: the trials' subgroups, effects, pools and adverse-event pools.

`synthesis_of(trials)` reads everything the downloads and the summary need in a fixed number of
queries (the effects' eight, the facets, the adverse-event counts, the NCT ids).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet

from evidence.models import AdverseEventCount
from evidence.synthesis import design
from evidence.synthesis.pooling import GroupCount, SafetyPool, safety_pools
from evidence.synthesis.pools import SUBGROUP_FACETS, Pool, pool_effects
from evidence.synthesis.published_effects import published_effects
from evidence.synthesis.registry_effects import TrialEffect, registry_effects
from trials.models import Trial, TrialFacet


def subgroups_of(trials: QuerySet[Trial]) -> dict[int, list[str]]:
    """Trial pk → its subgroup keys ("cell_type:msc", "route:intrathecal", "donor:autologous");
    an unknown donor is no subgroup. One query."""
    subgroups: dict[int, list[str]] = defaultdict(list)
    rows = TrialFacet.objects.filter(
        trial__in=trials.order_by().values("pk"), facet__in=SUBGROUP_FACETS
    ).values_list("trial_id", "facet", "value")
    for trial_id, facet, value in rows:
        if facet == "donor" and value == "unknown":
            continue
        subgroups[trial_id].append(f"{SUBGROUP_FACETS[facet]}:{value}")
    return dict(subgroups)


@dataclass(frozen=True)
class EventCount:
    """One group's count of one adverse-event term, as the pools and the pages read it."""

    trial_id: int
    group_id: int
    is_cell_therapy_group: bool
    is_control: bool
    is_pooled: bool
    category: str
    term: str
    serious: bool
    affected: int | None
    at_risk: int | None


def adverse_event_counts(trials: QuerySet[Trial]) -> list[EventCount]:
    """Every group's count of every event term of these trials, legacy total rows left out
    (they are all-cause deaths, not an event term). One query."""
    rows = (
        AdverseEventCount.objects.filter(
            trial__in=trials.order_by().values("pk"), group__isnull=False
        )
        .filter(event__is_legacy_total_row=False)
        .values_list(
            "trial_id",
            "group_id",
            "group__is_cell_therapy_group",
            "group__is_control",
            "group__is_pooled",
            "event__category",
            "event__term",
            "event__serious",
            "num_affected",
            "num_at_risk",
        )
    )
    return [EventCount(*row) for row in rows]


def adverse_event_pools(
    trials: QuerySet[Trial],
    subgroups: dict[int, list[str]],
    counts: list[EventCount] | None = None,
) -> dict[str, dict[str, SafetyPool]]:
    """Adverse events pooled overall, by route and by cell type (not by donor); `counts` when
    the caller has read them already (adverse_event_counts), else one query."""
    counts = adverse_event_counts(trials) if counts is None else counts
    by_trial = {
        pk: [k for k in keys if not k.startswith("donor:")] for pk, keys in subgroups.items()
    }
    return safety_pools(
        (
            GroupCount(
                trial_id=c.trial_id,
                group_id=c.group_id,
                role="control" if c.is_control else ("cell" if c.is_cell_therapy_group else ""),
                pooled=c.is_pooled,
                category=c.category,
                affected=c.affected,
                at_risk=c.at_risk,
            )
            for c in counts
        ),
        by_trial,
    )


@dataclass
class Synthesis:
    effects: list[TrialEffect]
    pools: list[Pool]
    safety: dict[str, dict[str, SafetyPool]]
    nct_ids: dict[int, str]
    designs: dict[int, tuple[bool | None, bool]]  # trial pk → (randomized, blinded)


def all_effects(trials: QuerySet[Trial]) -> list[TrialEffect]:
    """The effects of the registry's posted results, then those of published results."""
    return registry_effects(trials) + published_effects(trials)


def synthesis_of(trials: QuerySet[Trial]) -> Synthesis:
    """The trials' effects, their pools and the adverse-event pools."""
    subgroups = subgroups_of(trials)
    effects = all_effects(trials)
    rows = list(trials.order_by().values_list("pk", "nct_id", "allocation", "masking"))
    return Synthesis(
        effects=effects,
        pools=pool_effects(effects, subgroups),
        safety=adverse_event_pools(trials, subgroups),
        nct_ids={pk: nct_id for pk, nct_id, _a, _m in rows},
        designs={pk: (design.randomized(a), design.blinded(m)) for pk, _n, a, m in rows},
    )
