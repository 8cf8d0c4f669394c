"""Request plumbing the whole portal shares: the client's real address, and bounded database waits."""

import ipaddress

from django.conf import settings
from django.contrib import messages
from django.db import OperationalError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

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
