"""A listing is an offer or a request for help (``kind``).

Added with plain ``ALTER TABLE … ADD COLUMN`` on both engines: on SQLite Django
would rebuild ``catalog_listing`` for a NOT NULL column and a CHECK, and a rebuilt
table loses the full-text triggers of migration 0002.
"""

from django.db import migrations, models

ADD = """
ALTER TABLE catalog_listing ADD COLUMN kind varchar(8) NOT NULL DEFAULT 'offer'
    CONSTRAINT listing_kind_known CHECK (kind IN ('offer', 'request'))
"""


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0006_listing_promised_given_swapped"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    ADD, reverse_sql="ALTER TABLE catalog_listing DROP COLUMN kind"
                )
            ],
            state_operations=[
                migrations.AddField(
                    model_name="listing",
                    name="kind",
                    field=models.CharField(
                        choices=[("offer", "Offer"), ("request", "Request for help")],
                        default="offer",
                        max_length=8,
                    ),
                ),
                migrations.AddConstraint(
                    model_name="listing",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("kind__in", ["offer", "request"])),
                        name="listing_kind_known",
                    ),
                ),
            ],
        )
    ]
