"""What the import records besides the trials: their history rows and the counts of its runs.

History: a created trial gets a "first seen" TrialChange; an updated one a TrialChange per tracked
registry field (trials.history.recording.REGISTRY_FIELDS) and per effective label that changed,
compared with the values read before the write, so history costs no extra query per trial. A
trial the registry lists again after it was flagged missing gets a "back" row. Unchanged records
write no history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from trials.history import recording
from trials.importing.runs import owner
from trials.models import ImportRun, Trial, TrialChange

if TYPE_CHECKING:
    from trials.importing.plan import Plan


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


def record_history(
    plan: Plan,
    *,
    labels_before: dict[int, dict[str, Any]],
    effective: dict[str, dict[str, Any]],
    at: datetime,
    run: ImportRun | None,
) -> None:
    """The batch's history rows, in one statement: back in the registry, first seen, changes.

    `labels_before` (trial id → effective labels) was read before the write; `effective` (NCT id →
    effective values) is what the write settled.
    """
    changes = [
        recording.back_in_registry(trial, at=at, run=run) for trial in dict.fromkeys(plan.returned)
    ]
    changes += [recording.first_seen(w.trial, at=at, run=run) for w in plan.creates]
    for write in plan.updates:
        trial = write.trial
        changes += recording.registry_changes(trial, write.before, at=at, run=run)
        changes += recording.label_changes(
            trial, labels_before[trial.pk], effective[trial.nct_id], at=at, run=run
        )
    TrialChange.objects.bulk_create(changes, batch_size=1000)


def start_run(
    *, mode: str, query: dict[str, Any], since: date | None = None, dry_run: bool = False
):
    """Open an ImportRun (status running) that the batches of this run are counted into."""
    return ImportRun.objects.create(
        mode=mode, query=query, since=since, dry_run=dry_run, started_at=timezone.now(), **owner()
    )


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


@transaction.atomic
def flag_missing(*, run: ImportRun) -> int:
    """Flag the trials a complete full run did not return, with a history entry each; never
    delete them. Every record a run receives stamps its trial's `last_seen`, so the trials not
    returned are those last seen before the run started."""
    now = timezone.now()
    not_returned = Trial.objects.still_in_registry().filter(last_seen__lt=run.started_at)
    missing: Sequence[Trial] = list(not_returned.only("pk"))
    not_returned.update(missing_since=now)
    TrialChange.objects.bulk_create(
        [recording.missing_from_registry(trial, at=now, run=run) for trial in missing],
        batch_size=1000,
    )
    return len(missing)
