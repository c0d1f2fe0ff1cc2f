from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "selfwork.communities"
    label = "communities"
    verbose_name = "Communities"
