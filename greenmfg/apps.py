from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class GreenmfgConfig(AppConfig):
    name = "greenmfg"
    verbose_name = _("平台基础")

    def ready(self):
        from guardian.models import GroupObjectPermission, UserObjectPermission

        # permissions registers the named rules that templates ask with {% can %}; signing the system check that
        # each configured office certificate opens; accounts audits every authentication event and guards 三员分立
        # on every change of a user's groups; languages the login signal that applies the user's language.
        from . import accounts, languages, permissions, signing  # noqa: F401
        from .generations import WORK, watch, watch_m2m
        from .models import User

        # A user's roles and object permissions decide the panels of their dashboard (greenmfg/dashboard.py).
        watch_m2m(User.groups.through, WORK)
        watch(UserObjectPermission, WORK)
        watch(GroupObjectPermission, WORK)

        post_migrate.connect(
            accounts.system_administrator_configures, dispatch_uid="system_administrator_configures"
        )


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the outbox's pending and failed counts on its index page."""

    default = False  # named in INSTALLED_APPS; GreenmfgConfig stays this module's default
    default_site = "greenmfg.admin_site.PortalAdminSite"
