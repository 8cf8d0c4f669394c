"""One record per submission: the same form posted twice (double-click, back-and-resubmit, two tabs) is handled
once, and the second request lands where the first one went.

``OncePerSubmissionMiddleware`` guards the views named in ``ONCE_PER_SUBMISSION`` (those that create a record).
A POST's key is a digest of the view, its arguments, who sent it (user, else session, else address) and its
content (fields without the CSRF token, and uploaded files' names and sha256). The first request claims the key
with a committed unique row; a duplicate that arrives while it runs waits for it (up to ``WAIT``) and follows its
redirect. A request that does not end in a redirect (a form with errors, an exception) releases its key, so a
corrected form goes through. Keys expire after ``WINDOW``: the same content a day later is a new submission.
"""

import hashlib
import time
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Submission

WINDOW = timedelta(minutes=30)
WAIT = 15  # seconds a duplicate waits for the first request to finish
POLL = 0.1


def submission_key(request, match) -> str:
    digest = hashlib.sha256()
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        sender = f"user:{user.pk}"
    elif request.session.session_key:
        sender = f"session:{request.session.session_key}"
    else:
        sender = f"address:{request.META.get('REMOTE_ADDR', '')}"
    for part in (match.view_name, repr(sorted(match.kwargs.items())), sender):
        digest.update(part.encode() + b"\0")
    for name, values in sorted(request.POST.lists()):
        if name != "csrfmiddlewaretoken":
            digest.update(repr((name, values)).encode() + b"\0")
    for name, files in sorted(request.FILES.lists()):
        for upload in files:
            digest.update(repr((name, upload.name, upload.size)).encode())
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
    return digest.hexdigest()


def claim(key) -> Submission | None:
    """The row of a new claim, or None when another request holds or held this key."""
    # Expired keys go as new ones come (an indexed range).
    Submission.objects.filter(created_at__lt=timezone.now() - WINDOW).delete()
    try:
        with transaction.atomic():
            return Submission.objects.create(key=key)
    except IntegrityError:
        return None


def outcome_of(key) -> str | None:
    """Where the first request went; ``""`` if it ended without a redirect (the key was released)."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        location = Submission.objects.filter(key=key).values_list("location", flat=True).first()
        if location is None:
            return ""
        if location:
            return location
        time.sleep(POLL)
    return None


class OncePerSubmissionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "POST":
            return self.get_response(request)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        if match.view_name not in settings.ONCE_PER_SUBMISSION:
            return self.get_response(request)
        key = submission_key(request, match)
        mine = claim(key)
        if mine is None:
            location = outcome_of(key)
            if location:
                messages.info(request, _("该表单已经提交过，未重复办理。"))
                return redirect(location)
            if location is None:
                messages.warning(request, _("相同的表单正在办理中，请稍后刷新页面查看结果。"))
                return redirect(request.path)
            mine = claim(key)  # the first attempt failed: this one is handled as new
        try:
            response = self.get_response(request)
        except BaseException:
            _release(mine)
            raise
        succeeded = response.status_code in (301, 302, 303) and not getattr(response, "nothing_saved", False)
        if mine is not None and succeeded:
            Submission.objects.filter(pk=mine.pk).update(location=response["Location"][:500])
        else:
            _release(mine)
        return response


def _release(claimed):
    """Nothing was created: the same form may be sent again (corrected, or after a wait)."""
    if claimed is not None:
        Submission.objects.filter(pk=claimed.pk).delete()
