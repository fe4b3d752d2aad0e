"""The list page's parts: facet options with counts, active filters, messages, URLs."""

from django.http import QueryDict

from trials.browsing import listing
from trials.browsing.filters import FACET_PARAMS, TrialFilter


def counts(**given) -> dict[str, dict[str, int]]:
    result = {facet: {} for facet in FACET_PARAMS.values()}
    result.update(given)
    return result


def group(groups, param):
    return next(g for g in groups if g.param == param)


def test_every_cell_type_is_offered_with_its_count_and_selection():
    filterset = TrialFilter(QueryDict("cell_type=msc"))

    groups = listing.facet_groups(filterset, counts(cell_types={"msc": 26, "nsc": 4}))

    options = {o.value: (o.count, o.selected) for o in group(groups, "cell_type").options}
    assert options["msc"] == (26, True)
    assert options["nsc"] == (4, False)
    assert options["hsc"] == (0, False)  # a vocabulary value no trial has is still offered
    assert group(groups, "cell_type").selected_count == 1


def test_countries_are_the_ones_present_most_trials_first_and_the_selected_ones():
    filterset = TrialFilter(QueryDict("country=Atlantis"))

    groups = listing.facet_groups(filterset, counts(countries={"Spain": 3, "United States": 9}))

    options = [(o.value, o.count) for o in group(groups, "country").options]
    assert options == [("United States", 9), ("Spain", 3), ("Atlantis", 0)]


def test_status_groups_add_up_the_statuses_they_hold():
    filterset = TrialFilter(QueryDict())
    status = {"RECRUITING": 2, "NOT_YET_RECRUITING": 1, "COMPLETED": 5}

    groups = listing.facet_groups(filterset, counts(status=status))

    group_counts = {o.value: o.count for o in group(groups, "status_group").options}
    assert group_counts["recruiting"] == 3
    assert group_counts["completed"] == 5
    exact = [o.value for o in group(groups, "status").options]
    assert sorted(exact) == ["COMPLETED", "NOT_YET_RECRUITING", "RECRUITING"]


def test_phases_are_offered_in_the_order_of_a_trials_life():
    groups = listing.facet_groups(TrialFilter(QueryDict()), counts())

    assert [o.value for o in group(groups, "phase").options] == [
        "EARLY_PHASE1",
        "PHASE1",
        "PHASE2",
        "PHASE3",
        "PHASE4",
        "NA",
    ]


def test_each_active_filter_links_to_the_same_search_without_it():
    query = QueryDict("q=nurown&route=intrathecal&route=intravenous&start_year_min=2015&page=3")

    active = listing.active_filters(TrialFilter(query), query)

    by_label = {a.label: a.remove_url for a in active}
    assert (
        by_label["Search: “nurown”"] == "?route=intrathecal&route=intravenous&start_year_min=2015"
    )
    assert by_label["Delivery route: Intravenous"] == (
        "?q=nurown&route=intrathecal&start_year_min=2015"
    )
    assert by_label["Started from (year): 2015"] == (
        "?q=nurown&route=intrathecal&route=intravenous"
    )


def test_invalid_values_and_unknown_parameters_get_a_readable_message():
    query = QueryDict("route=teleportation&enrollment_min=lots&celltype=msc&page=2")

    messages = listing.problems(TrialFilter(query), query)

    assert len(messages) == 3
    assert any(m.startswith("Delivery route (route=“teleportation”)") for m in messages)
    assert any("Enter a whole number." in m and "enrollment_min" in m for m in messages)
    assert "“celltype” is not a filter of this page; it was ignored." in messages


def test_a_bad_page_or_page_size_falls_back_with_a_message():
    params = listing.page_params(QueryDict("page=abc&per_page=1000"))

    assert (params.page, params.per_page) == (1, listing.DEFAULT_PER_PAGE)
    assert len(params.problems) == 2


def test_a_good_page_and_page_size_are_used():
    params = listing.page_params(QueryDict("page=3&per_page=50"))

    assert (params.page, params.per_page, params.problems) == (3, 50, ())


def test_the_canonical_query_drops_empty_fields_and_defaults():
    query = QueryDict("q=&cell_type=msc&scope=cell-therapies&sort=relevance&per_page=25&page=1")

    assert listing.canonical_query(query) == "?cell_type=msc"
    assert listing.canonical_query(QueryDict("sort=")) == ""
    assert listing.canonical_query(QueryDict("scope=all&sort=start")) == "?scope=all&sort=start"


def test_page_links_keep_the_filters():
    query = QueryDict("cell_type=msc&page=2")

    assert listing.page_url(query, 3) == "?cell_type=msc&page=3"
    assert listing.page_url(query, 1) == "?cell_type=msc"
