"""gunicorn for the web container (docker-compose.yml and the Dockerfile run ``gunicorn -c gunicorn.conf.py``), and
for the benchmark (bench/run.sh), so the numbers measured are those of the configuration that runs.

Sized from the CPUs this process may use: one worker process per CPU plus one, each with threads (gthread) so a
request waiting on PostgreSQL, Redis or object storage does not hold a whole process. With more connections than
threads a sync or gthread worker makes the rest wait in its queue; threads per worker are set so that
``workers × threads`` covers the connections a proxy keeps open (bench/results.md: the measurement behind this).
WEB_CONCURRENCY, WEB_THREADS and WEB_WORKER_CLASS override the choice.

The timeouts nest: a statement gives up after ``DB_STATEMENT_TIMEOUT_MS`` (20 s) and a lock wait after
``DB_LOCK_TIMEOUT_MS`` (5 s), both below gunicorn's 30 s, so a slow request ends in the portal's own Chinese
message rather than in gunicorn killing the worker mid-response.
"""

import os

cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1

bind = "0.0.0.0:8000"
workers = int(os.environ.get("WEB_CONCURRENCY", cpus + 1))
worker_class = os.environ.get("WEB_WORKER_CLASS", "gthread")
threads = int(os.environ.get("WEB_THREADS", "8"))
timeout = 30
graceful_timeout = 30
keepalive = int(os.environ.get("WEB_KEEPALIVE", "5"))
# Recycle workers now and then so a slow leak never accumulates. Not every 2,000 or 50,000 requests: a stored public
# page leaves before most of the middleware, a worker serves it 500–700 times a second, and each recycle stalls the
# requests queued on that worker for its restart (seconds on a busy machine; the benchmark's dips showed it). At
# that rate this recycles a worker every quarter of an hour or so.
max_requests = 500_000
max_requests_jitter = 50_000
accesslog = "-"
