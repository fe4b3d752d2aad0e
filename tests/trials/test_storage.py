"""How PostgreSQL stores a trial (migrations 0005 to 0007): settings the import's and the list's
speed rest on, which a later migration could drop without any other test noticing."""

import pytest
from django.db import connection

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
