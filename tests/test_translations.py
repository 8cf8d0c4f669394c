"""The English catalog is complete: every string the code and templates mark, refreshed as
``scripts/translations.sh`` does, has an English translation that is neither empty nor fuzzy, and the compiled
``.mo`` says the same as the ``.po``."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "locale" / "en" / "LC_MESSAGES"
SKIP = shutil.ignore_patterns(
    ".venv", ".git", "var", "screenshots", "__pycache__", "*.sqlite3", "node_modules"
)


def _missing(catalog: polib.POFile) -> list[str]:
    return [e.msgid for e in catalog.untranslated_entries() + catalog.fuzzy_entries() if not e.obsolete]


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="needs GNU gettext (apt-get install gettext)")
def test_every_marked_string_has_an_english_translation(tmp_path):
    """makemessages over a copy of the tree, so a string added without its translation fails here, not in use."""
    tree = tmp_path / "tree"
    shutil.copytree(ROOT, tree, ignore=SKIP, symlinks=True)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-obsolete", "--no-location"]
        + [arg for pattern in ("tests/*", "bench/*", "scripts/*") for arg in ("-i", pattern)],
        cwd=tree,
        check=True,
        capture_output=True,
    )
    refreshed = polib.pofile(str(tree / "locale" / "en" / "LC_MESSAGES" / "django.po"))

    assert len(refreshed) > 1500
    assert _missing(refreshed) == [], "run `bash scripts/translations.sh` and translate these"


def test_the_committed_catalog_is_complete_and_compiled():
    source = polib.pofile(str(CATALOG / "django.po"))
    compiled = polib.mofile(str(CATALOG / "django.mo"))

    assert _missing(source) == []
    translated = {(e.msgid, e.msgstr or tuple(e.msgstr_plural.values())) for e in source.translated_entries()}
    in_mo = {(e.msgid, e.msgstr or tuple(e.msgstr_plural.values())) for e in compiled if e.msgid}
    assert translated == in_mo, "compile it: `bash scripts/translations.sh`"
