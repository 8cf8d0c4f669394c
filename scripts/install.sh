#!/usr/bin/env bash
# Installs everything the portal needs on Debian 12: system packages (only those missing), a virtualenv in
# .venv and the pinned Python dependencies from requirements.lock. Safe to run again.
# `--for-tests` adds what only the tests need: poppler-utils (pdftotext) and Chromium (~500 MB) for the
# browser tests, so the demo does not download a browser.
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PACKAGES=(
  python3 python3-venv          # Python 3.11 on Debian 12
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0  # WeasyPrint (harfbuzz-subset: fast font subsetting)
  fonts-noto-cjk                # Chinese glyphs in PDFs and in the browser
)
if [ "${1:-}" = "--for-tests" ]; then
  SYSTEM_PACKAGES+=(
    poppler-utils               # pdftotext, to test PDFs' text
    chromium                    # browser tests (Playwright drives Debian's Chromium)
    gettext                     # msgfmt: the translation test and scripts/translations.sh
  )
fi

missing=()
for package in "${SYSTEM_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "==> installing system packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

python=${PYTHON:-python3}
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
  echo "Python 3.11 or newer is needed; found $("$python" --version)" >&2
  exit 1
}
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$python" -m venv .venv
fi
if ! cmp -s requirements.lock .venv/.installed-lock; then
  echo "==> installing Python dependencies (requirements.lock)"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r requirements.lock
  cp requirements.lock .venv/.installed-lock
fi
