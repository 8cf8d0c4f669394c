from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from applications.views.team import register
from registry.api import api
from registry.views.public import home

from . import account_views, views
from .languages import choose_language

handler400 = "greenmfg.views.bad_request"

urlpatterns = [
    path("", home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/", views.notification, name="notification"),
    path("audit/", views.audit_log, name="audit_log"),
    path("audit/export.xlsx", views.audit_export, name="audit_export"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", choose_language, name="language"),
    path("accounts/register/", register, name="register"),
    path("accounts/verify/", account_views.verify, name="second_factor_verify"),
    path("accounts/second-factor/", account_views.enrol, name="second_factor_enrol"),
    path("accounts/second-factor/codes/", account_views.backup_codes, name="second_factor_codes"),
    path("accounts/password/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/security/", account_views.security, name="security"),
    path("accounts/security/unlock/<int:pk>/", account_views.unlock, name="security_unlock"),
    path("accounts/security/users/<int:pk>/roles/", account_views.roles, name="security_roles"),
    path(
        "accounts/security/users/<int:pk>/reset-second-factor/",
        account_views.reset_second_factor,
        name="security_reset_second_factor",
    ),
    path("declarations/", include("applications.urls")),
    path("", include("reviews.urls")),
    path("", include("registry.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
