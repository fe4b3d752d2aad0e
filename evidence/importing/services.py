"""Writes to the evidence tables: the rebuild an import triggers, the facets, and curations.

The evidence of a trial is derived from its registry record and rebuilt as a whole whenever an
import creates or changes the trial (`trials.importing.upsert.upsert_studies` calls
`sync_trial_evidence` inside the batch's transaction). A batch costs a fixed number of statements
whatever its size — one DELETE and one INSERT per table, a few SELECTs — because the importer takes
pages of 1000 studies and per-row queries would make it crawl.

Curations are never rebuilt: they are read, applied to the new rows, and kept (see
`evidence.models.curations`; their writes are in `evidence.curating.services`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from evidence.importing.ahead import Domains
from evidence.importing.build import INSERT_ORDER, PARENTS, Builder, Curations
from evidence.models import (
    AdverseEventCount,
    EventCategoryCuration,
    OutcomeDomainCuration,
    OutcomeMeasure,
    OutcomeMeasurement,
    RegisteredOutcome,
    TrialEvidence,
)
from trials import labels
from trials.importing.bulk import insert_rows
from trials.models import Trial, TrialFacet

logger = logging.getLogger(__name__)


@transaction.atomic
def rebuild_evidence(
    *, pairs: Sequence[tuple[Trial, dict[str, Any]]], domains: Mapping[str, Domains] | None = None
) -> None:
    """Replace the evidence rows and facets of these (saved trial, registry record) pairs.

    `domains` (content hash → evidence.importing.ahead.outcome_domains of the record) holds outcome
    domains classified ahead by the import's worker; the rest are classified here."""
    if not pairs:
        return
    ids = [trial.pk for trial, _record in pairs]
    # Every rebuilt trial has a TrialEvidence row, so the trials without one (those an import
    # just created) have no rows to delete: a first import skips ten DELETEs a page.
    built = list(TrialEvidence.objects.filter(trial_id__in=ids).values_list("trial_id", flat=True))
    if built:
        for model in reversed(INSERT_ORDER):
            model.objects.filter(trial_id__in=built).delete()

    builder = Builder(curations=_curations_in_force(ids), now=timezone.now(), domains=domains)
    for trial, record in pairs:
        builder.add(trial, record)
    for model in INSERT_ORDER:
        # Parents first: their dicts receive their new ids, which their children's Refs read.
        insert_rows(model, builder.rows.get(model, []), returning_ids=model in PARENTS)
    refresh_evidence_facets(trial_ids=ids)


def sync_trial_evidence(
    pairs: Sequence[tuple[Trial, dict[str, Any]]], prepared: Mapping[str, Domains]
) -> None:
    """The record handler registered with trials.services (positional, as trials calls it), with
    evidence.importing.ahead.outcome_domains as its prepare function."""
    rebuild_evidence(pairs=pairs, domains=prepared)


def _curations_in_force(trial_ids: Sequence[int]) -> Curations:
    domains = {
        (c.trial_id, c.outcome_kind, c.measure_key): c.domain
        for c in OutcomeDomainCuration.objects.filter(trial_id__in=trial_ids).current()
        if c.domain
    }
    # A term correction applies in every trial: the whole (small) mapping is read.
    categories = {
        c.term_key: c.category for c in EventCategoryCuration.objects.current() if c.category
    }
    return Curations(domains=domains, categories=categories)


@transaction.atomic
def refresh_evidence_facets(*, trial_ids: Iterable[int]) -> None:
    """Rewrite the evidence facets of these trials from their rows (see labels.EVIDENCE_FACETS).

    - outcome_domains: domains of the registered outcomes;
    - result_domains: domains of the posted measures that have at least one value;
    - ae_categories: categories of the events with at least one participant affected in a
      declared event group, the legacy total rows left out (they are all-cause mortality, not
      an event). evidence.synthesis.pooling counts a category as reported by the same rule.
    """
    ids = list(trial_ids)
    if not ids:
        return
    registered = RegisteredOutcome.objects.filter(trial_id__in=ids).values_list(
        "trial_id", "domain"
    )
    posted = (
        OutcomeMeasure.objects.filter(trial_id__in=ids)
        .filter(Exists(OutcomeMeasurement.objects.filter(measure=OuterRef("pk"))))
        .values_list("trial_id", "domain")
    )
    reported = AdverseEventCount.objects.filter(
        trial_id__in=ids,
        num_affected__gt=0,
        group__isnull=False,
        event__is_legacy_total_row=False,
    ).values_list("trial_id", "event__category")
    pairs = (
        {("outcome_domains", row) for row in registered.distinct().order_by()}
        | {("result_domains", row) for row in posted.distinct().order_by()}
        | {("ae_categories", row) for row in reported.distinct().order_by()}
    )
    TrialFacet.objects.filter(trial_id__in=ids, facet__in=labels.EVIDENCE_FACETS).delete()
    insert_rows(
        TrialFacet,
        [
            {"trial_id": trial_id, "facet": facet, "value": value}
            for facet, (trial_id, value) in sorted(pairs)
        ],
    )


def stale_trials():
    """Trials whose evidence was never built, or was built from another version of the record."""
    built = TrialEvidence.objects.filter(
        trial=OuterRef("pk"), content_hash=OuterRef("content_hash")
    )
    return Trial.objects.filter(~Exists(built))


def rebuild_all_evidence(*, only_stale: bool = True, batch_size: int = 500) -> int:
    """Rebuild the evidence of every trial (or only the stale ones), a transaction per batch.

    For trials imported before the evidence app existed, and after a change of the rules
    (ae_categories.csv, the domain classifier): an unchanged record never calls the import hook.
    Returns how many trials were rebuilt.
    """
    trials = stale_trials() if only_stale else Trial.objects.all()
    ids = list(trials.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        chunk = Trial.objects.filter(pk__in=ids[start : start + batch_size]).only(
            "pk", "nct_id", "content_hash", "raw_record"
        )
        rebuild_evidence(pairs=[(trial, trial.raw_record) for trial in chunk])
    return len(ids)
