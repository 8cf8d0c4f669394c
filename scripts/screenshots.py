#!/usr/bin/env python3
"""Full-page screenshots of a running portal, as the public and as each demo role, for reviewing the UI.

The portal must be running with the demo data (``python manage.py demo_data``; every password is
``greenmfg-demo``; the accounts that need a second factor give a backup code, ``--backup-code``, default
``20250001``: each code works once per account, so a second run takes ``--backup-code 20250002`` or a fresh
``demo_data``, which renews the codes). For example, on a throw-away database and a port of its own::

    rm -f /tmp/shots.sqlite3
    export DATABASE_URL=sqlite:////tmp/shots.sqlite3
    .venv/bin/python manage.py migrate -v0 && .venv/bin/python manage.py demo_data
    .venv/bin/python manage.py runserver 127.0.0.1:8011 --noreload &
    .venv/bin/python scripts/screenshots.py --base-url http://127.0.0.1:8011

PNG files go to ``./screenshots`` (git-ignored): ``public-*.png`` for the anonymous pages, then
``<role>-dashboard.png``, ``<role>-declarations.png``, ``<role>-declaration-detail.png`` and a few role-specific
pages (``enterprise-declaration-new.png``, ``province-publicity-new.png``…). ``--mobile`` adds a phone-width
copy of each page. The script needs no Django: only Playwright and Debian's Chromium (``apt-get install chromium``).

Exit status 1 if a page answered with an HTTP error or a login failed, so it can also serve as a smoke test.
"""

import argparse
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--lang=zh-CN",
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 860}
MOBILE = {"width": 390, "height": 844}


@dataclass
class Role:
    slug: str  # file-name prefix
    username: str
    label: str
    # Which declaration's detail page to shoot: the first one listed in one of these states, else the first one.
    detail_states: tuple[str, ...] = ()
    extra_pages: list[tuple[str, str]] = field(default_factory=list)  # (file-name suffix, path)
    # (file-name suffix, link text on the dashboard; None: the first link in a table): follow it, if there is one.
    dashboard_links: list[tuple[str, str | None]] = field(default_factory=list)
    # (file-name suffix, link or button text on the declaration detail page): follow it, if there is one.
    detail_links: list[tuple[str, str]] = field(default_factory=list)
    subpages: bool = False  # also shoot the declaration's own pages linked from its detail page


ROLES = [
    Role(
        "enterprise",
        "qiye_wuhan",
        "申报单位（武汉绿源机械）",
        detail_states=("draft",),
        extra_pages=[("declaration-new", "/declarations/new/")],
        subpages=True,
    ),
    Role(
        "enterprise-returned",
        "qiye_huangshi",
        "申报单位（黄石华新，退回修改）",
        detail_states=("returned",),
    ),
    Role("evaluator", "pingjia", "第三方评价机构", dashboard_links=[("commission-answer", "答复")]),
    Role(
        "city-wuhan",
        "shizhou_wuhan",
        "市州经信局（武汉）",
        detail_states=("city_review",),
        detail_links=[("city-review", "初审")],
    ),
    Role(
        "city-huangshi", "shizhou_huangshi", "市州经信局（黄石）", detail_states=("returned", "city_review")
    ),
    Role("expert", "zhuanjia", "评审专家", dashboard_links=[("assignment", None)]),
    Role(
        "province",
        "shengting",
        "省经信厅",
        detail_states=("province_review",),
        extra_pages=[("publicity-new", "/publicity/new/"), ("lists", "/lists/")],
    ),
    Role("admin", "admin", "系统管理员（应急超级用户）"),
    Role("security", "anquan", "安全管理员", extra_pages=[("security", "/accounts/security/")]),
    Role("auditor", "shenji", "审计管理员"),
]
PUBLIC_PAGES = [
    ("home", "/"),
    ("lists", "/lists/"),
    ("publicity", "/publicity/"),
    ("login", "/accounts/login/"),
]


