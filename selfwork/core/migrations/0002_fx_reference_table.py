"""Load the reference exchange rates shipped with the package."""

import csv
from decimal import Decimal
from pathlib import Path

from django.db import migrations

TABLE = Path(__file__).resolve().parent.parent / "data" / "fx_rates.csv"


def forwards(apps, schema_editor):
    FxRate = apps.get_model("core", "FxRate")
    with TABLE.open() as handle:
        for row in csv.DictReader(handle):
            FxRate.objects.update_or_create(
                base=row["base"], quote=row["quote"],
                defaults={"rate": Decimal(row["rate"]), "published_on": row["published_on"]},
            )


def backwards(apps, schema_editor):
    apps.get_model("core", "FxRate").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
