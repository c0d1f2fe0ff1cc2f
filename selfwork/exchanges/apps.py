from django.apps import AppConfig


class ExchangesConfig(AppConfig):
    name = "selfwork.exchanges"
    label = "exchanges"
    verbose_name = "Exchanges"

    def ready(self) -> None:
        # Registers the wallet's describer of exchange references.
        from selfwork.exchanges import references  # noqa: F401
