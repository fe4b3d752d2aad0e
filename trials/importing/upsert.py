"""The importer's writes: batch upsert of registry records, import runs, missing trials.

The upsert works a batch (one registry page) at a time with bulk statements, because per-row
queries would make a 20,000-study import take an hour; a batch is one transaction, so a failure
never leaves a trial half-written. A batch is planned (`plan`: what each record becomes), written
(`write`: the rows) and recorded (`record`: history rows and the run's counts); this module
orchestrates them and is where the rest of the code imports the importer's writes from.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import DataError, transaction
from django.utils import timezone

from trials import extensions
from trials.history import recording
from trials.importing.pipeline import Prepared
from trials.importing.plan import plan_batch
from trials.importing.record import (
    BatchResult,
    finish_run,
    flag_missing,
    record_history,
    start_run,
)
from trials.importing.runs import Interrupted, mark_interrupted
from trials.importing.write import write_batch
from trials.models import ImportRun, Trial
from trials.registries.ctgov.files import records_in_file
from trials.registries.ctgov.parse import RecordRejected, nct_id_of

logger = logging.getLogger(__name__)

# The importer's writes, as the rest of the code imports them (some are defined in .record);
# the record handlers other apps add are in trials.extensions.
__all__ = [
    "BatchResult",
    "finish_run",
    "flag_missing",
    "import_batch",
    "import_files",
    "start_run",
    "upsert_studies",
]


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
    The batch is planned (trials.importing.plan), written (.write), then recorded in the history
    (.record), which says what history rows a batch makes.

    `ahead` (content hash → Prepared) holds what was made of records ahead, in another process
    (trials.importing.pipeline); a record without it is classified here. `digests` holds content
    hashes computed ahead, by id() of the record.
    """
    records = list(records)
    try:
        with transaction.atomic():  # a savepoint, to write the batch again without a bad record
            return _upsert(records, run=run, dry_run=dry_run, ahead=ahead, digests=digests)
    except DataError as exc:
        if _NUL_REFUSED not in str(exc):
            raise
    # PostgreSQL's jsonb cannot hold a \u0000 (the raw record keeps what the registry sent, so
    # it cannot be cleaned there): such a record is rejected, not the page. Looked for only
    # here, after the database refused one, because finding it costs a serialisation a record.
    records = [(source, _nul_rejection(record) or record) for source, record in records]
    return _upsert(records, run=run, dry_run=dry_run, ahead=ahead, digests=digests)


def _upsert(
    records: list[tuple[str, Any]],
    *,
    run: ImportRun | None,
    dry_run: bool,
    ahead: Mapping[str, Prepared] | None,
    digests: Mapping[int, str] | None,
) -> BatchResult:
    now = timezone.now()
    plan = plan_batch(records=records, now=now, run=run, ahead=ahead, digests=digests)
    if dry_run:
        return plan.result
    labels_before = recording.label_snapshots([w.trial for w in plan.updates])  # before the write
    effective = write_batch(plan, now=now)
    record_history(plan, labels_before=labels_before, effective=effective, at=now, run=run)
    if plan.writes:
        pairs = [(w.trial, w.record) for w in plan.writes]
        changed = [w.trial for w in plan.writes]
        for position, handler in enumerate(extensions.record_handlers()):
            handler.handle(pairs, _for_handler(ahead, position, changed))
    return plan.result


# What PostgreSQL says of a \u0000 in a jsonb value; and a \u0000 escape in JSON text (an odd
# number of backslashes before "u0000": "\\u0000" is a backslash and the text "u0000").
_NUL_REFUSED = "\\u0000 cannot be converted to text"
_NUL_ESCAPE_RE = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


def _nul_rejection(record: Any) -> RecordRejected | None:
    if isinstance(record, dict) and _NUL_ESCAPE_RE.search(json.dumps(record)):
        reason = "the record holds a \\u0000, which the database cannot store"
        return RecordRejected(reason, nct_id_of(record))
    return None


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
