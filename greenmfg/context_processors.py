from django.utils.functional import SimpleLazyObject

from .models import Notification
from .roles import Role


def roles(request):
    """Which role sections the navigation shows, and the unread count on the bell.

    Access itself is checked in the views, never here. The count is one query, made only when a page shows it.
    """
    user = request.user
    if not user.is_authenticated:
        return {"user_roles": frozenset()}
    return {
        "user_roles": frozenset(role.name for role in Role if user.has_role(role)),
        "unread_notifications": SimpleLazyObject(
            lambda: Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        ),
    }
