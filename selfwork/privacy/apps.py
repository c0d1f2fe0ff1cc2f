from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "selfwork.privacy"
    label = "privacy"
    verbose_name = "Members' data rights"
