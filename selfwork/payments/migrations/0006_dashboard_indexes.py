"""Indexes for the dashboard: releases per period, for all communities or one."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('communities', '0004_hours_memos_name_no_one'),
        ('payments', '0005_memos_name_no_one'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='release',
            index=models.Index(fields=['created_at'], name='payments_release_created'),
        ),
        migrations.AddIndex(
            model_name='release',
            index=models.Index(fields=['community', 'created_at'], name='payments_release_community'),
        ),
    ]
