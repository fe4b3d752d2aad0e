"""Free-text search: full text ranked in tiers, the same answers on PostgreSQL and SQLite.

The suite runs on both databases (CI runs it twice), so every test here that is not marked for
one of them asserts the same ids on both.
"""

import json
from datetime import date
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.http import QueryDict

from tests.conftest import load_record
from tests.helpers import upsert
from trials.browsing import fulltext
from trials.browsing.filters import TrialFilter
from trials.models import Trial

pytestmark = pytest.mark.django_db


@pytest.fixture
def trials():
    upsert(
        load_record("snapshot/2022-10", "NCT03280056"),  # NurOwn, "NurOwn" in the title
        load_record("snapshot/2022-10", "NCT02290886"),  # Murcia bone-marrow MSC
        load_record("snapshot/2020-07-28", "NCT02469896"),  # tocilizumab, not a cell therapy
    )


def found(text: str) -> list[str]:
    return list(fulltext.search(Trial.objects.all(), text).values_list("nct_id", flat=True))


def test_an_empty_search_keeps_every_trial(trials):
    assert fulltext.search(Trial.objects.all(), "  ").count() == 3


def test_a_search_finds_a_trial_by_its_nct_id(trials):
    assert found("NCT02290886") == ["NCT02290886"]


def test_a_search_finds_words_in_interventions_and_sponsors(trials):
    assert found("tocilizumab") == ["NCT02469896"]
    assert found("Brainstorm") == ["NCT03280056"]


def test_relevance_puts_a_title_match_before_a_match_in_the_text(trials):
    # "Autologous" is in the NurOwn trial's official title, only in the Murcia trial's summary.
    ordered = TrialFilter(QueryDict("q=autologous&sort=relevance")).qs

    assert list(ordered.values_list("nct_id", flat=True)) == ["NCT03280056", "NCT02290886"]


def test_words_match_by_their_stem(trials):
    # The record says "transplantation", never "transplants": the stem matches.
    assert "NCT03280056" in found("stromal cell transplants")


def test_a_minus_word_excludes_trials(trials):
    assert "NCT03280056" in found("mesenchymal")
    assert "NCT03280056" not in found("mesenchymal -brainstorm")


def test_facet_counts_work_with_free_text(trials):
    filterset = TrialFilter(QueryDict("q=mesenchymal&scope=all"))

    counts = filterset.facet_counts()

    assert sum(counts["status"].values()) == filterset.qs.count()


# Relevance: the tier of the best fields the query matches in, then the latest update.


def _plant(nct_id: str, updated: str, **texts) -> None:
    """Give a trial texts and a last update (PostgreSQL recomputes its vectors on update)."""
    Trial.objects.filter(nct_id=nct_id).update(
        last_update_posted=date.fromisoformat(updated), **texts
    )


@pytest.fixture
def zebrafish(trials):
    # The newest mention is the weakest: only the tiers can put the title match first.
    _plant("NCT02290886", "2015-01-01", official_title="Zebrafish-derived cells in ALS")
    _plant("NCT02469896", "2018-01-01", search_text="Drug: zebrafish extract")
    _plant("NCT03280056", "2021-01-01", brief_summary="Unlike zebrafish, patients cannot regrow")


def page_of(query: str) -> list[str]:
    trials = TrialFilter(QueryDict(query)).paginable()
    return [trial.nct_id for trial in trials[0 : len(trials)]]


def sql_order_of(query: str) -> list[str]:
    return list(TrialFilter(QueryDict(query)).qs.values_list("nct_id", flat=True))


def test_relevance_ranks_titles_then_interventions_then_the_summary(zebrafish):
    expected = ["NCT02290886", "NCT02469896", "NCT03280056"]

    assert page_of("q=zebrafish&scope=all") == expected
    assert sql_order_of("q=zebrafish&scope=all") == expected


def test_within_a_tier_the_latest_update_comes_first(zebrafish):
    _plant("NCT02469896", "2019-01-01", official_title="Zebrafish extract against ALS")

    expected = ["NCT02469896", "NCT02290886", "NCT03280056"]
    assert page_of("q=zebrafish&scope=all") == expected
    assert sql_order_of("q=zebrafish&scope=all") == expected


def test_a_page_deep_in_the_results_is_the_same_slice_of_the_relevance_order(zebrafish):
    trials = TrialFilter(QueryDict("q=zebrafish&scope=all")).paginable()

    assert [t.nct_id for t in trials[1:2]] == ["NCT02469896"]
    assert [t.nct_id for t in trials[2:9]] == ["NCT03280056"]
    assert trials.count() == 3


def test_the_other_sorts_ignore_the_tiers(zebrafish):
    assert page_of("q=zebrafish&scope=all&sort=updated") == [
        "NCT03280056",
        "NCT02469896",
        "NCT02290886",
    ]


def test_a_phrase_matches_exactly_and_ranks_by_its_words(zebrafish):
    _plant("NCT02469896", "2018-01-01", search_text="Drug: fish from zebra farms")

    # The loose tiers put no trial in the results that the exact phrase does not match.
    assert page_of('q="zebra fish"&scope=all') == []
    assert page_of('q="zebrafish cells"&scope=all') == []
    assert page_of('q="zebrafish-derived cells"&scope=all') == ["NCT02290886"]


