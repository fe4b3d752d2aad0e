"""The registry sync: walk ClinicalTrials.gov page by page and upsert each page.

Layers: `trials.registries.ctgov.client` fetches (the only network code),
`trials.registries.ctgov.parse` and `classify` read, `trials.importing.upsert` writes. This module
only orchestrates a run:

- **Incremental by default**: from the last *successful* run's watermark minus an overlap (the
  registry posts updates with a delay and time zones blur the edge), via
  `filter.advanced=AREA[LastUpdatePostDate]RANGE[<date>,MAX]`. With no successful run yet it
  is a full run.
- **One transaction per page**: a failure keeps the pages already committed.
- **Pipelined**: the next page is fetched in a thread, and from the second page on classified in
  a worker process, while this one is written (trials.importing.pipeline); the writes stay in page
  order.
- **The watermark advances only after a fully successful run**, so a failed or partial run is
  caught up by the next one.
- **Only a complete full run flags missing trials**: trials it no longer returned get
  `missing_since`; they are never deleted.
- **One run at a time**: a database lock (trials.importing.lock: an advisory lock on PostgreSQL,
  a file lock on SQLite) makes a second run exit at once.
- **A run that dies is closed by the next one**: under the lock no other sync can be alive, so a
  sync still `running` is marked failed (interrupted) before the new run starts; SIGTERM ends a
  run at once, outside a page's transaction (trials.importing.runs).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings

from trials import extensions
from trials.importing import runs
from trials.importing.lock import import_lock
from trials.importing.pipeline import Ahead, Classifier, changed_records, one_page_late, prefetched
from trials.importing.upsert import (
    finish_run,
    flag_missing,
    import_batch,
    start_run,
)
from trials.models import ImportRun, Trial
from trials.registries.ctgov.client import (
    DEFAULT_QUERY,
    Page,
    RegistryClient,
    RegistryError,
    RegistryHTTPError,
    incremental_filter,
)
from trials.registries.ctgov.parse import content_hash, nct_id_of

logger = logging.getLogger(__name__)

# Restart a walk whose page token expired at most this often (each restart re-reads from page 1,
# which is cheap: unchanged records are not rewritten).
MAX_WALK_RESTARTS = 2


@dataclass(frozen=True)
class Progress:
    page: int
    received: int
    total: int | None


def last_successful_watermark() -> date | None:
    run = (
        ImportRun.objects.filter(
            status=ImportRun.Status.SUCCEEDED,
            mode__in=[ImportRun.Mode.FULL, ImportRun.Mode.INCREMENTAL],
            dry_run=False,
            watermark__isnull=False,
        )
        .order_by("-finished_at")
        .first()
    )
    return run.watermark if run else None


def plan_since(*, full: bool, since: date | None) -> date | None:
    """The date an incremental run starts from, or None for a full run."""
    if full:
        return None
    if since is not None:
        return since
    watermark = last_successful_watermark()
    if watermark is None:
        return None
    return watermark - timedelta(days=settings.CTGOV_SYNC_OVERLAP_DAYS)


def sync_registry(
    *,
    client: RegistryClient | None = None,
    query: dict[str, str] | None = None,
    full: bool = False,
    since: date | None = None,
    dry_run: bool = False,
    limit: int | None = None,
    page_size: int | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> ImportRun:
    """Run one registry sync under the import lock and return its ImportRun.

    Raises ImportAlreadyRunning when another import holds the lock (no run is recorded then).
    Registry faults do not raise: the run ends `failed` with the error recorded. Runs left
    `running` by syncs that died are marked failed (interrupted) first. On runs.Interrupted
    (SIGTERM, see runs.stop_on_sigterm) or KeyboardInterrupt the run is marked so, then it
    raises on.
    """
    client = client or RegistryClient()
    query = dict(query or settings.CTGOV_QUERY or DEFAULT_QUERY)
    page_size = page_size or settings.CTGOV_PAGE_SIZE
    with import_lock():
        runs.close_dead_runs(lock_held=True)
        start = plan_since(full=full, since=since)
        params = dict(query)
        if start is not None:
            params["filter.advanced"] = incremental_filter(start)
        run = start_run(
            mode=ImportRun.Mode.FULL if start is None else ImportRun.Mode.INCREMENTAL,
            query=params,
            since=start,
            dry_run=dry_run,
        )
        try:
            return _walk(
                run=run,
                client=client,
                params=params,
                limit=limit,
                page_size=page_size,
                on_progress=on_progress,
            )
        except (runs.Interrupted, KeyboardInterrupt) as exc:
            # The page being written was committed or rolled back as a whole; the worker has
            # been stopped on the way out of _walk. Close the run before the lock is released.
            runs.mark_interrupted(run, reason=str(exc) or type(exc).__name__)
            raise


def _walk(*, run, client, params, limit, page_size, on_progress) -> ImportRun:
    newest: date | None = None
    restarts = 0
    complete = False
    with Classifier(preparers=extensions.record_preparers()) as classifier:

        def start(taken: Taken) -> Ahead:
            # A hint read a page early, before the page in hand is written: the upsert decides
            # again, in its transaction, what is unchanged (a stale hint costs a classification).
            known = Trial.objects.content_hashes(filter(None, map(nct_id_of, taken.studies)))
            return classifier.submit(changed_records(taken.studies, taken.digests, known))

        while not complete:
            try:
                pages = _taken(
                    client.iter_pages(params=params, page_size=page_size), limit, run.received
                )
                for taken, ahead in one_page_late(prefetched(pages), start):
                    page = taken.page
                    import_batch(
                        run=run,
                        records=[(f"page {page.number}", s) for s in taken.studies],
                        ahead=ahead.result(),
                        digests=taken.digests,
                    )
                    newest = _newest_update(taken.studies, newest)
                    if on_progress:
                        on_progress(Progress(page.number, run.received, page.total_count))
                complete = True
            except RegistryHTTPError as exc:
                if getattr(exc, "token_expired", False) and restarts < MAX_WALK_RESTARTS:
                    restarts += 1
                    logger.warning("page token expired; restarting the walk (%d)", restarts)
                    run.errors = [*run.errors, f"restarted the walk: {exc}"]
                    continue
                return _fail(run, exc)
            except RegistryError as exc:
                return _fail(run, exc)
            except Exception as exc:  # a bug or a database fault: record it, then let it surface
                _fail(run, exc)
                raise

    if run.mode == ImportRun.Mode.FULL and limit is None and not run.dry_run:
        run.flagged_missing = flag_missing(run=run)
    watermark = max(filter(None, [last_successful_watermark(), newest]), default=None)
    if limit is not None or run.dry_run:
        # A partial walk by design: it must not move the next incremental run's start.
        watermark = None
    return finish_run(run=run, watermark=watermark)


@dataclass(frozen=True)
class Taken:
    """A page taken for import: its studies (cut at the limit) and their content hashes, by
    id() of the record, computed in the fetching thread off the writer's path."""

    page: Page
    studies: list[Any]
    digests: dict[int, str]


def _taken(pages: Iterable[Page], limit: int | None, taken: int) -> Iterator[Taken]:
    """Each page, cut at `limit` studies for the run (`taken` of them taken already); no page is
    fetched past it.

    Counted here, as pages are taken, because the writes run behind the fetches (see
    trials.importing.pipeline).
    """
    for page in pages:
        studies = page.studies
        if limit is not None:
            studies = studies[: max(limit - taken, 0)]
        taken += len(studies)
        digests = {id(s): content_hash(s) for s in studies if isinstance(s, dict)}
        yield Taken(page, studies, digests)
        if limit is not None and taken >= limit:
            return


def _fail(run: ImportRun, exc: BaseException) -> ImportRun:
    logger.error("registry sync failed: %s", exc)
    return finish_run(run=run, status=ImportRun.Status.FAILED, error=f"{type(exc).__name__}: {exc}")


def _newest_update(studies: list[Any], newest: date | None) -> date | None:
    for study in studies:
        try:
            raw = study["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"]
            posted = date.fromisoformat(raw)
        except (KeyError, TypeError, ValueError):
            continue
        if newest is None or posted > newest:
            newest = posted
    return newest
