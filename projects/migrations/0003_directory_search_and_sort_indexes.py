"""The project directory's indexes.

On every database: B-tree indexes on the directory's sorts, each ending with the primary key (see
`Project.Meta.indexes`): a page's ids are read from them alone, even deep in the list; the sorts by stage
and by structure read one stage or one structure at a time. `(is_published, updated_at DESC, id DESC)`
replaces `(is_published, updated_at DESC)`, which it covers.

On PostgreSQL only, French accent-insensitive full-text search:
- the `unaccent` extension (trusted since PostgreSQL 13: the database owner may create it);
- the text-search configuration `french_unaccent`, a copy of `french` whose words go through `unaccent`
  then `french_stem` (« Épicerie » and « epiceries » meet);
- the GIN index `project_search_fr` on the search document of projects/search.py. It is built here from the
  same Django expression, so its SQL is the one the queries use (otherwise PostgreSQL ignores it); it stays
  out of the model state because SQLite cannot build it.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations, models

CONFIG = "french_unaccent"
SEARCH_INDEX = "project_search_fr"


def search_index() -> GinIndex:
    # Frozen copy of projects.search.search_document(): a migration must not change when the app does.
    document = SearchVector("title", weight="A", config=CONFIG) + SearchVector(
        "need", "solution", weight="B", config=CONFIG
    )
    return GinIndex(document, name=SEARCH_INDEX)


def create_search(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    schema_editor.execute(
        """
        DO $$ BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'french_unaccent') THEN
                CREATE TEXT SEARCH CONFIGURATION french_unaccent (COPY = french);
                ALTER TEXT SEARCH CONFIGURATION french_unaccent
                    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
            END IF;
        END $$
        """
    )
    schema_editor.add_index(apps.get_model("projects", "Project"), search_index())


def drop_search(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.remove_index(apps.get_model("projects", "Project"), search_index())
    # The `unaccent` extension stays: other objects of the database may use it.
    schema_editor.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS french_unaccent")


class Migration(migrations.Migration):
    dependencies = [("projects", "0002_explain_pipeline_rules")]

    operations = [
        migrations.RemoveIndex(model_name="project", name="project_published_recent"),
        migrations.AddIndex(
            model_name="project",
            index=models.Index(fields=["-updated_at", "-id"], name="project_recent_id"),
        ),
        migrations.AddIndex(
            model_name="project",
            index=models.Index(
                fields=["is_published", "-updated_at", "-id"], name="project_published_recent_id"
            ),
        ),
        migrations.AddIndex(
            model_name="project",
            index=models.Index(fields=["title", "id"], name="project_title_id"),
        ),
        migrations.AddIndex(
            model_name="project",
            index=models.Index(fields=["stage", "-updated_at", "-id"], name="project_stage_recent_id"),
        ),
        migrations.AddIndex(
            model_name="project",
            index=models.Index(fields=["structure", "title", "id"], name="project_structure_title_id"),
        ),
        migrations.RunPython(create_search, drop_search, elidable=False),
    ]
