"""The home page's charts: the overview's counts as SVG, each with a table of links to the list.

Pure: an Overview in, chart views out. Each table row links to the trial list filtered on that
value, so a chart is also a way in.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.safestring import SafeString

from trials import labels
from trials.browsing.charts import Bar, bar_chart, column_chart
from trials.browsing.display import enum_label
from trials.browsing.home import Overview
from trials.browsing.listing import PHASE_ORDER


@dataclass(frozen=True)
class Row:
    label: str
    value: int
    url: str


@dataclass(frozen=True)
class ChartView:
    chart_id: str
    heading: str
    svg: SafeString
    rows: list[Row]
    note: str = ""


def _list_url(**params) -> str:
    return reverse("trials:list") + ("?" + urlencode(params) if params else "")


def _vocabulary_rows(param: str, vocabulary: dict[str, str], counts: dict[str, int]) -> list[Row]:
    return [
        Row(label, counts[slug], _list_url(**{param: slug}))
        for slug, label in vocabulary.items()
        if counts.get(slug)
    ]


def _bars(rows: list[Row]) -> list[Bar]:
    return [Bar(row.label, row.value) for row in rows]


def _chart(chart_id: str, heading: str, rows: list[Row], note: str = "") -> ChartView:
    svg = bar_chart(chart_id=chart_id, title=heading, bars=_bars(rows))
    return ChartView(chart_id, heading, svg, rows, note)


def overview_charts(overview: Overview) -> list[ChartView]:
    counts = overview.facet_counts
    several = "A trial with several values counts once for each."
    phases = [
        Row(enum_label(p), counts["phases"][p], _list_url(phase=p))
        for p in PHASE_ORDER
        if counts["phases"].get(p)
    ]
    statuses = [
        Row(label, overview.status_groups[group], _list_url(status_group=group))
        for group, label in (
            ("recruiting", "Recruiting or about to"),
            ("active", "Active, not recruiting"),
            ("completed", "Completed"),
            ("stopped", "Stopped early"),
            ("unknown", "Unknown"),
        )
        if overview.status_groups.get(group)
    ]
    years = [
        Row(str(year), n, _list_url(start_year_min=year, start_year_max=year))
        for year, n in overview.start_years
    ]
    bands = [
        Row(
            label,
            n,
            _list_url(enrollment_min=low, **({"enrollment_max": high} if high is not None else {})),
        )
        for label, low, high, n in overview.enrollment_bands
    ]
    charts = [
        _chart(
            "chart-cell-types",
            "Trials by cell type",
            _vocabulary_rows("cell_type", labels.CELL_TYPES, counts["cell_types"]),
            several,
        ),
        _chart(
            "chart-routes",
            "Trials by delivery route",
            _vocabulary_rows("route", labels.ROUTES, counts["routes"]),
            several,
        ),
        _chart("chart-phases", "Trials by phase", phases, "A phase 1/2 trial counts in both."),
        _chart("chart-status", "Trials by status", statuses),
        ChartView(
            "chart-start-years",
            "Trials by start year",
            column_chart(
                chart_id="chart-start-years", title="Trials by start year", bars=_bars(years)
            ),
            years,
        ),
        ChartView(
            "chart-enrollment",
            "Trials by enrollment (participants)",
            bar_chart(
                chart_id="chart-enrollment",
                title="Trials by enrollment (participants)",
                bars=_bars(bands),
            ),
            bands,
            f"{overview.enrollment_not_given} without an enrollment figure."
            if overview.enrollment_not_given
            else "",
        ),
    ]
    return charts
