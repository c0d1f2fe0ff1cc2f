from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "selfwork.webhooks"
    default_auto_field = "django.db.models.BigAutoField"
