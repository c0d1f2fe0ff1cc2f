"""Withhold the bearer tokens that earlier versions stored in idempotency records.

Responses of ``/auth/signup`` and ``/auth/token`` were kept whole, token included;
the token still authenticates, so the stored copy is blanked as new records are.
"""

import json

from django.db import migrations


def withhold_tokens(apps, schema_editor):
    record_model = apps.get_model("core", "IdempotencyRecord")
    for record in record_model.objects.exclude(status_code=None).iterator():
        body = bytes(record.body)
        if b'"token"' not in body:
            continue
        try:
            data = json.loads(body)
        except ValueError:
            continue
        if isinstance(data, dict) and data.get("token"):
            data["token"] = None
            record.body = json.dumps(data).encode()
            record.save(update_fields=["body"])


class Migration(migrations.Migration):
    dependencies = [("core", "0004_rate_counter")]

    operations = [migrations.RunPython(withhold_tokens, migrations.RunPython.noop)]
