from django import template
from django.utils import timezone

from greenmfg import generations
from registry.models import Plan

register = template.Library()

# A bound for what generations do not see; every change to a plan through the portal bumps ``LISTS``.
PLAN_SECONDS = 60 * 60


@register.simple_tag
def plan_in_force():
    """``{% plan_in_force as plan %}``: the programme plan a page cites, from data (``Plan.current``), kept in the
    cache until a plan changes (``generations.LISTS``) so that the footer of a signed-in page costs no query."""
    today = timezone.localdate()
    return generations.remembered(f"plan-in-force:{today}", [generations.LISTS], Plan.current, PLAN_SECONDS)
