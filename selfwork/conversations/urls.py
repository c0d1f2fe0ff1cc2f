"""Conversation pages, routed by ``selfwork.web.urls`` under the ``web`` namespace."""

from django.urls import path

from selfwork.conversations import views

urlpatterns = [
    path("messages/", views.inbox, name="conversations"),
    path("messages/new/", views.conversation_new, name="conversation_new"),
    path("messages/unread/", views.unread_link, name="conversations_unread"),
    path("messages/blocks/", views.blocks, name="conversation_blocks"),
    path("messages/<uuid:public_id>/", views.conversation, name="conversation"),
]
