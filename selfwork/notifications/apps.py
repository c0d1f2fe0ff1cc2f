from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "selfwork.notifications"
    label = "notifications"
    verbose_name = "Notifications"
