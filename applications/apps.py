from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("申报")

    def ready(self):
        # Registers the named permission rules that templates ask with {% can %}.
        from . import permissions  # noqa: F401
