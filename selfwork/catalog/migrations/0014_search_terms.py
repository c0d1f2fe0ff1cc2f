"""The terms of SQLite's full-text index of listings, in a table a prefix can seek.

A search's last word is a prefix; one that starts only a few terms is searched
as those terms (``catalog.terms``, decision 0037). The table is filled from the
index's own vocabulary, then kept with each listing's card. PostgreSQL leaves
it empty.
"""

from django.db import migrations, models


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute(
        "CREATE VIRTUAL TABLE temp.catalog_listing_fts_terms "
        "USING fts5vocab(main, catalog_listing_fts, row)"
    )
    schema_editor.execute(
        "INSERT OR IGNORE INTO catalog_searchterm(term) "
        "SELECT term FROM temp.catalog_listing_fts_terms"
    )
    schema_editor.execute("DROP TABLE temp.catalog_listing_fts_terms")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0013_mode_price_copies")]
    operations = [
        migrations.CreateModel(
            name="SearchTerm",
            fields=[("term", models.TextField(primary_key=True, serialize=False))],
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
