"""Facet counts in memory: one bitmap of trials per facet value, rebuilt when the data changes.

Why: TrialFilter's facet counts say, for every value of every facet, how many trials it would
give under the *other* active filters. In SQL that is a grouped join over all TrialFacet rows
(about twelve per trial) for each facet whose own filter is active: half a second and more at
50,000 trials. Here each (facet, value) is a Python int used as a bitmap — bit n set when the
visible trial with primary key n has that value — so a count is an AND and a popcount: microseconds.

The index is read from TrialFacet (about a second at 50,000 trials) and rebuilt whenever
`data_version()` — one cheap query per request — says trials or facets changed. The filters that
are not facets (free text, year and enrollment ranges) still run in SQL, as TrialFilter builds
them; their matching ids become one more bitmap. The meaning is TrialFilter's own: tests compare
these counts with the SQL reference, `TrialFilter.facet_counts_in_sql`.
"""

from __future__ import annotations

import threading
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import F, QuerySet

from trials.labels import STATUS_GROUPS
from trials.models import Trial, TrialFacet

_lock = threading.Lock()
_current: dict[str, FacetIndex] = {}  # by database alias

# The list's default order, and the order of the trials within a relevance tier (`in_order`).
LATEST_UPDATE_FIRST = [F("last_update_posted").desc(nulls_last=True), "nct_id"]


@dataclass(frozen=True)
class FacetIndex:
    """Bitmaps whose bit n stands for the trial whose primary key is n.

    Primary keys rather than positions in a list, so that turning ids from SQL into a bitmap
    and back costs no lookup (ids are dense: trials are never deleted).
    """

    version: tuple
    size: int  # bytes of a bitmap: the highest trial pk, in bits
    visible: int  # bitmap of every visible trial (not excluded by a curator)
    cell_therapies: int  # bitmap of the visible cell therapies
    bitmaps: dict[str, dict[str, int]]  # facet → value → bitmap
    by_update: array  # the visible trials' pks, latest update first (LATEST_UPDATE_FIRST)
    # Enrollment by its type ("ACTUAL", "ESTIMATED", "" when not said): the bitmap of the trials
    # that give a figure, and one bitmap per binary digit of the figure, so that the sum over
    # any selection is a few AND and bit counts, not a walk over its trials.
    enrolled: dict[str, tuple[int, tuple[int, ...]]] = field(default_factory=dict)

    def bitmap_of(self, pks: Iterable[int]) -> int:
        """The bitmap of these trials (those not visible are left out)."""
        bits = bytearray(self.size)
        limit = self.size * 8
        for pk in pks:
            if pk < limit:
                bits[pk >> 3] |= 1 << (pk & 7)
        return int.from_bytes(bits, "little") & self.visible

    def in_order(self, bitmaps: list[int]) -> InOrder:
        """The trials of each bitmap in turn, each bitmap's in the order of `by_update`."""
        return InOrder(self, bitmaps)

    def any_of(self, facet: str, values: Iterable[str]) -> int:
        by_value = self.bitmaps.get(facet, {})
        result = 0
        for value in values:
            result |= by_value.get(value, 0)
        return result

    def in_status_groups(self, groups: Iterable[str]) -> int:
        return self.any_of("status", [s for g in groups for s in STATUS_GROUPS.get(g, ())])

    def participants(self, within: int) -> dict[str, tuple[int, int]]:
        """Enrollment type → (participants, trials) of the trials of `within` that give one."""
        totals = {}
        for kind, (known, digits) in self.enrolled.items():
            trials = (known & within).bit_count()
            if trials:
                total = sum((digit & within).bit_count() << k for k, digit in enumerate(digits))
                totals[kind] = (total, trials)
        return totals

    def counts(self, facet: str, within: int) -> dict[str, int]:
        """How many trials of `within` have each value of `facet` (values with none left out)."""
        return {
            value: n
            for value, bitmap in self.bitmaps.get(facet, {}).items()
            if (n := (bitmap & within).bit_count())
        }


def data_version(using: str = "default") -> tuple:
    """What changes whenever the facet index would: one query on primary keys and a tiny index.

    An import or a curation rewrites the facet rows of the trials it touches (new ids), a new
    trial has a new id, and excluding a trial changes the number of excluded ones.
    """
    trial = connections[using].ops.quote_name(Trial._meta.db_table)
    facet = connections[using].ops.quote_name(TrialFacet._meta.db_table)
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {trial}), (SELECT MAX(id) FROM {trial}), "
            f"(SELECT COUNT(*) FROM {trial} WHERE excluded), (SELECT MAX(id) FROM {facet})"
        )
        return tuple(cursor.fetchone())


