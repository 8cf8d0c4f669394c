"""GB/T 37668-2019 (WCAG 2.1 AA) on every main page of every demo role and the public pages, in Chromium.

axe-core (bundled by axe-playwright-python, nothing fetched) must find no serious or critical violation; each page
has one ``<h1>``, headings that do not skip a level, no form control labelled only by a placeholder, and no
table header cell without a name (axe rates that one minor).
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import Page, expect

from greenmfg.accounts import has_second_factor, privileged
from greenmfg.models import User

from ..factories import backup_code, force_login_verified
from ..pages import DEMO_PASSWORD, DEMO_USERS, PUBLIC_PAGES, ROLE_START, crawl

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings(
        "ignore:Session-scoped fixtures defined as instance methods:DeprecationWarning"
    ),
]
BLOCKING = {"serious", "critical"}

# Headings in order, and form controls whose only name is a placeholder (or nothing visible at all).
STRUCTURE = """() => {
  const headings = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map(h => Number(h.tagName[1]));
  const skips = headings.filter((level, i) => i > 0 && level > headings[i - 1] + 1).length;
  const visible = el => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  const controls = [...document.querySelectorAll('input, select, textarea')].filter(el =>
    visible(el) && !['hidden', 'submit', 'button', 'reset'].includes(el.type));
  // In a table a control may be named after its row's visible header cell (aria-label repeating that text).
  const namedByItsRow = el => {
    const name = (el.getAttribute('aria-label') || '').trim(), row = el.closest('tr');
    if (!name || !row) return false;
    return [...row.cells].filter(cell => !cell.contains(el) && visible(cell))
      .map(cell => cell.innerText.trim().split('\\n')[0].trim()).filter(Boolean)
      .some(text => name.includes(text) || text.includes(name.split(' ')[0]));
  };
  const unlabelled = controls.filter(el => {
    const labels = [...(el.labels || [])].filter(label => visible(label) && label.textContent.trim());
    const by = (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean)
      .map(id => document.getElementById(id)).filter(node => node && node.textContent.trim());
    return labels.length === 0 && by.length === 0 && !namedByItsRow(el);
  }).map(el => el.outerHTML.slice(0, 120));
  const emptyHeaders = [...document.querySelectorAll('th')].filter(th => visible(th) && !th.textContent.trim()
    && !th.getAttribute('aria-label')).map(th => th.closest('table').outerHTML.slice(0, 80));
  return {h1: document.querySelectorAll('h1').length, first: headings[0] || 0, skips, unlabelled, emptyHeaders};
}"""


@pytest.fixture
def demo(transactional_db, django_db_serialized_rollback, live_server, settings):
    settings.DEBUG = True
    call_command("demo_data")
    return live_server


def log_in(page: Page, base_url, username):
    """The login form, then a backup code for those who need a second factor."""
    user = User.objects.get(username=username)
    code = backup_code(user) if privileged(user) or has_second_factor(user) else None
    page.goto(f"{base_url}/accounts/login/")
    form = page.locator("main form")
    form.get_by_label("用户名").fill(username)
    form.get_by_label("密码").fill(DEMO_PASSWORD)
    form.get_by_role("button", name="登录").click()
    if code:
        page.get_by_role("main").get_by_label("验证码").fill(code)
        page.get_by_role("button", name="验证").click()
    expect(page).to_have_url(f"{base_url}/dashboard/")


def crawled(username):
    """The pages a role reaches, crawled before the browser signs in (one session per official: the browser's
    login ends the crawler's)."""
    client = Client()
    if username:
        user = User.objects.get(username=username)
        force_login_verified(client, user) if privileged(user) else client.force_login(user)
    return list(crawl(client, ROLE_START if username else PUBLIC_PAGES))


def problems_on(page: Page, axe: Axe) -> list[str]:
    found = [
        f"axe {v['impact']} {v['id']}: {v['help']} ({len(v['nodes'])}× {v['nodes'][0]['target']})"
        for v in axe.run(page).response["violations"]
        if v["impact"] in BLOCKING
    ]
    shape = page.evaluate(STRUCTURE)
    if shape["h1"] != 1 or shape["first"] != 1:
        found.append(f"{shape['h1']} <h1>, first heading h{shape['first']}")
    if shape["skips"]:
        found.append(f"{shape['skips']} skipped heading levels")
    found += [f"no visible label: {control}" for control in shape["unlabelled"]]
    found += [f"header cell without a name in {table}" for table in shape["emptyHeaders"]]
    return found


def check(page: Page, base_url, paths, axe) -> dict[str, list[str]]:
    report = {}
    for path in paths:
        page.goto(base_url + path)
        if found := problems_on(page, axe):
            report[path] = found
    return report


@pytest.mark.timeout(900)
@pytest.mark.parametrize("username", [None, *DEMO_USERS])
def test_no_serious_accessibility_problem_on_any_main_page(page: Page, demo, username):
    """The public pages (``None``), or every page a demo role reaches from its dashboard."""
    page.set_default_timeout(15_000)
    paths = crawled(username)
    if username:
        log_in(page, demo.url, username)
    report = check(page, demo.url, paths, Axe())
    problems = "\n".join(f"{path}:\n  " + "\n  ".join(found) for path, found in report.items())
    assert not problems, f"accessibility problems:\n{problems}"
    assert len(paths) >= 5


@pytest.mark.timeout(900)
@pytest.mark.parametrize("username", [None, "qiye_wuhan"])
def test_public_and_enterprise_pages_reflow_at_375_px_and_at_200_percent_zoom(page: Page, demo, username):
    """No page scrolls sideways (wide tables scroll inside their own box): WCAG 1.4.10 and 1.4.4."""
    page.set_default_timeout(30_000)
    paths = crawled(username)
    if username:
        log_in(page, demo.url, username)
    too_wide = {}
    for width, height in ((375, 812), (640, 430)):  # a phone; a 1280 × 860 window at 200 %
        page.set_viewport_size({"width": width, "height": height})
        for path in paths:
            page.goto(demo.url + path)
            overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                too_wide[f"{width} px {path}"] = overflow
    assert too_wide == {}
