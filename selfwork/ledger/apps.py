from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "selfwork.ledger"
    label = "ledger"
    verbose_name = "Ledger"
