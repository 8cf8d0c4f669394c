"""Public pages from the shared cache, stored per URL (path and query string) with the generations of the areas
they show (greenmfg/generations.py) and served only while those are current, so no copy outlives a change; the
generations and the copy come in one round trip to the cache; ETag and Last-Modified let a browser that has
the page already get a 304.

Only anonymous GET/HEAD requests are served from the cache, and only responses that are the same for every
anonymous visitor are stored: 200, no cookie set, no CSRF token used, no message waiting for the visitor. The key
also holds today's date, for what a page shows by the calendar (bans in force, the year's counts).
"""

import hashlib
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.utils.safestring import mark_safe

from . import generations

CACHE_SECONDS = 24 * 60 * 60
# Per-user fragments: a bound on anything the generations do not see (a date passing); every change made through
# the portal is seen.
FRAGMENT_SECONDS = 10 * 60
# One request renders a missing copy while the others wait for it, this long at most; then they render too. The
# mark expires by itself if the rendering request dies.
RENDERING_WAIT = 5
RENDERING_POLL = 0.05
RENDERING_SECONDS = 30
# Headers a stored page keeps; the middleware adds the rest on every response, cached or not.
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Content-Language")
# Attributes the middleware reads from the response: an export served from the cache is audited all the same.
KEPT_ATTRIBUTES = ("audited",)


def _servable(request):
    return (
        request.method in ("GET", "HEAD")
        and "messages" not in request.COOKIES
        and not request.user.is_authenticated
    )


def _storable(request, response):
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    )


def _page(request):
    """What a copy is kept for: the URL, the language (a visitor who chose English never gets the Chinese copy)
    and the day."""
    return f"{request.get_full_path()}|{translation.get_language()}|{timezone.localdate()}"


def _key(page):
    return f"public-page:{hashlib.sha256(page.encode()).hexdigest()}"


def _etag(page, numbers):
    return f'"{hashlib.sha256(f"{page}|{numbers}".encode()).hexdigest()[:32]}"'


def _validators(response, etag, changed_at):
    response["ETag"] = etag
    if changed_at is not None:
        response["Last-Modified"] = http_date(changed_at)
    # Stored by the browser but asked again each time: the answer is a 304 until the data changes.
    patch_cache_control(response, no_cache=True)
    return response


def _served(request, page, numbers, changed_at, stored):
    """The stored copy when it was rendered under ``numbers``, or a 304 when the visitor has it; else None."""
    etag = _etag(page, numbers)
    not_modified = get_conditional_response(request, etag=etag, last_modified=changed_at)
    if not_modified is not None:
        return _validators(not_modified, etag, changed_at)
    if stored is None or stored["numbers"] != numbers:
        return None
    response = HttpResponse(stored["content"])
    for name, value in stored["headers"]:
        response[name] = value
    for name, value in stored["attributes"].items():
        setattr(response, name, value)
    return _validators(response, etag, changed_at)


def _rendered_by_another(request, page, key, rendering, areas):
    """The copy another request is rendering, once it is stored; None when that request ended without storing one
    (a 404, say) or after ``RENDERING_WAIT``.

    After a change every visitor misses the copy at once (a list published, and the whole province looks): one
    request renders, the others wait for its copy instead of each running the same queries.
    """
    deadline = time.monotonic() + RENDERING_WAIT
    while time.monotonic() < deadline:
        time.sleep(RENDERING_POLL)
        numbers, changed_at, found = generations.with_change_time(*areas, also=[key, rendering])
        if numbers is None:
            return None
        response = _served(request, page, numbers, changed_at, found.get(key))
        if response is not None or rendering not in found:
            return response
    return None


