from django.db import migrations, models


class Migration(migrations.Migration):
    """Keep each process version's TOML text (its order and comments), not a JSON copy."""

    dependencies = [
        ("exchanges", "0001_initial"),
    ]

    operations = [
        migrations.RemoveField(model_name="processversion", name="definition"),
        migrations.AddField(
            model_name="processversion",
            name="text",
            field=models.TextField(default=""),
            preserve_default=False,
        ),
    ]
