from django.urls import path

from selfwork.privacy import views

# Included in the ``web`` namespace (``selfwork.web.urls``).
urlpatterns = [
    path("settings/data/export/", views.data_export, name="data_export"),
    path("settings/account/close/", views.account_close, name="account_close"),
]
