"""Full-text search beside the listing table, kept in step by the database.

SQLite: an external-content FTS5 table (porter stemming, diacritics folded) fed by
triggers. PostgreSQL: a generated, weighted ``tsvector`` column with a GIN index.
Title weighs most, then tags, then the description, on both engines.
"""

from django.db import migrations

SQLITE = [
    """CREATE VIRTUAL TABLE catalog_listing_fts USING fts5(
        title, tags_text, description,
        content='catalog_listing', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER catalog_listing_fts_insert AFTER INSERT ON catalog_listing BEGIN
        INSERT INTO catalog_listing_fts(rowid, title, tags_text, description)
        VALUES (new.id, new.title, new.tags_text, new.description);
    END""",
    """CREATE TRIGGER catalog_listing_fts_delete AFTER DELETE ON catalog_listing BEGIN
        INSERT INTO catalog_listing_fts(catalog_listing_fts, rowid, title, tags_text, description)
        VALUES ('delete', old.id, old.title, old.tags_text, old.description);
    END""",
    """CREATE TRIGGER catalog_listing_fts_update AFTER UPDATE OF title, tags_text, description
        ON catalog_listing BEGIN
        INSERT INTO catalog_listing_fts(catalog_listing_fts, rowid, title, tags_text, description)
        VALUES ('delete', old.id, old.title, old.tags_text, old.description);
        INSERT INTO catalog_listing_fts(rowid, title, tags_text, description)
        VALUES (new.id, new.title, new.tags_text, new.description);
    END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER catalog_listing_fts_update",
    "DROP TRIGGER catalog_listing_fts_delete",
    "DROP TRIGGER catalog_listing_fts_insert",
    "DROP TABLE catalog_listing_fts",
]
POSTGRES = [
    """ALTER TABLE catalog_listing ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
        setweight(to_tsvector('english', coalesce(tags_text, '')), 'B') ||
        setweight(to_tsvector('english', coalesce(description, '')), 'C')
    ) STORED""",
    "CREATE INDEX catalog_listing_search ON catalog_listing USING gin (search_vector)",
]
POSTGRES_REVERSE = [
    "DROP INDEX catalog_listing_search",
    "ALTER TABLE catalog_listing DROP COLUMN search_vector",
]


def forwards(apps, schema_editor):
    statements = SQLITE if schema_editor.connection.vendor == "sqlite" else POSTGRES
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    statements = (
        SQLITE_REVERSE if schema_editor.connection.vendor == "sqlite" else POSTGRES_REVERSE
    )
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
