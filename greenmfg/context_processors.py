from django.utils.functional import SimpleLazyObject

from .models import Notification


def unread_notifications(request):
    """The unread count on the bell: read with the signed-in user, else one query made only when a page shows it.

    What the navigation shows is asked of the permission rules with {% can %}, never of role names here.
    """
    user = request.user
    if not user.is_authenticated:
        return {}
    counted = getattr(user, "unread_notification_count", None)  # read with the user (greenmfg/backends.py)
    if counted is not None:
        return {"unread_notifications": counted}
    return {
        "unread_notifications": SimpleLazyObject(
            lambda: Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        ),
    }
