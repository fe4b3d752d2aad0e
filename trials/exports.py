"""The export format shared by `export_trials`, the download buttons and the API.

Column names and value formats are a public contract (researchers' scripts read them): effective
label values as DOMAIN.md slugs, lists sorted, and for each label field its origin (auto/curated).
JSON keeps lists as arrays; CSV joins them with ';'.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Prefetch

from trials import labels
from trials.models import Curation, Trial

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
    "is_cell_therapy",
    "cell_types",
    "cell_sources",
    "donor",
    "routes",
    *[f"{name}_origin" for name in labels.LABEL_FIELDS],
    "registry_url",
]


def export_queryset(queryset=None):
    """Trials with what the export reads prefetched, so a row costs no extra query."""
    queryset = Trial.objects.all() if queryset is None else queryset
    return queryset.prefetch_related(
        "facets",
        Prefetch("curations", queryset=Curation.objects.current(), to_attr="curations_in_force"),
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


def iter_csv(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(COLUMNS)
    for row in rows:
        yield writer.writerow([csv_value(row[c]) for c in COLUMNS])


def iter_json(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """A JSON array, one trial object at a time, so large exports never sit in memory."""
    yield "["
    for index, row in enumerate(rows):
        yield ("," if index else "") + "\n" + json.dumps(row, ensure_ascii=False)
    yield "\n]\n"


def iter_export(rows: Iterable[dict[str, Any]], fmt: str) -> Iterator[str]:
    """The export as text chunks: `fmt` is "csv" or "json"."""
    return iter_csv(rows) if fmt == "csv" else iter_json(rows)
