from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "评价与评审"

    def ready(self):
        # Registers the named permission rules that templates ask with {% can %}, and the relationships
        # through which evaluators and experts reach declarations.
        from . import access, permissions  # noqa: F401
