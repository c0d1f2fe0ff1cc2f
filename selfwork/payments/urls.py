"""Money pages, routed by ``selfwork.web.urls`` under the ``web`` namespace."""

from django.urls import path

from selfwork.payments import views

urlpatterns = [
    path("wallet/", views.wallet, name="wallet"),
    path("wallet/statement.csv", views.wallet_statement, name="wallet_statement"),
    path("operator/money/", views.operator_money, name="operator_money"),
]
