"""The main pages of each demo role, found by following links: shared by the English and the accessibility tests."""

import html
import re
from urllib.parse import urlsplit

from django.test import Client
from django.urls import Resolver404, resolve

DEMO_USERS = [
    "qiye_wuhan",
    "qiye_huangshi",
    "yuanqu_yichang",
    "pingjia",
    "shizhou_wuhan",
    "zhuanjia",
    "shengting",
    "anquan",
    "shenji",
]
DEMO_PASSWORD = "greenmfg-demo"
PUBLIC_PAGES = ["/", "/lists/", "/publicity/", "/evaluators/", "/accounts/login/", "/accounts/register/"]
PUBLIC_PAGES += ["/evaluators/register/"]
ROLE_START = ["/dashboard/", "/declarations/", "/notifications/"]
NOT_PAGES = re.compile(r"(\.pdf|\.xlsx|/evidence/\d+/|/attachments/\d+/)$|^/(admin|api)/")


def crawl(client: Client, start: list[str]) -> dict[str, str]:
    """One page per view, path → HTML: the start pages, then every page they link to, breadth first."""
    pages, seen, queue = {}, set(), list(start)
    while queue:
        path = queue.pop(0)
        try:
            view = resolve(urlsplit(path).path).view_name
        except Resolver404:
            continue
        if view in seen or NOT_PAGES.search(urlsplit(path).path) or view in {"logout", "language"}:
            continue
        seen.add(view)
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        page = response.content.decode()
        pages[path] = page
        queue += [html.unescape(href) for href in re.findall(r'href="(/[^"#]*)"', page)]
    return pages