def public_page(*areas):
    """Serve the decorated view from the cache for anonymous visitors until one of ``areas`` changes."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not _servable(request):
                return view(request, *args, **kwargs)
            page = _page(request)
            key = _key(page)
            numbers, changed_at, found = generations.with_change_time(*areas, also=[key])
            if numbers is None:  # the cache is away: render, store nothing
                return view(request, *args, **kwargs)
            response = _served(request, page, numbers, changed_at, found.get(key))
            if response is not None:
                return response
            rendering = f"{key}:rendering"
            marked = cache.add(rendering, True, RENDERING_SECONDS)
            if not marked:
                response = _rendered_by_another(request, page, key, rendering, areas)
                if response is not None:
                    return response
            try:
                response = view(request, *args, **kwargs)
            finally:
                if marked:
                    cache.delete(rendering)
            if _storable(request, response):
                headers = [(name, response[name]) for name in KEPT_HEADERS if response.has_header(name)]
                attributes = {
                    name: getattr(response, name) for name in KEPT_ATTRIBUTES if hasattr(response, name)
                }
                stored = {
                    "areas": areas,
                    "numbers": numbers,
                    "content": response.content,
                    "headers": headers,
                    "attributes": attributes,
                }
                cache.set(key, stored, CACHE_SECONDS)
                _validators(response, _etag(page, numbers), changed_at)
            return response

        return wrapper

    return decorator


class StoredPublicPageMiddleware:
    """A visitor without a session (nobody signed in, no message waiting) gets a stored public page before the
    middleware that only a session, a form or a signed-in user needs, and without resolving the URL: one round trip
    to the cache reads the copy and every area's generation, and the copy is served only while the generations it
    was rendered under are current. Whatever it does not serve (no copy, a changed area, a copy that must pass the
    download audit) goes on to the view, whose ``public_page`` renders and stores it.

    Placed after the middleware that sets the language and the headers every response carries.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and "messages" not in request.COOKIES
        ):
            response = self._stored(request)
            if response is not None:
                patch_vary_headers(response, ("Cookie",))
                return response
        return self.get_response(request)

    @staticmethod
    def _stored(request):
        page = _page(request)
        key = _key(page)
        snapshot = generations.Snapshot(also=[key])
        stored = snapshot.extras.get(key)
        if stored is None or "areas" not in stored or stored["attributes"]:
            return None
        areas = stored["areas"]
        numbers = snapshot.numbers(areas)
        if numbers is None:
            return None
        return _served(request, page, numbers, snapshot.changed_at(areas), stored)


def users_fragment(request, areas, render) -> str:
    """HTML that ``render()`` makes for this user and URL, kept until one of ``areas`` changes (or the day does).

    For signed-in pages (the dashboard's panels, the work queue): what a user sees depends on who they are (their
    roles and object permissions bump ``generations.WORK``) and on their city, both in the key.
    """
    user = request.user
    fragment = f"{user.pk}|{user.city_id}|{request.get_full_path()}|{translation.get_language()}|{timezone.localdate()}"
    key = f"user-fragment:{hashlib.sha256(fragment.encode()).hexdigest()}"
    html = generations.remembered(key, areas, lambda: str(render()), FRAGMENT_SECONDS, request)
    return mark_safe(html)  # rendered by our own templates, escaped there


@generations.on_every_page
def _navigation_key(request):
    user = request.user
    if not user.is_authenticated:
        return None
    match = request.resolver_match
    navigation = (
        f"{user.pk}|{user.city_id}|{user.is_staff}|{user.is_superuser}|{sorted(user.role_names)}"
        f"|{match.view_name if match else ''}|{translation.get_language()}|{timezone.localdate()}"
    )
    return f"navigation:{hashlib.sha256(navigation.encode()).hexdigest()}"


def navigation_for(request, render) -> str:
    """The navigation ``render()`` makes for this user on this view, kept until the work changes.

    What it shows follows from the user's roles, city and administrator flags (in the key, so a change shows at
    once), their memberships (they bump ``generations.WORK``), their places on an evaluator's staff
    (``generations.EVALUATORS``) and the view it marks as current.
    """
    key = _navigation_key(request)
    if key is None:
        return render()
    areas = [generations.WORK, generations.EVALUATORS]
    html = generations.remembered(key, areas, lambda: str(render()), FRAGMENT_SECONDS, request)
    return mark_safe(html)  # rendered by our own templates, escaped there