def build(version: tuple, using: str = "default") -> FacetIndex:
    trials = list(
        Trial.objects.using(using)
        .visible()
        .order_by(*LATEST_UPDATE_FIRST)
        .values_list("pk", "is_cell_therapy", "enrollment", "enrollment_type")
    )
    size = (max(row[0] for row in trials) + 8) // 8 if trials else 1
    visible, cell = bytearray(size), bytearray(size)
    enrolled: dict[str, tuple[bytearray, list[bytearray]]] = {}
    for pk, is_cell, enrollment, kind in trials:
        visible[pk >> 3] |= 1 << (pk & 7)
        if is_cell:
            cell[pk >> 3] |= 1 << (pk & 7)
        if enrollment is not None:
            known, digits = enrolled.setdefault(kind or "", (bytearray(size), []))
            known[pk >> 3] |= 1 << (pk & 7)
            for k in range(enrollment.bit_length()):
                if k == len(digits):
                    digits.append(bytearray(size))
                if enrollment >> k & 1:
                    digits[k][pk >> 3] |= 1 << (pk & 7)
    bits: dict[str, dict[str, bytearray]] = defaultdict(dict)
    rows = (
        TrialFacet.objects.using(using)
        .filter(trial__excluded=False)
        .values_list("trial_id", "facet", "value")
        .iterator(chunk_size=20_000)
    )
    for pk, facet, value in rows:
        if pk >= size * 8:  # a trial added since the list above was read
            continue
        by_value = bits[facet]
        if value not in by_value:
            by_value[value] = bytearray(size)
        by_value[value][pk >> 3] |= 1 << (pk & 7)
    return FacetIndex(
        version=version,
        size=size,
        visible=int.from_bytes(visible, "little"),
        cell_therapies=int.from_bytes(cell, "little"),
        bitmaps={
            facet: {value: int.from_bytes(b, "little") for value, b in by_value.items()}
            for facet, by_value in bits.items()
        },
        by_update=array("q", (row[0] for row in trials)),
        enrolled={
            kind: (
                int.from_bytes(known, "little"),
                tuple(int.from_bytes(d, "little") for d in digits),
            )
            for kind, (known, digits) in enrolled.items()
        },
    )


def current(using: str = "default") -> FacetIndex:
    """The facet index of the data as it is now (rebuilt first if the data changed)."""
    version = data_version(using)
    index = _current.get(using)
    if index is not None and index.version == version:
        return index
    with _lock:
        index = _current.get(using)
        if index is None or index.version != version:
            index = build(version, using)
            _current[using] = index
    return index


def id_lists(querysets: list[QuerySet]) -> list[list[int]]:
    """The ids of the trials of each queryset, all read by one query.

    Each list as one array (PostgreSQL) or one string (SQLite) rather than a row per id: Django's
    per-row converters, and even the driver's rows, cost more than the query for 30,000 ids.
    """
    using = querysets[0].db
    postgresql = connections[using].vendor == "postgresql"
    columns, params = [], []
    for queryset in querysets:
        ids = queryset.order_by().values_list("pk", flat=True)
        sql, sql_params = ids.query.get_compiler(using=using).as_sql()
        if postgresql:
            columns.append(f"ARRAY({sql})")
        else:  # the column is named pk, as values_list("pk") names it
            columns.append(f"(SELECT group_concat(ids.pk) FROM ({sql}) AS ids)")
        params.extend(sql_params)
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)}", params)
        row = cursor.fetchone()
    if postgresql:
        return [list(ids) for ids in row]
    return [[int(pk) for pk in ids.split(",")] if ids else [] for ids in row]


class InOrder(Sequence):
    """The trials of several bitmaps in turn, each bitmap's latest update first, lazily.

    The relevance order of the list (see TrialFilter.paginable): a page needs only the part of
    `by_update` up to its last trial, not an order of every match.
    """

    def __init__(self, index: FacetIndex, bitmaps: list[int]):
        self.index = index
        self.bitmaps = bitmaps
        self.counts = [bitmap.bit_count() for bitmap in bitmaps]

    def __len__(self) -> int:
        return sum(self.counts)

    def __getitem__(self, key):
        if not isinstance(key, slice):
            found = self[key : key + 1] if key >= 0 else self[len(self) + key :][:1]
            if not found:
                raise IndexError(key)
            return found[0]
        start, stop, step = key.indices(len(self))
        if step != 1:
            return list(self)[key]
        pks: list[int] = []
        offset = 0
        for bitmap, count in zip(self.bitmaps, self.counts, strict=True):
            if start < offset + count and offset < stop:
                pks += self._walk(bitmap, max(start - offset, 0), min(stop - offset, count))
            offset += count
        return pks

    def _walk(self, bitmap: int, first: int, last: int) -> list[int]:
        """The trials of the bitmap at positions first to last (excluded) in update order."""
        bits = bitmap.to_bytes(self.index.size, "little")
        pks, seen = [], 0
        for pk in self.index.by_update:
            if bits[pk >> 3] >> (pk & 7) & 1:
                if seen >= first:
                    pks.append(pk)
                seen += 1
                if seen >= last:
                    break
        return pks


class CountedTrials:
    """The matching trials for a Paginator: counted on the facet index, a page read in two steps.

    A page is first the ids in the filter's order (a narrow sort, which PostgreSQL keeps in
    memory), then those trials loaded by id as `load` says (deferred columns, prefetches):
    sorting whole rows of thousands of matches spilled to disk and cost ten times more.
    """

    ordered = True

    def __init__(
        self,
        queryset: QuerySet | Sequence[int],
        count: int,
        load: Callable[[QuerySet], QuerySet],
    ):
        self.queryset = queryset  # or the ids, already in order
        self._count = count
        self.load = load

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, key: slice) -> list[Trial]:
        if isinstance(self.queryset, QuerySet):
            ids = list(self.queryset.values_list("pk", flat=True)[key])
        else:
            ids = list(self.queryset[key])
        by_pk = {trial.pk: trial for trial in self.load(Trial.objects.filter(pk__in=ids))}
        return [by_pk[pk] for pk in ids if pk in by_pk]
