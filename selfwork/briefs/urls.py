"""Brief pages, routed by ``selfwork.web.urls`` under the ``web`` namespace."""

from django.urls import path

from selfwork.briefs import views

urlpatterns = [
    path("briefs/", views.briefs_board, name="briefs"),
    path("briefs/new/", views.brief_new, name="brief_new"),
    path("briefs/<uuid:public_id>/", views.brief_detail, name="brief"),
    path("c/<slug:slug>/briefs/", views.community_briefs, name="community_briefs"),
]
