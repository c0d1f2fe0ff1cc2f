"""Community pages are routed by ``selfwork.web.urls`` under the ``web`` namespace.

They are listed here so the app's routes can be read in one place; the web app
includes this list.
"""

from django.urls import path

from selfwork.communities import views

urlpatterns = [
    path("communities/", views.communities, name="communities"),
    path("communities/new/", views.community_new, name="community_new"),
    path("c/<slug:slug>/join/", views.community_join_view, name="community_join"),
    path("c/<slug:slug>/leave/", views.community_leave_view, name="community_leave"),
    path(
        "c/<slug:slug>/members/",
        views.community_members_view,
        name="community_members",
    ),
    path("c/<slug:slug>/brand.css", views.community_brand_css, name="community_css"),
    *[
        path(
            f"c/<slug:slug>/{page}/",
            views.community_text_page,
            {"page": page},
            name=f"community_{page}",
        )
        for page in views.BRAND_PAGES
    ],
    path(
        "c/<slug:slug>/settings/",
        views.community_settings,
        name="community_settings",
    ),
]
