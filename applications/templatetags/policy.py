from django import template

from applications.models import Policy

register = template.Library()


@register.simple_tag
def policy_in_force():
    """``{% policy_in_force as policy %}``: the policy numbers a page quotes, never written into the template."""
    return Policy.in_force()
