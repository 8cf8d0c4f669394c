from .roles import Role


def roles(request):
    """Which role sections the navigation shows. Access itself is checked in the views, never here."""
    user = request.user
    if not user.is_authenticated:
        return {"user_roles": frozenset()}
    return {"user_roles": frozenset(role.name for role in Role if user.has_role(role))}
