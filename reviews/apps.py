from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "评价与评审"

    def ready(self):
        # What the cached evaluator directory and the dashboards show (greenmfg/generations.py).
        from greenmfg.generations import EVALUATORS, WORK, watch

        # Registers the named permission rules that templates ask with {% can %}, and the relationships
        # through which evaluators and experts reach declarations.
        from . import access, permissions  # noqa: F401
        from .models import Assignment, Ban, Commission, Evaluation, Evaluator, Evidence, Project, StaffMember

        for model in (Evaluator, Commission, Evaluation, Ban):
            watch(model, EVALUATORS, WORK)
        for model in (StaffMember, Project, Evidence):
            watch(model, EVALUATORS)
        watch(Assignment, WORK)
