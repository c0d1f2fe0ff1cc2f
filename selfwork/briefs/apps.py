from django.apps import AppConfig


class BriefsConfig(AppConfig):
    name = "selfwork.briefs"
    label = "briefs"
    verbose_name = "Briefs and offers"
