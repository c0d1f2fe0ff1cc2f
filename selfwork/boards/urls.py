"""Board pages, routed by ``selfwork.web.urls`` under the ``web`` namespace."""

from django.urls import path

from selfwork.boards import views

urlpatterns = [
    path("c/<slug:slug>/board/", views.board, name="board"),
    path("c/<slug:slug>/board/<uuid:public_id>/", views.board_post, name="board_post"),
]
