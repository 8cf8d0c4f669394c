#!/usr/bin/env bash
# The whole benchmark in one run: seed → pages (in process) → HTTP against the ceiling.
#
#   bash bench/run.sh      # national scale: 100,000 declarations, 1,000,000 audit rows, 20,000 listed, 1,000 evaluators
#   BENCH_DECLARATIONS=10000 BENCH_AUDIT=100000 BENCH_LISTED=2000 bash bench/run.sh   # quick
#
# Seeds the database BENCH_DB (default greenmfg_bench; created, migrated, demo_data, bench/seed.py) unless it is
# already seeded (BENCH_RESEED=1 drops it first), runs bench/pages.py, then serves the portal with gunicorn from
# gunicorn.conf.py — the production configuration — on 127.0.0.1:BENCH_PORT with the settings of bench/settings.py
# (the portal plus a constant view, the ceiling) and measures each page as a share of that ceiling with
# bench/ceiling.py (wrk if installed). Results go to bench/results.md under BENCH_TITLE. The server is stopped on
# exit (also on error or Ctrl-C). Environment: BENCH_PORT (8123), BENCH_DURATION (8 s per URL),
# BENCH_CONNECTIONS (16), BENCH_REQUESTS (10, in-process requests per page), BENCH_REDIS_URL
# (redis://127.0.0.1:6379/6, cleared at the start of the HTTP run), BENCH_SKIP_PAGES=1 (HTTP only), BENCH_ONLY
# (only pages whose label contains it, beside the ceiling). gunicorn.conf.py reads WEB_CONCURRENCY, WEB_THREADS and
# WEB_WORKER_CLASS, so other server configurations can be compared on the same data.
set -euo pipefail

cd "$(dirname "$0")/.."
PYTHON=.venv/bin/python
DB=${BENCH_DB:-greenmfg_bench}
PORT=${BENCH_PORT:-8123}
case "$DB" in *bench*) ;; *) echo "BENCH_DB must contain 'bench'" >&2; exit 1 ;; esac
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/$DB
PSQL=(psql -h 127.0.0.1 -U postgres -qtA)

if [ "${BENCH_RESEED:-0}" = 1 ]; then
  dropdb -h 127.0.0.1 -U postgres --if-exists "$DB"
fi
if ! "${PSQL[@]}" -d "$DB" -c "select 1 from applications_declaration limit 1" 2>/dev/null | grep -q 1; then
  "${PSQL[@]}" -d postgres -c "select 1 from pg_database where datname = '$DB'" | grep -q 1 \
    || createdb -h 127.0.0.1 -U postgres "$DB"
  started=$(date +%s)
  "$PYTHON" manage.py migrate -v0
  "$PYTHON" manage.py demo_data >/dev/null
  DB_STATEMENT_TIMEOUT_MS=0 "$PYTHON" bench/seed.py --declarations "${BENCH_DECLARATIONS:-100000}" --audit "${BENCH_AUDIT:-1000000}" \
    --listed "${BENCH_LISTED:-20000}" --evaluators "${BENCH_EVALUATORS:-1000}"
  echo "seeded in $(( $(date +%s) - started )) s (migrate + demo_data + seed)"
else
  "$PYTHON" manage.py migrate -v0
  echo "$DB is already seeded (BENCH_RESEED=1 seeds it again)"
fi

if [ "${BENCH_SKIP_PAGES:-0}" != 1 ]; then
  "$PYTHON" bench/pages.py --requests "${BENCH_REQUESTS:-10}"
fi

WORK=$(mktemp -d -t greenmfg-bench-XXXXXX)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
    echo "gunicorn (pid $SERVER_PID) stopped"
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

export DJANGO_DEBUG=false
export DJANGO_SECRET_KEY=bench-only-secret-key-not-for-production-0123456789abcdefghijklmnop
export DJANGO_ALLOWED_HOSTS=127.0.0.1
export DJANGO_SECURE_SSL_REDIRECT=false
export REDIS_URL=${BENCH_REDIS_URL:-redis://127.0.0.1:6379/6}
export STATIC_ROOT="$WORK/static"
export DJANGO_SETTINGS_MODULE=bench.settings

if "$PYTHON" -c "import socket, sys; s = socket.socket(); sys.exit(s.connect_ex(('127.0.0.1', $PORT)) != 0)"; then
  echo "port $PORT is already in use; set BENCH_PORT" >&2
  exit 1
fi
"$PYTHON" manage.py collectstatic --noinput -v0
"$PYTHON" bench/sessions.py > "$WORK/sessions"

.venv/bin/gunicorn -c gunicorn.conf.py -b "127.0.0.1:$PORT" --access-logfile /dev/null \
  --error-logfile "$WORK/gunicorn.log" greenmfg.wsgi:application &
SERVER_PID=$!
for _ in $(seq 100); do
  curl -sf -o /dev/null "http://127.0.0.1:$PORT/bench/ceiling/" && break
  sleep 0.2
done
CONFIG=$("$PYTHON" -c "
import runpy; c = runpy.run_path('gunicorn.conf.py')
print(f\"{c.get('workers')} {c.get('worker_class', 'sync')} workers × {c.get('threads', 1)} threads\")")

"$PYTHON" bench/ceiling.py --base "http://127.0.0.1:$PORT" --sessions "$WORK/sessions" \
  --duration "${BENCH_DURATION:-8}" --connections "${BENCH_CONNECTIONS:-16}" --title "${BENCH_TITLE:-latest}" \
  ${BENCH_ONLY:+--only "$BENCH_ONLY"} \
  --note "git ${BENCH_GIT:-$(git rev-parse --short HEAD)}; gunicorn.conf.py: $CONFIG; $(nproc) CPUs; $("${PSQL[@]}" -d "$DB" -c 'select count(*) from applications_declaration') declarations"

if grep -qiE "error|exception" "$WORK/gunicorn.log"; then
  echo "--- gunicorn log ---"
  tail -n 40 "$WORK/gunicorn.log"
fi
