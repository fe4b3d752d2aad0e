"""Indexes and storage that keep the list page and the API fast on PostgreSQL at 50,000 trials.

PostgreSQL only (SQLite databases are small development copies; this migration does nothing
there). Measured with bench/views_bench.py; see docs/benchmarks.md.

- Each sort of the list has an index in its exact order (unknown values last, then NCT id), so
  the first page of a sort is read off an index instead of sorting every matching trial.
- Statistics on TrialFacet (facet, value) together: the two are strongly correlated, and the
  planner, guessing them independent, underestimated "cell_types = msc" tenfold and chose
  plans that joined every matching row before taking the first page.
- A partial index of the excluded trials makes the facet index's data-version query cheap.
- `toast_tuple_target = 128` moves the long texts of a trial (summaries, criteria, the raw
  record) out of the table's main pages, which then hold the short columns the list filters and
  sorts on: the table shrank from 185 MB to 30 MB at 50,000 trials. `search_vector` stays in the
  main pages (STORAGE MAIN), because ranking reads it for every matching trial.

Rows written before this migration keep their layout until they are next updated; run
`VACUUM FULL trials_trial` once to rewrite a large existing table.
"""

from django.db import migrations

SORT_INDEXES = {
    "trials_trial_sort_updated": "last_update_posted DESC NULLS LAST, nct_id",
    "trials_trial_sort_start": "start_date DESC NULLS LAST, nct_id",
    "trials_trial_sort_start_asc": "start_date ASC NULLS LAST, nct_id",
    "trials_trial_sort_enrollment": "enrollment DESC NULLS LAST, nct_id",
    "trials_trial_sort_phase": "phase_rank DESC, start_date DESC NULLS LAST, nct_id",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in SORT_INDEXES.items():
        schema_editor.execute(f"CREATE INDEX {name} ON trials_trial ({columns})")
    schema_editor.execute(
        "CREATE INDEX trials_trial_excluded ON trials_trial (id) WHERE excluded"
    )
    schema_editor.execute(
        "CREATE STATISTICS trials_trialfacet_facet_value (mcv, dependencies) "
        "ON facet, value FROM trials_trialfacet"
    )
    schema_editor.execute("ALTER TABLE trials_trial SET (toast_tuple_target = 128)")
    schema_editor.execute("ALTER TABLE trials_trial ALTER COLUMN search_vector SET STORAGE MAIN")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE trials_trial ALTER COLUMN search_vector SET STORAGE EXTENDED")
    schema_editor.execute("ALTER TABLE trials_trial RESET (toast_tuple_target)")
    schema_editor.execute("DROP STATISTICS IF EXISTS trials_trialfacet_facet_value")
    for name in [*SORT_INDEXES, "trials_trial_excluded"]:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("trials", "0004_search_vector_on_postgresql"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
