"""Writes to trials: the importer's upsert, the effective labels, and curations.

Every write that touches several rows goes through here (views, admin, commands and tests alike).
The upsert works a batch (one registry page) at a time with bulk statements, because per-row
queries would make a 20,000-study import take an hour; a batch is one transaction, so a failure
never leaves a trial half-written.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from trials import labels
from trials.ctgov.classify import ACCEPT, Classification, classify
from trials.ctgov.files import records_in_file
from trials.ctgov.parse import ParsedStudy, RecordRejected, content_hash, nct_id_of, parse_study
from trials.models import (
    Arm,
    AutoLabel,
    Curation,
    ImportRun,
    Intervention,
    Location,
    Reference,
    Trial,
    TrialFacet,
)

logger = logging.getLogger(__name__)

PHASE_RANKS = {"NA": 0, "EARLY_PHASE1": 1, "PHASE1": 2, "PHASE2": 3, "PHASE3": 4, "PHASE4": 5}

# Called inside the batch's transaction with the trials an import created or changed and their
# registry records, so that other apps (evidence) keep their rows in step with the trial without
# trials importing them. Registered from the other app's AppConfig.ready().
RecordHandler = Callable[[Sequence[tuple[Trial, dict[str, Any]]]], None]
_record_handlers: list[RecordHandler] = []


def register_record_handler(handler: RecordHandler) -> None:
    if handler not in _record_handlers:
        _record_handlers.append(handler)


@dataclass
class BatchResult:
    """What one batch of registry records did, by NCT id."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    older: list[str] = field(default_factory=list)
    rejections: list[dict[str, str]] = field(default_factory=list)

    @property
    def received(self) -> int:
        return (
            len(self.created)
            + len(self.updated)
            + len(self.unchanged)
            + len(self.older)
            + len(self.rejections)
        )

    def add_to(self, run: ImportRun) -> None:
        run.received += self.received
        run.created += len(self.created)
        run.updated += len(self.updated)
        run.unchanged += len(self.unchanged)
        run.older += len(self.older)
        run.rejected += len(self.rejections)
        run.rejections = [*run.rejections, *self.rejections]


def _version_key(last_update_posted: date | None, version_date: date | None) -> tuple[date, date]:
    return (last_update_posted or date.min, version_date or date.min)


def _study_key(study: ParsedStudy) -> tuple[date, date]:
    posted = study.last_update_posted.value if study.last_update_posted else None
    return _version_key(posted, study.version_date)


def _date_fields(study: ParsedStudy) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in (
        "start_date",
        "primary_completion_date",
        "completion_date",
        "first_posted",
        "last_update_posted",
        "results_first_posted",
    ):
        partial = getattr(study, name)
        values[name] = partial.value if partial else None
        values[f"{name}_precision"] = partial.precision if partial else ""
        if name in ("start_date", "primary_completion_date", "completion_date"):
            values[f"{name}_type"] = partial.type if partial else ""
    return values


def _registry_fields(study: ParsedStudy) -> dict[str, Any]:
    """The Trial columns that come from the registry record (never the curated ones)."""
    return {
        "brief_title": study.brief_title,
        "official_title": study.official_title,
        "acronym": study.acronym,
        "organization": study.organization,
        "overall_status": study.overall_status,
        "last_known_status": study.last_known_status,
        "why_stopped": study.why_stopped,
        **_date_fields(study),
        "phases": list(study.phases),
        "phase_rank": max((PHASE_RANKS.get(p, 0) for p in study.phases), default=0),
        "study_type": study.study_type,
        "allocation": study.allocation,
        "intervention_model": study.intervention_model,
        "masking": study.masking,
        "primary_purpose": study.primary_purpose,
        "enrollment": study.enrollment_count,
        "enrollment_type": study.enrollment_type,
        "has_results": study.has_results,
        "lead_sponsor": study.lead_sponsor.name,
        "lead_sponsor_class": study.lead_sponsor.sponsor_class,
        "collaborators": [{"name": c.name, "class": c.sponsor_class} for c in study.collaborators],
        "conditions": list(study.conditions),
        "keywords": list(study.keywords),
        "brief_summary": study.brief_summary,
        "detailed_description": study.detailed_description,
        "sex": study.sex,
        "minimum_age": study.minimum_age,
        "maximum_age": study.maximum_age,
        "healthy_volunteers": study.healthy_volunteers,
        "eligibility_criteria": study.eligibility_criteria,
        "officials": [
            {"name": o.name, "affiliation": o.affiliation, "role": o.role} for o in study.officials
        ],
        "countries": study.countries,
        "search_text": _search_text(study),
        "version_date": study.version_date,
    }


