from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("名单")

    def ready(self):
        # Connects the receivers that notify people of workflow events, and registers the reminder task.
        # Registers the named permission rules that templates ask with {% can %}.
        # Connects the proposal of a claim when an organisation registers.
        # Counts the experts' open re-review cases with their declarations when experts are chosen (reviews.workload).
        # What the cached public pages and dashboards show of this app (greenmfg/generations.py).
        from greenmfg.generations import EVALUATORS, LISTS, PUBLICITY, WORK, watch

        from . import claims, notify, permissions, rereview_experts  # noqa: F401
        from .models import (
            ListedUnit,
            ListImport,
            ListPublication,
            Objection,
            Plan,
            Publicity,
            ReReviewCase,
        )

        for model in (ListedUnit, ListPublication, ListImport):
            watch(model, LISTS, WORK)
        for model in (Publicity, Objection):
            watch(model, PUBLICITY, WORK)
        watch(ReReviewCase, LISTS, WORK)
        # Every page's footer cites the plan in force: the public pages (each shows one of these areas) too.
        watch(Plan, LISTS, PUBLICITY, EVALUATORS)
