"""Reads that span several queries or models: the home page's overview and the import status.

Single-model business reads stay QuerySet methods (trials.models); these compose them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractYear
from django.http import QueryDict

from trials.browsing.filters import TrialFilter
from trials.labels import STATUS_GROUPS
from trials.models import ImportRun, Trial

# Enrollment bands for the overview chart: (label, lowest, highest); None is open-ended.
ENROLLMENT_BANDS = (
    # Withdrawn trials enrolled nobody: a band of their own, not left out of the chart.
    ("0 (none enrolled)", 0, 0),
    ("1–10", 1, 10),
    ("11–25", 11, 25),
    ("26–50", 26, 50),
    ("51–100", 51, 100),
    ("101–250", 101, 250),
    ("over 250", 251, None),
)


@dataclass
class Overview:
    studies: int
    cell_therapies: int
    recruiting: int
    with_results: int
    participants: int
    countries: int
    facet_counts: dict[str, dict[str, int]]
    status_groups: dict[str, int]
    start_years: list[tuple[int, int]]
    enrollment_bands: list[tuple[str, int, int | None, int]]  # label, lowest, highest, trials
    enrollment_not_given: int


def _band(low: int, high: int | None) -> Q:
    in_band = Q(enrollment__gte=low)
    return in_band & Q(enrollment__lte=high) if high is not None else in_band


def overview() -> Overview:
    """What the tracker holds, for cell therapies (the tracker's scope): four queries."""
    cell = Q(is_cell_therapy=True)
    totals = Trial.objects.visible().aggregate(
        studies=Count("pk"),
        cell_therapies=Count("pk", filter=cell),
        recruiting=Count("pk", filter=cell & Q(overall_status__in=STATUS_GROUPS["recruiting"])),
        with_results=Count("pk", filter=cell & Q(has_results=True)),
        participants=Sum("enrollment", filter=cell),
        enrollment_not_given=Count("pk", filter=cell & Q(enrollment__isnull=True)),
        **{
            f"band_{index}": Count("pk", filter=cell & _band(low, high))
            for index, (_label, low, high) in enumerate(ENROLLMENT_BANDS)
        },
    )
    years = (
        Trial.objects.cell_therapies()
        .filter(start_date__isnull=False)
        .annotate(year=ExtractYear("start_date"))
        .values("year")
        .annotate(n=Count("pk"))
        .order_by("year")
    )
    filterset = TrialFilter(QueryDict())  # the default scope: cell therapies
    counts = filterset.facet_counts()
    return Overview(
        studies=totals["studies"],
        cell_therapies=totals["cell_therapies"],
        recruiting=totals["recruiting"],
        with_results=totals["with_results"],
        participants=totals["participants"] or 0,
        countries=len(counts["countries"]),
        facet_counts=counts,
        status_groups=filterset.status_group_counts(counts["status"]),
        start_years=_fill_years([(row["year"], row["n"]) for row in years]),
        enrollment_bands=[
            (label, low, high, totals[f"band_{index}"])
            for index, (label, low, high) in enumerate(ENROLLMENT_BANDS)
        ],
        enrollment_not_given=totals["enrollment_not_given"],
    )


def _fill_years(counts: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Every year from the first to the last, zero where no trial started, so gaps show."""
    if not counts:
        return []
    by_year = dict(counts)
    return [(year, by_year.get(year, 0)) for year in range(counts[0][0], counts[-1][0] + 1)]


def recently_changed_trials(limit: int = 8) -> list[Trial]:
    return list(Trial.objects.cell_therapies().recently_changed().for_listing()[:limit])


def last_successful_import() -> ImportRun | None:
    """The newest import that finished (rejected records aside), real runs only."""
    return (
        ImportRun.objects.filter(
            status__in=[ImportRun.Status.SUCCEEDED, ImportRun.Status.PARTIAL],
            dry_run=False,
            finished_at__isnull=False,
        )
        .order_by("-finished_at")
        .first()
    )
