"""The export format shared by `export_trials`, the download buttons and the API.

Column names and value formats are a public contract (researchers' scripts read them): effective
label values as the slugs of docs/domain.md#vocabularies, lists sorted, and for each label field
its origin (auto/curated).
JSON keeps lists as arrays; CSV joins them with ';', and a text cell that a spreadsheet would run
as a formula (it begins with =, +, -, @) gets a ' in front (trials.csv_cells); JSON is unchanged.

Other apps add columns through `trials.extensions.register_export_columns` (the evidence app adds
`outcomes`, `adverse_events`, `publications`), because trials must not import them. Their values
are arrays of objects: JSON keeps them as they are, CSV writes each as compact JSON in its cell.
"""

from __future__ import annotations

import csv
import itertools
import json
import logging
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Prefetch

from trials import csv_cells, extensions, labels
from trials.models import Curation, Trial

logger = logging.getLogger(__name__)

COLUMNS = [
    "nct_id",
    "brief_title",
    "overall_status",
    "phases",
    "study_type",
    "enrollment",
    "enrollment_type",
    "start_date",
    "completion_date",
    "last_update_posted",
    "has_results",
    "lead_sponsor",
    "lead_sponsor_class",
    "countries",
    *labels.LABEL_FIELDS,
    *[f"{name}_origin" for name in labels.LABEL_FIELDS],
    "registry_url",
]


def extension_columns() -> list[str]:
    """The columns registered by other apps, in the order they were registered."""
    return [c for ext in extensions.export_columns() for c in ext.columns]


def all_columns() -> list[str]:
    """The trial's own columns, then those registered by other apps."""
    return [*COLUMNS, *extension_columns()]


def export_queryset(queryset=None):
    """Trials with what the export reads prefetched, so a row costs no extra query."""
    queryset = Trial.objects.all() if queryset is None else queryset
    return queryset.prefetch_related(
        "facets",
        Prefetch("curations", queryset=Curation.objects.current(), to_attr="curations_in_force"),
        *(lookup for ext in extensions.export_columns() for lookup in ext.prefetch),
    )


def trial_row(trial: Trial) -> dict[str, Any]:
    curated = {c.field for c in trial.curations_in_force if c.value is not None}
    row: dict[str, Any] = {
        "nct_id": trial.nct_id,
        "brief_title": trial.brief_title,
        "overall_status": trial.overall_status,
        "phases": sorted(trial.phases),
        "study_type": trial.study_type,
        "enrollment": trial.enrollment,
        "enrollment_type": trial.enrollment_type,
        "start_date": trial.partial_date("start_date"),
        "completion_date": trial.partial_date("completion_date"),
        "last_update_posted": trial.partial_date("last_update_posted"),
        "has_results": trial.has_results,
        "lead_sponsor": trial.lead_sponsor,
        "lead_sponsor_class": trial.lead_sponsor_class,
        "countries": sorted(trial.countries),
        "is_cell_therapy": trial.is_cell_therapy,
        "cell_types": trial.facet_values("cell_types"),
        "cell_sources": trial.facet_values("cell_sources"),
        "donor": trial.donor,
        "routes": trial.facet_values("routes"),
    }
    for name in labels.LABEL_FIELDS:
        row[f"{name}_origin"] = "curated" if name in curated else "auto"
    row["registry_url"] = trial.registry_url
    for ext in extensions.export_columns():
        values = ext.row(trial)
        if set(values) != set(ext.columns):
            raise ValueError(f"export extension gave {sorted(values)}, not {list(ext.columns)}")
        row.update((c, values[c]) for c in ext.columns)
    return row


def iter_rows(queryset=None, chunk_size: int = 500) -> Iterator[dict[str, Any]]:
    for trial in export_queryset(queryset).iterator(chunk_size=chunk_size):
        yield trial_row(trial)


def csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


class _Echo:
    """A file-like object whose write returns the line, for streaming CSV responses."""

    def write(self, value: str) -> str:
        return value


def csv_json_value(value: Any) -> str:
    """An extension column's value (an array of objects) as compact JSON in one CSV cell."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def iter_csv(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    columns = all_columns()
    json_columns = {c for ext in extensions.export_columns() for c in ext.columns}
    writer = csv.writer(_Echo())
    yield writer.writerow(columns)
    for row in rows:
        cells = [
            csv_json_value(row[c]) if c in json_columns else csv_value(row[c]) for c in columns
        ]
        yield writer.writerow(csv_cells.neutralise_row(cells))


def iter_json(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """A JSON array, one trial object at a time, so large exports never sit in memory."""
    yield "["
    for index, row in enumerate(rows):
        yield ("," if index else "") + "\n" + json.dumps(row, ensure_ascii=False)
    yield "\n]\n"


def iter_export(rows: Iterable[dict[str, Any]], fmt: str) -> Iterator[str]:
    """The export as text chunks: `fmt` is "csv" or "json"."""
    return iter_csv(rows) if fmt == "csv" else iter_json(rows)


# The last line of a CSV download that failed part way (see `iter_download`).
FAILED_CSV_LINE = (
    "#export-failed: the tracker failed while writing this file; it is incomplete.\r\n"
)


def started(rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The rows with the first already read, so that the query has run: a download that cannot
    start fails before its response (and its 200) is sent, not after the header row."""
    rows = iter(rows)
    try:
        first = next(rows)
    except StopIteration:
        return iter(())
    return itertools.chain([first], rows)


def iter_download(rows: Iterable[dict[str, Any]], fmt: str, request=None) -> Iterator[str]:
    """`iter_export` for an HTTP response, whose status is sent before the rows are read.

    If a row fails once the body has started, the client must be able to tell: a CSV ends with
    FAILED_CSV_LINE, a JSON array is left unclosed (no parser accepts it), and the error is
    logged and raised again, so that the server aborts the connection (with chunked transfer
    encoding the response is then incomplete at the HTTP level too).
    """
    try:
        yield from iter_export(rows, fmt)
    except Exception:
        # Logged here: the view has returned, so django.request never sees this error.
        logger.exception(
            "a %s download failed part way; its client was told", fmt, extra={"request": request}
        )
        if fmt == "csv":
            yield "\r\n" + FAILED_CSV_LINE
        else:
            yield '\n{"export_failed": "the tracker failed while writing this file"}\n'
        raise
