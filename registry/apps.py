from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = "名单"

    def ready(self):
        # Connects the receivers that notify people of workflow events, and registers the reminder task.
        # Registers the named permission rules that templates ask with {% can %}.
        # Connects the proposal of a claim when an organisation registers.
        # What the cached public pages and dashboards show of this app (greenmfg/generations.py).
        from greenmfg.generations import LISTS, PUBLICITY, WORK, watch

        from . import claims, notify, permissions  # noqa: F401
        from .models import ListedUnit, ListImport, ListPublication, Objection, Publicity, ReReviewCase

        for model in (ListedUnit, ListPublication, ListImport):
            watch(model, LISTS, WORK)
        for model in (Publicity, Objection):
            watch(model, PUBLICITY, WORK)
        watch(ReReviewCase, LISTS, WORK)
