from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("名单")

    def ready(self):
        # Connects the receivers that notify people of workflow events, and registers the reminder task.
        # Registers the named permission rules that templates ask with {% can %}.
        # Connects the proposal of a claim when an organisation registers.
        from . import claims, notify, permissions  # noqa: F401
