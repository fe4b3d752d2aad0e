"""The in-memory facet index gives exactly what the SQL of TrialFilter gives, and keeps up."""

from array import array

import pytest
from django.http import QueryDict

from trials.browsing import facet_index
from trials.browsing.filters import TrialFilter
from trials.curating.services import curate
from trials.models import Trial

pytestmark = pytest.mark.django_db

COMBINATIONS = [
    "",
    "scope=all",
    "cell_type=msc",
    "cell_type=msc&cell_type=nsc",
    "route=intrathecal&route=intravenous&cell_source=bone-marrow",
    "cell_type=msc&route=intrathecal&donor=autologous",
    "phase=PHASE1&phase=PHASE2&status_group=completed",
    "status=COMPLETED&status_group=recruiting",
    "status_group=stopped&status_group=unknown&country=United States",
    "country=Spain&country=Israel&sponsor_class=OTHER",
    "study_type=INTERVENTIONAL&has_results=false",
    "scope=all&has_results=true",
    "q=mesenchymal",
    "q=bone marrow&route=intrathecal",
    "start_year_min=2012&start_year_max=2018&enrollment_min=15&enrollment_max=60",
    "scope=all&q=ALS&phase=PHASE2",
    "route=teleportation&phase=PHASE3",  # an invalid value is ignored alike
    "country=Atlantis",
]


@pytest.mark.parametrize("query", COMBINATIONS)
def test_counts_and_totals_are_those_of_the_sql(snapshot, query):
    filterset = TrialFilter(QueryDict(query))

    assert filterset.facet_counts() == filterset.facet_counts_in_sql()
    assert filterset.count() == filterset.qs.count()


def test_a_curation_is_counted_at_once(snapshot):
    trial = Trial.objects.cell_therapies().with_facet("routes", ["intrathecal"]).first()
    before = TrialFilter(QueryDict()).facet_counts()["routes"]

    curate(trial=trial, field_name="routes", value=["intravenous"], note="t", curator_name="t")

    after = TrialFilter(QueryDict()).facet_counts()["routes"]
    assert after["intrathecal"] == before["intrathecal"] - 1
    assert after["intravenous"] == before.get("intravenous", 0) + 1


def test_an_excluded_trial_leaves_the_counts(snapshot):
    before = TrialFilter(QueryDict()).count()

    Trial.objects.filter(nct_id="NCT03280056").update(excluded=True)

    assert TrialFilter(QueryDict()).count() == before - 1


def test_the_index_is_read_once_while_the_data_does_not_change(snapshot):
    first = facet_index.current()

    assert facet_index.current() is first


@pytest.mark.parametrize(
    "query",
    [
        "q=mesenchymal",
        "q=bone marrow&route=intrathecal",
        "q=cells&scope=all&sort=relevance",
        "q=stem&phase=PHASE1&start_year_min=2010",
        "q=stem&sort=enrollment",
        "cell_type=msc&sort=start",
    ],
)
def test_a_page_lists_the_trials_of_qs_in_its_order(snapshot, query):
    filterset = TrialFilter(QueryDict(query))

    paged = [trial.nct_id for trial in filterset.paginable()[0:100]]

    assert paged == list(filterset.qs.values_list("nct_id", flat=True))
    assert paged


def _index_in_update_order(pks: list[int]) -> facet_index.FacetIndex:
    size = max(pks) // 8 + 1
    return facet_index.FacetIndex(
        version=(),
        size=size,
        visible=sum(1 << pk for pk in pks),
        cell_therapies=0,
        bitmaps={},
        by_update=array("q", pks),
    )


def _bitmap(*pks: int) -> int:
    return sum(1 << pk for pk in pks)


def test_in_order_gives_each_bitmap_in_turn_in_update_order():
    index = _index_in_update_order([9, 2, 30, 4, 17, 11])

    order = index.in_order([_bitmap(4, 30), _bitmap(9, 17, 11), _bitmap()])

    assert len(order) == 5
    assert list(order) == [30, 4, 9, 17, 11]
    assert order[1:4] == [4, 9, 17]
    assert order[3:99] == [17, 11]
    assert order[5:10] == []
    assert (order[0], order[-1]) == (30, 11)


def test_the_update_order_is_the_default_order_of_the_list(snapshot):
    index = facet_index.current()

    expected = Trial.objects.visible().order_by(*facet_index.LATEST_UPDATE_FIRST)
    assert list(index.by_update) == list(expected.values_list("pk", flat=True))


def test_id_lists_reads_the_ids_of_several_querysets_at_once(snapshot):
    with_results = Trial.objects.filter(has_results=True)
    nothing = Trial.objects.filter(nct_id="NCT00000000")

    found = facet_index.id_lists([with_results, nothing, Trial.objects.all()])

    assert sorted(found[0]) == sorted(with_results.values_list("pk", flat=True))
    assert found[1] == []
    assert len(found[2]) == Trial.objects.count()


@pytest.mark.parametrize(
    "query", ["", "route=intrathecal", "scope=all", "q=mesenchymal&phase=PHASE2", "route=other"]
)
def test_the_participants_of_a_selection_are_those_sql_sums(snapshot, query):
    from django.db.models import Count, Q, Sum

    filterset = TrialFilter(QueryDict(query))
    expected = {}
    for kind in ("ACTUAL", "ESTIMATED"):
        row = filterset.qs.filter(enrollment__isnull=False, enrollment_type=kind).aggregate(
            total=Sum("enrollment"), trials=Count("pk")
        )
        if row["trials"]:
            expected[kind] = (row["total"], row["trials"])
    unstated = filterset.qs.filter(Q(enrollment__isnull=False) & ~Q(enrollment_type__in=expected))

    participants = filterset.participants()

    assert {k: v for k, v in participants.items() if k in ("ACTUAL", "ESTIMATED")} == expected
    assert sum(n for _total, n in participants.values()) == len(
        [t for t in filterset.qs if t.enrollment is not None]
    )
    assert unstated.count() == sum(n for k, (_t, n) in participants.items() if k not in expected)
