"""Classify the next registry page in a second process while the current one is written.

Classification is the importer's largest cost (about half of a first import) and the database
writes the next largest; they need not wait for each other. The classifier is pure (a parsed
study in, labels out), so a worker process can classify page N+1 while this process writes page
N, and a 2-core machine does both at once.

What comes back is only a head start: a mapping from a record's content hash to its
Classification. The upsert uses it when the record it writes has that hash and classifies inline
otherwise, so a result that is late, missing or from a worker that died changes nothing but the
speed. Records the database already holds unchanged are not sent for classification (the
upsert would skip them), so an unchanged re-import does not pay for a worker's classification.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

from django.conf import settings

from trials.ctgov.classify import Classification, classify
from trials.ctgov.parse import RecordRejected, content_hash, parse_study

logger = logging.getLogger(__name__)

# How long the writer waits for the worker's result before classifying inline. Classifying a
# page takes seconds; a result this late means the worker is stuck.
RESULT_TIMEOUT = 300.0

Classified = Mapping[str, Classification]
Page = TypeVar("Page")


def classify_changed(records: list[Any], known: Mapping[str, str]) -> dict[str, Classification]:
    """Classify the records whose content hash differs from `known` (NCT id → stored hash).

    Runs in the worker. Records that do not parse are left to the upsert, which rejects them
    with their reason.
    """
    classified: dict[str, Classification] = {}
    for record in records:
        try:
            study = parse_study(record)
        except RecordRejected:
            continue
        digest = content_hash(record)
        if known.get(study.nct_id) != digest:
            classified[digest] = classify(study)
    return classified


class Ahead:
    """A page's classification under way (or none, for the page classified inline)."""

    def __init__(self, future: Future | None = None):
        self._future = future

    def result(self) -> Classified:
        if self._future is None:
            return {}
        try:
            return self._future.result(timeout=RESULT_TIMEOUT)
        except Exception as exc:  # a dead or stuck worker costs speed, never a record
            logger.warning(
                "classifying ahead failed (%s: %s); classifying inline", type(exc).__name__, exc
            )
            return {}


class Classifier:
    """The worker process, started on first use and stopped with the context."""

    def __init__(self, *, enabled: bool | None = None):
        self.enabled = settings.CTGOV_CLASSIFY_AHEAD if enabled is None else enabled
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Classifier:
        return self

    def __exit__(self, *exc_info) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def submit(self, records: list[Any], known: Mapping[str, str]) -> Ahead:
        if not self.enabled or not records:
            return Ahead()
        if self._pool is None:
            # spawn, not fork: a forked child would share this process's database connection.
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
        try:
            return Ahead(self._pool.submit(classify_changed, records, dict(known)))
        except Exception as exc:  # the pool broke earlier: go on inline
            logger.warning("cannot classify ahead (%s: %s)", type(exc).__name__, exc)
            return Ahead()


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
