"""Each rule is written in one place: templates ask permissions.py through {% can %}, views leave refusals to
greenmfg.refusals."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))
VIEW_MODULES = sorted(
    path
    for app in ("applications", "reviews", "registry", "greenmfg")
    for path in [*(ROOT / app).glob("*views.py"), *(ROOT / app).glob("views/*.py")]
)

# A user's groups are its roles; other "groups" (a score's indicator groups) are not checks.
ROLE_CHECK = re.compile(
    r"\b(is_provincial|is_city_official|is_staff|is_superuser|user_roles|has_role|user\.groups)\b"
)
CAUGHT_REFUSAL = re.compile(r"except\s*\(?[\w., ]*\b(TransitionRefused|Refused)\b")


def test_there_are_templates_and_view_modules_to_scan():
    assert len(TEMPLATES) > 50
    assert len(VIEW_MODULES) > 10


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_checks_a_role_or_group(template):
    found = [
        f"{n}: {line.strip()}"
        for n, line in enumerate(template.read_text().splitlines(), start=1)
        if ROLE_CHECK.search(line)
    ]
    assert not found, "ask the view's predicate with {% can %} instead:\n" + "\n".join(found)


@pytest.mark.parametrize("module", VIEW_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_view_catches_a_refusal(module):
    found = [
        f"{n}: {line.strip()}"
        for n, line in enumerate(module.read_text().splitlines(), start=1)
        if CAUGHT_REFUSAL.search(line)
    ]
    assert not found, (
        "use refusal_as_form_error / refusal_as_message or let RefusalMiddleware answer:\n" + "\n".join(found)
    )
