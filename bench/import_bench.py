"""Import benchmark: the registry sync over N synthetic studies cloned from the bundled records.

    make bench-import                   # SQLite, or DATABASE_URL's server when it is set
    .venv/bin/python bench/import_bench.py --studies 5000

It creates a scratch database next to the configured one (Django's test database, dropped at
the end, so no real data is touched), serves the clones from the local fake registry in a separate
process (so the server's memory is not counted) in pages of 1000, and prints:

- the first import (every study new) and an unchanged re-import, in studies/s;
- the floor: the same pages fetched and JSON-decoded, and one row per study (NCT id + raw JSON)
  bulk-copied into a bare table, without parsing, classification or the importer's logic;
- importer/floor as a ratio (machine noise cancels out of it) and the peak RSS of this process
  and, apart, of the worker process that classifies ahead during the first import
  (trials/importing/pipeline.py).

Targets on PostgreSQL on the 2-core CI machine: first import ≥ 300 studies/s and ≤ 5× the floor,
unchanged re-import ≥ 5× faster than the first, peak RSS < 400 MB.
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import os
import resource
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("ALLOWED_HOSTS", "localhost")

# Django is set up in main(), not here: the processes this benchmark spawns (the registry, the
# importer's classify worker) import this module again, and must stay as light as they are under
# manage.py (the worker's peak RSS is reported).
from tests.fakeregistry import FakeRegistry  # noqa: E402

SNAPSHOT = ROOT / "fixtures" / "snapshot"


def templates() -> list[dict]:
    """The newest bundled version of each real ALS record."""
    newest: dict[str, Path] = {}
    for folder in sorted(SNAPSHOT.iterdir()):  # dated folders: later ones replace earlier
        for path in sorted(folder.glob("NCT*.json")):
            newest[path.stem] = path
    return [json.loads(p.read_text(encoding="utf-8")) for p in newest.values()]


class Clones(Sequence):
    """N studies made on demand from the templates, each with its own NCT id (NCT9xxxxxxx)."""

    def __init__(self, bases: list[dict], count: int):
        self.bases = bases
        self.count = count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self.count))]
        if not 0 <= index < self.count:
            raise IndexError(index)
        # Only the path to the fields that change is copied: a deep copy of each ~20 KB record
        # cost the registry process more CPU than serving it, CPU the 2-core machine's importer
        # would lose (the server only serialises what it gets; nothing mutates it).
        base = self.bases[index % len(self.bases)]
        protocol = base["protocolSection"]
        ident = protocol["identificationModule"]
        ident = {
            **ident,
            "nctId": f"NCT9{index:07d}",
            "briefTitle": f"{ident.get('briefTitle', '')} (clone {index})",
        }
        return {**base, "protocolSection": {**protocol, "identificationModule": ident}}


class CloneRegistry(FakeRegistry):
    def _matching(self, advanced):
        # The clones are made page by page; listing them all per request would cost N copies.
        return self.studies if advanced is None else super()._matching(advanced)


def serve(count: int, pipe) -> None:
    registry = CloneRegistry(Clones(templates(), count), page_size_cap=1000).start()
    pipe.send(registry.url)
    pipe.recv()  # wait for the benchmark to finish
    registry.close()


def client(url: str):
    from trials.registries.ctgov.client import RegistryClient

    return RegistryClient(base_url=url, min_interval=0, timeout=120)


def floor(url: str, page_size: int) -> tuple[int, float]:
    """Fetch, decode and bulk-copy one row per study into a bare table: the cost of the I/O."""
    from django.db import connection

    received = 0
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("CREATE TEMP TABLE bench_floor (nct_id text, record jsonb)")
        else:
            cursor.execute("CREATE TEMP TABLE bench_floor (nct_id text, record text)")
        for page in client(url).iter_pages(params={"query.cond": "ALS"}, page_size=page_size):
            rows = [
                (s["protocolSection"]["identificationModule"]["nctId"], json.dumps(s))
                for s in page.studies
            ]
            if connection.vendor == "postgresql":
                buffer = io.StringIO()
                for nct_id, record in rows:
                    escaped = record.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
                    buffer.write(f"{nct_id}\t{escaped}\n")
                buffer.seek(0)
                cursor.copy_expert("COPY bench_floor (nct_id, record) FROM STDIN", buffer)
            else:
                cursor.executemany("INSERT INTO bench_floor VALUES (%s, %s)", rows)
            received += len(rows)
        cursor.execute("DROP TABLE bench_floor")
    return received, time.perf_counter() - started


def timed_sync(url: str, page_size: int):
    from trials.importing import sync

    started = time.perf_counter()
    run = sync.sync_registry(
        client=client(url), full=True, page_size=page_size, query={"query.cond": "ALS"}
    )
    elapsed = time.perf_counter() - started
    if run.status != "succeeded" or run.received != run.created + run.updated + run.unchanged:
        raise SystemExit(f"import {run.status}: {run.errors}")
    return run, elapsed


class WorkerPeak:
    """The peak RSS of the classify worker, read from its /proc status (VmHWM) while it runs.

    getrusage(RUSAGE_CHILDREN) would not do: Linux counts in a spawned child's peak the pages
    it shared with this process between fork and exec.
    """

    def __init__(self, exclude: set[int]):
        self.exclude = exclude
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> WorkerPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            for child in multiprocessing.active_children():
                if child.pid in self.exclude:
                    continue
                try:
                    status = Path(f"/proc/{child.pid}/status").read_text()
                except OSError:  # it has just exited
                    continue
                for line in status.splitlines():
                    if line.startswith("VmHWM:"):
                        self.peak_mb = max(self.peak_mb, int(line.split()[1]) / 1024)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--studies", type=int, default=20_000)
    parser.add_argument("--page-size", type=int, default=1000)
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    settings.DEBUG = False  # no query log growing in memory

    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(target=serve, args=(args.studies, child), daemon=True)
    server.start()
    url = parent.recv()
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        floor_n, floor_s = floor(url, args.page_size)
        with WorkerPeak(exclude={server.pid}) as worker:
            first, first_s = timed_sync(url, args.page_size)
        again, again_s = timed_sync(url, args.page_size)
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)
        parent.send("stop")
        server.join(10)

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    first_rate = first.received / first_s
    again_rate = again.received / again_s
    floor_rate = floor_n / floor_s
    print(f"database: {connection.vendor}, studies: {args.studies}, page size: {args.page_size}")
    print(f"first import:      {first_rate:8.0f} studies/s  ({first_s:.1f} s)")
    print(f"unchanged import:  {again_rate:8.0f} studies/s  ({again_s:.1f} s)")
    print(f"floor:             {floor_rate:8.0f} studies/s  ({floor_s:.1f} s)")
    print(f"importer / floor:  {first_s / floor_s:8.2f} x   (target <= 5)")
    print(f"re-import speedup: {first_s / again_s:8.2f} x   (target >= 5)")
    print(f"peak RSS:          {peak_mb:8.0f} MB  (target < 400)")
    print(f"  classify worker: {worker.peak_mb:8.0f} MB")


if __name__ == "__main__":
    main()
