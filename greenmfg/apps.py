from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class GreenmfgConfig(AppConfig):
    name = "greenmfg"
    verbose_name = _("平台基础")

    def ready(self):
        from guardian.models import GroupObjectPermission, UserObjectPermission

        # Registers the named permission rules that templates ask with {% can %}, the login signal that applies
        # the user's language, and the system check that each configured office certificate opens.
        from . import languages, permissions, signing  # noqa: F401
        from .generations import WORK, watch, watch_m2m
        from .models import User

        # A user's roles and object permissions decide the panels of their dashboard (greenmfg/dashboard.py).
        watch_m2m(User.groups.through, WORK)
        watch(UserObjectPermission, WORK)
        watch(GroupObjectPermission, WORK)


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the outbox's pending and failed counts on its index page."""

    default = False  # named in INSTALLED_APPS; GreenmfgConfig stays this module's default
    default_site = "greenmfg.admin_site.PortalAdminSite"
