"""The interface language: Chinese by default, English on request, remembered per user.

Anonymous visitors keep their choice in Django's language cookie (``ChosenLanguageMiddleware`` reads it); a signed-in
user's choice is ``User.language``, applied on every request after authentication, so it follows them to any
browser. Official documents ignore it: their generators render under ``translation.override("zh-hans")``.
"""

import functools

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.middleware.csrf import CsrfViewMiddleware
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

OFFICIAL_LANGUAGE = "zh-hans"


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Django's ``LocaleMiddleware`` without ``Accept-Language``: Chinese unless the visitor chose another language.

    A browser set to English still sees the portal in Chinese first (the province's language and the default);
    the header's switch sets the cookie this reads.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        translation.activate(chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()


class UserLanguageMiddleware:
    """After ``AuthenticationMiddleware``: a signed-in user's own language wins over cookie and browser."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = getattr(request.user, "language", "") if request.user.is_authenticated else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


def _token_valid(request) -> bool:
    return CsrfViewMiddleware(lambda request: None).process_view(request, None, (), {}) is None


@csrf_exempt
@require_POST
def choose_language(request):
    """Django's ``set_language`` (cookie, safe ``next``), and the choice kept on the signed-in user.

    A visitor's switch carries no CSRF token: it only sets their own cookie, and a token would make every public
    page personal and uncacheable (greenmfg/public_cache.py). Saving the choice on an account needs the token.
    """
    response = set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES) and _token_valid(request):
        request.user.language = language
        request.user.save(update_fields=["language"])
    return response


@receiver(user_logged_in)
def adopt_language_at_login(sender, request, user, **kwargs):
    """A user who has not chosen yet keeps what they chose before signing in; then their choice applies."""
    if request is None:
        return
    if not user.language:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen in dict(settings.LANGUAGES):
            user.language = chosen
            user.save(update_fields=["language"])
    if user.language:
        translation.activate(user.language)
        request.LANGUAGE_CODE = translation.get_language()


def in_official_language(generator):
    """Render an official document (申报书, 推荐意见, 公示, 名单…) in Chinese, whatever the reader's language."""

    @functools.wraps(generator)
    def in_chinese(*args, **kwargs):
        with translation.override(OFFICIAL_LANGUAGE):
            return generator(*args, **kwargs)

    return in_chinese
