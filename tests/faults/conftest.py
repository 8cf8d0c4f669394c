"""Real processes for fault tests: a Redis of their own (port 6391), Celery worker and beat, gunicorn.

Each process is started here and stopped by its own PID, never by name; every wait is bounded. The processes
share the test database (PostgreSQL: the tests are transactional, so what they write is committed and seen) and
send e-mail to files (``EMAIL_URL=filemail://``), so a test counts what really went out.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from email import message_from_bytes
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
REDIS_PORT = 6391
VISIBILITY_TIMEOUT = 3  # seconds before a dead worker's task goes back to the queue


def require_services():
    missing = []
    if not os.environ.get("REDIS_URL"):
        missing.append("REDIS_URL")
    if connection.vendor != "postgresql":
        missing.append("DATABASE_URL of a PostgreSQL database (other processes must open it)")
    if missing:
        message = "fault tests need " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message + "; CI must provide them")
        pytest.skip(message)


def database_url():
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def wait_for(condition, timeout, message, interval=0.2):
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"{message} (waited {timeout} s)")
        time.sleep(interval)


def port_open(port):
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Process:
    """One child process, its output in a file, stopped by its PID."""

    def __init__(self, name, args, env, log_dir):
        self.name, self.args, self.env = name, args, env
        self.log = log_dir / f"{name}.log"
        self.popen = None

    def start(self):
        with open(self.log, "ab") as log:
            self.popen = subprocess.Popen(
                self.args,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    @property
    def pid(self):
        return self.popen.pid

    def output(self):
        return self.log.read_text(errors="replace")[-4000:]

    def kill(self, sig=signal.SIGKILL):
        """Kill the process (and a gunicorn's or celery's own children, in its session) by its PID."""
        if self.popen and self.popen.poll() is None:
            os.killpg(self.popen.pid, sig)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=10)

    def stop(self):
        self.kill(signal.SIGTERM)


class Portal:
    """The stack for one test: its own Redis, and worker, beat and web processes started on demand."""

    def __init__(self, tmp_path):
        self.dir = tmp_path
        self.mail_dir = tmp_path / "mail"
        self.mail_dir.mkdir()
        self.redis_url = f"redis://127.0.0.1:{REDIS_PORT}/0"
        self.web_port = None
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "REDIS_URL": self.redis_url,
            "MEDIA_ROOT": str(tmp_path / "media"),
            "EMAIL_URL": f"filemail:///{self.mail_dir}",  # the path after the third slash
            "BROKER_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            "PYTHONUNBUFFERED": "1",
        }
        self.processes = []
        self.redis = Process(
            "redis",
            [
                "redis-server",
                "--port",
                str(REDIS_PORT),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(tmp_path),
            ],
            self.env,
            tmp_path,
        )

    def start_redis(self):
        if port_open(REDIS_PORT):
            pytest.fail(f"port {REDIS_PORT} is taken: another Redis runs there; the fault tests need it")
        self.redis.start()
        wait_for(lambda: port_open(REDIS_PORT), 10, "redis-server did not start:\n" + self.redis.output())
        return self.redis

    def stop_redis(self):
        self.redis.kill()
        wait_for(lambda: not port_open(REDIS_PORT), 10, "redis-server did not stop")

    def _start(self, name, args, ready):
        process = Process(f"{name}-{len(self.processes)}", args, self.env, self.dir).start()
        self.processes.append(process)
        wait_for(
            lambda: ready(process) or process.popen.poll() is not None,
            60,
            f"{name} did not start",
        )
        if process.popen.poll() is not None:
            pytest.fail(f"{name} exited:\n{process.output()}")
        return process

    def start_worker(self):
        return self._start(
            "worker",
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "greenmfg",
                "worker",
                "--pool=solo",
                "-l",
                "info",
                "--without-mingle",
                "--without-gossip",
            ],
            lambda p: " ready." in p.output(),
        )

    def start_beat(self):
        return self._start(
            "beat",
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "greenmfg",
                "beat",
                "-S",
                "django",
                "-l",
                "info",
                "--schedule",
                str(self.dir / "beat-schedule"),
            ],
            lambda p: "beat: Starting..." in p.output(),
        )

    def start_web(self):
        self.web_port = free_port()
        return self._start(
            "web",
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                str(ROOT / "gunicorn.conf.py"),
                "--bind",
                f"127.0.0.1:{self.web_port}",
                "greenmfg.wsgi:application",
            ],
            lambda p: port_open(self.web_port),
        )

    def run(self, code, timeout=60):
        """Run Python in a fresh portal process (as a management command would), e.g. to queue work."""
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def sent_mail(self):
        """Every message written by the file mail backend, as (Message-ID, To, Subject)."""
        messages = []
        for path in sorted(self.mail_dir.iterdir()):
            for raw in re.split(rb"\n-{79}\n", path.read_bytes()):
                if raw.strip():
                    message = message_from_bytes(raw.lstrip())
                    messages.append((message["Message-ID"], message["To"], message["Subject"]))
        return messages

    def shutdown(self):
        for process in reversed(self.processes):
            process.kill()
        self.redis.kill()


@pytest.fixture
def portal(tmp_path):
    require_services()
    stack = Portal(tmp_path)
    stack.start_redis()
    try:
        yield stack
    finally:
        stack.shutdown()
