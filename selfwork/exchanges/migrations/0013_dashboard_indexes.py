"""Indexes for the dashboard: exchanges started per period, for all communities or one."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0010_package_usage_rights'),
        ('communities', '0004_hours_memos_name_no_one'),
        ('exchanges', '0012_reviews'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='exchange',
            index=models.Index(fields=['created_at'], name='exchange_created'),
        ),
        migrations.AddIndex(
            model_name='exchange',
            index=models.Index(fields=['community', 'created_at'], name='exchange_community_created'),
        ),
    ]
