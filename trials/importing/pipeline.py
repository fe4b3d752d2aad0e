"""How a registry sync overlaps its three kinds of work: fetching, classifying and writing.

A page is fetched (network and JSON decoding), classified (pure CPU) and written (the database).
Done one after the other, a 2-core machine used one core and waited on the network besides. So:

- `prefetched`: a thread fetches the next page while the current one is written (the network
  wait and the database wait release the interpreter's lock, so they overlap);
- `Classifier`: a worker *process* classifies page N+1 while page N is written (classification
  is CPU work, which a thread could not run beside the writes), fed by `one_page_late`.

Memory stays bounded: at most the page being written, the page being classified and the page
being fetched are held.

What comes back is only a head start: a mapping from a record's content hash to what was
prepared from it (`Prepared`: its classification and the record handlers' values). The upsert
uses it when the record it writes has that hash and classifies inline otherwise, so a result
that is late, missing or from a worker that died changes nothing but the speed; after one such
failure the run stops sending work to the worker. Records the database already holds unchanged
are not sent for classification (the upsert would skip them), so an unchanged re-import starts
no worker at all.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings

from trials.classify import Classification, classify
from trials.extensions import Prepare
from trials.registries.ctgov.parse import RecordRejected, nct_id_of, parse_study

logger = logging.getLogger(__name__)

# How long the writer waits for the worker's result before classifying inline. Classifying a
# page takes seconds; a result this late means the worker is stuck.
RESULT_TIMEOUT = 300.0

# How often the worker checks that the sync that started it is still there (see _die_with).
PARENT_CHECK_SECONDS = 1.0
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


@dataclass(frozen=True)
class Prepared:
    """What was made of one record ahead of its write: its classification and, per record
    handler, that handler's prepared value (None when it has none)."""

    classification: Classification
    for_handlers: tuple[Any, ...] = ()


Page = TypeVar("Page")
Item = TypeVar("Item")

_END = object()


def changed_records(
    studies: list[Any], digests: Mapping[int, str], known: Mapping[str, str]
) -> list[tuple[str, Any]]:
    """(content hash, record) of the studies whose hash is not the stored one (`known`: NCT id →
    stored hash; `digests`: id() of a record → its hash). Records that are not even a mapping are
    left to the upsert, which rejects them with their reason."""
    return [
        (digests[id(study)], study)
        for study in studies
        if id(study) in digests and known.get(nct_id_of(study)) != digests[id(study)]
    ]


def classify_records(
    records: list[tuple[str, Any]], preparers: tuple[Prepare | None, ...] = ()
) -> dict[str, Prepared]:
    """Content hash → Prepared of (hash, record) pairs: the record's classification and what each
    record handler's `prepare` makes of it (trials.extensions.register_record_handler). Runs
    in the worker. A record that does not parse is left out, and a preparer that fails on a record
    gives None: the writer rejects the one and prepares the other itself, each with its own message.
    """
    prepared: dict[str, Prepared] = {}
    for digest, record in records:
        try:
            study = parse_study(record)
        except RecordRejected:
            continue
        prepared[digest] = Prepared(classify(study), tuple(_try(p, record) for p in preparers))
    return prepared


def _try(prepare: Prepare | None, record: Any) -> Any:
    if prepare is None:
        return None
    try:
        return prepare(record)
    except Exception:
        return None


def _quiet_worker() -> None:
    """The worker logs nothing: the writer parses every record again and logs what parsing
    finds, so the worker's messages would only repeat them (unformatted, on standard error)."""
    logging.disable(logging.CRITICAL)


def _start_worker(parent: int) -> None:
    """The worker's initializer: quiet, and bound to die with the sync (`parent`, its pid)."""
    _quiet_worker()
    _die_with(parent)


