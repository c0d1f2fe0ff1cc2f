"""Listings an exchange has taken: a gift promised or given, a thing swapped.

SQLite changes a CHECK constraint by copying the table into a new one, which
drops the table's triggers; the full-text triggers of 0002 are made again after.
"""

import importlib

from django.db import migrations, models

SEARCH = importlib.import_module("selfwork.catalog.migrations.0002_search")
# The three triggers (the FTS table itself survives the copy).
TRIGGERS = [sql for sql in SEARCH.SQLITE if sql.startswith("CREATE TRIGGER")]
TRIGGER_NAMES = [
    "catalog_listing_fts_insert",
    "catalog_listing_fts_delete",
    "catalog_listing_fts_update",
]


def triggers_again(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in TRIGGER_NAMES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
    for sql in TRIGGERS:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0005_bookings_never_overlap")]

    operations = [
        migrations.RemoveConstraint(model_name="listing", name="listing_status_known"),
        migrations.AlterField(
            model_name="listing",
            name="status",
            field=models.CharField(
                choices=[
                    ("active", "Active"),
                    ("hidden", "Hidden"),
                    ("promised", "Promised"),
                    ("given", "Given"),
                    ("swapped", "Swapped"),
                ],
                default="active",
                max_length=8,
            ),
        ),
        migrations.AddConstraint(
            model_name="listing",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("status__in", ["active", "hidden", "promised", "given", "swapped"])
                ),
                name="listing_status_known",
            ),
        ),
        migrations.RunPython(triggers_again, triggers_again),
    ]
