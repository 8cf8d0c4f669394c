from django import template

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


@register.simple_tag(takes_context=True)
def can(context, rule_name, obj=None):
    """``{% can "rule" obj as flag %}``: the same named predicate the view asks, about the same object."""
    from greenmfg.permissions import ask

    return ask(rule_name, context["request"].user, obj)
