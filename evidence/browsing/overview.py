"""The /evidence/ page: cell type × route, safety by route, functional outcomes side by side.

Seven queries for any number of trials: the trials, their facets, the adverse-event counts, and
the function and respiratory results (measures, groups, values, denominators). Everything else
is counted in Python, over the trials the page's filters select.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, QuerySet

from evidence.browsing.links import TrialsLinks, trial_url
from evidence.browsing.trial import value_heading, value_text
from evidence.models import (
    AdverseEventCount,
    OutcomeDenom,
    OutcomeGroup,
    OutcomeMeasure,
    OutcomeMeasurement,
)
from evidence.synthesis.pooling import ALL_ROUTES, CategoryPool, GroupCount, pool_by_route
from trials import labels
from trials.models import Trial, TrialFacet

FUNCTIONAL_DOMAINS = ("function", "respiratory")
_FACETS = ("cell_types", "routes", "outcome_domains", "result_domains")


def phase_label(phases: list[str]) -> str:
    """["PHASE1", "PHASE2"] → "Phase 1/2"; no phase → "No phase given"."""
    if not phases:
        return "No phase given"
    names = [labels.PHASE_LABELS.get(p, p) for p in sorted(phases)]
    if len(names) > 1 and all(n.startswith("Phase ") for n in names):
        return "Phase " + "/".join(n.removeprefix("Phase ") for n in names)
    return " / ".join(names)


@dataclass
class TrialInfo:
    pk: int
    nct_id: str
    title: str
    enrollment: int | None
    phase: str
    url: str
    facets: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    @property
    def routes_label(self) -> str:
        return ", ".join(labels.ROUTES.get(r, r) for r in sorted(self.facets["routes"]))


@dataclass
class Labelled:
    slug: str
    label: str
    count: int = 0


@dataclass
class MatrixRow:
    cell_type: Labelled
    route: Labelled
    trials: int
    url: str
    enrollment: int
    enrollment_unknown: int
    phases: list[Labelled]
    registered: list[Labelled]
    posted: list[Labelled]


@dataclass
class Matrix:
    routes: list[Labelled]
    grid: list[tuple[Labelled, list[tuple[int, str]]]]  # cell type → (count, url) per route
    rows: list[MatrixRow]
    unclassified: int  # trials without a cell type or a route


@dataclass
class PooledNumbers:
    affected: int
    at_risk: int
    incidence: str
    groups: int


@dataclass
class SafetyRow:
    category: Labelled
    trials: int
    url: str
    cell: PooledNumbers
    control: PooledNumbers
    terms: list[Labelled]  # the registry terms pooled in this row, with their number of trials


@dataclass
class SafetyTable:
    route: Labelled
    rows: list[SafetyRow]


@dataclass
class GroupValue:
    title: str
    role: str
    n: str
    label: str
    value: str


@dataclass
class FunctionalResult:
    trial: TrialInfo
    measure: OutcomeMeasure
    heading: str  # 'Mean (Standard Deviation), score on a scale'
    values: list[GroupValue]


@dataclass
class FunctionalDomain:
    domain: Labelled
    results: list[FunctionalResult]


def evidence_overview(trials: QuerySet[Trial], params: dict[str, list[str]]) -> dict:
    """The /evidence/ context for these trials; `params` are the page's valid filter values."""
    links = TrialsLinks(params)
    infos = {
        row["pk"]: TrialInfo(
            pk=row["pk"],
            nct_id=row["nct_id"],
            title=row["brief_title"],
            enrollment=row["enrollment"],
            phase=phase_label(row["phases"]),
            url=trial_url(row["nct_id"]),
        )
        for row in trials.order_by().values("pk", "nct_id", "brief_title", "enrollment", "phases")
    }
    selected = trials.order_by().values("pk")
    for trial_id, facet, value in TrialFacet.objects.filter(
        trial__in=selected, facet__in=_FACETS
    ).values_list("trial_id", "facet", "value"):
        infos[trial_id].facets[facet].add(value)

    safety, all_serious = _safety(infos, selected, links)
    return {
        "trial_count": len(infos),
        "matrix": _matrix(infos, links),
        "safety": safety,
        "all_serious": all_serious,
        "functional": _functional(infos, selected),
    }


