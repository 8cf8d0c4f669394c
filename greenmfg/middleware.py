"""Request plumbing the whole portal shares: the client's real address, the account rules, bounded database
waits."""

import ipaddress
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.db import OperationalError
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from . import accounts

LOCK_NOT_AVAILABLE = "55P03"  # lock_timeout
QUERY_CANCELED = "57014"  # statement_timeout


class ClientAddressMiddleware:
    """Behind a trusted reverse proxy, ``REMOTE_ADDR`` becomes the client's address from ``X-Forwarded-For``.

    Only a request that arrives from an address in ``TRUSTED_PROXIES`` may say who its client is; anyone else's
    header is ignored, so a client cannot choose its own address to escape the objection rate limit. The
    right-most address not itself a trusted proxy is the client (proxies append what they saw).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        trusted = [ipaddress.ip_network(proxy, strict=False) for proxy in settings.TRUSTED_PROXIES]
        if trusted and _address(request.META.get("REMOTE_ADDR", ""), trusted) is None:
            for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
                client = _address(hop.strip(), trusted)
                if client is None:
                    continue  # another trusted proxy: look further left
                if client:
                    request.META["REMOTE_ADDR"] = client
                break  # a client address, or something that is no address at all: stop here
        return self.get_response(request)


def _address(text, trusted):
    """``None`` for a trusted proxy, ``""`` for no valid address, else the address."""
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return ""
    return None if any(ip in network for network in trusted) else str(ip)


class AccountPolicyMiddleware:
    """The account rules, in order, on every request of a signed-in user:

    1. a privileged user's session ends when another login took over or after
       ``OFFICIAL_SESSION_IDLE_MINUTES`` without a request (the login page says which);
    2. whoever needs a second factor is sent to verify it, or to enrol one first;
    3. whoever must change the password (created by an administrator, or too old) is sent to change it.
    Until then only the pages of those steps and logging out answer.
    """

    STEPS = {"second_factor_verify", "second_factor_enrol", "password_change", "logout"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            response = self.session_ended(request) or self.step_due(request)
            if response:
                return response
        return self.get_response(request)

    def session_ended(self, request):
        user, session = request.user, request.session
        if not accounts.privileged(user):
            return None
        now = timezone.now().timestamp()
        if session.get(accounts.SESSION_TOKEN) != user.session_token:
            reason = _("您的账号已在其他地方登录（或会话已被安全管理员结束），本会话已退出。")
        elif now - session.get(accounts.LAST_SEEN, now) > settings.OFFICIAL_SESSION_IDLE_MINUTES * 60:
            reason = _("您已 %(minutes)d 分钟未操作，为保护账号安全已自动退出，请重新登录。") % {
                "minutes": settings.OFFICIAL_SESSION_IDLE_MINUTES
            }
        else:
            if now - session.get(accounts.LAST_SEEN, 0) > 60:  # a write a minute at most, not one per request
                session[accounts.LAST_SEEN] = now
            return None
        logout(request)
        messages.warning(request, reason)
        return _go(request, reverse("login"))

    def step_due(self, request):
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        if match.view_name in self.STEPS:
            return None
        user = request.user
        if not user.is_verified() and accounts.needs_second_factor_in(request.session, user):
            step = "second_factor_verify" if accounts.has_second_factor(user) else "second_factor_enrol"
        elif accounts.must_change_password(user):
            step = "password_change"
        else:
            return None
        return _go(request, f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")


def _go(request, url):
    """A redirect; for an HTMX request one of the whole page, not a login form swapped into a fragment."""
    return HttpResponseClientRedirect(url) if request.headers.get("HX-Request") else redirect(url)


class BoundedWaitMiddleware:
    """A row held locked by someone else (``lock_timeout``) or a query over ``statement_timeout`` ends in a
    Chinese "try again" message on the page the user came from, not an HTTP 500. Nothing was saved: the
    transaction that waited was rolled back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError):
            return None
        code = getattr(exception.__cause__, "sqlstate", None)
        if code == LOCK_NOT_AVAILABLE:
            text = _("该记录正由其他用户处理，请稍后重试。本次操作未保存。")
        elif code == QUERY_CANCELED:
            text = _("系统繁忙，本次操作超时未完成，请稍后重试。本次操作未保存。")
        else:
            return None
        back = request.META.get("HTTP_REFERER", "")
        if request.method == "POST" and url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            messages.error(request, text)
            response = redirect(back)
        else:
            response = render(request, "busy.html", {"text": text}, status=503)
        response.nothing_saved = True  # greenmfg.submissions: the same form may be sent again
        return response
