"""Authentication backends."""

from django.contrib.auth.backends import ModelBackend
from django.db import models
from django.db.models.functions import Coalesce

from .models import User

NAMES_SEPARATOR = "\n"


class JoinedNames(models.Aggregate):
    """``STRING_AGG`` on PostgreSQL, ``GROUP_CONCAT`` on SQLite: names joined by a separator, in one column."""

    function = "STRING_AGG"
    output_field = models.TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


def with_role_names(users):
    """``users`` with their group names (``User.role_names``) read in the same query."""
    memberships = (
        User.groups.through.objects.filter(user=models.OuterRef("pk"))
        .order_by()
        .values("user")
        .annotate(names=JoinedNames("group__name", models.Value(NAMES_SEPARATOR)))
        .values("names")
    )
    joined = Coalesce(models.Subquery(memberships), models.Value(""), output_field=models.TextField())
    return users.annotate(joined_role_names=joined)


class UserWithRolesBackend(ModelBackend):
    """Django's ``ModelBackend`` whose signed-in user arrives with its roles: every signed-in page asks them (the
    account rules, the navigation), and this saves the query that would fetch them on each request."""

    def get_user(self, user_id):
        user = with_role_names(User._default_manager.filter(pk=user_id)).first()
        return user if user is not None and self.user_can_authenticate(user) else None
