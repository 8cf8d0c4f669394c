"""One exception for every refusal a user can meet, and the one place views turn it into a page.

A service raises ``Refused(reason)`` when an action may not happen now (a deadline passed, a cap reached, a
state that does not allow it); the reason is written for the user, in Chinese. Views do not catch it: a form
view wraps its service call in ``refusal_as_form_error(form)``, a button that posts to an action URL in
``refusal_as_message(request)``, and ``RefusalMiddleware`` answers every other refusal with the reason as a
message on the page the user came from.
"""

from contextlib import contextmanager

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect


class Refused(Exception):
    """An action this user may not take now; ``reason`` is shown as written."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = str(reason)

    def __str__(self):
        return self.reason


@contextmanager
def refusal_as_form_error(form, field=None):
    """Show a refusal on the form (kept as typed) instead of leaving the page; code after it runs on refusal."""
    try:
        yield
    except Refused as refusal:
        form.add_error(field, refusal.reason)


@contextmanager
def refusal_as_message(request):
    """For an action posted from another page (a button that redirects back to it): show a refusal as a
    message; code after it (the redirect) runs on refusal. The middleware would return to the action's own
    URL, which answers only POST."""
    try:
        yield
    except Refused as refusal:
        messages.error(request, refusal.reason)


class RefusalMiddleware:
    """A refused POST returns to its page with the reason as a message; a refused GET is a 403 with the reason."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, Refused):
            return None
        if request.method != "POST":
            raise PermissionDenied(exception.reason) from exception
        messages.error(request, exception.reason)
        response = redirect(request.get_full_path())
        response.nothing_saved = True  # greenmfg.submissions: the same form may be sent again
        return response
