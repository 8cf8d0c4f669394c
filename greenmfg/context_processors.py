from django.utils.functional import SimpleLazyObject

from .models import Notification


def unread_notifications(request):
    """The unread count on the bell: one query, made only when a page shows it.

    What the navigation shows is asked of the permission rules with {% can %}, never of role names here.
    """
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "unread_notifications": SimpleLazyObject(
            lambda: Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        ),
    }
