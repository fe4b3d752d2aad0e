"""How PostgreSQL stores a trial (migrations 0005 to 0010): settings the import's and the list's
speed rest on, which a later migration could drop without any other test noticing."""

import importlib

import pytest
from django.db import connection

from trials.browsing import fulltext
from trials.models import Trial

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="storage options are PostgreSQL's"
    ),
]


def column_compression(column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attcompression FROM pg_attribute "
            "WHERE attrelid = 'trials_trial'::regclass AND attname = %s",
            [column],
        )
        return cursor.fetchone()[0]


@pytest.mark.parametrize("column", ["raw_record", "brief_summary", "detailed_description"])
def test_long_texts_are_compressed_with_lz4(column):
    assert column_compression(column) == "l"


@pytest.mark.parametrize("column", ["search_vector", "title_vector", "text_vector"])
def test_the_search_vectors_live_out_of_the_main_pages(column):
    # Searches read them through their GIN indexes only; in line, they made the table three
    # times wider and every lookup of matching ids read three times the pages (migration 0007).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute "
            "WHERE attrelid = 'trials_trial'::regclass AND attname = %s",
            [column],
        )
        assert cursor.fetchone()[0] == "e"


def vectors_off_their_definition() -> int:
    """Trials whose stored vectors differ from the texts' vectors (as migration 0010 defines
    them: 0004 and 0007's, with hyphens, slashes, dots and underscores read as spaces)."""
    alike = importlib.import_module("trials.migrations.0010_search_alike_on_sqlite_and_postgresql")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM trials_trial WHERE search_vector <> ({alike.SEARCH_VECTOR}) "
            f"OR title_vector <> ({alike.TITLE_VECTOR}) OR text_vector <> ({alike.TEXT_VECTOR})"
        )
        return cursor.fetchone()[0]


def test_the_trigger_keeps_the_vectors_of_inserted_and_updated_trials(nurown):
    assert vectors_off_their_definition() == 0

    trials = Trial.objects.filter(nct_id="NCT03280056")
    trials.update(brief_title="Umbilical cord cells", search_text="")
    assert vectors_off_their_definition() == 0
    assert fulltext.search(trials, "umbilical").exists()
