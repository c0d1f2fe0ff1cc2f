"""The deliverable download route, included at the site root by ``config.urls``."""

from django.urls import path

from selfwork.exchanges.downloads import download, photo

urlpatterns = [
    path("files/<str:token>", download, name="exchange_download"),
    path("photos/<str:token>", photo, name="exchange_photo"),
]
