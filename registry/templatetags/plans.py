from django import template

from registry.models import Plan

register = template.Library()


@register.simple_tag
def plan_in_force():
    """``{% plan_in_force as plan %}``: the programme plan a page cites, from data (``Plan.current``)."""
    return Plan.current()
