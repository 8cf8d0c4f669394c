from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class GreenmfgConfig(AppConfig):
    name = "greenmfg"
    verbose_name = _("平台基础")

    def ready(self):
        # Registers the named permission rules that templates ask with {% can %}.
        from . import languages, permissions  # noqa: F401  (the login signal; the rules)


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the outbox's pending and failed counts on its index page."""

    default = False  # named in INSTALLED_APPS; GreenmfgConfig stays this module's default
    default_site = "greenmfg.admin_site.PortalAdminSite"
