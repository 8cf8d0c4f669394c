#!/usr/bin/env bash
# Refresh the English catalog from the code and templates, fill new entries, compile it.
#
#   bash scripts/translations.sh                 # extract, report what is untranslated, compile
#   bash scripts/translations.sh new.json        # the same, filling new entries from new.json first
#
# new.json maps each new Chinese msgid to its English (see scripts/fill_translations.py). Commit both
# locale/en/LC_MESSAGES/django.po and django.mo. Needs GNU gettext (Debian `gettext`).
set -euo pipefail
cd "$(dirname "$0")/.."
python=.venv/bin/python

"$python" manage.py makemessages -l en --no-obsolete --no-location \
  -i ".venv/*" -i "tests/*" -i "bench/*" -i "scripts/*" -i "var/*" -i "screenshots/*"
status=0
"$python" scripts/fill_translations.py "$@" || status=$?
"$python" manage.py compilemessages -l en
exit $status