def _search_text(study: ParsedStudy) -> str:
    parts = [
        *study.conditions,
        *study.keywords,
        study.lead_sponsor.name,
        *(c.name for c in study.collaborators),
        *(f"{i.name} {' '.join(i.other_names)} {i.description}" for i in study.interventions),
        *(f"{a.label} {a.description}" for a in study.arms),
    ]
    return "\n".join(p for p in parts if p)


def _auto_fields(classification: Classification) -> dict[str, Any]:
    return {
        "auto_is_cell_therapy": classification.is_cell_therapy,
        "auto_donor": classification.donor,
    }


def _children(trial: Trial, study: ParsedStudy, classification: Classification):
    """The child rows of one trial, built in memory for bulk_create."""
    arms = [
        Arm(
            trial=trial,
            position=i,
            label=a.label,
            type=a.type,
            description=a.description,
            intervention_names=list(a.intervention_names),
        )
        for i, a in enumerate(study.arms)
    ]
    interventions = [
        Intervention(
            trial=trial,
            position=i,
            type=iv.type,
            name=iv.name,
            description=iv.description,
            other_names=list(iv.other_names),
            arm_labels=list(iv.arm_labels),
        )
        for i, iv in enumerate(study.interventions)
    ]
    locations = [
        Location(
            trial=trial,
            position=i,
            facility=loc.facility,
            city=loc.city,
            state=loc.state,
            country=loc.country,
            status=loc.status,
        )
        for i, loc in enumerate(study.locations)
    ]
    references = [
        Reference(trial=trial, position=i, pmid=r.pmid, type=r.type, citation=r.citation)
        for i, r in enumerate(study.references)
    ]
    auto_labels = [
        AutoLabel(
            trial=trial,
            field=label.field,
            value=label.value,
            arm=label.arm,
            phrase=label.phrase,
            source=label.source,
            confidence=label.confidence,
            accepted=label.confidence >= ACCEPT,
        )
        for label in classification.labels
    ]
    return {
        Arm: arms,
        Intervention: interventions,
        Location: locations,
        Reference: references,
        AutoLabel: auto_labels,
    }


def _parse_batch(
    records: Iterable[tuple[str, Any]], result: BatchResult
) -> dict[str, tuple[ParsedStudy, dict[str, Any], str]]:
    """Parse a batch, keeping the newest version when one NCT id comes twice."""
    parsed: dict[str, tuple[ParsedStudy, dict[str, Any], str]] = {}
    for source, record in records:
        try:
            if isinstance(record, RecordRejected):  # the reader could not get a record here
                raise record
            study = parse_study(record)
        except RecordRejected as exc:
            result.rejections.append(
                {"nct_id": exc.nct_id or nct_id_of(record), "reason": exc.reason, "source": source}
            )
            continue
        previous = parsed.get(study.nct_id)
        if previous is not None:
            older, newer = sorted(
                [previous, (study, record, source)], key=lambda p: _study_key(p[0])
            )
            result.older.append(study.nct_id)
            parsed[study.nct_id] = newer
            continue
        parsed[study.nct_id] = (study, record, source)
    return parsed


