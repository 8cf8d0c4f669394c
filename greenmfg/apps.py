from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate


class GreenmfgConfig(AppConfig):
    name = "greenmfg"
    verbose_name = "平台基础"

    def ready(self):
        # permissions registers the named rules that templates ask with {% can %}; signing the system check that
        # each configured office certificate opens; accounts audits every authentication event and guards 三员分立
        # on every change of a user's groups.
        from . import accounts, permissions, signing  # noqa: F401

        post_migrate.connect(
            accounts.system_administrator_configures, dispatch_uid="system_administrator_configures"
        )


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the outbox's pending and failed counts on its index page."""

    default = False  # named in INSTALLED_APPS; GreenmfgConfig stays this module's default
    default_site = "greenmfg.admin_site.PortalAdminSite"
