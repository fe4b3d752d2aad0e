"""Writes to the evidence tables: the rebuild an import triggers, the facets, and curations.

The evidence of a trial is derived from its registry record and rebuilt as a whole whenever an
import creates or changes the trial (`trials.services.upsert_studies` calls `sync_trial_evidence`
inside the batch's transaction). A batch costs a fixed number of statements whatever its size —
one DELETE and one INSERT per table, a few SELECTs — because the importer takes pages of 1000
studies and per-row queries would make it crawl.

Curations are never rebuilt: they are read, applied to the new rows, and kept (see
`evidence.models.curations`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from evidence.ahead import Domains
from evidence.build import INSERT_ORDER, PARENTS, Builder, Curations
from evidence.keys import OUTCOME_KINDS, outcome_kind, result_types_of_kind, text_key
from evidence.models import (
    AdverseEvent,
    AdverseEventCount,
    EventCategoryCuration,
    OutcomeDomainCuration,
    OutcomeMeasure,
    OutcomeMeasurement,
    RegisteredOutcome,
    TrialEvidence,
)
from trials import labels
from trials.bulk import insert_rows
from trials.models import Trial, TrialChange, TrialFacet
from trials.services import CurationError

logger = logging.getLogger(__name__)


@transaction.atomic
def rebuild_evidence(
    *, pairs: Sequence[tuple[Trial, dict[str, Any]]], domains: Mapping[str, Domains] | None = None
) -> None:
    """Replace the evidence rows and facets of these (saved trial, registry record) pairs.

    `domains` (content hash → evidence.ahead.outcome_domains of the record) holds outcome domains
    classified ahead by the import's worker; the rest are classified here."""
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
    evidence.ahead.outcome_domains as its prepare function."""
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
      an event). evidence.pooling counts a category as reported by the same rule.
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


# --- Curations ----------------------------------------------------------------------------


def _check_note(note: str) -> str:
    if not note or not note.strip():
        raise CurationError("a curation needs a note saying why")
    return note.strip()


def _outcome_rows(trial: Trial, kind: str, key: str):
    registered = RegisteredOutcome.objects.filter(trial=trial, type=kind, measure_key=key)
    posted = OutcomeMeasure.objects.filter(
        trial=trial, type__in=result_types_of_kind(kind), measure_key=key
    )
    return registered, posted


def check_outcome_domain(
    *, trial: Trial, outcome_type: str, measure: str, domain: str | None
) -> tuple[str, str]:
    """Check a domain curation without writing anything: its (outcome kind, measure key).

    Raises CurationError for an unknown type or domain, or an outcome the trial does not have.
    """
    kind = outcome_kind(outcome_type)
    if kind not in OUTCOME_KINDS:
        raise CurationError(f"unknown outcome type {outcome_type!r}")
    if domain is not None and domain not in labels.OUTCOME_DOMAINS:
        raise CurationError(
            f"unknown outcome domain {domain!r} (one of {', '.join(labels.OUTCOME_DOMAINS)})"
        )
    key = text_key(measure)
    registered, posted = _outcome_rows(trial, kind, key)
    if not registered.exists() and not posted.exists():
        raise CurationError(f"{trial.nct_id} has no {kind} outcome {measure!r}")
    return kind, key


@transaction.atomic
def curate_outcome_domain(
    *,
    trial: Trial,
    outcome_type: str,
    measure: str,
    domain: str | None,
    note: str,
    curator=None,
    curator_name: str = "",
    at: datetime | None = None,
) -> OutcomeDomainCuration | None:
    """Set the domain of a trial's outcomes of this type and measure (None: back to automatic).

    `outcome_type` is a registered type (primary, secondary, other) or a posted one (PRIMARY,
    OTHER_PRE_SPECIFIED, POST_HOC, …); the correction applies to the registered outcome and the
    posted measure of that kind whose text is the same once case and punctuation are ignored,
    now and after every re-import. Returns the new curation, or None when this domain is already
    the one in force.
    """
    note = _check_note(note)
    kind, key = check_outcome_domain(
        trial=trial, outcome_type=outcome_type, measure=measure, domain=domain
    )
    in_force = (
        OutcomeDomainCuration.objects.filter(trial=trial, outcome_kind=kind, measure_key=key)
        .order_by("-pk")
        .first()
    )
    if (in_force.domain if in_force else "") == (domain or ""):
        return None
    at = at or timezone.now()
    curation = OutcomeDomainCuration.objects.create(
        trial=trial,
        outcome_kind=kind,
        measure_key=key,
        measure=measure,
        domain=domain or "",
        note=note,
        curator=curator,
        curator_name=curator_name,
        created_at=at,
    )
    before = after = ""
    for rows in _outcome_rows(trial, kind, key):
        before = before or (rows.values_list("domain", flat=True).first() or "")
        if domain is None:
            rows.update(domain=F("auto_domain"), domain_origin="auto")
        else:
            rows.update(domain=domain, domain_origin="curated")
        after = after or (rows.values_list("domain", flat=True).first() or "")
    refresh_evidence_facets(trial_ids=[trial.pk])
    _record_in_history(
        trials=[trial.pk],
        field="outcome_domain",
        old=f"{measure}: {before or 'none'}",
        new=f"{measure}: {after or 'none'}",
        note=note,
        curator=curator,
        curator_name=curator_name,
        at=at,
    )
    return curation


def _record_in_history(
    *, trials: Iterable[int], field: str, old: str, new: str, note: str, curator, curator_name, at
) -> None:
    """A curator's evidence correction in each affected trial's history (timeline, /changes/)."""
    TrialChange.objects.bulk_create(
        TrialChange(
            trial_id=trial_id,
            at=at,
            kind=TrialChange.Kind.CURATION,
            field=field,
            old_value=old,
            new_value=new,
            curator=curator,
            curator_name=curator_name,
            note=note,
        )
        for trial_id in sorted(trials)
    )


def check_event_category(*, term: str, category: str | None) -> str:
    """Check a category curation without writing anything: the term's key (CurationError)."""
    key = text_key(term)
    if not key:
        raise CurationError("a term is needed")
    if category is not None and category not in labels.EVENT_CATEGORIES:
        raise CurationError(
            f"unknown category {category!r} (one of {', '.join(labels.EVENT_CATEGORIES)})"
        )
    return key


