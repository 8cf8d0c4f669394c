#!/usr/bin/env bash
# Requests per second and latency of the anonymous pages against gunicorn with the production settings.
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/greenmfg_bench bash bench/http.sh
#
# Collects static files into a temporary STATIC_ROOT (production uses CompressedManifestStaticFilesStorage),
# starts `gunicorn greenmfg.wsgi -w 2 -b 127.0.0.1:8123` with DJANGO_DEBUG=false, runs bench/http_load.py
# (8 connections, 10 s per URL) on /, /lists/, /api/lists/ and /evaluators/, writes the table into
# bench/results.md, then stops the server (also on error or Ctrl-C) and removes the temporary files.
# Environment: BENCH_PORT (8123), BENCH_WORKERS (2), BENCH_DURATION (10), BENCH_CONNECTIONS (8).
set -euo pipefail

cd "$(dirname "$0")/.."
PYTHON=.venv/bin/python
PORT=${BENCH_PORT:-8123}
WORKERS=${BENCH_WORKERS:-2}
DURATION=${BENCH_DURATION:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-8}
PATHS=(/ /lists/ /api/lists/ /evaluators/)

export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/greenmfg_bench}
case "$DATABASE_URL" in
  *bench*) ;;
  *) echo "DATABASE_URL must point at the seeded bench database (…/greenmfg_bench)" >&2; exit 1 ;;
esac

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
export REDIS_URL=${BENCH_REDIS_URL:-redis://127.0.0.1:6379/3}
export STATIC_ROOT="$WORK/static"

if "$PYTHON" -c "import socket, sys; s = socket.socket(); sys.exit(s.connect_ex(('127.0.0.1', $PORT)) != 0)"; then
  echo "port $PORT is already in use; set BENCH_PORT" >&2
  exit 1
fi

echo "collectstatic into $STATIC_ROOT"
"$PYTHON" manage.py collectstatic --noinput -v0

.venv/bin/gunicorn greenmfg.wsgi -w "$WORKERS" -b "127.0.0.1:$PORT" \
  --error-logfile "$WORK/gunicorn.log" &
SERVER_PID=$!
echo "gunicorn started (pid $SERVER_PID, $WORKERS workers, 127.0.0.1:$PORT)"

"$PYTHON" - "$PORT" <<'EOF'
import http.client, sys, time
port = int(sys.argv[1])
for _ in range(100):
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/")
        status = conn.getresponse().status
        if status != 200:
            sys.exit(f"GET / answered {status}")
        break
    except OSError:
        time.sleep(0.2)
else:
    sys.exit("gunicorn did not answer within 20 s")
EOF

GUNICORN_VERSION=$(.venv/bin/gunicorn --version 2>&1 | head -1)
"$PYTHON" bench/http_load.py --base "http://127.0.0.1:$PORT" --duration "$DURATION" \
  --connections "$CONNECTIONS" --results bench/results.md \
  --note "$GUNICORN_VERSION, $WORKERS sync workers, DJANGO_DEBUG=false, REDIS_URL=$REDIS_URL, $(nproc) CPUs shared by server, client and PostgreSQL" \
  "${PATHS[@]}"

if grep -qiE "error|exception" "$WORK/gunicorn.log"; then
  echo "--- gunicorn log ---"
  tail -n 40 "$WORK/gunicorn.log"
fi
