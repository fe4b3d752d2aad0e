"""Free-text search: full text with ranking on PostgreSQL, a plain match on SQLite."""

import pytest
from django.db import connection
from django.http import QueryDict

from tests.conftest import load_record
from tests.trials.test_import import upsert
from trials.filters import TrialFilter
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
    return list(Trial.objects.search(text).values_list("nct_id", flat=True))


def test_an_empty_search_keeps_every_trial(trials):
    assert Trial.objects.search("  ").count() == 3


def test_a_search_finds_a_trial_by_its_nct_id(trials):
    assert found("NCT02290886") == ["NCT02290886"]


def test_a_search_finds_words_in_interventions_and_sponsors(trials):
    assert found("tocilizumab") == ["NCT02469896"]
    assert found("Brainstorm") == ["NCT03280056"]


def test_relevance_puts_a_title_match_before_a_match_in_the_text(trials):
    # "Autologous" is in the NurOwn trial's official title, only in the Murcia trial's summary.
    ordered = TrialFilter(QueryDict("q=autologous&sort=relevance")).qs

    assert list(ordered.values_list("nct_id", flat=True)) == ["NCT03280056", "NCT02290886"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="stemming is PostgreSQL's")
def test_on_postgresql_words_match_by_their_stem(trials):
    # The record says "transplantation", never "transplants": the stem matches.
    assert "NCT03280056" in found("stromal cell transplants")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="websearch syntax is PostgreSQL's")
def test_on_postgresql_a_minus_word_excludes_trials(trials):
    assert "NCT03280056" in found("mesenchymal")
    assert "NCT03280056" not in found("mesenchymal -brainstorm")


def test_facet_counts_work_with_free_text(trials):
    filterset = TrialFilter(QueryDict("q=mesenchymal&scope=all"))

    counts = filterset.facet_counts()

    assert sum(counts["status"].values()) == filterset.qs.count()
