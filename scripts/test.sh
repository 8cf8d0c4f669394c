#!/usr/bin/env bash
# One command: install everything, then lint and run the whole test suite.
# Uses DATABASE_URL / REDIS_URL when set (CI sets both); otherwise SQLite and eager Celery.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --for-tests

echo "==> ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .

echo "==> migrations are up to date"
.venv/bin/python manage.py makemigrations --check --dry-run >/dev/null || {
  echo "model changes without a migration: run manage.py makemigrations" >&2
  exit 1
}

echo "==> pytest (database: ${DATABASE_URL:-SQLite}; broker: ${REDIS_URL:-none, Celery eager})"
status=0
.venv/bin/pytest "$@" || status=$?
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: that is a failure here" >&2
  exit 1
fi
exit "$status"
