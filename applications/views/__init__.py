"""申报 pages. Each module is one part of the applicant's and officials' work; all ask applications.permissions."""

from django.shortcuts import get_object_or_404

from .. import permissions
from ..models import Declaration


def get_visible_declaration(user, pk, queryset=None):
    """The declaration if this user may see it; 404 otherwise, so others' declarations are not even confirmed."""
    queryset = permissions.visible_declarations(user, queryset or Declaration.objects.for_lists())
    return get_object_or_404(queryset, pk=pk)
