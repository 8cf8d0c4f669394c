"""Authentication backends."""

import functools

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Coalesce

from .models import Notification, User

NAMES_SEPARATOR = "\n"


class JoinedNames(models.Aggregate):
    """``STRING_AGG`` on PostgreSQL, ``GROUP_CONCAT`` on SQLite: names joined by a separator, in one column."""

    function = "STRING_AGG"
    output_field = models.TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


def for_every_page(users):
    """``users`` with what every signed-in page shows of them, read in the same query: their group names
    (``User.role_names``) and the count of their unread notifications (the bell, ``unread_notifications``)."""
    memberships = (
        User.groups.through.objects.filter(user=models.OuterRef("pk"))
        .order_by()
        .values("user")
        .annotate(names=JoinedNames("group__name", models.Value(NAMES_SEPARATOR)))
        .values("names")
    )
    joined = Coalesce(models.Subquery(memberships), models.Value(""), output_field=models.TextField())
    unread = (
        Notification.objects.filter(recipient=models.OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("recipient")
        .annotate(count=models.Count("pk"))
        .values("count")
    )
    return users.annotate(
        joined_role_names=joined,
        unread_notification_count=Coalesce(models.Subquery(unread), models.Value(0)),
    )


class UserWithRolesBackend(ModelBackend):
    """Django's ``ModelBackend`` whose signed-in user arrives with its roles and unread count: every signed-in page
    asks them (the account rules, the navigation, the bell), and this saves two queries on each request. Notices
    are marked read by POSTs that redirect, so the count read as the request begins is the one its page shows."""

    def get_user(self, user_id):
        try:
            user_id = User._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        sql, params = _signed_in_user_query()
        params = [user_id if param == _ANY_USER else param for param in params]
        user = next(iter(User._default_manager.raw(sql, params)), None)
        return user if user is not None and self.user_can_authenticate(user) else None


_ANY_USER = -20_250_001  # a primary key no user has, replaced by the signed-in user's in the compiled query


@functools.cache
def _signed_in_user_query():
    """``for_every_page``'s SQL, compiled once per process: building it through the ORM on every request cost
    1.6 ms of CPU, six times what running it costs (bench/README.md)."""
    return for_every_page(User._default_manager.filter(pk=_ANY_USER)).query.sql_with_params()
