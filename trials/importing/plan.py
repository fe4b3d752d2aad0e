"""What each registry record of a batch becomes, before anything is written: a trial to create,
one to update, or one that is only seen again (its record unchanged, or older than the stored one).

Two queries for the batch (the stored content hashes, then the trials to compare with), none per
record. The classification of a record to write comes from the sync's worker when it prepared one
ahead (trials.importing.pipeline), from `classify` here otherwise.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from trials.classify import Classification, classify
from trials.history import recording
from trials.importing.pipeline import Prepared
from trials.importing.record import BatchResult
from trials.importing.rows import auto_fields, registry_fields
from trials.models import ImportRun, Trial
from trials.registries.ctgov.parse import (
    ParsedStudy,
    RecordRejected,
    content_hash,
    nct_id_of,
    parse_study,
)

# Long texts an upsert overwrites but never compares.
_UNREAD_COLUMNS = (
    "raw_record",
    "search_text",
    "brief_summary",
    "detailed_description",
    "eligibility_criteria",
)
# The effective values the write settles after the plan (trials.importing.write).
EFFECTIVE_COLUMNS = ("is_cell_therapy", "donor", "excluded")


@dataclass
class Write:
    """One record that becomes a Trial row: `trial` carries its new values, not yet saved."""

    trial: Trial
    study: ParsedStudy
    record: dict[str, Any]
    classification: Classification
    # The tracked registry values before an update (trials.history.recording); None: created.
    before: dict[str, Any] | None = None

    @property
    def created(self) -> bool:
        return self.before is None


@dataclass
class Plan:
    """A batch decided: the counts, the rows to write, the trials that are only seen again."""

    result: BatchResult = field(default_factory=BatchResult)
    writes: list[Write] = field(default_factory=list)  # in the batch's order
    # Unchanged or older records: their trials change nothing but `last_seen`.
    seen_only: list[str] = field(default_factory=list)
    # Trials flagged missing that the registry lists again (each gets a history row).
    returned: list[Trial] = field(default_factory=list)
    # The Trial columns an update sets: the same for every record (rows.registry_fields).
    columns: list[str] = field(default_factory=list)

    @property
    def creates(self) -> list[Write]:
        return [w for w in self.writes if w.created]

    @property
    def updates(self) -> list[Write]:
        return [w for w in self.writes if not w.created]


def plan_batch(
    *,
    records: Iterable[tuple[str, Any]],
    now: datetime,
    run: ImportRun | None,
    ahead: Mapping[str, Prepared] | None = None,
    digests: Mapping[int, str] | None = None,
) -> Plan:
    """Decide what each (source, registry record) pair becomes; reads, never writes."""
    plan = Plan()
    hashes = dict(digests or {})
    records, plan.returned = _skip_unchanged(list(records), hashes, plan.result)
    parsed = _parse_batch(records, plan.result)
    # The large text columns are only ever overwritten here, never compared: don't read them.
    existing = {
        t.nct_id: t for t in Trial.objects.filter(nct_id__in=parsed.keys()).defer(*_UNREAD_COLUMNS)
    }
    for nct_id, (study, record, _source) in parsed.items():
        digest = hashes.get(id(record)) or content_hash(record)
        _plan_record(plan, existing.get(nct_id), study, record, digest, ahead, now=now, run=run)
    plan.seen_only = plan.result.unchanged + plan.result.older
    plan.returned += [
        existing[n] for n in plan.seen_only if n in existing and existing[n].missing_since
    ]
    return plan


def _plan_record(
    plan: Plan,
    trial: Trial | None,
    study: ParsedStudy,
    record: dict[str, Any],
    digest: str,
    ahead: Mapping[str, Prepared] | None,
    *,
    now: datetime,
    run: ImportRun | None,
) -> None:
    """Count one parsed record as unchanged or older than its stored trial, or plan its write."""
    if trial is not None and trial.content_hash == digest:
        plan.result.unchanged.append(study.nct_id)
        return
    if trial is not None and _study_key(study) < _trial_key(trial):
        plan.result.older.append(study.nct_id)
        return
    prepared = ahead.get(digest) if ahead else None
    classification = prepared.classification if prepared else classify(study)
    fields = _trial_fields(study, classification, record, digest, now=now, run=run)
    plan.writes.append(_write(trial, study, record, classification, fields, now))
    plan.columns = plan.columns or list(fields)
    (plan.result.created if trial is None else plan.result.updated).append(study.nct_id)


def _trial_fields(
    study: ParsedStudy,
    classification: Classification,
    record: dict[str, Any],
    digest: str,
    *,
    now: datetime,
    run: ImportRun | None,
) -> dict[str, Any]:
    return {
        **registry_fields(study),
        **auto_fields(classification),
        "raw_record": record,
        "content_hash": digest,
        "last_seen": now,
        "last_changed": now,
        "missing_since": None,
        "last_import_run": run,
    }


def _write(
    trial: Trial | None,
    study: ParsedStudy,
    record: dict[str, Any],
    classification: Classification,
    fields: dict[str, Any],
    now: datetime,
) -> Write:
    if trial is None:
        trial = Trial(nct_id=study.nct_id, first_seen=now, **fields)
        return Write(trial, study, record, classification)
    before = recording.registry_snapshot(trial)  # before the new values are set
    for name, value in fields.items():
        setattr(trial, name, value)
    return Write(trial, study, record, classification, before=before)


def _version_key(last_update_posted: date | None, version_date: date | None) -> tuple[date, date]:
    return (last_update_posted or date.min, version_date or date.min)


def _study_key(study: ParsedStudy) -> tuple[date, date]:
    posted = study.last_update_posted.value if study.last_update_posted else None
    return _version_key(posted, study.version_date)


def _trial_key(trial: Trial) -> tuple[date, date]:
    return _version_key(trial.last_update_posted, trial.version_date)


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