def _chosen(vocabulary: dict[str, str], links: TrialsLinks, param: str) -> dict[str, str]:
    """The vocabulary, narrowed to the page's selection of this parameter when there is one."""
    chosen = links.selected(param)
    return {k: v for k, v in vocabulary.items() if not chosen or k in chosen}


def _counted(counter: Counter, vocabulary: dict[str, str]) -> list[Labelled]:
    return [Labelled(s, label, counter[s]) for s, label in vocabulary.items() if counter[s]]


def _matrix(infos: dict[int, TrialInfo], links: TrialsLinks) -> Matrix:
    cell_types = _chosen(labels.CELL_TYPES, links, "cell_type")
    routes = _chosen(labels.ROUTES, links, "route")
    cells: dict[tuple[str, str], list[TrialInfo]] = defaultdict(list)
    unclassified = 0
    for info in infos.values():
        pairs = [
            (c, r)
            for c in info.facets["cell_types"]
            if c in cell_types
            for r in info.facets["routes"]
            if r in routes
        ]
        unclassified += not pairs
        for pair in pairs:
            cells[pair].append(info)

    used_routes = [r for r in routes if any(r == route for _c, route in cells)]
    grid = [
        (
            Labelled(c, cell_types[c]),
            [
                (
                    len(cells.get((c, r), ())),
                    links.url(cell_type=c, route=r) if (c, r) in cells else "",
                )
                for r in used_routes
            ],
        )
        for c in cell_types
        if any((c, r) in cells for r in used_routes)
    ]
    rows = []
    for (c, r), members in sorted(
        cells.items(),
        key=lambda item: (list(cell_types).index(item[0][0]), list(routes).index(item[0][1])),
    ):
        phases = Counter(m.phase for m in members)
        registered = Counter(d for m in members for d in m.facets["outcome_domains"])
        posted = Counter(d for m in members for d in m.facets["result_domains"])
        rows.append(
            MatrixRow(
                cell_type=Labelled(c, cell_types[c]),
                route=Labelled(r, routes[r]),
                trials=len(members),
                url=links.url(cell_type=c, route=r),
                enrollment=sum(m.enrollment or 0 for m in members),
                enrollment_unknown=sum(m.enrollment is None for m in members),
                phases=[Labelled(p, p, n) for p, n in sorted(phases.items())],
                registered=_counted(registered, labels.OUTCOME_DOMAINS),
                posted=_counted(posted, labels.OUTCOME_DOMAINS),
            )
        )
    return Matrix(
        routes=[Labelled(r, routes[r]) for r in used_routes],
        grid=grid,
        rows=rows,
        unclassified=unclassified,
    )


def _pooled(pool) -> PooledNumbers:
    incidence = pool.incidence
    return PooledNumbers(
        affected=pool.affected,
        at_risk=pool.at_risk,
        incidence="" if incidence is None else f"{incidence:.1f}%",
        groups=pool.groups,
    )


def _terms_of(pool: CategoryPool, terms: dict[tuple[int, str], set[str]]) -> list[Labelled]:
    """The terms of the pool's category in its trials: what a reader checks the category by."""
    trials_of = Counter(term for t in pool.trial_ids for term in terms[(t, pool.category)])
    return [Labelled(term, term, n) for term, n in sorted(trials_of.items(), key=_by_term)]


def _by_term(item: tuple[str, int]) -> tuple[str, str]:
    return (item[0].casefold(), item[0])


