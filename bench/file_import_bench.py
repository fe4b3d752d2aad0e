"""File import benchmark: peak memory of `import_files` against the size of the file.

    .venv/bin/python bench/file_import_bench.py                  # 500 and 4,000 studies
    .venv/bin/python bench/file_import_bench.py --studies 500 --studies 8000

For each size it writes one recorded `/studies` page of N studies cloned from the bundled records
(bench/import_bench.py's clones, each with its own NCT id) into a temporary folder, imports it in
a fresh process into a scratch database (a file of its own on SQLite, Django's test database on
DATABASE_URL's server; dropped at the end, so no real data is touched), and prints that
process's peak RSS. It reads only the files it wrote.

The importer streams a file (trials/registries/ctgov/files.py), so the peak should not grow with
the file: the last line is the largest file's peak over the smallest's (target < 1.5; decoding
the whole file at once, as the importer did before, grew with it: 200 MB of 4,685 studies peaked
at 1.45 GB).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("ALLOWED_HOSTS", "localhost")


def write_page(path: Path, count: int) -> int:
    """A /studies page of `count` clones, written study by study; its size in bytes."""
    from import_bench import Clones, templates

    clones = Clones(templates(), count)
    with path.open("w", encoding="utf-8") as handle:
        handle.write('{"studies": [')
        for index in range(count):
            if index:
                handle.write(", ")
            json.dump(clones[index], handle)
        handle.write(f'], "totalCount": {count}}}')
    return path.stat().st_size


def import_one(path: Path, scratch: Path) -> None:
    """In the child process: import `path` into a scratch database and print one JSON line."""
    import django
    from django.conf import settings

    if not os.environ.get("DATABASE_URL"):
        settings.DATABASES["default"]["TEST"] = {"NAME": str(scratch)}
    django.setup()
    from django.db import connection

    from trials.importing.upsert import import_files

    settings.DEBUG = False  # no query log growing in memory
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        run = import_files(paths=[path])
        elapsed = time.perf_counter() - started
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"status": run.status, "created": run.created, "s": elapsed, "mb": peak_mb}))


def measure(count: int, folder: Path) -> dict:
    path = folder / f"page-{count}.json"
    size = write_page(path, count)
    child = subprocess.run(
        [sys.executable, __file__, "--child", str(path), str(folder / f"scratch-{count}.sqlite3")],
        capture_output=True,
        text=True,
        check=False,
    )
    if child.returncode != 0:
        raise SystemExit(f"importing {count} studies failed:\n{child.stderr}")
    result = json.loads(child.stdout.strip().splitlines()[-1])
    if result["status"] != "succeeded" or result["created"] != count:
        raise SystemExit(f"importing {count} studies: {result}")
    path.unlink()
    return {"count": count, "bytes": size, **result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--studies", type=int, action="append", metavar="N")
    parser.add_argument("--child", nargs=2, metavar=("FILE", "SCRATCH_DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        import_one(Path(args.child[0]), Path(args.child[1]))
        return
    sizes = sorted(args.studies or [500, 4000])
    database = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    print(f"database: {database}")
    results = []
    with tempfile.TemporaryDirectory(prefix="file-import-bench-") as folder:
        for count in sizes:
            result = measure(count, Path(folder))
            results.append(result)
            print(
                f"{count:6d} studies, {result['bytes'] / 1e6:7.1f} MB file: "
                f"peak RSS {result['mb']:6.0f} MB, {count / result['s']:5.0f} studies/s"
            )
    ratio = results[-1]["mb"] / results[0]["mb"]
    growth = results[-1]["bytes"] / results[0]["bytes"]
    print(f"peak RSS {results[-1]['count']} / {results[0]['count']}: {ratio:.2f} x")
    print(f"  for a file {growth:.1f} x larger (target < 1.5 x)")


if __name__ == "__main__":
    main()
