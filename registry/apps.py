from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = "名单"

    def ready(self):
        # Connects the receivers that notify people of workflow events, and registers the reminder task.
        from . import notify  # noqa: F401
