"""Every page of the web UI, in the ``web`` namespace.

Pages of one app live in that app's ``views`` (their routes in its ``urls``);
pages that span apps live in ``selfwork.web.views``.
"""

from django.urls import path

from selfwork.accounts import views as accounts_views
from selfwork.boards.urls import urlpatterns as boards_urls
from selfwork.briefs.urls import urlpatterns as briefs_urls
from selfwork.catalog.urls import urlpatterns as catalog_urls
from selfwork.communities.urls import urlpatterns as communities_urls
from selfwork.conversations.urls import urlpatterns as conversations_urls
from selfwork.exchanges.urls import urlpatterns as exchanges_urls
from selfwork.notifications.urls import urlpatterns as notifications_urls
from selfwork.payments.urls import urlpatterns as payments_urls
from selfwork.privacy.urls import urlpatterns as privacy_urls
from selfwork.web import dashboard, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("legal/<slug:kind>/", views.legal_page, name="legal"),
    path("c/<slug:slug>/", views.community_page, name="community"),
    path(
        "operator/dashboard/",
        dashboard.operator_dashboard,
        name="operator_dashboard",
    ),
    path(
        "c/<slug:slug>/dashboard/",
        dashboard.community_dashboard,
        name="community_dashboard",
    ),
    path("m/<str:username>/", views.profile, name="profile"),
    path("settings/profile/", accounts_views.profile_edit, name="profile_edit"),
    *communities_urls,
    *catalog_urls,
    *payments_urls,
    *privacy_urls,
    *briefs_urls,
    *notifications_urls,
    *boards_urls,
    *conversations_urls,
    *exchanges_urls,
]
