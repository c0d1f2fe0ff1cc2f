from django.apps import AppConfig


class BoardsConfig(AppConfig):
    name = "selfwork.boards"
    label = "boards"
    verbose_name = "Community boards"
