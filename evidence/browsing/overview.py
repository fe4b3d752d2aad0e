"""The /evidence/ page: cell type × route, pooled effects, safety by route and cell type,
functional outcomes side by side.

A fixed number of queries for any number of trials: the trials, their facets, the adverse-event
counts, the function and respiratory results (measures, groups, values, denominators) and the
effects (evidence.synthesis.registry_effects). Everything else is computed in Python, over the
trials the page's filters select.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, QuerySet

from evidence.browsing.forest import pool_forest
from evidence.browsing.links import TrialsLinks, trial_url
from evidence.browsing.trial import value_heading, value_text
from evidence.models import (
    OutcomeDenom,
    OutcomeGroup,
    OutcomeMeasure,
    OutcomeMeasurement,
)
from evidence.synthesis import pooling
from evidence.synthesis.pooling import SafetyPool
from evidence.synthesis.pools import Pool, method_line, pool_effects
from evidence.synthesis.selectors import (
    EventCount,
    adverse_event_counts,
    adverse_event_pools,
    all_effects,
)
from trials import labels
from trials.labels import PHASE_LABELS
from trials.models import Trial, TrialFacet

FUNCTIONAL_DOMAINS = ("function", "respiratory")
_FACETS = ("cell_types", "routes", "donor", "outcome_domains", "result_domains")


def phase_label(phases: list[str]) -> str:
    """["PHASE1", "PHASE2"] → "Phase 1/2"; no phase → "No phase given"."""
    if not phases:
        return "No phase given"
    names = [PHASE_LABELS.get(p, p) for p in sorted(phases)]
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
class SafetyRow:
    category: Labelled
    trials: int
    url: str
    pool: SafetyPool
    terms: list[Labelled]  # the registry terms pooled in this row, with their number of trials

    @property
    def controlled(self) -> int:
        return self.pool.risk_ratio.k if self.pool.risk_ratio else 0

    @property
    def risk_ratio(self) -> str:
        """'1.51 (0.30 to 7.68)', 'not estimable', or '' without a controlled trial."""
        rr = self.pool.risk_ratio
        if rr is None:
            return ""
        if rr.estimate is None:
            return "not estimable"
        return f"{rr.estimate:.2f} ({rr.ci_low:.2f} to {rr.ci_high:.2f})"

    @property
    def incidence(self) -> str:
        """'9.8% (3.9% to 22.5%)' in the cell-therapy groups, or ''."""
        i = self.pool.incidence
        if i is None:
            return ""
        return f"{100 * i.estimate:.1f}% ({100 * i.ci_low:.1f}% to {100 * i.ci_high:.1f}%)"

    @property
    def incidence_trials(self) -> int:
        return self.pool.incidence.k if self.pool.incidence else 0


@dataclass
class SafetyTable:
    subgroup: Labelled  # "all", a route or a cell type
    kind: str  # "all" | "route" | "cell_type"
    rows: list[SafetyRow]

    @property
    def route(self) -> Labelled:
        return self.subgroup


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

    subgroups = {
        pk: [
            *(f"route:{r}" for r in info.facets["routes"]),
            *(f"cell_type:{c}" for c in info.facets["cell_types"]),
            *(f"donor:{d}" for d in info.facets["donor"] if d != "unknown"),
        ]
        for pk, info in infos.items()
    }
    counts = adverse_event_counts(trials)
    terms, kinds = _event_terms(counts)
    effects = all_effects(trials)
    pools = _pools(pool_effects(effects, subgroups))
    overall = [p for p in pools if p.subgroup == "all"]
    return {
        "trial_count": len(infos),
        "matrix": _matrix(infos, links),
        "pools": pools,
        "forests": [f for i, p in enumerate(overall) if (f := pool_forest(p, i))],
        "pool_method": method_line(),
        "safety": _safety(subgroups, trials, links, counts, terms),
        # The selected trials that filed every event as serious (their other events are unknown).
        "all_serious": [
            Labelled(n, trial_url(n))
            for n in sorted(infos[pk].nct_id for pk, seen in kinds.items() if seen == {True})
        ],
        "functional": _functional(infos, selected),
    }


def _pools(pools: list[Pool]) -> list[Pool]:
    """Overall pools first within each family and window, then the subgroups."""
    return sorted(
        pools,
        key=lambda p: (p.measure_family, p.timepoint_window, p.effect_measure, p.subgroup != "all"),
    )


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


def _event_terms(
    counts: list[EventCount],
) -> tuple[dict[tuple[int, str], set[str]], dict[int, set[bool]]]:
    """(trial, category) → the registry terms counted in it, what a reader checks a category by;
    and trial → whether its events are serious, other or both."""
    terms: dict[tuple[int, str], set[str]] = defaultdict(set)
    kinds: dict[int, set[bool]] = defaultdict(set)
    for count in counts:
        terms[(count.trial_id, count.category)].add(count.term)
        kinds[count.trial_id].add(count.serious)
    return terms, kinds


def _terms_of(pool: SafetyPool, category: str, terms) -> list[Labelled]:
    trials_of = Counter(term for t in pool.trial_ids for term in terms[(t, category)])
    return [Labelled(term, term, n) for term, n in sorted(trials_of.items(), key=_by_term)]


def _by_term(item: tuple[str, int]) -> tuple[str, str]:
    return (item[0].casefold(), item[0])


def _safety(
    subgroups: dict[int, list[str]], trials, links: TrialsLinks, counts, terms
) -> list[SafetyTable]:
    pools = adverse_event_pools(trials, subgroups, counts)
    categories = _chosen(labels.EVENT_CATEGORIES, links, "ae_category")
    tables_of = [("all", pooling.ALL, "All trials", {})]
    tables_of += [
        ("route", f"route:{r}", label, {"route": r})
        for r, label in _chosen(labels.ROUTES, links, "route").items()
    ]
    tables_of += [
        ("cell_type", f"cell_type:{c}", label, {"cell_type": c})
        for c, label in _chosen(labels.CELL_TYPES, links, "cell_type").items()
    ]
    tables = []
    for kind, key, title, link_params in tables_of:
        by_category: dict[str, SafetyPool] = pools.get(key, {})
        rows = [
            SafetyRow(
                category=Labelled(c, c_label),
                trials=len(by_category[c].trial_ids),
                url=links.url(ae_category=c, **link_params),
                pool=by_category[c],
                terms=_terms_of(by_category[c], c, terms),
            )
            for c, c_label in categories.items()
            if c in by_category
        ]
        if rows:
            slug = key.partition(":")[2] or "all"
            tables.append(SafetyTable(Labelled(slug, title), kind, rows))
    return tables


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
