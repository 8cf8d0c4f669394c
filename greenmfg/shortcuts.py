"""The object if this user may see it: one answer for every app's pages and downloads."""

from django.shortcuts import get_object_or_404


def get_visible_or_404(visible, user, queryset, **lookup):
    """The object matching ``lookup`` among those ``visible(user, queryset)`` lets this user see; 404 otherwise,
    so others' objects are not even confirmed to exist."""
    return get_object_or_404(visible(user, queryset), **lookup)
