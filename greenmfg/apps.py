from django.apps import AppConfig


class GreenmfgConfig(AppConfig):
    name = "greenmfg"
    verbose_name = "平台基础"

    def ready(self):
        # Registers the named permission rules that templates ask with {% can %}.
        from . import permissions  # noqa: F401
