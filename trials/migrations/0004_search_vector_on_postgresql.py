"""Full-text search on PostgreSQL: a stored, weighted tsvector column and its GIN index.

Only PostgreSQL gets them (SQLite has no tsvector; there `TrialQuerySet.search` falls back to a
plain case-insensitive match), so the column is not a model field: PostgreSQL computes it on every
insert and update, and `TrialQuerySet.search` reads it by name. A stored column rather than an
expression index because ranking reads the vector of every matching row, and recomputing
`to_tsvector` over thousands of summaries per request costs seconds.

Weights: A = NCT id, titles and acronym; B = conditions, keywords, sponsors, interventions and
arms (`search_text`); C = the brief summary.

A later migration that changes the type of one of these columns on PostgreSQL must drop the
column first and add it back (PostgreSQL refuses to alter a column a generated column uses).
"""

from django.db import migrations

SEARCH_VECTOR = """
    setweight(to_tsvector('english'::regconfig,
        coalesce(nct_id, '') || ' ' || coalesce(brief_title, '') || ' '
        || coalesce(official_title, '') || ' ' || coalesce(acronym, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, coalesce(search_text, '')), 'B')
    || setweight(to_tsvector('english'::regconfig, coalesce(brief_summary, '')), 'C')
"""


def add_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE trials_trial ADD COLUMN search_vector tsvector "
        f"GENERATED ALWAYS AS ({SEARCH_VECTOR}) STORED"
    )
    schema_editor.execute(
        "CREATE INDEX trials_trial_search_vector_gin ON trials_trial USING gin (search_vector)"
    )


def drop_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS trials_trial_search_vector_gin")
    schema_editor.execute("ALTER TABLE trials_trial DROP COLUMN IF EXISTS search_vector")


class Migration(migrations.Migration):
    dependencies = [
        ("trials", "0003_exclusions_become_curations"),
    ]

    operations = [
        migrations.RunPython(add_search_vector, drop_search_vector, elidable=False),
    ]