class Shooter:
    def __init__(self, browser: Browser, base_url: str, out: Path, mobile: bool, backup_code: str):
        self.browser = browser
        self.backup_code = backup_code
        self.base_url = base_url.rstrip("/") + "/"
        self.out = out
        self.mobile = mobile
        self.problems: list[str] = []
        self.saved: list[Path] = []

    def url(self, path: str) -> str:
        return urljoin(self.base_url, path.lstrip("/"))

    def new_page(self, viewport=DESKTOP) -> Page:
        context = self.browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.on(
            "response",
            lambda response: response.status >= 400 and self.note(f"HTTP {response.status} {response.url}"),
        )
        page.on("pageerror", lambda error: self.note(f"JavaScript error on {page.url}: {error}"))
        return page

    def note(self, problem: str):
        self.problems.append(problem)
        print(f"  ! {problem}", file=sys.stderr)

    def shoot(self, page: Page, name: str, path: str | None = None):
        """Open ``path`` (if given) and save a full-page PNG; on ``--mobile`` also at phone width."""
        if path is not None:
            page.goto(self.url(path))  # an HTTP error is noted by the response listener
        page.wait_for_load_state("networkidle")
        self.save(page, name)
        if self.mobile:
            phone = self.new_page(MOBILE)
            phone.context.add_cookies(page.context.cookies())
            phone.goto(page.url)
            phone.wait_for_load_state("networkidle")
            self.save(phone, f"{name}.mobile")
            phone.context.close()

    def save(self, page: Page, name: str):
        target = self.out / f"{name}.png"
        page.screenshot(path=target, full_page=True)
        self.saved.append(target)
        print(f"  {target}  ({page.url})")

    def log_in(self, page: Page, username: str, password: str) -> bool:
        page.goto(self.url("/accounts/login/"))
        form = page.locator("main form")
        form.get_by_label("用户名").fill(username)
        form.get_by_label("密码").fill(password)
        form.get_by_role("button", name="登录").click()
        page.wait_for_load_state("networkidle")
        if "/accounts/login/" in page.url:
            self.note(f"login as {username} failed (still on the login page)")
            return False
        if "/accounts/verify/" in page.url:
            self.save(page, f"verify-{username}")
            page.locator("main form").get_by_label("验证码").fill(self.backup_code)
            page.get_by_role("button", name="验证").click()
            page.wait_for_load_state("networkidle")
            if "/accounts/verify/" in page.url:
                self.note(
                    f"backup code {self.backup_code} refused for {username} (used? run demo_data again)"
                )
                return False
        return True

    def first_declaration_path(self, page: Page, states: tuple[str, ...]) -> str | None:
        """The first declaration on the list page, preferring the given states (the list filters by ``state``)."""
        for query in [f"?state={state}" for state in states] + [""]:
            page.goto(self.url(f"/declarations/{query}"))
            links = page.locator("main table a[href]")
            for href in links.evaluate_all("links => links.map(a => a.getAttribute('href'))"):
                if re.search(r"/declarations/\d+/$", href or ""):
                    return href
        return None

    def public(self):
        print("公众（未登录）")
        page = self.new_page()
        for name, path in PUBLIC_PAGES:
            self.shoot(page, f"public-{name}", path)
        page.goto(self.url("/publicity/"))
        notice = page.locator("main table a[href*='/publicity/']").first
        if notice.count():
            notice.click()
            self.shoot(page, "public-publicity-detail")
        # The login form after a wrong password: how form errors look.
        page.goto(self.url("/accounts/login/"))
        form = page.locator("main form")
        form.get_by_label("用户名").fill("qiye_wuhan")
        form.get_by_label("密码").fill("wrong-password")
        form.get_by_role("button", name="登录").click()
        page.wait_for_load_state("networkidle")
        self.save(page, "public-login-error")
        page.context.close()

    def attempt(self, what: str, step):
        """Run one step; a page that misbehaves is noted, and the other pages are still shot."""
        try:
            step()
        except PlaywrightError as error:
            self.note(f"{what}: {str(error).splitlines()[0]}")

    def role(self, role: Role, password: str):
        print(f"{role.label}（{role.username}）")
        page = self.new_page()
        if not self.log_in(page, role.username, password):
            page.context.close()
            return
        prefix = role.slug
        self.attempt(f"{prefix} dashboard", lambda: self.shoot(page, f"{prefix}-dashboard", "/dashboard/"))
        for suffix, text in role.dashboard_links:
            self.attempt(
                f"{prefix} {suffix}",
                lambda suffix=suffix, text=text: self.follow_dashboard_link(page, f"{prefix}-{suffix}", text),
            )
        self.attempt(f"{prefix} list", lambda: self.shoot(page, f"{prefix}-declarations", "/declarations/"))
        detail = self.first_declaration_path(page, role.detail_states)
        if detail:
            self.attempt(f"{prefix} detail", lambda: self.shoot(page, f"{prefix}-declaration-detail", detail))
            for suffix, text in role.detail_links:
                self.attempt(
                    f"{prefix} {suffix}",
                    lambda suffix=suffix, text=text: self.follow_detail_link(
                        page, detail, f"{prefix}-{suffix}", text
                    ),
                )
            if role.subpages:
                for sub in self.declaration_subpages(page, detail):
                    name = f"{prefix}-declaration-{sub.rstrip('/').rsplit('/', 1)[-1]}"
                    self.attempt(name, lambda sub=sub, name=name: self.shoot(page, name, sub))
        else:
            print("  (no declaration visible to this role)")
        for suffix, path in role.extra_pages:
            self.attempt(
                f"{prefix} {suffix}",
                lambda suffix=suffix, path=path: self.shoot(page, f"{prefix}-{suffix}", path),
            )
        if role.slug == "enterprise":
            self.attempt(
                "empty new-declaration form",
                lambda: self.submit_empty(page, f"{prefix}-declaration-new-errors"),
            )
        page.context.close()

    def follow_dashboard_link(self, page: Page, name: str, text: str):
        page.goto(self.url("/dashboard/"))
        main = page.locator("main")
        link = (
            main.get_by_role("link", name=text, exact=True) if text else main.locator("table a[href]")
        ).first
        if link.count():
            link.click()
            self.shoot(page, name)

    def follow_detail_link(self, page: Page, detail: str, name: str, text: str):
        page.goto(self.url(detail))
        link = page.locator("main a[href]").filter(has_text=re.compile(f"^\\s*{re.escape(text)}\\s*$")).first
        if link.count():
            link.click()
            self.shoot(page, name)

    def declaration_subpages(self, page: Page, detail: str) -> list[str]:
        """Pages of the same declaration linked from its detail page (its edit forms), PDFs left out."""
        page.goto(self.url(detail))
        hrefs = page.locator("main a[href]").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        pattern = re.compile(re.escape(detail) + r"[a-z][a-z-]*/$")
        return list(dict.fromkeys(href for href in hrefs if href and pattern.fullmatch(href)))

    def submit_empty(self, page: Page, name: str):
        """The new-declaration form sent empty: how Django's field errors look inside Pico."""
        page.goto(self.url("/declarations/new/"))
        form = page.locator("main form[method=post]").last
        form.evaluate("form => form.querySelectorAll('select').forEach(s => (s.selectedIndex = 0))")
        form.locator("[type=submit]").last.click()
        page.wait_for_load_state("networkidle")
        self.save(page, name)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "base_url", nargs="?", default=None, help="the portal (default http://127.0.0.1:8000)"
    )
    parser.add_argument("--base-url", dest="base_url_option", default=None, help="the same, as an option")
    parser.add_argument(
        "--out", type=Path, default=Path("screenshots"), help="output folder (default ./screenshots)"
    )
    parser.add_argument("--password", default="greenmfg-demo", help="the demo accounts' password")
    parser.add_argument(
        "--backup-code", default="20250001", help="the second factor of the demo accounts that need one"
    )
    parser.add_argument(
        "--roles", help="comma-separated role slugs to shoot (default: all, and the public pages)"
    )
    parser.add_argument("--mobile", action="store_true", help="also shoot every page at phone width (390 px)")
    parser.add_argument("--chromium", default=CHROMIUM, help=f"Chromium executable (default {CHROMIUM})")
    args = parser.parse_args(argv)
    base_url = args.base_url_option or args.base_url or "http://127.0.0.1:8000"

    if not Path(args.chromium).exists():
        print(f"Chromium not found at {args.chromium}: run `apt-get install chromium`.", file=sys.stderr)
        return 2
    wanted = set(args.roles.split(",")) if args.roles else None
    args.out.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS, headless=True)
        shooter = Shooter(browser, base_url, args.out, args.mobile, args.backup_code)
        try:
            if wanted is None or "public" in wanted:
                shooter.public()
            for role in ROLES:
                if wanted is None or role.slug in wanted:
                    shooter.role(role, args.password)
        finally:
            browser.close()

    print(f"{len(shooter.saved)} screenshots in {args.out}/")
    if shooter.problems:
        print(f"{len(shooter.problems)} problem(s):", file=sys.stderr)
        for problem in shooter.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
