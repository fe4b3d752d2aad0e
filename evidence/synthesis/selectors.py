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


def adverse_event_pools(
    trials: QuerySet[Trial], subgroups: dict[int, list[str]]
) -> dict[str, dict[str, SafetyPool]]:
    """Adverse events pooled overall, by route and by cell type (not by donor). One query."""
    counts = (
        AdverseEventCount.objects.filter(
            trial__in=trials.order_by().values("pk"), group__isnull=False
        )
        .filter(event__is_legacy_total_row=False)  # all-cause deaths, not an event term
        .values_list(
            "trial_id",
            "group_id",
            "group__is_cell_therapy_group",
            "group__is_control",
            "group__is_pooled",
            "event__category",
            "num_affected",
            "num_at_risk",
        )
    )
    by_trial = {
        pk: [k for k in keys if not k.startswith("donor:")] for pk, keys in subgroups.items()
    }
    return safety_pools(
        (
            GroupCount(
                trial_id=t,
                group_id=g,
                role="control" if control else ("cell" if cell else ""),
                pooled=pooled,
                category=category,
                affected=affected,
                at_risk=at_risk,
            )
            for t, g, cell, control, pooled, category, affected, at_risk in counts
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