@transaction.atomic
def curate_event_category(
    *,
    term: str,
    category: str | None,
    note: str,
    curator=None,
    curator_name: str = "",
    at: datetime | None = None,
) -> EventCategoryCuration | None:
    """Set the category of an adverse-event term in every trial (None: back to the CSV mapping).

    The term is matched with case and punctuation ignored, whatever its organ system; the
    correction applies now and to every event imported later. Returns the new curation, or None
    when this category is already the one in force.
    """
    note = _check_note(note)
    key = check_event_category(term=term, category=category)
    in_force = EventCategoryCuration.objects.filter(term_key=key).order_by("-pk").first()
    if (in_force.category if in_force else "") == (category or ""):
        return None
    at = at or timezone.now()
    curation = EventCategoryCuration.objects.create(
        term_key=key,
        term=term,
        category=category or "",
        note=note,
        curator=curator,
        curator_name=curator_name,
        created_at=at,
    )
    events = AdverseEvent.objects.filter(term_key=key)
    trial_ids = set(events.values_list("trial_id", flat=True))
    before = events.values_list("category", flat=True).first() or ""
    if category is None:
        events.update(category=F("auto_category"), category_origin="auto")
    else:
        events.update(category=category, category_origin="curated")
    after = events.values_list("category", flat=True).first() or ""
    refresh_evidence_facets(trial_ids=trial_ids)
    _record_in_history(
        trials=trial_ids,
        field="event_category",
        old=f"{term}: {before or 'none'}",
        new=f"{term}: {after or 'none'}",
        note=note,
        curator=curator,
        curator_name=curator_name,
        at=at,
    )
    return curation
