from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "selfwork.core"
    label = "core"
    verbose_name = "Core"
