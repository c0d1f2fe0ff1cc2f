"""A listing's published ratings, summed (``rating_sum``, ``rating_count``), and
the key search sorts them by (``rating_key``), with its index.

Added with plain ``ALTER TABLE … ADD COLUMN`` on both engines, as in 0007: on
SQLite Django would rebuild ``catalog_listing`` for a NOT NULL column with a
default, and a rebuilt table loses the full-text triggers of migration 0002. For
the same reason the sums carry no CHECK that relates them to each other (that
would need a table constraint, so a rebuild on SQLite): ``listing_rating_add``
is their one writer.
"""

from django.db import migrations, models

COLUMNS = [
    ("rating_count", "integer NOT NULL DEFAULT 0 CHECK (rating_count >= 0)"),
    ("rating_sum", "integer NOT NULL DEFAULT 0 CHECK (rating_sum >= 0)"),
    ("rating_key", "bigint NOT NULL DEFAULT 0"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0007_listing_kind"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"ALTER TABLE catalog_listing ADD COLUMN {name} {definition}",
                    reverse_sql=f"ALTER TABLE catalog_listing DROP COLUMN {name}",
                )
                for name, definition in COLUMNS
            ],
            state_operations=[
                migrations.AddField(
                    model_name="listing",
                    name="rating_count",
                    field=models.PositiveIntegerField(default=0),
                ),
                migrations.AddField(
                    model_name="listing",
                    name="rating_sum",
                    field=models.PositiveIntegerField(default=0),
                ),
                migrations.AddField(
                    model_name="listing",
                    name="rating_key",
                    field=models.BigIntegerField(default=0),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="listing",
            index=models.Index(
                fields=["status", "-rating_key", "-id"], name="listing_rating"
            ),
        ),
    ]
