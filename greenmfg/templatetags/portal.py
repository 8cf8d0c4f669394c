from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()


@register.simple_tag(takes_context=True)
def page_query(context, number):
    """The current query string with another page number, so paging keeps the filters."""
    query = context["request"].GET.copy()
    query["page"] = number
    return query.urlencode()


@register.simple_tag(takes_context=True)
def cursor_query(context, direction, cursor):
    """The current query string paged from ``cursor`` (greenmfg/pagination.py), keeping the filters."""
    query = context["request"].GET.copy()
    for name in ("page", "after", "before"):
        query.pop(name, None)
    query[direction] = cursor
    return query.urlencode()


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.filter(needs_autoescape=True)
def parens(value, autoescape=True):
    """``（value）`` in Chinese, `` (value)`` in English: the brackets follow the language, not the data."""
    text = conditional_escape(value) if autoescape else value
    return mark_safe(gettext("（%(text)s）") % {"text": text})


@register.simple_tag(takes_context=True)
def can(context, rule_name, obj=None):
    """``{% can "rule" obj as flag %}``: the same named predicate the view asks, about the same object."""
    from greenmfg.permissions import ask

    return ask(rule_name, context["request"].user, obj)


class KeptNavigationNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        from greenmfg.public_cache import navigation_for

        return navigation_for(context["request"], lambda: self.nodelist.render(context))


@register.tag
def kept_navigation(parser, token):
    """``{% kept_navigation %}…{% endkept_navigation %}``: the signed-in navigation, whose dozen ``{% can %}``
    predicates and links are the same on every page of a view, rendered once per user, roles and view
    (``public_cache.navigation_for``)."""
    nodelist = parser.parse(("endkept_navigation",))
    parser.delete_first_token()
    return KeptNavigationNode(nodelist)
