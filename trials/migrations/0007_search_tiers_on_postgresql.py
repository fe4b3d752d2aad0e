"""Free text that matches most trials answers from the GIN indexes, without reading a tsvector.

PostgreSQL only (SQLite has no tsvector; this migration does nothing there). Measured with
bench/views_bench.py; see docs/using.md#relevance and docs/benchmarks.md#the-views-benchmark.

- Relevance is no longer `ts_rank` over every match (60–90 ms for 31,000 matches at 50,000
  trials: it reads and decompresses each matching trial's vector). A trial ranks by the best
  group of fields the query matches in — titles, then conditions, keywords, sponsors,
  interventions and arms, then the summary (the weights A, B, C of `search_vector`) — and within
  a group by latest update. Each group is one GIN lookup: `title_vector` and `text_vector` here.
- The three vectors live out of the table's main pages (STORAGE EXTERNAL, uncompressed: they
  hardly compress), which then hold only the short columns: at 50,000 trials the table shrinks
  from 86 MB of live rows to about 33 MB, and reading the ids that a GIN lookup points at touches
  a third of the pages. A GIN match of words (not of a quoted phrase) needs no recheck, so these
  vectors are never read by a search; a phrase is rechecked against `search_vector` (slower).

Adding the generated columns rewrites the table, which moves the vectors of existing rows out of
line: no VACUUM FULL needed. Like `search_vector`, a later migration that changes the type of a
column these use must drop them first.
"""

from django.db import migrations

TITLE_VECTOR = """
    to_tsvector('english'::regconfig,
        coalesce(nct_id, '') || ' ' || coalesce(brief_title, '') || ' '
        || coalesce(official_title, '') || ' ' || coalesce(acronym, ''))
"""
TEXT_VECTOR = "to_tsvector('english'::regconfig, coalesce(search_text, ''))"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # Before the rewrite below, so that it applies to every existing row.
    schema_editor.execute(
        "ALTER TABLE trials_trial ALTER COLUMN search_vector SET STORAGE EXTERNAL"
    )
    schema_editor.execute(
        f"ALTER TABLE trials_trial "
        f"ADD COLUMN title_vector tsvector GENERATED ALWAYS AS ({TITLE_VECTOR}) STORED, "
        f"ADD COLUMN text_vector tsvector GENERATED ALWAYS AS ({TEXT_VECTOR}) STORED"
    )
    schema_editor.execute(
        "ALTER TABLE trials_trial ALTER COLUMN title_vector SET STORAGE EXTERNAL, "
        "ALTER COLUMN text_vector SET STORAGE EXTERNAL"
    )
    for column in ("title_vector", "text_vector"):
        schema_editor.execute(
            f"CREATE INDEX trials_trial_{column}_gin ON trials_trial USING gin ({column})"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in ("title_vector", "text_vector"):
        schema_editor.execute(f"DROP INDEX IF EXISTS trials_trial_{column}_gin")
        schema_editor.execute(f"ALTER TABLE trials_trial DROP COLUMN IF EXISTS {column}")
    schema_editor.execute("ALTER TABLE trials_trial ALTER COLUMN search_vector SET STORAGE MAIN")


class Migration(migrations.Migration):
    dependencies = [
        ("trials", "0006_long_texts_compressed_with_lz4_on_postgresql"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
