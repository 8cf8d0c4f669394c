"""Every page carries a Content-Security-Policy without 'unsafe-inline' and a Permissions-Policy; no page or template
relies on inline scripts, styles or event handlers (the browser tests fail on the console errors CSP would raise)."""

import re
from pathlib import Path

import pytest

from greenmfg.roles import Role

from .factories import make_user

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=", re.IGNORECASE)
TAG = re.compile(r"{%.*?%}", re.DOTALL)  # {% blocktranslate onsite=… %} is no handler
PAGES = ["/", "/lists/", "/publicity/", "/evaluators/", "/accounts/login/", "/accounts/register/"]


def assert_protected(response):
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert (
        "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
    )


@pytest.mark.parametrize("url", PAGES)
def test_public_pages_carry_csp_and_permissions_policy_and_nothing_inline(db, client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert_protected(response)
    assert INLINE.findall(response.content.decode()) == []


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.CITY, Role.PROVINCE, Role.AUDITOR])
def test_signed_in_pages_carry_the_same_headers(cast, login, role):
    user = {Role.APPLICANT: cast.applicant, Role.CITY: cast.wuhan_official, Role.PROVINCE: cast.province}.get(
        role
    ) or make_user(role)
    client = login(user)
    for url in ["/dashboard/", "/declarations/", "/notifications/"] + (
        ["/audit/"] if role == Role.AUDITOR else []
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_protected(response)
        assert INLINE.findall(response.content.decode()) == [], url


def test_no_template_has_inline_script_style_or_handler_except_server_side_pdfs():
    offenders = {
        str(path.relative_to(TEMPLATES)): INLINE.findall(TAG.sub("", path.read_text("utf-8")))
        for path in TEMPLATES.rglob("*.html")
        # WeasyPrint renders the PDFs' templates on the server: no browser, no CSP.
        if not (path.name.endswith("_pdf.html") or path.parent.name == "pdf")
    }
    assert {name: found for name, found in offenders.items() if found} == {}
