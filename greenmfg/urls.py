from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from applications.views.team import register
from registry.api import api
from registry.views.public import home

from . import views

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
    path("accounts/register/", register, name="register"),
    path("declarations/", include("applications.urls")),
    path("", include("reviews.urls")),
    path("", include("registry.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
