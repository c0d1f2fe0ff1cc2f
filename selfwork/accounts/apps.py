from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "selfwork.accounts"
    label = "accounts"
    verbose_name = "Members"
