from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = "申报"

    def ready(self):
        # Registers the named permission rules that templates ask with {% can %}.
        # What the cached public pages and dashboards show of this app (greenmfg/generations.py).
        from greenmfg.generations import DECLARATIONS, EVALUATORS, LISTS, PUBLICITY, WORK, watch

        from . import permissions  # noqa: F401
        from .models import Batch, Declaration, Membership, Organisation, Policy

        watch(Organisation, LISTS, PUBLICITY, WORK)
        watch(Declaration, DECLARATIONS, WORK)
        watch(Batch, WORK)
        watch(Membership, WORK)  # an applicant sees the declarations of the organisations they belong to
        watch(Policy, LISTS, PUBLICITY, EVALUATORS, WORK)
