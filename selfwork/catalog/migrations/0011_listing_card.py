"""Card rows: each listing's list item, pre-rendered (``catalog.ListingCard``).

A table of its own (not a column of ``catalog_listing``), so nothing rebuilds the
listing table on SQLite and the full-text triggers of 0002 stay. The backfill
writes a card for every listing there is.
"""

import django.db.models.deletion
from django.db import migrations, models


def backfill(apps, schema_editor):
    # The cards are built by the catalog's own code (the API's item builder and
    # schema), which reads today's models: a database migrated later across
    # more changes of these tables may need ``selfwork cards rebuild`` instead,
    # which the backfill of an empty database never reaches.
    if not apps.get_model("catalog", "Listing").objects.exists():
        return
    from selfwork.catalog.cards import listing_cards_rebuild

    for _ in listing_cards_rebuild(missing_only=True):
        pass


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0010_package_usage_rights"),
        # The backfill bumps the listings generation.
        ("core", "0010_generation"),
    ]

    operations = [
        migrations.CreateModel(
            name="ListingCard",
            fields=[
                (
                    "listing",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="card",
                        serialize=False,
                        to="catalog.listing",
                    ),
                ),
                ("item", models.TextField()),
                ("web", models.TextField()),
            ],
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
