"""The dashboard collects what waits for a user from each app's ``dashboard.panels(user)``.

Each app owns its panels, so this module depends on no app (greenmfg ← applications ← reviews ← registry).
"""

from dataclasses import dataclass, field
from importlib import import_module

from django.apps import apps
from django.template.loader import render_to_string

from . import generations
from .public_cache import users_fragment


@dataclass
class Panel:
    title: str
    template: str
    items: list = field(default_factory=list)
    empty_text: str = ""
    actions: list[tuple[str, str]] = field(default_factory=list)  # (label, url)
    order: int = 50


def panels_for(user) -> list[Panel]:
    collected = []
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.dashboard")
        except ModuleNotFoundError as missing:
            if missing.name != f"{config.name}.dashboard":
                raise
            continue
        if module.__name__ != __name__:
            collected.extend(module.panels(user))
    return sorted(collected, key=lambda panel: panel.order)


def rendered_panels(request) -> str:
    """The user's panels as HTML, kept per user until the work changes (``generations.WORK``) or the day does."""
    return users_fragment(
        request,
        [generations.WORK],
        lambda: render_to_string(
            "includes/dashboard_panels.html", {"panels": panels_for(request.user)}, request
        ),
    )
