"""SQLite's full-text index keeps every word's first two and three letters too.

A search's last word is matched as a prefix (search as you type). Without an
index of prefixes, FTS5 gathers the matches of every word a prefix starts before
it returns the first: "por" read all 270,000 matches at a million listings
(130 ms) to answer a page. With one, the matches of a two- or three-letter
prefix are read like a word's, newest first and only as many as a page needs.
The index is rebuilt from the listing table; its triggers (0002, 0006) stay.
PostgreSQL's GIN index needs no such change.
"""

from django.db import migrations

COLUMNS = """title, tags_text, description,
        content='catalog_listing', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'"""


def _rebuild(schema_editor, options: str) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute("DROP TABLE catalog_listing_fts")
    schema_editor.execute(
        f"CREATE VIRTUAL TABLE catalog_listing_fts USING fts5({COLUMNS}{options})"
    )
    schema_editor.execute(
        "INSERT INTO catalog_listing_fts(catalog_listing_fts) VALUES ('rebuild')"
    )


def forwards(apps, schema_editor):
    _rebuild(schema_editor, ", prefix='2 3'")


def backwards(apps, schema_editor):
    _rebuild(schema_editor, "")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0011_listing_card")]
    operations = [migrations.RunPython(forwards, backwards)]
