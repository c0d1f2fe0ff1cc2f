"""Each mode row keeps a copy of its listing's status and "from" price, indexed
by mode, so a page of one mode sorted by price walks that index in order
(decision 0036). The copies are filled from the listings before the indexes
are built; the catalog's services keep them current from then on.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def _copy_from_listings(apps, schema_editor):
    listing_mode = apps.get_model("catalog", "ListingMode")
    of_listing = apps.get_model("catalog", "Listing").objects.filter(
        pk=OuterRef("listing_id")
    )
    listing_mode.objects.update(
        listing_status=Subquery(of_listing.values("status")[:1]),
        listing_price_unit=Subquery(of_listing.values("price_unit")[:1]),
        listing_sort_price=Subquery(of_listing.values("sort_price")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0012_search_prefix_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="listingmode",
            name="listing_price_unit",
            field=models.CharField(blank=True, max_length=4),
        ),
        migrations.AddField(
            model_name="listingmode",
            name="listing_sort_price",
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="listingmode",
            name="listing_status",
            field=models.CharField(default="active", max_length=8),
        ),
        migrations.RunPython(_copy_from_listings, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="listingmode",
            index=models.Index(
                fields=[
                    "mode",
                    "listing_status",
                    "listing_price_unit",
                    "listing_sort_price",
                    "listing",
                ],
                name="listing_mode_price",
            ),
        ),
        migrations.AddIndex(
            model_name="listingmode",
            index=models.Index(
                fields=["mode", "listing_status", "listing_sort_price", "listing"],
                name="listing_mode_price_any",
            ),
        ),
    ]
