"""How fast the list page and the API answer with 50,000 trials in the database.

Fills the configured database (DATABASE_URL) with clones of the real trials it holds — new NCT
ids NCT9xxxxxxx, which the registry will not reach for decades, so they never collide with a real
trial — then times the /trials/ page and /api/trials/ in-process (Django's test client: the
server's time, no network) for ten fixed filter combinations, and the bare SQL of the same filter
(the count and the first page, as TrialFilter builds them) for comparison.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/als_bench python bench/views_bench.py
    python bench/views_bench.py --drop     # remove the clones again

Run it against a database of its own: it adds 50,000 trials. Without trials to clone it imports
the bundled snapshot first. Not part of `make test`; `make bench-views` runs it.
"""

from __future__ import annotations

import argparse
import copy
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django.test import Client  # noqa: E402

# The process as the server's is: the garbage collector as config/wsgi.py leaves it.
import config.wsgi  # noqa: E402, F401
from trials.browsing.filters import TrialFilter  # noqa: E402
from trials.effective import refresh_effective_labels  # noqa: E402
from trials.importing.upsert import import_files  # noqa: E402
from trials.models import (  # noqa: E402
    Arm,
    AutoLabel,
    Intervention,
    Location,
    Reference,
    Trial,
)

CLONE_PREFIX = "NCT9"
BATCH = 1000
PAGE_SIZE = 25

# Ten combinations a researcher would use: the default, free text, one to three facets at once,
# ranges, every study, and free text with facets.
COMBINATIONS = [
    "",
    "q=mesenchymal",
    "cell_type=msc",
    "route=intrathecal&route=intravenous",
    "cell_type=msc&route=intrathecal&donor=autologous",
    "phase=PHASE2&status_group=recruiting",
    "country=United States&sort=enrollment",
    "q=bone marrow&phase=PHASE1&cell_source=bone-marrow",
    "start_year_min=2015&start_year_max=2020&enrollment_min=20&sort=start",
    "scope=all&has_results=false&sort=phase",
]

# Not part of the target, printed after it: what the free-text path costs beyond the ten.
MORE = [
    'q="bone marrow"',  # a phrase: PostgreSQL rechecks each candidate against its vector
    "q=mesenchymal&page=1000",  # a deep page walks most of the update order
    "q=mesenchymal&sort=enrollment",  # another sort: SQL orders the matches
]

CHILDREN = {
    Arm: ("arms", ["position", "label", "type", "description", "intervention_names"]),
    Intervention: (
        "interventions",
        ["position", "type", "name", "description", "other_names", "arm_labels"],
    ),
    Location: ("locations", ["position", "facility", "city", "state", "country", "status"]),
    Reference: ("references", ["position", "pmid", "type", "citation"]),
    AutoLabel: (
        "auto_labels",
        ["field", "value", "arm", "phrase", "source", "confidence", "accepted"],
    ),
}


def templates() -> list[Trial]:
    originals = Trial.objects.exclude(nct_id__startswith=CLONE_PREFIX)
    if not originals.exists():
        snapshot = ROOT / "fixtures" / "snapshot"
        paths = [p for d in sorted(snapshot.iterdir()) for p in sorted(d.glob("*.json"))]
        print(f"no trials to clone: importing the bundled snapshot ({len(paths)} files)")
        import_files(paths=paths)
    return list(originals.prefetch_related(*(name for name, _fields in CHILDREN.values())))


def clone(template: Trial, number: int, rng: random.Random) -> Trial:
    trial = copy.copy(template)
    trial.pk = None
    trial.id = None
    trial._state = copy.copy(template._state)
    trial._state.adding = True
    trial._prefetched_objects_cache = {}
    trial.nct_id = f"{CLONE_PREFIX}{number:07d}"
    # Spread dates and sizes so that ranges and sorts select realistically.
    shift = timedelta(days=rng.randint(-8 * 365, 2 * 365))
    for name in ("start_date", "primary_completion_date", "completion_date", "last_update_posted"):
        value = getattr(template, name)
        setattr(trial, name, value + shift if value else None)
    if template.enrollment is not None:
        trial.enrollment = max(1, int(template.enrollment * rng.uniform(0.3, 3)))
    record = copy.deepcopy(template.raw_record)
    record.setdefault("protocolSection", {}).setdefault("identificationModule", {})["nctId"] = (
        trial.nct_id
    )
    trial.raw_record = record
    return trial


