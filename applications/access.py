"""Who reaches a declaration: derived, on every request, from the relationships that justify it.

Each relationship is a function ``user -> Q`` over ``Declaration`` (or ``None`` when it cannot apply to this
user), registered with ``@relationship(VIEW)`` or ``@relationship(EVALUATE)``: membership of the declaring
organisation and an official's city here; a commission and an expert assignment in ``reviews.access``, which
this app may not import. A declaration is reachable while one of them holds, and stops being reachable the
moment none does.

Why live predicates and not stored django-guardian rows: a stored grant has to be revoked by every path that
ends its relationship (a decline, a withdrawal, a conflict, a ban — and a ban that starts or ends on a date,
which no service call marks), and each forgotten path is a leak that nothing shows. A query over the live
relationships cannot drift from them, grants and revokes in one place, and costs one indexed query.
"""

from django.db.models import Q

VIEW = "view"
EVALUATE = "evaluate"

_RELATIONSHIPS = {VIEW: [], EVALUATE: []}


def relationship(*kinds):
    """Register ``user -> Q | None``: the declarations this relationship lets the user reach."""

    def register(function):
        for kind in kinds:
            _RELATIONSHIPS[kind].append(function)
        return function

    return register


def condition(user, kind=VIEW) -> Q | None:
    """The union of the relationships this user holds, or None when they hold none."""
    if not (user and user.is_authenticated):
        return None
    found = None
    for function in _RELATIONSHIPS[kind]:
        q = function(user)
        if q is not None:
            found = q if found is None else found | q
    return found


def reachable(user, queryset, kind=VIEW):
    """The declarations of ``queryset`` this user reaches through a live relationship."""
    q = condition(user, kind)
    if q is None:
        return queryset.none()
    from .models import Declaration

    return queryset.filter(pk__in=Declaration.objects.filter(q).values("pk"))


def reaches(user, declaration, kind=VIEW) -> bool:
    q = condition(user, kind)
    if q is None:
        return False
    from .models import Declaration

    return Declaration.objects.filter(q, pk=declaration.pk).exists()


@relationship(VIEW)
def membership(user):
    """The declaring organisation's members."""
    from greenmfg.roles import Role

    if not user.has_role(Role.APPLICANT):
        return None
    return Q(organisation__members=user)


@relationship(VIEW)
def city(user):
    """A 市州经信局 official: the declarations of their city."""
    if not user.is_city_official or not user.city_id:
        return None
    return Q(region_id=user.city_id)
