from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "selfwork.catalog"
    label = "catalog"
    verbose_name = "Listings"
