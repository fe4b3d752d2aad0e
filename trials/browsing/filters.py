"""The trial filters shared by the list page, the exports, the API and the change feed.

One FilterSet, so that what a researcher sees, downloads and gets from the API can never
disagree. Parameter values are the registry's API v2 enums (`phase=PHASE2`,
`status=COMPLETED`), the slugs of docs/domain.md#vocabularies for the labels, and country names
as the registry writes them; repeat a parameter to select several values (any of them matches).

The evidence filters (`outcome_domain`, `result_domain`, `ae_category`) select on TrialFacet rows
that the evidence app writes, so this module filters and counts them without importing it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import django_filters
from django import forms
from django.db.models import Count, F, QuerySet
from drf_spectacular.utils import extend_schema_field

from trials import labels
from trials.browsing import facet_index, fulltext
from trials.labels import PHASE_LABELS, STATUS_GROUP_LABELS, STATUS_GROUPS
from trials.models import Trial, TrialFacet
from trials.registries.ctgov import enums

DEFAULT_SCOPE = "cell-therapies"
SCOPES = {DEFAULT_SCOPE: "Cell therapies only", "all": "Every imported study"}

SORTS = {
    "relevance": "Relevance",
    "start": "Start date (newest first)",
    "start-asc": "Start date (oldest first)",
    "updated": "Last update",
    "enrollment": "Enrollment (largest first)",
    "phase": "Phase (latest first)",
}
# Unknown dates and enrollments last either way (PostgreSQL would put NULLs first when descending).
SORT_ORDER = {
    "start": [F("start_date").desc(nulls_last=True), "nct_id"],
    "start-asc": [F("start_date").asc(nulls_last=True), "nct_id"],
    "updated": facet_index.LATEST_UPDATE_FIRST,
    "enrollment": [F("enrollment").desc(nulls_last=True), "nct_id"],
    "phase": ["-phase_rank", F("start_date").desc(nulls_last=True), "nct_id"],
}


def _humanise(value: str) -> str:
    return value.replace("_", " ").capitalize()


def _choices(values, names: dict[str, str] | None = None) -> list[tuple[str, str]]:
    names = names or {}
    return [(v, names.get(v, _humanise(v))) for v in sorted(values, key=lambda v: names.get(v, v))]


class AnyValueMultipleField(forms.MultipleChoiceField):
    """Several free values (country names are whatever the registry writes): no choice check."""

    def valid_value(self, value) -> bool:
        return bool(str(value).strip())


class AnyValueMultipleFilter(django_filters.MultipleChoiceFilter):
    field_class = AnyValueMultipleField


class WholeNumberFilter(django_filters.NumberFilter):
    """Years and head counts: '2.5' or '1e400' is an error to report, not a value to round."""

    field_class = forms.IntegerField


MAX_ENROLLMENT = 10**9  # beyond any trial, and within every database's integer range


# Where a trial's results were reported: posted on the registry, in a publication the record
# links as a RESULT reference, or neither (Trial.objects.reported_in).
REPORTED = {
    "registry": "Posted on the registry",
    "publication": "In a linked result publication",
    "none": "Neither",
}


# Filter parameter → the TrialFacet facet it selects on and counts.
FACET_PARAMS = {
    "cell_type": "cell_types",
    "cell_source": "cell_sources",
    "donor": "donor",
    "route": "routes",
    "phase": "phases",
    "status": "status",
    "study_type": "study_type",
    "country": "countries",
    "sponsor_class": "sponsor_class",
    "has_results": "has_results",
    # Written by the evidence app (see trials.labels.EVIDENCE_FACETS).
    "outcome_domain": "outcome_domains",
    "result_domain": "result_domains",
    "ae_category": "ae_categories",
}


# What the facet index applies itself rather than SQL (see TrialFilter._matching_bitmaps).
NOT_IN_SQL = {*FACET_PARAMS, "status_group", "scope", "sort"}


class TrialFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="Search")
    cell_type = django_filters.MultipleChoiceFilter(
        choices=list(labels.CELL_TYPES.items()),
        method="filter_facet",
        label=labels.LABEL_FIELD_NAMES["cell_types"],
    )
    cell_source = django_filters.MultipleChoiceFilter(
        choices=list(labels.CELL_SOURCES.items()),
        method="filter_facet",
        label=labels.LABEL_FIELD_NAMES["cell_sources"],
    )
    donor = django_filters.MultipleChoiceFilter(
        choices=list(labels.DONORS.items()),
        field_name="donor",
        label=labels.LABEL_FIELD_NAMES["donor"],
    )
    route = django_filters.MultipleChoiceFilter(
        choices=list(labels.ROUTES.items()),
        method="filter_facet",
        label=labels.LABEL_FIELD_NAMES["routes"],
    )
    phase = django_filters.MultipleChoiceFilter(
        choices=_choices(enums.PHASES, PHASE_LABELS), method="filter_facet", label="Phase"
    )
    status = django_filters.MultipleChoiceFilter(
        choices=_choices(enums.OVERALL_STATUSES), field_name="overall_status", label="Status"
    )
    status_group = django_filters.MultipleChoiceFilter(
        choices=list(STATUS_GROUP_LABELS.items()), method="filter_status_group", label="Status"
    )
    study_type = django_filters.MultipleChoiceFilter(
        choices=_choices(enums.STUDY_TYPES), field_name="study_type", label="Study type"
    )
    # Free values: the schema cannot list them, so it says "strings" rather than guess.
    country = extend_schema_field({"type": "string"})(
        AnyValueMultipleFilter(method="filter_facet", label="Country")
    )
    sponsor_class = django_filters.MultipleChoiceFilter(
        choices=_choices(enums.SPONSOR_CLASSES),
        field_name="lead_sponsor_class",
        label="Sponsor class",
    )
    start_year_min = WholeNumberFilter(
        method="filter_start_from", label="Started from (year)", min_value=1900, max_value=2100
    )
    start_year_max = WholeNumberFilter(
        method="filter_start_until", label="Started until (year)", min_value=1900, max_value=2100
    )
    enrollment_min = WholeNumberFilter(
        field_name="enrollment",
        lookup_expr="gte",
        label="Enrollment at least",
        min_value=0,
        max_value=MAX_ENROLLMENT,
    )
    enrollment_max = WholeNumberFilter(
        field_name="enrollment",
        lookup_expr="lte",
        label="Enrollment at most",
        min_value=0,
        max_value=MAX_ENROLLMENT,
    )
    # A choice, not a BooleanFilter: that one silently ignores has_results=maybe.
    has_results = extend_schema_field({"type": "string", "enum": ["true", "false"]})(
        django_filters.ChoiceFilter(
            choices=[("true", "Yes"), ("false", "No")],
            method="filter_has_results",
            label="Posted results",
        )
    )
    reported = django_filters.MultipleChoiceFilter(
        choices=list(REPORTED.items()), method="filter_reported", label="Results reported"
    )
    outcome_domain = django_filters.MultipleChoiceFilter(
        choices=list(labels.OUTCOME_DOMAINS.items()),
        method="filter_facet",
        label="Registered outcome domain",
    )
    result_domain = django_filters.MultipleChoiceFilter(
        choices=list(labels.OUTCOME_DOMAINS.items()),
        method="filter_facet",
        label="Posted results in domain",
    )
    ae_category = django_filters.MultipleChoiceFilter(
        choices=list(labels.EVENT_CATEGORIES.items()),
        method="filter_facet",
        label="Adverse event reported",
    )
    scope = django_filters.ChoiceFilter(
        choices=list(SCOPES.items()), method="filter_scope", label="Studies", empty_label=None
    )
    sort = django_filters.ChoiceFilter(
        choices=list(SORTS.items()), method="filter_sort", label="Sort by", empty_label=None
    )

    class Meta:
        model = Trial
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, **kwargs):
        # Unbound (no query string) behaves like the defaults, so the first page has counts too.
        data = data.copy() if data is not None else {}
        if hasattr(data, "setlist"):
            for name in ("scope", "sort"):
                if not data.get(name):
                    data.pop(name, None)
        super().__init__(data, queryset=queryset, **kwargs)

    @property
    def qs(self) -> QuerySet:
        if not hasattr(self, "_qs"):
            self._qs = self.queryset_without(set())
        return self._qs

    def cleaned(self) -> dict:
        """The valid filter values (invalid ones are reported in `errors` and ignored)."""
        self.errors  # noqa: B018 -- validates the form
        return getattr(self.form, "cleaned_data", {})

    def queryset_without(self, skip: set[str]) -> QuerySet:
        """The trials matching every active filter but those named in `skip`.

        The scope and ordering always apply (cell therapies only unless scope=all).
        """
        cleaned = self.cleaned()
        queryset = Trial.objects.visible()
        if (cleaned.get("scope") or DEFAULT_SCOPE) != "all":
            queryset = queryset.filter(is_cell_therapy=True)
        for name, value in cleaned.items():
            if name in skip or name in ("scope", "sort"):
                continue
            queryset = self.filters[name].filter(queryset, value)
        return self.filter_sort(queryset, "sort", cleaned.get("sort"))

    # Filter methods: django-filter calls them with (queryset, parameter name, value).

    def filter_q(self, queryset, name, value):
        return fulltext.search(queryset, value) if value else queryset

    def filter_facet(self, queryset, name, value):
        return queryset.with_facet(FACET_PARAMS[name], value) if value else queryset

    def filter_status_group(self, queryset, name, value):
        return queryset.in_status_group(*value) if value else queryset

    def filter_start_from(self, queryset, name, value):
        return queryset.filter(start_date__gte=date(int(value), 1, 1))

    def filter_start_until(self, queryset, name, value):
        return queryset.filter(start_date__lte=date(int(value), 12, 31))

    def filter_reported(self, queryset, name, value):
        return queryset.reported_in(*value) if value else queryset

    def filter_has_results(self, queryset, name, value):
        return queryset.filter(has_results=value == "true") if value else queryset

    def filter_scope(self, queryset, name, value):
        return queryset  # applied in queryset_without, before every other filter

    def filter_sort(self, queryset, name, value):
        if not value or value == "relevance":
            # Relevance is the search rank when there is free text, else the latest news first.
            if "search_rank" in queryset.query.annotations:
                return queryset.order_by("-search_rank", *SORT_ORDER["updated"])
            return queryset.order_by(*SORT_ORDER["updated"])
        return queryset.order_by(*SORT_ORDER[value])

    # Facet counts and totals, from the in-memory facet index (trials.browsing.facet_index).

    def _matching_bitmaps(self):
        """The facet index, the trials matching the non-facet filters, and each facet selection.

        Free text and ranges run in SQL, without the scope (a bitmap of the index, as reading
        `excluded` and `is_cell_therapy` from every matching row costs more than the match), in
        one query for their ids and, ordered by relevance, the ids of each better search tier
        (`fulltext.tiers`). Facet parameters become the union of their values' bitmaps, as
        `with_facet` selects trials having any of them.
        """
        if not hasattr(self, "_bitmaps"):
            using = self.queryset.db if self.queryset is not None else "default"
            index = facet_index.current(using)
            cleaned = self.cleaned()
            if (cleaned.get("scope") or DEFAULT_SCOPE) == "all":
                base = index.visible
            else:
                base = index.cell_therapies
            self._tiers: list[int] = []
            others = Trial.objects.using(using).all()
            for name, value in cleaned.items():
                if name not in NOT_IN_SQL and value not in (None, "", []):
                    others = self.filters[name].filter(others, value)
            if others.query.has_filters():
                statements = [others]
                if self._by_relevance():
                    statements += fulltext.tiers(others, cleaned["q"])
                ids, *tiers = facet_index.id_lists(statements)
                base &= index.bitmap_of(ids)
                self._tiers = [index.bitmap_of(tier) for tier in tiers]
            selections = {}
            for param, facet in FACET_PARAMS.items():
                value = cleaned.get(param)
                if value not in (None, "", []):
                    values = value if isinstance(value, list) else [value]
                    selections[param] = index.any_of(facet, values)
            if cleaned.get("status_group"):
                selections["status_group"] = index.in_status_groups(cleaned["status_group"])
            self._bitmaps = (index, base, selections)
        return self._bitmaps

    def _matching(self, skip: set[str]) -> int:
        _index, base, selections = self._matching_bitmaps()
        for param, selection in selections.items():
            if param not in skip:
                base &= selection
        return base

    def count(self) -> int:
        """How many trials match every filter: what `qs.count()` says, without its query."""
        return self._matching(set()).bit_count()

    def participants(self) -> dict[str, tuple[int, int]]:
        """The matching trials' enrollment by type ("ACTUAL", "ESTIMATED", ""): (participants,
        trials that give a figure). From the facet index, without a query."""
        return self._matching_bitmaps()[0].participants(self._matching(set()))

    def _by_relevance(self) -> bool:
        cleaned = self.cleaned()
        return bool((cleaned.get("q") or "").strip()) and cleaned.get("sort") in (
            None,
            "",
            "relevance",
        )

    def paginable(self, load: Callable[[QuerySet], QuerySet] = lambda trials: trials):
        """The matching trials, ready for a Paginator (see facet_index.CountedTrials).

        In the default order (by relevance, or latest update), the order comes from the facet
        index, the same as `qs`'s: the search tier (`fulltext`), then last update, then NCT id.
        Nothing sorts the matches: a page walks the trials by last update until it has its own.
        The other sorts are SQL's, each read off an index in its order.
        """
        if self.cleaned().get("sort") not in (None, "", "relevance", "updated"):
            return facet_index.CountedTrials(self.qs, self.count(), load)
        index = self._matching_bitmaps()[0]
        remaining = self._matching(set())
        tiers = []
        for tier in self._tiers if self._by_relevance() else []:
            tiers.append(remaining & tier)
            remaining &= ~tier
        order = index.in_order([*tiers, remaining])
        return facet_index.CountedTrials(order, len(order), load)

    def facet_counts(self) -> dict[str, dict[str, int]]:
        """For each facet, how many trials each value has under the *other* active filters.

        As on ClinicalTrials.gov: selecting a route narrows the cell-type counts, but the route
        counts still show what choosing another route would give. Counted on the in-memory
        facet index; `facet_counts_in_sql` is the same in SQL, the reference the tests hold it to.
        """
        index = self._matching_bitmaps()[0]
        counts = {}
        for param, facet in FACET_PARAMS.items():
            skip = {param, "status_group"} if param == "status" else {param}
            counts[facet] = index.counts(facet, self._matching(skip))
        return counts

    def facet_counts_in_sql(self) -> dict[str, dict[str, int]]:
        """`facet_counts` computed by the database: one UNION ALL of a grouped count per facet."""
        cleaned = self.cleaned()
        parts = []
        for param, facet in FACET_PARAMS.items():
            skip = {param, "status_group"} if param == "status" else {param}
            if not any(cleaned.get(name) not in (None, "", []) for name in skip):
                skip = set()
            trials = self.queryset_without(skip).order_by().values("pk")
            parts.append(
                TrialFacet.objects.filter(facet=facet, trial__in=trials)
                .values("facet", "value")
                .annotate(n=Count("trial_id"))
                .order_by()
            )
        counts: dict[str, dict[str, int]] = {facet: {} for facet in FACET_PARAMS.values()}
        for row in parts[0].union(*parts[1:], all=True):
            counts[row["facet"]][row["value"]] = row["n"]
        return counts

    def status_group_counts(self, status_counts: dict[str, int]) -> dict[str, int]:
        return {
            group: sum(status_counts.get(status, 0) for status in statuses)
            for group, statuses in STATUS_GROUPS.items()
        }