@transaction.atomic
def upsert_studies(
    *, records: Iterable[tuple[str, Any]], run: ImportRun | None = None, dry_run: bool = False
) -> BatchResult:
    """Create or update the trials of a batch of (source, registry record) pairs; one transaction.

    A record whose content hash did not change is not rewritten (its `last_seen` is bumped in one
    statement for the batch); an older version never overwrites a newer one; curated values are
    never read or written here, only the effective values derived from them are refreshed.
    """
    result = BatchResult()
    now = timezone.now()
    parsed = _parse_batch(records, result)
    existing = {t.nct_id: t for t in Trial.objects.filter(nct_id__in=parsed.keys())}

    to_create: list[Trial] = []
    to_update: list[Trial] = []
    written: list[tuple[Trial, ParsedStudy, dict[str, Any]]] = []
    for nct_id, (study, record, _source) in parsed.items():
        digest = content_hash(record)
        trial = existing.get(nct_id)
        if trial is not None and trial.content_hash == digest:
            result.unchanged.append(nct_id)
            continue
        if trial is not None and _study_key(study) < _version_key(
            trial.last_update_posted, trial.version_date
        ):
            result.older.append(nct_id)
            continue
        classification = classify(study)
        values = {
            **_registry_fields(study),
            **_auto_fields(classification),
            "raw_record": record,
            "content_hash": digest,
            "last_seen": now,
            "last_changed": now,
            "missing_since": None,
            "last_import_run": run,
        }
        if trial is None:
            trial = Trial(nct_id=nct_id, first_seen=now, **values)
            to_create.append(trial)
            result.created.append(nct_id)
        else:
            for name, value in values.items():
                setattr(trial, name, value)
            to_update.append(trial)
            result.updated.append(nct_id)
        written.append((trial, study, classification))

    if dry_run:
        return result

    seen_only = result.unchanged + result.older
    if seen_only:
        # Seen in the registry again: that is all that changed (and it is back if it was missing).
        Trial.objects.filter(nct_id__in=seen_only).update(last_seen=now, missing_since=None)
    if to_create:
        Trial.objects.bulk_create(to_create)
        if to_create[0].pk is None:  # SQLite before returning ids: fetch them
            ids = dict(
                Trial.objects.filter(nct_id__in=[t.nct_id for t in to_create]).values_list(
                    "nct_id", "pk"
                )
            )
            for trial in to_create:
                trial.pk = ids[trial.nct_id]
    if to_update:
        Trial.objects.bulk_update(to_update, list(values), batch_size=500)
        for model in (Arm, Intervention, Location, Reference, AutoLabel):
            model.objects.filter(trial__in=to_update).delete()

    rows: dict[type, list] = {}
    for trial, study, classification in written:
        for model, objs in _children(trial, study, classification).items():
            rows.setdefault(model, []).extend(objs)
    for model, objs in rows.items():
        model.objects.bulk_create(objs, batch_size=1000)

    changed = [trial for trial, _study, _classification in written]
    refresh_effective_labels(trials=changed)
    if changed:
        pairs = [(trial, parsed[trial.nct_id][1]) for trial in changed]
        for handler in _record_handlers:
            handler(pairs)
    return result


def effective_values(trial: Trial, current: dict[str, Any] | None = None) -> dict[str, Any]:
    """The effective label values of a trial: curated when curated, else automatic.

    `current` maps field → curated value in force (None or absent: not curated); it is read from
    the database when not given.
    """
    if current is None:
        current = {c.field: c.value for c in trial.curations.current()}
    values: dict[str, Any] = {}
    is_cell = current.get("is_cell_therapy")
    values["is_cell_therapy"] = trial.auto_is_cell_therapy if is_cell is None else bool(is_cell)
    donor = current.get("donor")
    values["donor"] = (trial.auto_donor if donor is None else donor) or "unknown"
    accepted = [label for label in trial.auto_labels.all() if label.accepted and not label.arm]
    for name in labels.SET_FIELDS:
        curated = current.get(name)
        if curated is not None:
            values[name] = sorted(set(curated))
        elif values["is_cell_therapy"]:
            values[name] = sorted({label.value for label in accepted if label.field == name})
        else:
            # A study that is not a cell therapy has no cell types, sources or routes.
            values[name] = []
    values["origins"] = {
        name: ("curated" if current.get(name) is not None else "auto")
        for name in labels.LABEL_FIELDS
    }
    return values


def refresh_effective_labels(*, trials: Sequence[Trial]) -> None:
    """Recompute the stored effective values (and facet rows) of these trials."""
    if not trials:
        return
    ids = [t.pk for t in trials]
    current: dict[int, dict[str, Any]] = {}
    for curation in Curation.objects.filter(trial_id__in=ids).current():
        current.setdefault(curation.trial_id, {})[curation.field] = curation.value
    autos: dict[int, list[AutoLabel]] = {}
    for label in AutoLabel.objects.filter(trial_id__in=ids, accepted=True, arm=""):
        autos.setdefault(label.trial_id, []).append(label)

    facets: list[TrialFacet] = []
    for trial in trials:
        # Reuse the labels just read instead of a query per trial.
        trial._prefetched_objects_cache = {
            **getattr(trial, "_prefetched_objects_cache", {}),
            "auto_labels": autos.get(trial.pk, []),
        }
        values = effective_values(trial, current.get(trial.pk, {}))
        trial.is_cell_therapy = values["is_cell_therapy"]
        trial.donor = values["donor"]
        facets.extend(
            TrialFacet(trial=trial, facet=facet, value=value)
            for facet, value in _facet_values(trial, values)
        )
    Trial.objects.bulk_update(trials, ["is_cell_therapy", "donor"], batch_size=500)
    # Only the facets written here: other apps keep their own facets of the trial (evidence).
    TrialFacet.objects.filter(trial_id__in=ids, facet__in=TrialFacet.FACETS).delete()
    TrialFacet.objects.bulk_create(facets, batch_size=2000)


