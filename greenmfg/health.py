"""``/healthz`` (the process answers) and ``/readyz`` (database, cache and broker, each reported).

Answered by a middleware placed first, before host validation and the HTTPS redirect, so a container health
check can ask ``http://127.0.0.1:8000/readyz`` whatever ``ALLOWED_HOSTS`` holds. Only the database (reachable,
every migration applied) decides readiness: without the cache or the broker the portal still serves every page
(the outbox keeps messages), so they are reported but do not take the web process out of service.
"""

import time

from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise RuntimeError("unapplied migrations")


def _cache():
    client = getattr(cache, "_cache", None)
    if client is not None and hasattr(client, "get_client"):  # Redis: ask it, the cache itself forgives
        client.get_client(write=True).ping()
    else:
        cache.set("readyz", "1", 5)


def _broker():
    from .celery import app

    with app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=0, timeout=1)


CHECKS = {"database": _database, "cache": _cache, "broker": _broker}
DECIDING = {"database"}


def readiness():
    """Each check's result and time; ``ok`` is whether the deciding checks passed."""
    report, ok = {}, True
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            check()
        except Exception as error:
            report[name] = {"ok": False, "error": type(error).__name__}
            ok = ok and name not in DECIDING
        else:
            report[name] = {"ok": True}
        report[name]["ms"] = round((time.monotonic() - started) * 1000, 1)
    return ok, report


class HealthMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            return JsonResponse({"ok": True})
        if request.path == "/readyz":
            ok, report = readiness()
            return JsonResponse({"ok": ok, **report}, status=200 if ok else 503)
        return self.get_response(request)
