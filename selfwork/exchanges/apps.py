from django.apps import AppConfig


class ExchangesConfig(AppConfig):
    name = "selfwork.exchanges"
    label = "exchanges"
    verbose_name = "Exchanges"
