"""Full-text search over board posts, as over listings (docs/decisions/0002-…).

SQLite: an external-content FTS5 table fed by triggers, with the listings'
tokenizer. PostgreSQL: a generated, weighted ``tsvector`` column with a GIN index,
in the ``selfwork_search`` configuration (accents folded) that catalog migration
0003 creates. The title weighs most, then the body.
"""

from django.db import migrations

SQLITE = [
    """CREATE VIRTUAL TABLE boards_post_fts USING fts5(
        title, body,
        content='boards_post', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER boards_post_fts_insert AFTER INSERT ON boards_post BEGIN
        INSERT INTO boards_post_fts(rowid, title, body)
        VALUES (new.id, new.title, new.body);
    END""",
    """CREATE TRIGGER boards_post_fts_delete AFTER DELETE ON boards_post BEGIN
        INSERT INTO boards_post_fts(boards_post_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
    END""",
    """CREATE TRIGGER boards_post_fts_update AFTER UPDATE OF title, body
        ON boards_post BEGIN
        INSERT INTO boards_post_fts(boards_post_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO boards_post_fts(rowid, title, body)
        VALUES (new.id, new.title, new.body);
    END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER boards_post_fts_update",
    "DROP TRIGGER boards_post_fts_delete",
    "DROP TRIGGER boards_post_fts_insert",
    "DROP TABLE boards_post_fts",
]
POSTGRES = [
    """ALTER TABLE boards_post ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('selfwork_search', coalesce(title, '')), 'A') ||
        setweight(to_tsvector('selfwork_search', coalesce(body, '')), 'C')
    ) STORED""",
    "CREATE INDEX boards_post_search ON boards_post USING gin (search_vector)",
]
POSTGRES_REVERSE = [
    "DROP INDEX boards_post_search",
    "ALTER TABLE boards_post DROP COLUMN search_vector",
]


def forwards(apps, schema_editor):
    sqlite = schema_editor.connection.vendor == "sqlite"
    for sql in SQLITE if sqlite else POSTGRES:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    sqlite = schema_editor.connection.vendor == "sqlite"
    for sql in SQLITE_REVERSE if sqlite else POSTGRES_REVERSE:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("boards", "0001_initial"),
        # The selfwork_search text search configuration (PostgreSQL).
        ("catalog", "0003_search_folds_accents"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