def estimated_rows(sql: str, params=()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return plan[0]["Plan"]["Plan Rows"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner is PostgreSQL's")
def test_on_postgresql_the_planner_cannot_guess_how_many_trials_a_word_matches(trials):
    # From its statistics, the planner would read a common word's trials sequentially, and with
    # them every out-of-line vector; not knowing the word, it assumes few and uses the index.
    Trial.objects.update(acronym="ZEBRA")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE trials_trial")
    plain = estimated_rows(
        "SELECT id FROM trials_trial "
        "WHERE search_vector @@ websearch_to_tsquery('english', 'zebra')"
    )
    ours = estimated_rows(
        *fulltext.search(Trial.objects.all(), "zebra").values("pk").query.sql_with_params()
    )

    assert plain == fulltext.search(Trial.objects.all(), "zebra").count() == 3
    assert ours < plain


@pytest.mark.parametrize(
    "query",
    [
        "q=mesenchymal",
        "q=bone marrow&route=intrathecal",
        "scope=all&q=ALS&phase=PHASE2",
        "q=cells&start_year_min=2012&enrollment_max=60",
        'q="bone marrow" -adipose',
        "q=stem or stromal&per_page=10",
        "q=the",  # a stop word: no lexeme, no match
    ],
)
def test_the_page_order_is_the_order_of_the_sql(snapshot, query):
    filterset = TrialFilter(QueryDict(query))

    assert page_of(query) == sql_order_of(query)
    assert filterset.count() == filterset.qs.count()


# The same query, the same trials on both databases: the bundled snapshot, queries pinned.

SNAPSHOT_QUERIES = [
    # Product synonyms (product_synonyms.csv): each name finds the trials that use another.
    ("NurOwn", ["NCT04681118", "NCT03280056", "NCT01051882", "NCT02017912", "NCT01777646"]),
    ("MSC-NTF", ["NCT04681118", "NCT03280056", "NCT01051882", "NCT02017912", "NCT01777646"]),
    ("Neuronata-R", ["NCT04745299", "NCT01363401"]),
    ("lenzumestrocel", ["NCT04745299", "NCT01363401"]),
    ("HYNR-CS", ["NCT04745299", "NCT01363401"]),
    ("NSI-566", ["NCT01730716"]),  # "HSSC"; NCT01348451 says it only in its detailed description
    ("CNS10-NPC-GDNF", ["NCT02943850"]),
    ("AstroRx", ["NCT03482050"]),
    ("Q-Cells", ["NCT02478450"]),
    # The syntax: or, -word, a phrase excluded words, a query of only an exclusion.
    (
        "nurown or lenzumestrocel",
        [
            "NCT04681118",
            "NCT04745299",
            "NCT03280056",
            "NCT01051882",
            "NCT02017912",
            "NCT01777646",
            "NCT01363401",
        ],
    ),
    (
        '"bone marrow" -adipose',
        [
            "NCT01363401",
            "NCT03067857",
            "NCT01777646",
            "NCT01771640",
            "NCT01254539",
            "NCT02286011",
            "NCT02881489",
            "NCT01759797",
            "NCT01759784",
            "NCT00855400",
            "NCT03280056",
            "NCT04821479",
            "NCT02917681",
            "NCT02193893",  # "bone marrow-derived stem/progenitor cells"
        ],
    ),
    ("umbilical cord -wharton", ["NCT05003921", "NCT01494480"]),
    ("the", []),
]


def relevance_order(query: str) -> list[str]:
    trials = TrialFilter(QueryDict(urlencode({"q": query, "scope": "all"}))).paginable()
    return [trial.nct_id for trial in trials[0 : len(trials)]]


@pytest.mark.parametrize(("query", "expected"), SNAPSHOT_QUERIES)
def test_both_databases_find_the_same_trials_in_the_same_order(snapshot, query, expected):
    assert relevance_order(query) == expected


def test_a_product_name_finds_what_its_other_names_find(snapshot):
    assert set(found("NurOwn")) == set(found("MSC-NTF")) >= {"NCT01051882", "NCT01777646"}
    assert "NurOwn" not in Trial.objects.get(nct_id="NCT01051882").brief_title


def test_an_excluded_product_name_excludes_its_other_names_too(snapshot):
    assert not set(found("mesenchymal -nurown")) & set(found("MSC-NTF"))


def test_the_index_follows_every_write_to_a_trials_texts(trials):
    Trial.objects.filter(nct_id="NCT02290886").update(acronym="PLATYPUS")
    assert found("platypus") == ["NCT02290886"]

    Trial.objects.filter(nct_id="NCT02290886").update(acronym="")
    assert found("platypus") == []

    Trial.objects.filter(nct_id="NCT02469896").delete()
    assert found("tocilizumab") == []


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 index is SQLite's")
def test_on_sqlite_the_index_and_its_triggers_survive_every_migration():
    # A migration that makes SQLite rebuild trials_trial would drop the triggers silently.
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
        triggers = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'trials_trial_fts'")
        tables = cursor.fetchone()[0]

    assert {
        "trials_trial_fts_delete",
        "trials_trial_fts_insert",
        "trials_trial_fts_update",
    } <= set(triggers)
    assert tables == 1
