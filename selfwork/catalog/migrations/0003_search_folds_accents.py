"""PostgreSQL search folds accents, as SQLite's FTS5 already does ("cafe" finds "Café").

A text search configuration of our own: English stemming after ``unaccent``. The
``unaccent`` extension is trusted (PostgreSQL 13+), so the database owner may
create it without superuser rights.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE TEXT SEARCH CONFIGURATION selfwork_search (COPY = english)",
    """ALTER TEXT SEARCH CONFIGURATION selfwork_search
        ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem""",
    "DROP INDEX catalog_listing_search",
    "ALTER TABLE catalog_listing DROP COLUMN search_vector",
    """ALTER TABLE catalog_listing ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('selfwork_search', coalesce(title, '')), 'A') ||
        setweight(to_tsvector('selfwork_search', coalesce(tags_text, '')), 'B') ||
        setweight(to_tsvector('selfwork_search', coalesce(description, '')), 'C')
    ) STORED""",
    "CREATE INDEX catalog_listing_search ON catalog_listing USING gin (search_vector)",
]
BACKWARD = [
    "DROP INDEX catalog_listing_search",
    "ALTER TABLE catalog_listing DROP COLUMN search_vector",
    """ALTER TABLE catalog_listing ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
        setweight(to_tsvector('english', coalesce(tags_text, '')), 'B') ||
        setweight(to_tsvector('english', coalesce(description, '')), 'C')
    ) STORED""",
    "CREATE INDEX catalog_listing_search ON catalog_listing USING gin (search_vector)",
    "DROP TEXT SEARCH CONFIGURATION selfwork_search",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_search")]
    operations = [migrations.RunPython(forwards, backwards)]
