"""Reads for the synthesis: the trials' subgroups, their effects and their pools."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import QuerySet

from evidence.synthesis.pools import SUBGROUP_FACETS, Pool, pool_effects
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


def effects_and_pools(trials: QuerySet[Trial]) -> tuple[list[TrialEffect], list[Pool]]:
    """The trials' effects and every pool of them (nine queries)."""
    effects = registry_effects(trials)
    return effects, pool_effects(effects, subgroups_of(trials))
