"""gunicorn for the web container (docker-compose.yml and the Dockerfile run ``gunicorn -c gunicorn.conf.py``).

The timeouts nest: a statement gives up after ``DB_STATEMENT_TIMEOUT_MS`` (20 s) and a lock wait after
``DB_LOCK_TIMEOUT_MS`` (5 s), both below gunicorn's 30 s, so a slow request ends in the portal's own Chinese
message rather than in gunicorn killing the worker mid-response.
"""

import os

bind = "0.0.0.0:8000"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = 30
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never accumulates.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
