"""The dashboard collects what waits for a user from each app's ``dashboard.panels(user)``.

Each app owns its panels, so this module depends on no app (greenmfg ← applications ← reviews ← registry).
"""

from dataclasses import dataclass, field
from importlib import import_module

from django.apps import apps
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from . import generations

# A bound on anything the generations do not see (a date passing); every change through the portal is seen.
PANELS_SECONDS = 10 * 60


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
    user = request.user
    numbers = generations.current(generations.WORK)
    key = numbers and f"dashboard:{user.pk}:{timezone.localdate()}:{numbers[0]}"
    html = cache.get(key) if key else None
    if html is None:
        html = render_to_string("includes/dashboard_panels.html", {"panels": panels_for(user)}, request)
        if key:
            cache.set(key, str(html), PANELS_SECONDS)
    return mark_safe(html)  # rendered by our own template, escaped there
