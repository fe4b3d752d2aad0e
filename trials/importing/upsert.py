"""The importer's writes: batch upsert of registry records, import runs, missing trials.

The upsert works a batch (one registry page) at a time with bulk statements, because per-row
queries would make a 20,000-study import take an hour; a batch is one transaction, so a failure
never leaves a trial half-written.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from trials import extensions, labels
from trials.classify import Classification, classify
from trials.effective import compute_effective, curations_in_force, facet_values
from trials.history import recording
from trials.importing.bulk import insert_rows
from trials.importing.pipeline import Prepared
from trials.importing.rows import auto_fields, child_rows, registry_fields
from trials.importing.runs import Interrupted, mark_interrupted, owner
from trials.models import (
    Arm,
    AutoLabel,
    ImportRun,
    Intervention,
    Location,
    Reference,
    Trial,
    TrialChange,
    TrialFacet,
)
from trials.registries.ctgov.files import records_in_file
from trials.registries.ctgov.parse import (
    ParsedStudy,
    RecordRejected,
    content_hash,
    nct_id_of,
    parse_study,
)

logger = logging.getLogger(__name__)


# Long texts an upsert overwrites but never compares.
_UNREAD_COLUMNS = (
    "raw_record",
    "search_text",
    "brief_summary",
    "detailed_description",
    "eligibility_criteria",
)


# A trial row carries its raw record (~20 KB of JSON): one INSERT for a whole page built a
# statement of tens of megabytes, the import's peak memory. Smaller statements cost no speed.
TRIAL_ROWS_PER_INSERT = 100


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


def _skip_unchanged(
    records: list[tuple[str, Any]], hashes: dict[int, str], result: BatchResult
) -> tuple[list[tuple[str, Any]], list[Trial]]:
    """Count the records stored unchanged as such, by their content hash alone, and return the
    others, and the unchanged trials that were flagged missing (they are back).

    The nightly re-fetch is mostly unchanged records: recognising them before parsing halves the
    cost of an unchanged import. An NCT id that comes twice in the batch takes the full path,
    which keeps its newest version. `hashes` (id() of a record → content hash) is filled in.
    """
    ids = Counter(nct_id_of(record) for _source, record in records)
    stored = {
        nct_id: (pk, digest, missing_since)
        for pk, nct_id, digest, missing_since in Trial.objects.filter(
            nct_id__in=[n for n in ids if n]
        ).values_list("pk", "nct_id", "content_hash", "missing_since")
    }
    rest: list[tuple[str, Any]] = []
    returned: list[Trial] = []
    for source, record in records:
        nct_id = nct_id_of(record)
        known = stored.get(nct_id) if ids[nct_id] == 1 else None
        if known is not None and isinstance(record, dict):
            digest = hashes.get(id(record))
            if digest is None:
                digest = hashes[id(record)] = content_hash(record)
            if digest == known[1]:
                result.unchanged.append(nct_id)
                if known[2] is not None:
                    returned.append(Trial(pk=known[0], nct_id=nct_id))
                continue
        rest.append((source, record))
    return rest, returned


@transaction.atomic
def upsert_studies(
    *,
    records: Iterable[tuple[str, Any]],
    run: ImportRun | None = None,
    dry_run: bool = False,
    ahead: Mapping[str, Prepared] | None = None,
    digests: Mapping[int, str] | None = None,
) -> BatchResult:
    """Create or update the trials of a batch of (source, registry record) pairs; one transaction.

    A record whose content hash did not change is not rewritten (its `last_seen` is bumped in one
    statement for the batch); an older version never overwrites a newer one; curated values are
    never read or written here, only the effective values derived from them are refreshed.

    History: a created trial gets a "first seen" TrialChange; an updated one a TrialChange per
    tracked registry field (trials.history.recording.REGISTRY_FIELDS) and per effective label that
    changed, compared with the Trial rows already read for the update, so history costs no extra
    query per trial. Unchanged records write no history.

    `ahead` (content hash → Prepared) holds what was made of records ahead, in another process
    (trials.importing.pipeline); a record without it is classified here. `digests` holds content
    hashes computed ahead, by id() of the record.
    """
    result = BatchResult()
    now = timezone.now()
    hashes = dict(digests or {})
    records, returned = _skip_unchanged(list(records), hashes, result)
    parsed = _parse_batch(records, result)
    # The large text columns are only ever overwritten here, never compared: don't read them.
    existing = {
        t.nct_id: t for t in Trial.objects.filter(nct_id__in=parsed.keys()).defer(*_UNREAD_COLUMNS)
    }

    to_create: list[Trial] = []
    to_update: list[Trial] = []
    before: dict[str, dict[str, Any]] = {}  # NCT id → tracked registry values before the update
    written: list[tuple[Trial, ParsedStudy, Classification]] = []
    for nct_id, (study, record, _source) in parsed.items():
        digest = hashes.get(id(record)) or content_hash(record)
        trial = existing.get(nct_id)
        if trial is not None and trial.content_hash == digest:
            result.unchanged.append(nct_id)
            continue
        if trial is not None and _study_key(study) < _version_key(
            trial.last_update_posted, trial.version_date
        ):
            result.older.append(nct_id)
            continue
        prepared = ahead.get(digest) if ahead else None
        classification = prepared.classification if prepared else classify(study)
        fields = {
            **registry_fields(study),
            **auto_fields(classification),
            "raw_record": record,
            "content_hash": digest,
            "last_seen": now,
            "last_changed": now,
            "missing_since": None,
            "last_import_run": run,
        }
        if trial is None:
            trial = Trial(nct_id=nct_id, first_seen=now, **fields)
            to_create.append(trial)
            result.created.append(nct_id)
        else:
            before[nct_id] = recording.registry_snapshot(trial)
            for name, value in fields.items():
                setattr(trial, name, value)
            to_update.append(trial)
            result.updated.append(nct_id)
        written.append((trial, study, classification))

    if dry_run:
        return result

    changes: list[TrialChange] = []
    seen_only = result.unchanged + result.older
    returned += [existing[n] for n in seen_only if n in existing and existing[n].missing_since]
    changes += [
        recording.back_in_registry(trial, at=now, run=run) for trial in dict.fromkeys(returned)
    ]
    if seen_only:
        # Seen in the registry again: that is all that changed (and it is back if it was missing).
        Trial.objects.filter(nct_id__in=seen_only).update(last_seen=now, missing_since=None)

    # Effective values are settled in memory before writing, so each trial is written once
    # (re-reading and re-updating every trial after the insert cost half the import's time).
    labels_before = recording.label_snapshots(to_update)  # before they change below
    curated = curations_in_force([t.pk for t in to_update])
    effective: dict[str, dict[str, Any]] = {}
    facets: list[tuple[Trial, str, str]] = []
    for trial, _study, classification in written:
        values = effective[trial.nct_id] = compute_effective(
            auto_is_cell_therapy=trial.auto_is_cell_therapy,
            auto_donor=trial.auto_donor,
            auto_sets={name: classification.values(name) for name in labels.SET_FIELDS},
            curated=curated.get(trial.pk, {}),
        )
        trial.is_cell_therapy = values["is_cell_therapy"]
        trial.donor = values["donor"]
        trial.excluded = values["excluded"]
        facets.extend((trial, facet, value) for facet, value in facet_values(trial, values))

    if to_create:
        Trial.objects.bulk_create(to_create, batch_size=TRIAL_ROWS_PER_INSERT)
        if to_create[0].pk is None:  # SQLite before returning ids: fetch them
            ids = dict(
                Trial.objects.filter(nct_id__in=[t.nct_id for t in to_create]).values_list(
                    "nct_id", "pk"
                )
            )
            for trial in to_create:
                trial.pk = ids[trial.nct_id]
    if to_update:
        columns = [*fields, "is_cell_therapy", "donor", "excluded"]
        Trial.objects.bulk_update(to_update, columns, batch_size=500)
        for model in (Arm, Intervention, Location, Reference, AutoLabel):
            model.objects.filter(trial__in=to_update).delete()
        TrialFacet.objects.filter(trial__in=to_update, facet__in=TrialFacet.FACETS).delete()

    rows: dict[type, list[dict[str, Any]]] = {
        TrialFacet: [
            {"trial_id": t.pk, "facet": facet, "value": value} for t, facet, value in facets
        ]
    }
    for trial, study, classification in written:
        for model, objs in child_rows(trial, study, classification).items():
            rows.setdefault(model, []).extend(objs)
    for model, objs in rows.items():
        insert_rows(model, objs)

    for trial in to_create:
        changes.append(recording.first_seen(trial, at=now, run=run))
    for trial in to_update:
        changes += recording.registry_changes(trial, before[trial.nct_id], at=now, run=run)
        changes += recording.label_changes(
            trial, labels_before[trial.pk], effective[trial.nct_id], at=now, run=run
        )
    TrialChange.objects.bulk_create(changes, batch_size=1000)

    changed = [trial for trial, _study, _classification in written]
    if changed:
        pairs = [(trial, parsed[trial.nct_id][1]) for trial in changed]
        for position, handler in enumerate(extensions.record_handlers()):
            handler.handle(pairs, _for_handler(ahead, position, changed))
    return result


def _for_handler(
    ahead: Mapping[str, Prepared] | None, position: int, trials: Sequence[Trial]
) -> dict[str, Any]:
    """The values prepared ahead for one handler, by content hash, for these trials."""
    if not ahead:
        return {}
    values = {}
    for trial in trials:
        prepared = ahead.get(trial.content_hash)
        if prepared is not None and position < len(prepared.for_handlers):
            value = prepared.for_handlers[position]
            if value is not None:
                values[trial.content_hash] = value
    return values


def start_run(
    *, mode: str, query: dict[str, Any], since: date | None = None, dry_run: bool = False
):
    """Open an ImportRun (status running) that the batches of this run are counted into."""
    return ImportRun.objects.create(
        mode=mode, query=query, since=since, dry_run=dry_run, started_at=timezone.now(), **owner()
    )


def import_batch(
    *,
    run: ImportRun,
    records: Iterable[tuple[str, Any]],
    ahead: Mapping[str, Prepared] | None = None,
    digests: Mapping[int, str] | None = None,
) -> BatchResult:
    """Upsert one batch and count it into the run; the run's counts are saved with the batch."""
    with transaction.atomic():
        result = upsert_studies(
            records=records,
            run=run,
            dry_run=run.dry_run,
            ahead=ahead,
            digests=digests,
        )
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
    except (Interrupted, KeyboardInterrupt) as exc:  # SIGTERM or ^C: the batches committed stay
        mark_interrupted(run, reason=str(exc) or type(exc).__name__)
        raise
    return finish_run(run=run)


@transaction.atomic
def flag_missing(*, run: ImportRun) -> int:
    """Flag the trials a complete full run did not return, with a history entry each; never
    delete them. Every record a run receives stamps its trial's `last_seen`, so the trials not
    returned are those last seen before the run started."""
    now = timezone.now()
    not_returned = Trial.objects.still_in_registry().filter(last_seen__lt=run.started_at)
    missing = list(not_returned.only("pk"))
    not_returned.update(missing_since=now)
    TrialChange.objects.bulk_create(
        [recording.missing_from_registry(trial, at=now, run=run) for trial in missing],
        batch_size=1000,
    )
    return len(missing)
