"""A small real HTTP client (urllib, cookies, CSRF) for the fault tests: it follows no redirect."""

import re
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from urllib.parse import urlencode


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    def __init__(self, base_url):
        self.base = base_url
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect
        )

    def request(self, path, data=None, timeout=60):
        """(status, headers, body, seconds) of one request."""
        body = urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=timeout) as response:
                status, headers, content = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, headers, content = error.code, error.headers, error.read()
        return status, headers, content.decode(errors="replace"), time.monotonic() - started

    def csrf_token(self, path):
        status, _headers, page, _seconds = self.request(path)
        assert status == 200, page[:2000]
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    def post_form(self, path, data):
        return self.request(path, {**data, "csrfmiddlewaretoken": self.csrf_token(path)})

    def log_in(self, username, password, code=None):
        """The login form, then the second factor's form when a backup ``code`` is given."""
        status, _headers, page, _seconds = self.post_form(
            "/accounts/login/", {"username": username, "password": password}
        )
        assert status == 302, page[:2000]
        if code:
            status, _headers, page, _seconds = self.post_form("/accounts/verify/", {"token": code})
            assert status == 302, page[:2000]