def _safety(
    infos: dict[int, TrialInfo], selected, links: TrialsLinks
) -> tuple[list[SafetyTable], list[Labelled]]:
    """The tables by route, and the selected trials that filed every event as serious."""
    counts = list(
        AdverseEventCount.objects.filter(trial__in=selected, group__isnull=False)
        .filter(event__is_legacy_total_row=False)  # all-cause deaths, not an event term
        .values_list(
            "trial_id",
            "group_id",
            "group__is_cell_therapy_group",
            "group__is_control",
            "group__is_pooled",
            "event__category",
            "event__term",
            "event__serious",
            "num_affected",
            "num_at_risk",
        )
    )
    terms: dict[tuple[int, str], set[str]] = defaultdict(set)  # (trial, category) → terms
    kinds: dict[int, set[bool]] = defaultdict(set)  # trial → serious, other, or both
    for row in counts:
        terms[(row[0], row[5])].add(row[6])
        kinds[row[0]].add(row[7])
    all_serious = sorted(infos[t].nct_id for t, seen in kinds.items() if seen == {True})
    pools = pool_by_route(
        (
            GroupCount(
                trial_id=t,
                group_id=g,
                role="control" if control else ("cell" if cell else ""),
                pooled=pooled,
                category=category,
                affected=affected,
                at_risk=at_risk,
            )
            for t, g, cell, control, pooled, category, _term, _serious, affected, at_risk in counts
        ),
        {pk: sorted(info.facets["routes"]) for pk, info in infos.items()},
    )
    categories = _chosen(labels.EVENT_CATEGORIES, links, "ae_category")
    routes = {ALL_ROUTES: "All routes", **_chosen(labels.ROUTES, links, "route")}
    tables = []
    for route, route_label in routes.items():
        by_category: dict[str, CategoryPool] = pools.get(route, {})
        rows = [
            SafetyRow(
                category=Labelled(c, c_label),
                trials=len(by_category[c].trial_ids),
                url=links.url(ae_category=c, **({"route": route} if route else {})),
                cell=_pooled(by_category[c].cell),
                control=_pooled(by_category[c].control),
                terms=_terms_of(by_category[c], terms),
            )
            for c, c_label in categories.items()
            if c in by_category
        ]
        if rows:
            tables.append(SafetyTable(Labelled(route or "all", route_label), rows))
    return tables, [Labelled(n, trial_url(n)) for n in all_serious]


def _functional(infos: dict[int, TrialInfo], selected) -> list[FunctionalDomain]:
    measures = list(
        OutcomeMeasure.objects.filter(trial__in=selected, domain__in=FUNCTIONAL_DOMAINS)
        .filter(Exists(OutcomeMeasurement.objects.filter(measure=OuterRef("pk"))))
        .order_by("trial__nct_id", "position")
    )
    ids = [m.pk for m in measures]
    groups = {g.pk: g for g in OutcomeGroup.objects.filter(measure_id__in=ids)}
    n_of: dict[int, str] = {}
    for d in OutcomeDenom.objects.filter(measure_id__in=ids, class_index__isnull=True):
        if d.group_id is not None:
            n_of.setdefault(d.group_id, d.value_text)
    values = defaultdict(list)
    for m in OutcomeMeasurement.objects.filter(measure_id__in=ids):
        group = groups.get(m.group_id)
        values[m.measure_id].append(
            GroupValue(
                title=group.title if group else m.group_registry_id,
                role=group.role_label if group else "",
                n=n_of.get(m.group_id, ""),
                label=" — ".join(t for t in (m.class_title, m.category_title) if t),
                value=value_text(m),
            )
        )
    by_domain = defaultdict(list)
    for measure in measures:
        by_domain[measure.domain].append(
            FunctionalResult(
                infos[measure.trial_id], measure, value_heading(measure), values[measure.pk]
            )
        )
    return [
        FunctionalDomain(Labelled(d, labels.OUTCOME_DOMAINS[d]), by_domain[d])
        for d in FUNCTIONAL_DOMAINS
        if by_domain[d]
    ]
