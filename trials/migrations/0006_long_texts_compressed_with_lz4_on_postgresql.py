"""Compress a trial's long texts with lz4 instead of pglz on PostgreSQL, where the server has it.

Every imported trial writes its raw registry record (about 20 KB of JSON) and its summaries out
of line, compressed; pglz compression was about a quarter of the cost of inserting a trial
(bench/import_bench.py: 0.78 → 0.58 ms a trial). lz4 compresses several times faster and
decompresses faster too (the trial page and exports read these columns), at a similar ratio.

PostgreSQL 14+ built with lz4 (Debian's and the official images are); elsewhere, and on SQLite,
nothing changes. Values already stored keep their compression until they are rewritten.
"""

from django.db import migrations

COLUMNS = (
    "raw_record",
    "brief_summary",
    "detailed_description",
    "eligibility_criteria",
    "search_text",
)


def set_compression(method: str):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        if schema_editor.connection.pg_version < 140000:
            return
        alters = ";".join(
            f"ALTER TABLE trials_trial ALTER COLUMN {column} SET COMPRESSION {method}"
            for column in COLUMNS
        )
        # A server built without lz4 refuses the method: keep its default then.
        schema_editor.execute(
            f"DO $$ BEGIN {alters}; EXCEPTION WHEN feature_not_supported THEN NULL; END $$"
        )

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("trials", "0005_list_indexes_on_postgresql"),
    ]

    operations = [
        migrations.RunPython(set_compression("lz4"), set_compression("pglz"), elidable=False),
    ]
