from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = "申报"

    def ready(self):
        # Registers the named permission rules that templates ask with {% can %}.
        from . import permissions  # noqa: F401
