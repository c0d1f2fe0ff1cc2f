"""Exchange pages, routed by ``selfwork.web.urls`` under the ``web`` namespace."""

from django.urls import path

from selfwork.exchanges import dispute_views, views

urlpatterns = [
    path("exchanges/", views.exchanges_mine, name="exchanges"),
    path("exchanges/<uuid:public_id>/", views.exchange_room, name="exchange"),
    path(
        "exchanges/<uuid:public_id>/messages/",
        views.exchange_messages,
        name="exchange_messages",
    ),
    path(
        "exchanges/<uuid:public_id>/licence/",
        views.exchange_licence,
        name="exchange_licence",
    ),
    path("listings/<uuid:public_id>/order/", views.listing_order, name="listing_order"),
    path("listings/<uuid:public_id>/rent/", views.listing_rent, name="listing_rent"),
    path("listings/<uuid:public_id>/ask/", views.listing_ask, name="listing_ask"),
    path("listings/<uuid:public_id>/swap/", views.listing_swap, name="listing_swap"),
    path(
        "listings/<uuid:public_id>/borrow/",
        views.listing_borrow,
        name="listing_borrow",
    ),
    path(
        "listings/<uuid:public_id>/time/",
        views.listing_timebank,
        name="listing_timebank",
    ),
    path("operator/disputes/", dispute_views.disputes_console, name="disputes"),
    path(
        "operator/disputes/<uuid:public_id>/",
        dispute_views.dispute_page,
        name="dispute",
    ),
    path("processes/", views.processes_index, name="processes"),
    path("processes/<slug:name>/", views.process_detail, name="process"),
]
