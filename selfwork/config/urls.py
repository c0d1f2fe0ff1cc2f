from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from selfwork.api.urls import api, api_not_found
from selfwork.web.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    re_path(r"^api/", api_not_found),
    path("", include("selfwork.accounts.urls")),
    path("", include("selfwork.web.urls")),
    # Media (uploads) from the data directory. Behind a real proxy, let it serve
    # /media/ directly; files have random names and are images re-encoded by us.
    re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
]
