from django import template
from django.utils import timezone

from greenmfg import generations
from registry.models import Plan

register = template.Library()

# A bound for what generations do not see; every change to a plan through the portal bumps ``LISTS``.
PLAN_SECONDS = 60 * 60


@generations.on_every_page
def _plan_key(request=None):
    return f"plan-in-force:{timezone.localdate()}"


@register.simple_tag(takes_context=True)
def plan_in_force(context=None):
    """``{% plan_in_force as plan %}``: the programme plan a page cites, from data (``Plan.current``), kept in the
    cache until a plan changes (``generations.LISTS``) so that the footer of a signed-in page costs no query."""
    request = context.get("request") if context is not None else None
    return generations.remembered(_plan_key(), [generations.LISTS], Plan.current, PLAN_SECONDS, request)
