"""Playwright browser tests: Debian's Chromium against pytest-django's ``live_server``.

Run them with ``.venv/bin/pytest tests/browser`` (or ``-m browser``). ``playwright install`` cannot download on
these machines; the tests drive the system Chromium (``apt-get install chromium``) instead.

Two things make them safe to run in one session with the rest of the suite:

* Playwright's sync API keeps an asyncio event loop running in the main thread from its (session-scoped) start
  to the end of the session, and Django refuses ORM calls (the test body's, the flush after a transactional
  test) while a loop runs unless ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set. So the browser tests run last, and the
  variable is set only once the first of them starts: tests before them never see the variable (a
  ``manage.py check --deploy`` subprocess inheriting it would warn), and no test after them meets the loop.
* ``live_server`` makes each test transactional, and a transactional test empties every table when it ends,
  including the regions and role groups the data migrations loaded. As in the project's other transactional
  tests, ``serialized_rollback`` puts the migrated database back before each browser test.
"""

import os
from pathlib import Path

import pytest
from django.db import connections

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch Debian's Chromium; a machine without it fails loudly instead of skipping the browser tests."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}. The browser tests need Debian's Chromium: "
            "run `apt-get install chromium` (`playwright install` cannot download here).",
            pytrace=False,
        )
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """After pytest-django's ordering (plain db tests, then transactional, then the rest): browser tests last."""
    browser_tests = [item for item in items if item.get_closest_marker("browser")]
    if browser_tests:
        items[:] = [item for item in items if not item.get_closest_marker("browser")] + browser_tests


@pytest.fixture(scope="session", autouse=True)
def _allow_orm_calls_beside_playwrights_event_loop(django_db_setup):
    """Set before Playwright starts its event loop; also keep what the test database was serialized to.

    While an event loop runs in the main thread, asgiref gives Django's ``connections`` a storage of its own,
    so the ORM gets a new connection object for the same test database, one that lacks the
    ``_test_serialized_contents`` pytest-django stored on the first for ``serialized_rollback``.
    """
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    yield {alias: getattr(connections[alias], "_test_serialized_contents", None) for alias in connections}
    if previous is None:
        os.environ.pop(ASYNC_UNSAFE, None)
    else:
        os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture(scope="session", autouse=True)
def _serialized_database_beside_playwrights_event_loop(
    _allow_orm_calls_beside_playwrights_event_loop, playwright
):
    """Give the connection objects used while Playwright runs the serialized database, for serialized_rollback."""
    for alias, contents in _allow_orm_calls_beside_playwrights_event_loop.items():
        if contents is not None:
            connections[alias]._test_serialized_contents = contents


@pytest.fixture
def browser_cast(transactional_db, django_db_serialized_rollback, live_server, request):
    """The shared ``cast`` (tests/conftest.py), committed so that the live server's thread can see it.

    ``cast`` asks for ``db``; pytest-django makes that transactional because ``live_server`` is in use, and
    restores the serialized database (regions, role groups, content types) first.
    """
    return request.getfixturevalue("cast")


@pytest.fixture
def page(page, request):
    """Playwright's page, failing the test on any console error or uncaught script error it saw, except those a
    ``console_errors_expected(text)`` marker names."""
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    expected = [marker.args[0] for marker in request.node.iter_markers("console_errors_expected")]
    errors = [error for error in errors if not any(text in error for text in expected)]
    assert errors == [], f"console errors: {errors}"