def fill(target: int) -> None:
    have = Trial.objects.filter(nct_id__startswith=CLONE_PREFIX).count()
    if have >= target:
        print(f"{have} cloned trials already there")
        return
    sources = templates()
    rng = random.Random(4)
    started = time.perf_counter()
    for first in range(have, target, BATCH):
        numbers = range(first, min(first + BATCH, target))
        pairs = [
            (clone(sources[n % len(sources)], n, rng), sources[n % len(sources)]) for n in numbers
        ]
        with transaction.atomic():
            trials = Trial.objects.bulk_create([trial for trial, _source in pairs])
            if trials[0].pk is None:  # SQLite without RETURNING: fetch the ids
                ids = dict(
                    Trial.objects.filter(nct_id__in=[t.nct_id for t in trials]).values_list(
                        "nct_id", "pk"
                    )
                )
                for trial in trials:
                    trial.pk = ids[trial.nct_id]
            for model, (related, fields) in CHILDREN.items():
                rows = [
                    model(trial=trial, **{f: getattr(child, f) for f in fields})
                    for trial, source in pairs
                    for child in getattr(source, related).all()
                ]
                model.objects.bulk_create(rows, batch_size=2000)
            refresh_effective_labels(trials=trials)
        done = numbers.stop
        print(f"  {done:>6} trials ({time.perf_counter() - started:.0f} s)", flush=True)
    if connection.vendor == "postgresql":
        # What autovacuum does soon after a big import: statistics, and the visibility map that
        # lets counts and id lists be read from indexes alone.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def drop() -> None:
    deleted, _ = Trial.objects.filter(nct_id__startswith=CLONE_PREFIX).delete()
    print(f"deleted {deleted} rows")


def timings(call, repeat: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        call()
    result = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        result.append((time.perf_counter() - started) * 1000)
    return result


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def bare_sql(query: str):
    """The count and the first page as SQL, run straight on the connection."""
    filterset = TrialFilter(QueryDict(query))
    statements = [
        filterset.qs.order_by().values("pk").query.sql_with_params(),
        filterset.qs[:PAGE_SIZE].query.sql_with_params(),
    ]
    count_sql, count_params = statements[0]
    statements[0] = (f"SELECT COUNT(*) FROM ({count_sql}) AS matching", count_params)

    def run():
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                cursor.fetchall()

    return run


def get(client: Client, url: str):
    def run():
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        return response

    return run


def count(query: str) -> int:
    return TrialFilter(QueryDict(query)).qs.count()


def measure(client: Client, query: str, repeat: int) -> tuple[list[float], list[float]]:
    """The list page's and the API's times. Each request is a first one for its query: nothing
    caches a query's matches or counts (only the facet index, rebuilt when the data change)."""
    page = timings(get(client, f"/trials/?{query}"), repeat)
    api_query = query.replace("page=", "page_size=25&page=")
    api = timings(get(client, f"/api/trials/?{api_query}"), repeat)
    return page, api


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=50_000, help="cloned trials to have")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per measure")
    parser.add_argument("--drop", action="store_true", help="delete the cloned trials and stop")
    args = parser.parse_args()

    settings.DEBUG = False  # no query log, templates as in production
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    if args.drop:
        drop()
        return
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    fill(args.trials)
    total = Trial.objects.count()
    print(f"{total} trials; {args.repeat} timed requests per measure, milliseconds\n")

    client = Client()
    header = (
        f"{'filter':<58} {'trials':>6}  {'page p50':>8} {'p95':>6}  {'API p50':>7} {'p95':>6}"
        f"  {'SQL p50':>7}  {'page/SQL':>8} {'API/SQL':>7}"
    )
    print(header)
    print("-" * len(header))
    worst = 0.0
    for query in COMBINATIONS:
        page, api = measure(client, query, args.repeat)
        sql = timings(bare_sql(query), args.repeat)
        page_p50, api_p50, sql_p50 = (statistics.median(v) for v in (page, api, sql))
        worst = max(worst, p95(page), p95(api))
        print(
            f"{query or '(default: cell therapies)':<58} {count(query):>6}  "
            f"{page_p50:>8.1f} {p95(page):>6.1f}  {api_p50:>7.1f} {p95(api):>6.1f}  "
            f"{sql_p50:>7.1f}  {page_p50 / sql_p50:>8.1f} {api_p50 / sql_p50:>7.1f}"
        )
    print(f"\nslowest p95: {worst:.1f} ms (target on PostgreSQL: 100 ms)")
    print("\nbeyond the target:")
    for query in MORE:
        page, api = measure(client, query, args.repeat)
        print(
            f"{query:<58} {count(query):>6}  {statistics.median(page):>8.1f} {p95(page):>6.1f}  "
            f"{statistics.median(api):>7.1f} {p95(api):>6.1f}"
        )
    # Other work on the machine shows in the p95s: say how busy it was.
    print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
