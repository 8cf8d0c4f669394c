"""Who may act on a declaration. One place, used by transitions, views and downloads alike.

Relationships that always hold (membership, a city's own declarations, the province) are read from the data;
relationships that arise later (an evaluator is commissioned, an expert is assigned) are django-guardian object
permissions granted when they arise.
"""

from guardian.shortcuts import get_objects_for_user

from greenmfg.roles import Role

EVALUATE = "applications.evaluate_declaration"
VIEW = "applications.view_declaration"


def is_applicant(declaration, user) -> bool:
    return (
        user.is_authenticated
        and user.has_role(Role.APPLICANT)
        and declaration.organisation.members.filter(pk=user.pk).exists()
    )


def is_city_official_of(declaration, user) -> bool:
    return user.is_authenticated and user.is_city_official and user.city_id == declaration.region_id


def is_provincial(declaration, user) -> bool:
    return user.is_authenticated and user.is_provincial


def is_commissioned_evaluator(declaration, user) -> bool:
    return user.is_authenticated and user.has_role(Role.EVALUATOR) and user.has_perm(EVALUATE, declaration)


def can_view(declaration, user) -> bool:
    return (
        is_provincial(declaration, user)
        or is_city_official_of(declaration, user)
        or is_applicant(declaration, user)
        or (user.is_authenticated and user.has_perm(VIEW, declaration))
    )


def visible_declarations(user, queryset):
    """The declarations this user may see, as a queryset: the only way views list declarations."""
    if not user.is_authenticated:
        return queryset.none()
    if user.is_provincial or user.has_role(Role.ADMIN):
        return queryset
    if user.is_city_official:
        return queryset.filter(region_id=user.city_id)
    if user.has_role(Role.APPLICANT):
        return queryset.filter(organisation__members=user)
    return get_objects_for_user(user, VIEW, klass=queryset, accept_global_perms=False)
