"""Full-text search on SQLite too, and the same words on both databases.

**SQLite** gets an FTS5 table of the texts PostgreSQL's three vectors hold (FTS5 is built into
Python's sqlite3). `trials_trial_fts` has one row per trial (rowid = trials_trial.id) and three
columns: `title` (NCT id, titles, acronym: the `title_vector`), `body` (`search_text`: the
`text_vector`) and `summary` (the brief summary), tokenised with the Porter stemmer, as
PostgreSQL's English configuration stems, and accents kept, as PostgreSQL keeps them. Triggers
keep it in step with every write, whichever code makes it (the importer's bulk writes, a
curator's edit, a test's `update()`); the update trigger runs only when one of the texts is
named, so the import's `last_seen` stamp of unchanged trials costs nothing. A later migration
that makes SQLite rebuild trials_trial drops these triggers: tests/trials/browsing/test_fulltext.py
checks that they are there after every migration.

**PostgreSQL** reads hyphens, slashes, dots and underscores as spaces before parsing, as FTS5 does:
its parser keeps "marrow-derived" as one compound word beside its parts, so that the phrase
"bone marrow" did not match "bone marrow-derived cells", and reads "stem/progenitor" as a file
path, with no word "stem" in it. The trigger function of migration 0008 is replaced, and every
trial's vectors are computed again.
"""

from django.db import migrations

TITLE = (
    "coalesce({row}.nct_id, '') || ' ' || coalesce({row}.brief_title, '') || ' ' "
    "|| coalesce({row}.official_title, '') || ' ' || coalesce({row}.acronym, '')"
)
COLUMNS = "rowid, title, body, summary"
VALUES = (
    "{row}.id, " + TITLE + ", coalesce({row}.search_text, ''), coalesce({row}.brief_summary, '')"
)

SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE trials_trial_fts USING fts5("
    "title, body, summary, tokenize = 'porter unicode61 remove_diacritics 0')",
    f"INSERT INTO trials_trial_fts ({COLUMNS}) SELECT {VALUES.format(row='trials_trial')} "
    "FROM trials_trial",
    "CREATE TRIGGER trials_trial_fts_insert AFTER INSERT ON trials_trial BEGIN "
    f"INSERT INTO trials_trial_fts ({COLUMNS}) VALUES ({VALUES.format(row='new')}); END",
    "CREATE TRIGGER trials_trial_fts_delete AFTER DELETE ON trials_trial BEGIN "
    "DELETE FROM trials_trial_fts WHERE rowid = old.id; END",
    "CREATE TRIGGER trials_trial_fts_update AFTER UPDATE OF "
    "id, nct_id, brief_title, official_title, acronym, search_text, brief_summary "
    "ON trials_trial BEGIN "
    "DELETE FROM trials_trial_fts WHERE rowid = old.id; "
    f"INSERT INTO trials_trial_fts ({COLUMNS}) VALUES ({VALUES.format(row='new')}); END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS trials_trial_fts_update",
    "DROP TRIGGER IF EXISTS trials_trial_fts_delete",
    "DROP TRIGGER IF EXISTS trials_trial_fts_insert",
    "DROP TABLE IF EXISTS trials_trial_fts",
]

# Migration 0008's function, with the texts' separators made spaces (translate(): one pass, no
# regular expression).
POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION trials_trial_search_vectors() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    title tsvector := to_tsvector('english'::regconfig, translate(
        coalesce(NEW.nct_id, '') || ' ' || coalesce(NEW.brief_title, '') || ' '
        || coalesce(NEW.official_title, '') || ' ' || coalesce(NEW.acronym, ''), '-/._', '    '));
    body tsvector := to_tsvector('english'::regconfig,
        translate(coalesce(NEW.search_text, ''), '-/._', '    '));
BEGIN
    NEW.title_vector := title;
    NEW.text_vector := body;
    NEW.search_vector := setweight(title, 'A') || setweight(body, 'B')
        || setweight(to_tsvector('english'::regconfig,
            translate(coalesce(NEW.brief_summary, ''), '-/._', '    ')), 'C');
    RETURN NEW;
END
$$
"""
RECOMPUTE = "UPDATE trials_trial SET nct_id = nct_id"

# What the function computes, as expressions on a row's columns (tests compare the stored vectors
# with them: tests/trials/importing/test_storage.py).
SEPARATORS = "'-/._', '    '"
TITLE_VECTOR = (
    "to_tsvector('english'::regconfig, translate(coalesce(nct_id, '') || ' ' "
    "|| coalesce(brief_title, '') || ' ' || coalesce(official_title, '') || ' ' "
    f"|| coalesce(acronym, ''), {SEPARATORS}))"
)
TEXT_VECTOR = f"to_tsvector('english'::regconfig, translate(coalesce(search_text, ''), {SEPARATORS}))"
SUMMARY_VECTOR = (
    f"to_tsvector('english'::regconfig, translate(coalesce(brief_summary, ''), {SEPARATORS}))"
)
SEARCH_VECTOR = (
    f"setweight({TITLE_VECTOR}, 'A') || setweight({TEXT_VECTOR}, 'B') "
    f"|| setweight({SUMMARY_VECTOR}, 'C')"
)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_FUNCTION)
        schema_editor.execute(RECOMPUTE)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)
    elif vendor == "postgresql":
        from importlib import import_module

        previous = import_module("trials.migrations.0008_search_vectors_by_trigger_on_postgresql")
        function = previous.FUNCTION.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)
        schema_editor.execute(function)
        schema_editor.execute(RECOMPUTE)


class Migration(migrations.Migration):
    dependencies = [
        ("trials", "0009_import_run_owner"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
