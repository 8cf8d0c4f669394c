"""The 三年一复核 sweep on a real Celery worker, through Redis, against the real database."""

import os
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import pytest
from django.db import connection

from greenmfg.celery import app as celery_app
from registry.models import ListedUnit, ReReviewCase
from registry.tasks import open_due_rereviews

from ..factories import OrganisationFactory

ROOT = Path(__file__).resolve().parents[2]


def _require_services():
    missing = []
    if not os.environ.get("REDIS_URL"):
        missing.append("REDIS_URL")
    if connection.vendor == "sqlite":
        missing.append("DATABASE_URL (a database a second process can open)")
    if missing:
        message = "a real worker needs " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message + "; CI must provide them")
        pytest.skip(message)


def _database_url():
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def worker():
    """A `celery worker` process on its own queue, pointed at the test database."""
    _require_services()
    queue = f"test-{uuid.uuid4().hex[:8]}"
    name = f"{queue}@localhost"
    env = {**os.environ, "DATABASE_URL": _database_url()}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "greenmfg",
            "worker",
            "-Q",
            queue,
            "-n",
            name,
            "--pool=solo",
            "-l",
            "info",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not celery_app.control.ping(destination=[name], timeout=1):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    "the Celery worker did not start:\n" + (process.stdout.read() if process.poll() else "")
                )
        yield queue
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_re_review_sweep_is_idempotent_on_a_real_worker(worker):
    for _ in range(3):
        ListedUnit.objects.create(
            organisation=OrganisationFactory(),
            region_id="420100",
            category="factory",
            year=2022,
            listed_on=date(2022, 12, 1),
        )

    first = open_due_rereviews.apply_async(queue=worker).get(timeout=60)
    second = open_due_rereviews.apply_async(queue=worker).get(timeout=60)

    assert (first, second) == (3, 0)
    assert ReReviewCase.objects.count() == 3
