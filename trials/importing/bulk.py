"""Insert many rows of one model as plain dicts, in multi-row INSERT statements.

An import writes tens of thousands of child rows per 1000-study page (arms, interventions,
locations, labels, facets, and the evidence). Building a Django model instance per row and
letting bulk_create prepare every value took most of the import's time, for rows that need no
model behaviour: they are plain values. Here a row is a dict keyed
by column (`attname`), values pass as they are except where the field must convert them (JSON,
datetimes), and a parent row's dict receives its new id, which its children's dicts read
through `Ref`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, models

ROWS_PER_STATEMENT = 1000
# Values a database driver takes as they are; anything else goes through the field.
_PLAIN = (str, int, float, bool, type(None))


@dataclass(frozen=True)
class Ref:
    """A foreign key to a row inserted earlier in the same rebuild: its dict gets "id"."""

    row: dict[str, Any]

    @property
    def id(self) -> int:
        return self.row["id"]


def _max_params() -> int:
    """How many parameters one statement may take."""
    if connection.vendor == "sqlite":
        # Django assumes SQLite's historical 999; the library says what it takes (32766 since
        # SQLite 3.32), and 999 would split a page's rows into hundreds of statements.
        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return connection.features.max_query_params or 65535


def _columns(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def insert_rows(
    model: type[models.Model], rows: Sequence[dict[str, Any]], *, returning_ids: bool = False
) -> None:
    """INSERT `rows` (every non-pk column by attname; a `Ref` for a parent's id).

    With `returning_ids`, each dict gets its new primary key as "id", for the children to read.
    A missing column raises KeyError: nothing is left to a database default.
    """
    if not rows:
        return
    fields = _columns(model)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(f.column) for f in fields)
    placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_statement = max(1, min(ROWS_PER_STATEMENT, _max_params() // len(fields)))
    returning = returning_ids and connection.features.can_return_rows_from_bulk_insert
    suffix = f" RETURNING {quote(model._meta.pk.column)}" if returning else ""

    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params: list[Any] = []
            for row in chunk:
                for field in fields:
                    value = row[field.attname]
                    if isinstance(value, Ref):
                        value = value.id
                    elif not isinstance(value, _PLAIN):
                        value = field.get_db_prep_save(value, connection)
                    params.append(value)
            sql = f"INSERT INTO {table} ({names}) VALUES {', '.join([placeholder] * len(chunk))}"
            cursor.execute(sql + suffix, params)
            if returning:
                for row, (pk,) in zip(chunk, cursor.fetchall(), strict=True):
                    row["id"] = pk
    if returning_ids and not returning:
        _read_back_ids(model, rows)


def _read_back_ids(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> None:
    """Without INSERT … RETURNING (SQLite before 3.35): the rows of these trials, in id order.
    Only for models with a `trial_id`, which every caller that needs ids has.

    The rows of these trials were just deleted and inserted by this transaction in this order,
    and SQLite (one writer at a time) numbers a statement's rows consecutively.
    """
    trial_ids = {row["trial_id"] for row in rows}
    ids = list(
        model.objects.filter(trial_id__in=trial_ids).order_by("pk").values_list("pk", flat=True)
    )
    for row, pk in zip(rows, ids, strict=True):
        row["id"] = pk
