"""Listing pages, routed by ``selfwork.web.urls`` under the ``web`` namespace."""

from django.urls import path

from selfwork.catalog import views

urlpatterns = [
    path("listings/new/", views.listing_new, name="listing_new"),
    path("listings/<uuid:public_id>/", views.listing_detail, name="listing"),
    path("listings/<uuid:public_id>/edit/", views.listing_edit, name="listing_edit"),
    path(
        "listings/<uuid:public_id>/hide/", views.listing_hide_view, name="listing_hide"
    ),
    path(
        "listings/<uuid:public_id>/show/", views.listing_show_view, name="listing_show"
    ),
    path(
        "listings/<uuid:public_id>/delete/",
        views.listing_delete_view,
        name="listing_delete",
    ),
    path(
        "listings/<uuid:public_id>/calendar/",
        views.listing_calendar_partial,
        name="listing_calendar",
    ),
    path(
        "listings/<uuid:public_id>/availability/",
        views.listing_availability,
        name="listing_availability",
    ),
    path(
        "listings/<uuid:public_id>/availability/blocked/",
        views.listing_blocked_add,
        name="listing_blocked_add",
    ),
    path(
        "listings/<uuid:public_id>/availability/blocked/<uuid:blocked_id>/remove/",
        views.listing_blocked_remove,
        name="listing_blocked_remove",
    ),
]
