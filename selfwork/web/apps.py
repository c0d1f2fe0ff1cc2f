from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "selfwork.web"
    label = "web"
    verbose_name = "Web"
