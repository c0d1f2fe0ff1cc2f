from django.urls import path

from selfwork.accounts import views

app_name = "accounts"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    # Where the header's language switcher posts (``language`` and ``next``).
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("password-reset/", views.password_reset, name="password_reset"),
    path("password-reset/sent/", views.password_reset_done, name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        views.password_reset_complete,
        name="password_reset_complete",
    ),
    path("settings/tokens/", views.token_create, name="token_create"),
    path(
        "settings/tokens/<int:token_id>/revoke/",
        views.token_revoke,
        name="token_revoke",
    ),
]