def _die_with(parent: int) -> None:
    """End this process when `parent` ends.

    A sync killed with SIGKILL cannot stop its worker, which would wait for work forever, and
    keep multiprocessing's resource tracker alive with it (the tracker ends when the last
    process holding its pipe does). On Linux the kernel sends SIGKILL on the parent's death
    (PR_SET_PDEATHSIG); everywhere, a thread checks the parent every second.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it died before the kernel was told
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="parent", daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


class Ahead:
    """A page's classification under way (or none, for the page classified inline)."""

    def __init__(self, future: Future | None = None, on_failure: Callable[[], None] | None = None):
        self._future = future
        self._on_failure = on_failure

    def result(self) -> Mapping[str, Prepared]:
        if self._future is None:
            return {}
        try:
            return self._future.result(timeout=RESULT_TIMEOUT)
        except Exception as exc:  # a dead or stuck worker costs speed, never a record
            logger.warning(
                "classifying ahead failed (%s: %s); classifying inline", type(exc).__name__, exc
            )
            if self._on_failure is not None:
                self._on_failure()
            return {}


class Classifier:
    """The worker process, started on first use and stopped with the context."""

    def __init__(self, *, enabled: bool | None = None, preparers: tuple[Prepare | None, ...] = ()):
        self.enabled = settings.CTGOV_CLASSIFY_AHEAD if enabled is None else enabled
        self.preparers = preparers  # module-level functions: the worker imports them by name
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Classifier:
        return self

    def __exit__(self, *exc_info) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def submit(self, records: list[tuple[str, Any]]) -> Ahead:
        """Start classifying (content hash, record) pairs."""
        if not self.enabled or not records:
            return Ahead()
        if self._pool is None:
            # spawn, not fork: a forked child would share this process's database connection.
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=context,
                initializer=_start_worker,
                initargs=(os.getpid(),),
            )
        try:
            future = self._pool.submit(classify_records, records, self.preparers)
        except Exception as exc:  # the pool broke earlier: go on inline
            logger.warning("cannot classify ahead (%s: %s)", type(exc).__name__, exc)
            self.give_up()
            return Ahead()
        return Ahead(future, on_failure=self.give_up)

    def give_up(self) -> None:
        """Classify inline for the rest of the run: a worker that failed or hung once would
        otherwise cost every later page the wait (RESULT_TIMEOUT for a hung one)."""
        self.enabled = False
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


def one_page_late(
    pages: Iterable[Page], start: Callable[[Page], Ahead]
) -> Iterator[tuple[Page, Ahead]]:
    """Yield each page with its classification, one page late, so that classifying page N+1
    overlaps writing page N; `start(page)` starts a page's classification and returns an Ahead.

    The first page is yielded with no head start (there is nothing to overlap it with, and a
    one-page run, the usual nightly increment, never starts a worker). When fetching the next
    page fails, the page already received is yielded before the error goes on: a registry fault
    never costs a page that arrived.
    """
    pending: tuple[Page, Ahead] | None = None
    try:
        for page in pages:
            ahead = Ahead() if pending is None else start(page)
            if pending is not None:
                yield pending
            pending = (page, ahead)
    except Exception:
        if pending is not None:
            yield pending
        raise
    if pending is not None:
        yield pending


def prefetched(items: Iterable[Item]) -> Iterator[Item]:
    """Iterate `items` in a background thread that fetches the next item while the reader works
    on the current one.

    The thread fetches one item, waits until the reader takes it, then fetches the next: at most
    one item is held beyond the reader's (a registry page is tens of megabytes decoded). What the
    iteration raises is raised here, after the items before it. When the reader stops early, the
    thread stops after the item it is fetching (it is never waited for, so a slow request cannot
    hold the reader up). The iteration must not use the database: the thread has no part in the
    reader's transaction.
    """
    handoff: queue.Queue = queue.Queue(maxsize=1)
    taken = threading.Semaphore(0)
    stop = threading.Event()

    def hand_over(entry: tuple[Any, BaseException | None]) -> bool:
        handoff.put(entry)  # never blocks: the reader took the previous entry
        while not stop.is_set():
            if taken.acquire(timeout=0.1):
                return True
        return False

    def run() -> None:
        try:
            for item in items:
                if not hand_over((item, None)):
                    return
        except Exception as exc:
            hand_over((_END, exc))
            return
        hand_over((_END, None))

    threading.Thread(target=run, name="prefetch", daemon=True).start()
    try:
        while True:
            item, error = handoff.get()
            taken.release()
            if item is _END:
                if error is not None:
                    raise error
                return
            yield item
    finally:
        stop.set()
