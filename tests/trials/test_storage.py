"""How PostgreSQL stores a trial (migrations 0005 and 0006): settings the import's and the list's
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


def test_the_search_vector_stays_in_the_main_pages_for_ranking():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute "
            "WHERE attrelid = 'trials_trial'::regclass AND attname = 'search_vector'"
        )
        assert cursor.fetchone()[0] == "m"
