"""The unreported evidence: trials whose primary completion is more than 12 months past with
neither posted results nor a linked result publication (a RESULT reference in the record, or
a row of the curated extraction of published results), counted per cell type × route with
their participants.

The participants of these trials are evidence the pools do not have: a reader weighs a pool
against them.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet

from trials import labels
from trials.models import Trial, TrialFacet

OVERDUE_AFTER = datetime.timedelta(days=365)


@dataclass(frozen=True)
class GapTrial:
    nct_id: str
    title: str
    primary_completion: datetime.date
    enrollment: int | None
    url: str


@dataclass
class GapCell:
    cell_type: str
    route: str
    trials: list[GapTrial] = field(default_factory=list)

    @property
    def participants(self) -> int:
        return sum(t.enrollment or 0 for t in self.trials)

    @property
    def label(self) -> str:
        cell = labels.CELL_TYPES.get(self.cell_type, self.cell_type or "No cell type")
        route = labels.ROUTES.get(self.route, self.route or "no route")
        return f"{cell} × {route}"


@dataclass
class Gaps:
    trials: list[GapTrial]
    cells: list[GapCell]
    cutoff: datetime.date

    @property
    def participants(self) -> int:
        return sum(t.enrollment or 0 for t in self.trials)


def unreported(trials: QuerySet[Trial], today: datetime.date | None = None) -> QuerySet[Trial]:
    """The trials overdue with neither registry results nor a result publication."""
    from evidence.models import PublishedResult

    cutoff = (today or datetime.date.today()) - OVERDUE_AFTER
    published = PublishedResult.objects.filter(trial__isnull=False).values("trial_id")
    return (
        trials.reported_in("none")
        .filter(primary_completion_date__lt=cutoff)
        .exclude(pk__in=published)
    )


def evidence_gaps(trials: QuerySet[Trial], today: datetime.date | None = None) -> Gaps:
    """The unreported trials, listed and counted per cell type × route. Two queries."""
    today = today or datetime.date.today()
    overdue = unreported(trials, today)
    rows = list(
        overdue.order_by("primary_completion_date", "nct_id").values(
            "pk", "nct_id", "brief_title", "primary_completion_date", "enrollment"
        )
    )
    facets: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for trial_id, facet, value in TrialFacet.objects.filter(
        trial__in=overdue.order_by().values("pk"), facet__in=("cell_types", "routes")
    ).values_list("trial_id", "facet", "value"):
        facets[trial_id][facet].add(value)
    cells: dict[tuple[str, str], GapCell] = {}
    listed = []
    for row in rows:
        trial = GapTrial(
            row["nct_id"],
            row["brief_title"],
            row["primary_completion_date"],
            row["enrollment"],
            Trial(nct_id=row["nct_id"]).get_absolute_url(),
        )
        listed.append(trial)
        for cell_type in sorted(facets[row["pk"]]["cell_types"]) or [""]:
            for route in sorted(facets[row["pk"]]["routes"]) or [""]:
                cells.setdefault((cell_type, route), GapCell(cell_type, route)).trials.append(trial)
    order = {slug: i for i, slug in enumerate(labels.CELL_TYPES)}
    route_order = {slug: i for i, slug in enumerate(labels.ROUTES)}
    return Gaps(
        trials=listed,
        cells=sorted(
            cells.values(),
            key=lambda c: (order.get(c.cell_type, 99), route_order.get(c.route, 99)),
        ),
        cutoff=today - OVERDUE_AFTER,
    )
