#!/usr/bin/env bash
# One command: install everything, create the database with demo data, serve the portal at http://127.0.0.1:8000
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py demo_data
echo "==> 湖北省绿色制造体系平台: http://127.0.0.1:8000  (demo accounts in README.md, password greenmfg-demo)"
exec .venv/bin/python manage.py runserver "${PORT:-127.0.0.1:8000}"
