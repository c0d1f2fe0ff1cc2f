"""An index for price sorts across currencies (``sort=price_asc`` with no currency).

``listing_price`` starts with the currency, so a price sort over all of them read
every active listing and sorted it. ``AddIndex`` is a plain ``CREATE INDEX`` on
SQLite too: no table rebuild, so the full-text triggers of 0002 stay.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("catalog", "0008_listing_ratings")]

    operations = [
        migrations.AddIndex(
            model_name="listing",
            index=models.Index(
                fields=["status", "sort_price", "id"], name="listing_price_any"
            ),
        ),
    ]
