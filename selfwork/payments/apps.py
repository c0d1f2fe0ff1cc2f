from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "selfwork.payments"
    label = "payments"
    verbose_name = "Payments"
