"""Runs that die: telling a dead run from a live one, closing it, and stopping cleanly on SIGTERM.

A run killed with SIGKILL (or lost with its machine) cannot say so: its ImportRun stays
`running`. The data needs nothing (each page is one transaction, and the lock dies with the
process, trials.importing.lock), but the record lies, and monitoring with it. So:

- **A registry sync still `running` while nobody holds the import lock is dead**: a sync takes
  the lock before it records its run and releases it after it closes it. The next sync (which
  holds the lock) and `import_health` (which asks whether anyone does) mark such runs failed,
  "interrupted".
- **A file import** takes no lock: it is dead when it ran on this host and its process is gone
  (its `pid` and `host` are recorded). One from another host is left alone: it cannot be told.
- **SIGTERM** (`stop_on_sigterm`) raises `Interrupted` in the main thread at the first moment it
  is outside a transaction: a page being written is committed first (a page takes seconds), a
  wait on the network or the classify worker ends at once. The run is then marked and the
  command exits with EXIT_INTERRUPTED.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import threading
from collections.abc import Iterator

from django.db import connection, transaction
from django.utils import timezone

from trials.importing.lock import lock_is_held
from trials.models import ImportRun

logger = logging.getLogger(__name__)

# The shell's convention for "ended by SIGTERM" (128 + 15).
EXIT_INTERRUPTED = 128 + signal.SIGTERM

SYNC_MODES = (ImportRun.Mode.FULL, ImportRun.Mode.INCREMENTAL)

# How often a SIGTERM that came during a transaction checks whether it has ended.
_RECHECK_SECONDS = 0.05


class Interrupted(BaseException):
    """The process was asked to stop. A BaseException, like KeyboardInterrupt, so that the
    `except Exception` that records a failed page or worker does not swallow it."""


def owner() -> dict[str, object]:
    """The fields of an ImportRun that say which process runs it."""
    return {"pid": os.getpid(), "host": socket.gethostname()}


def process_gone(run: ImportRun) -> bool:
    """True when the run's process is known to be gone: it ran here and its pid is free.

    A reused pid makes a dead run look alive, never the reverse: that errs on the side of
    leaving a run alone.
    """
    if run.pid is None or run.host != socket.gethostname():
        return False
    try:
        os.kill(run.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # someone else's process: alive
        return False
    return _is_zombie(run.pid)


def _is_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rpartition(")")[2].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def mark_interrupted(run: ImportRun, *, reason: str) -> ImportRun | None:
    """Close a run that is still `running` as failed with "interrupted: <reason>"; its counts
    stay those of the pages it committed. Returns the run as stored, or None when it had already
    been closed."""
    error = f"interrupted: {reason}"
    with transaction.atomic():
        running = ImportRun.objects.select_for_update().filter(status=ImportRun.Status.RUNNING)
        stored = running.filter(pk=run.pk).first()
        if stored is None:
            return None
        stored.status = ImportRun.Status.FAILED
        stored.finished_at = timezone.now()
        stored.errors = [*stored.errors, error]
        stored.save(update_fields=["status", "finished_at", "errors"])
    logger.error("import run #%s %s", stored.pk, error)
    return stored


def close_dead_runs(*, lock_held: bool | None = None) -> list[ImportRun]:
    """Mark as failed (interrupted) the runs left `running` by processes that are gone.

    `lock_held`: True when the caller holds the import lock, so that no registry sync is alive;
    None (another process: `import_health`) to ask the lock, after listing the runs. In that
    order, a sync that starts meanwhile is not among those listed, and one listed alive holds the
    lock until it has closed its run; so only dead syncs are marked, without holding the lock
    (a sync starting meanwhile would exit as locked): on PostgreSQL it is not taken at all, on
    SQLite for an instant with nothing done under it.
    """
    candidates = list(ImportRun.objects.filter(status=ImportRun.Status.RUNNING).order_by("pk"))
    if lock_held is None:
        lock_held = False if not candidates else not lock_is_held()
    closed = []
    for run in candidates:
        if run.mode in SYNC_MODES:
            if not lock_held:
                continue
            reason = "its process ended without finishing the run (it held no import lock)"
        elif process_gone(run):
            reason = "its process ended without finishing the run"
        else:
            continue
        if run.pid is not None:
            reason += f"; process {run.pid} on {run.host or 'an unknown host'}"
        marked = mark_interrupted(run, reason=reason)
        if marked is not None:
            closed.append(marked)
    return closed


@contextlib.contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """Within the block, SIGTERM raises Interrupted in the main thread, outside any transaction.

    Raised inside a transaction, it would leave the connection mid-commit; so then it waits for
    the outermost `atomic` block to end (committed or rolled back), checking every 50 ms with a
    timer signal. A second SIGTERM changes nothing. Only in the main thread (signals go there).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    requested = threading.Event()

    def raise_when_safe(signum, _frame) -> None:
        if signum == signal.SIGTERM:
            if requested.is_set():
                return
            requested.set()
            logger.warning("SIGTERM: stopping the import")
        elif not requested.is_set():  # an alarm that is not ours to act on
            return
        if connection.in_atomic_block:
            signal.setitimer(signal.ITIMER_REAL, _RECHECK_SECONDS)
            return
        raise Interrupted("SIGTERM")

    previous_term = signal.signal(signal.SIGTERM, raise_when_safe)
    previous_alarm = signal.signal(signal.SIGALRM, raise_when_safe)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_alarm)
        signal.signal(signal.SIGTERM, previous_term)
