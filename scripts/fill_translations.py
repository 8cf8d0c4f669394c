#!/usr/bin/env python3
"""Fill the English catalog's empty or fuzzy entries from a mapping, then report what is still missing.

    .venv/bin/python scripts/fill_translations.py [MAPPING.json]

MAPPING.json maps a Chinese msgid to its English text (a list of two for a plural: singular, plural). Entries
already translated are left alone, so the mapping only needs the new strings. Without a mapping it only reports.
Exit status 1 while an entry is untranslated or fuzzy (``tests/test_translations.py`` asks the same).
"""

import json
import sys
from pathlib import Path

import polib

CATALOG = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES" / "django.po"


def fill(catalog: polib.POFile, mapping: dict) -> int:
    filled = 0
    for entry in catalog:
        if entry.obsolete or (entry.translated() and "fuzzy" not in entry.flags):
            continue
        english = mapping.get(entry.msgid)
        if english is None:
            continue
        if entry.msgid_plural:
            singular, plural = english if isinstance(english, list) else (english, english)
            entry.msgstr_plural = {0: singular, 1: plural}
        else:
            entry.msgstr = english
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
        filled += 1
    return filled


def missing(catalog: polib.POFile) -> list[str]:
    return [e.msgid for e in catalog.untranslated_entries() + catalog.fuzzy_entries() if not e.obsolete]


def main(argv: list[str]) -> int:
    catalog = polib.pofile(str(CATALOG), wrapwidth=0)
    if argv:
        mapping = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
        print(f"filled {fill(catalog, mapping)} entries from {argv[0]}")
        catalog.save()
    left = missing(catalog)
    total = len([e for e in catalog if not e.obsolete])
    print(f"{total} entries, {len(left)} untranslated or fuzzy")
    for msgid in left:
        print(f"  {msgid!r}")
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
