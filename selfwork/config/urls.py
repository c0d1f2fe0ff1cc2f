import posixpath

from django.conf import settings
from django.contrib import admin
from django.http import Http404
from django.urls import include, path, re_path
from django.views.static import serve

from selfwork.accounts.views import admin_login
from selfwork.api.urls import api, api_not_found
from selfwork.core.uploads import PRIVATE_PREFIX
from selfwork.web.health import healthz, readyz
from selfwork.web.metrics import metrics


def public_media(request, path: str):
    """Serve /media/, except deliverables (``private/``): those need a signed link."""
    if posixpath.normpath(path).lstrip("/").startswith(PRIVATE_PREFIX.rstrip("/")):
        raise Http404("No such file.")
    return serve(request, path, document_root=str(settings.MEDIA_ROOT))


# A write that waited out SQLite's lock, wherever it was raised, is a 503 to retry.
handler500 = "selfwork.core.problems.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    path("admin/login/", admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    re_path(r"^api/", api_not_found),
    path("", include("selfwork.exchanges.download_urls")),
    path("", include("selfwork.accounts.urls")),
    path("", include("selfwork.web.urls")),
    # Media (uploads) from the data directory. Behind a real proxy, let it serve
    # /media/ directly, except /media/private/ (deliverables, served by signed
    # links only); files have random names and images are re-encoded by us.
    re_path(r"^media/(?P<path>.*)$", public_media),
]