def start_run(
    *, mode: str, query: dict[str, Any], since: date | None = None, dry_run: bool = False
):
    """Open an ImportRun (status running) that the batches of this run are counted into."""
    return ImportRun.objects.create(
        mode=mode, query=query, since=since, dry_run=dry_run, started_at=timezone.now()
    )


def import_batch(*, run: ImportRun, records: Iterable[tuple[str, Any]]) -> BatchResult:
    """Upsert one batch and count it into the run; the run's counts are saved with the batch."""
    with transaction.atomic():
        result = upsert_studies(records=records, run=run, dry_run=run.dry_run)
        result.add_to(run)
        run.save()
        if run.dry_run:
            transaction.set_rollback(True)
    for rejection in result.rejections:
        logger.warning(
            "rejected %s (%s): %s",
            rejection["nct_id"] or "?",
            rejection["source"],
            rejection["reason"],
        )
    return result


def finish_run(
    *, run: ImportRun, status: str | None = None, error: str = "", watermark: date | None = None
) -> ImportRun:
    """Close a run; without a status: partial when records were rejected, else succeeded."""
    if error:
        run.errors = [*run.errors, error]
    if status is None:
        status = ImportRun.Status.PARTIAL if run.rejected else ImportRun.Status.SUCCEEDED
    run.status = status
    run.watermark = watermark
    run.finished_at = timezone.now()
    run.save()
    return run


def import_files(*, paths: Sequence[Any], batch_size: int = 200) -> ImportRun:
    """Import registry records from study files and recorded /studies pages, in order."""
    run = start_run(mode=ImportRun.Mode.FILE, query={"files": [str(p) for p in paths]})
    batch: list[tuple[str, Any]] = []
    try:
        for path in paths:
            for pair in records_in_file(path):
                batch.append(pair)
                if len(batch) >= batch_size:
                    import_batch(run=run, records=batch)
                    batch = []
        if batch:
            import_batch(run=run, records=batch)
    except Exception as exc:
        finish_run(run=run, status=ImportRun.Status.FAILED, error=f"{type(exc).__name__}: {exc}")
        raise
    return finish_run(run=run)


def _facet_values(trial: Trial, values: dict[str, Any]):
    for name in labels.SET_FIELDS:
        for value in values[name]:
            yield name, value
    yield "donor", values["donor"]
    for phase in set(trial.phases):
        yield "phases", phase
    for country in set(trial.countries):
        yield "countries", country
    if trial.overall_status:
        yield "status", trial.overall_status
    if trial.study_type:
        yield "study_type", trial.study_type
    if trial.lead_sponsor_class:
        yield "sponsor_class", trial.lead_sponsor_class
    yield "has_results", "true" if trial.has_results else "false"


class CurationError(ValueError):
    """A curation that cannot be applied; the message says why."""


def validate_curation_value(field_name: str, value: Any) -> Any:
    """Check a curated value against the vocabulary of its field and return it normalised."""
    if field_name not in labels.LABEL_FIELDS:
        raise CurationError(f"unknown field {field_name!r}")
    if value is None:
        return None
    if field_name == "is_cell_therapy":
        if not isinstance(value, bool):
            raise CurationError("is_cell_therapy takes true or false")
        return value
    vocabulary = labels.LABEL_FIELDS[field_name]
    if field_name == "donor":
        if value not in vocabulary:
            raise CurationError(f"unknown donor {value!r} (one of {', '.join(vocabulary)})")
        return value
    if isinstance(value, str) or not isinstance(value, list | tuple | set):
        raise CurationError(f"{field_name} takes a list of slugs")
    unknown = sorted(set(value) - set(vocabulary))
    if unknown:
        raise CurationError(
            f"unknown {field_name} slug(s) {', '.join(unknown)} (one of {', '.join(vocabulary)})"
        )
    return sorted(set(value))


@transaction.atomic
def curate(
    *,
    trial: Trial,
    field_name: str,
    value: Any,
    note: str,
    curator=None,
    curator_name: str = "",
    at: datetime | None = None,
) -> Curation | None:
    """Record a curator's value for one label field (None hands it back to the classifier).

    Returns the new Curation, or None when the value in force is already this one, so that
    applying the same correction twice changes nothing.
    """
    if not note or not note.strip():
        raise CurationError("a curation needs a note saying why")
    value = validate_curation_value(field_name, value)
    in_force = Curation.objects.filter(trial=trial, field=field_name).order_by("-pk").first()
    if (in_force.value if in_force else None) == value:
        return None
    curation = Curation.objects.create(
        trial=trial,
        field=field_name,
        value=value,
        note=note.strip(),
        curator=curator,
        curator_name=curator_name,
        created_at=at or timezone.now(),
    )
    refresh_effective_labels(trials=[trial])
    return curation
