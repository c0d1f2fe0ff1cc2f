from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0009_legal_pages")]

    operations = [
        migrations.CreateModel(
            name="Generation",
            fields=[
                (
                    "name",
                    models.CharField(max_length=40, primary_key=True, serialize=False),
                ),
                ("value", models.BigIntegerField(default=0)),
            ],
        ),
    ]
