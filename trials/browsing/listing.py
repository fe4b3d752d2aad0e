"""The trial list page's parts built from a TrialFilter and its facet counts.

Pure presentation: which options each facet shows with how many trials, the active filters with
a link that removes each, the readable messages for parameters that could not be used, and the
page and page-size parameters. The URL is the whole state, so every link here is a query string.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.paginator import Page
from django.http import QueryDict

from trials.browsing.display import enum_label
from trials.browsing.filters import FACET_PARAMS, SCOPES, SORTS, TrialFilter
from trials.labels import PHASE_LABELS, STATUS_GROUP_LABELS

PER_PAGE_CHOICES = (10, 25, 50, 100)
DEFAULT_PER_PAGE = 25
# Parameters of the page itself, beside the filters.
PAGE_PARAMS = ("page", "per_page")

PHASE_ORDER = tuple(PHASE_LABELS)
# Facets that list only the values some trial has (or that are selected): long or open lists.
ONLY_PRESENT = {"status", "country", "sponsor_class"}
FACET_ORDER = (
    "cell_type",
    "cell_source",
    "donor",
    "route",
    "phase",
    "status_group",
    "status",
    "study_type",
    "country",
    "sponsor_class",
    # The evidence app's facets (trials.labels.EVIDENCE_FACETS): outcomes and adverse events.
    "outcome_domain",
    "result_domain",
    "ae_category",
)


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    count: int
    selected: bool


# Facets shown unfolded even when nothing in them is selected: what researchers come for.
OPEN_FACETS = {"cell_type", "cell_source", "donor", "route", "phase", "status_group"}
LONG_FACET = 12
# Values that are the defaults, so a canonical URL leaves them out.
DEFAULT_VALUES = {"scope": "cell-therapies", "sort": "relevance", "per_page": str(DEFAULT_PER_PAGE)}


@dataclass
class FacetGroup:
    param: str
    legend: str
    options: list[Option] = field(default_factory=list)

    @property
    def selected_count(self) -> int:
        return sum(1 for option in self.options if option.selected)

    @property
    def open(self) -> bool:
        return bool(self.selected_count) or self.param in OPEN_FACETS

    @property
    def long(self) -> bool:
        """Long enough to scroll within itself rather than push the other filters away."""
        return len(self.options) > LONG_FACET


@dataclass(frozen=True)
class Participants:
    """The enrollment of the selected trials: what was enrolled apart from what is planned."""

    actual: int = 0
    actual_trials: int = 0
    estimated: int = 0
    estimated_trials: int = 0
    unstated_trials: int = 0  # no figure, or a figure whose type the record does not say


def participants(filterset: TrialFilter) -> Participants:
    by_type = filterset.participants()
    actual, actual_trials = by_type.get("ACTUAL", (0, 0))
    estimated, estimated_trials = by_type.get("ESTIMATED", (0, 0))
    return Participants(
        actual=actual,
        actual_trials=actual_trials,
        estimated=estimated,
        estimated_trials=estimated_trials,
        unstated_trials=filterset.count() - actual_trials - estimated_trials,
    )


@dataclass(frozen=True)
class ActiveFilter:
    label: str
    remove_url: str


@dataclass(frozen=True)
class PageParams:
    page: int
    per_page: int
    problems: tuple[str, ...] = ()


def query_string(query: QueryDict, **changes) -> str:
    """The query string with some parameters replaced (None removes one), page reset to 1.

    Keeps every other parameter as given and where it stood, repeated ones included; empty
    values are dropped so that shared URLs stay short.
    """

    def values_of(value) -> list[str]:
        if value is None:
            return []
        return [str(v) for v in (value if isinstance(value, list | tuple) else [value])]

    pairs = []
    for name, values in query.lists():
        if name == "page":
            continue
        chosen = values_of(changes.pop(name)) if name in changes else values
        pairs.extend((name, value) for value in chosen if value != "")
    for name, value in changes.items():
        pairs.extend((name, v) for v in values_of(value))
    return "?" + urlencode(pairs) if pairs else "?"


def canonical_query(query: QueryDict) -> str:
    """The query string a form submission should have been: no empty values, no defaults.

    A form sends every field, filled or not (`q=&start_year_min=&sort=relevance…`); the page
    redirects to this shorter form so that bookmarked and shared URLs say only what was chosen.
    """
    pairs = [
        (name, value)
        for name, values in query.lists()
        for value in values
        if value != "" and DEFAULT_VALUES.get(name) != value and (name, value) != ("page", "1")
    ]
    return "?" + urlencode(pairs) if pairs else ""


def without_value(query: QueryDict, name: str, value: str | None = None) -> str:
    """The query string without one value of a parameter (or without the parameter)."""
    if value is None:
        return query_string(query, **{name: None})
    remaining = [v for v in query.getlist(name) if v != value]
    return query_string(query, **{name: remaining or None})


def page_url(query: QueryDict, page: int) -> str:
    pairs = [(n, v) for n, values in query.lists() if n != "page" for v in values if v != ""]
    if page > 1:
        pairs.append(("page", str(page)))
    return "?" + urlencode(pairs) if pairs else "?"


def page_params(query: QueryDict) -> PageParams:
    problems = []
    per_page = DEFAULT_PER_PAGE
    raw = query.get("per_page", "")
    if raw:
        if raw.isascii() and raw.isdigit() and int(raw) in PER_PAGE_CHOICES:
            per_page = int(raw)
        else:
            choices = ", ".join(str(c) for c in PER_PAGE_CHOICES)
            problems.append(
                f"“{raw}” trials per page is not offered (choose {choices}); "
                f"showing {DEFAULT_PER_PAGE}."
            )
    page = 1
    raw = query.get("page", "")
    if raw:
        # isascii: "²" is a digit to isdigit() but no number to int() (a 500, issue 14).
        if raw.isascii() and raw.isdigit() and int(raw) >= 1:
            page = int(raw)
        else:
            problems.append(f"“{raw}” is not a page number; showing the first page.")
    return PageParams(page=page, per_page=per_page, problems=tuple(problems))


def problems(filterset: TrialFilter, query: QueryDict) -> list[str]:
    """Readable messages for the parameters that were ignored, unknown or invalid."""
    messages = []
    for name, errors in filterset.errors.items():
        label = filterset.filters[name].label if name in filterset.filters else name
        given = ", ".join(f"“{v}”" for v in query.getlist(name))
        detail = " ".join(errors)
        messages.append(f"{label} ({name}={given}): {detail} This filter was ignored.")
    known = set(filterset.filters) | set(PAGE_PARAMS)
    for name in query:
        if name not in known:
            messages.append(f"“{name}” is not a filter of this page; it was ignored.")
    return messages


def _choices(filterset: TrialFilter, param: str) -> list[tuple[str, str]]:
    choices = list(filterset.filters[param].extra.get("choices") or [])
    if param == "phase":
        order = {value: index for index, value in enumerate(PHASE_ORDER)}
        choices.sort(key=lambda c: order.get(c[0], len(order)))
    return [(value, enum_label(value) if label == value else label) for value, label in choices]


def facet_groups(filterset: TrialFilter, counts: dict[str, dict[str, int]]) -> list[FacetGroup]:
    """Every facet with its options, each with how many trials it would match."""
    cleaned = filterset.cleaned()
    groups = []
    for param in FACET_ORDER:
        selected = set(cleaned.get(param) or [])
        if param == "status_group":
            param_counts = filterset.status_group_counts(counts["status"])
            choices = list(STATUS_GROUP_LABELS.items())
        else:
            param_counts = counts[FACET_PARAMS[param]]
            if param == "country":
                names = sorted(set(param_counts) | selected)
                choices = [
                    (n, n) for n in sorted(names, key=lambda n: (-param_counts.get(n, 0), n))
                ]
            else:
                choices = _choices(filterset, param)
        options = [
            Option(value, label, param_counts.get(value, 0), value in selected)
            for value, label in choices
            if param not in ONLY_PRESENT or param_counts.get(value) or value in selected
        ]
        legend = "Exact status" if param == "status" else filterset.filters[param].label
        groups.append(FacetGroup(param=param, legend=legend, options=options))
    return groups


def has_results_options(filterset: TrialFilter, counts) -> list[Option]:
    chosen = filterset.cleaned().get("has_results") or ""
    by_value = counts.get("has_results", {})
    return [
        Option("", "Either", sum(by_value.values()), chosen == ""),
        Option("true", "Yes", by_value.get("true", 0), chosen == "true"),
        Option("false", "No", by_value.get("false", 0), chosen == "false"),
    ]


def active_filters(filterset: TrialFilter, query: QueryDict) -> list[ActiveFilter]:
    """The filters in force, each with the link that removes it."""
    cleaned = filterset.cleaned()
    active = []
    if cleaned.get("q"):
        active.append(ActiveFilter(f"Search: “{cleaned['q']}”", without_value(query, "q")))
    for param in FACET_ORDER:
        labels = dict(_choices(filterset, param)) if param != "country" else {}
        if param == "status_group":
            labels = STATUS_GROUP_LABELS
        for value in cleaned.get(param) or []:
            text = f"{filterset.filters[param].label}: {labels.get(value, value)}"
            active.append(ActiveFilter(text, without_value(query, param, value)))
    for param in ("start_year_min", "start_year_max", "enrollment_min", "enrollment_max"):
        if cleaned.get(param) is not None:
            text = f"{filterset.filters[param].label}: {cleaned[param]}"
            active.append(ActiveFilter(text, without_value(query, param)))
    if cleaned.get("has_results"):
        answer = "yes" if cleaned["has_results"] == "true" else "no"
        active.append(
            ActiveFilter(f"Posted results: {answer}", without_value(query, "has_results"))
        )
    if cleaned.get("scope") == "all":
        active.append(ActiveFilter(SCOPES["all"], without_value(query, "scope")))
    return active


def selection_context(filterset: TrialFilter, query: QueryDict) -> dict:
    """The list's filter controls and chips, for a page that shows the same trials another way
    (templates/trials/_selection.html)."""
    counts = filterset.facet_counts()
    return {
        "cleaned": filterset.cleaned(),
        "scopes": SCOPES,
        "facet_groups": facet_groups(filterset, counts),
        "has_results_options": has_results_options(filterset, counts),
        "active_filters": active_filters(filterset, query),
        "selection_count": filterset.count(),
        "list_query": canonical_query(query),
    }


def page_context(filterset: TrialFilter, query: QueryDict, page: Page, params: PageParams) -> dict:
    """Everything the list template shows, from the filter, the query string and the page."""
    counts = filterset.facet_counts()
    paginator = page.paginator
    messages = problems(filterset, query) + list(params.problems)
    if params.page > paginator.num_pages:
        messages.append(
            f"There is no page {params.page}; showing the last page, {paginator.num_pages}."
        )
    return {
        "filterset": filterset,
        "cleaned": filterset.cleaned(),
        "page": page,
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "per_page": params.per_page,
        "per_page_choices": PER_PAGE_CHOICES,
        "problems": messages,
        "facet_groups": facet_groups(filterset, counts),
        "has_results_options": has_results_options(filterset, counts),
        "active_filters": active_filters(filterset, query),
        "sorts": SORTS,
        "scopes": SCOPES,
        "query": query,
        "export_query": query_string(query, per_page=None),
        "selection_query": query_string(query, per_page=None, sort=None),
        "participants": participants(filterset),
    }
