"""The three search vectors are computed by one trigger instead of three generated columns.

PostgreSQL only (SQLite has no tsvector). As generated columns (migrations 0004 and 0007), the
titles and the conditions/interventions text were each parsed into words twice, once for their
tier vector and once for `search_vector`, and PostgreSQL recomputed all three on every UPDATE,
the import's one-statement `last_seen` stamp of unchanged trials included. The trigger parses
each text once, builds `search_vector` from the same pieces (the same weights and the same
vectors as before: setweight(title) || setweight(text) || setweight(summary)), and runs only when
an INSERT or an UPDATE names one of the texts.

`DROP EXPRESSION` turns each generated column into a plain one and keeps its values, its storage
and its GIN index.
"""

from django.db import migrations

FUNCTION = """
CREATE FUNCTION trials_trial_search_vectors() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    title tsvector := to_tsvector('english'::regconfig,
        coalesce(NEW.nct_id, '') || ' ' || coalesce(NEW.brief_title, '') || ' '
        || coalesce(NEW.official_title, '') || ' ' || coalesce(NEW.acronym, ''));
    body tsvector := to_tsvector('english'::regconfig, coalesce(NEW.search_text, ''));
BEGIN
    NEW.title_vector := title;
    NEW.text_vector := body;
    NEW.search_vector := setweight(title, 'A') || setweight(body, 'B')
        || setweight(to_tsvector('english'::regconfig, coalesce(NEW.brief_summary, '')), 'C');
    RETURN NEW;
END
$$
"""

TRIGGER = """
CREATE TRIGGER trials_trial_search_vectors
BEFORE INSERT OR UPDATE OF nct_id, brief_title, official_title, acronym, search_text, brief_summary
ON trials_trial FOR EACH ROW EXECUTE FUNCTION trials_trial_search_vectors()
"""

COLUMNS = ("search_vector", "title_vector", "text_vector")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"ALTER TABLE trials_trial ALTER COLUMN {column} DROP EXPRESSION")
    schema_editor.execute(FUNCTION)
    schema_editor.execute(TRIGGER)


def backwards(apps, schema_editor):
    """Back to generated columns: drop the plain ones and let 0007 and 0004 add them again."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP TRIGGER trials_trial_search_vectors ON trials_trial")
    schema_editor.execute("DROP FUNCTION trials_trial_search_vectors()")
    from importlib import import_module

    search = import_module("trials.migrations.0004_search_vector_on_postgresql")
    tiers = import_module("trials.migrations.0007_search_tiers_on_postgresql")
    tiers.backwards(apps, schema_editor)
    search.drop_search_vector(apps, schema_editor)
    search.add_search_vector(apps, schema_editor)
    schema_editor.execute("ALTER TABLE trials_trial ALTER COLUMN search_vector SET STORAGE MAIN")
    tiers.forwards(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("trials", "0007_search_tiers_on_postgresql"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
