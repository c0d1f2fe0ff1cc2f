"""Notification pages, routed by ``selfwork.web.urls`` under the ``web`` namespace."""

from django.urls import path

from selfwork.notifications import views

urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path(
        "notifications/<uuid:public_id>/",
        views.notification_open,
        name="notification_open",
    ),
    path(
        "settings/notifications/",
        views.notification_settings,
        name="notification_settings",
    ),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("operator/mail/", views.operator_mail, name="operator_mail"),
]
