"""The production container setup (Dockerfile, docker-compose.yml) and the settings it relies on.

Nothing here starts a container: the compose file and Dockerfile are checked as text against the settings, and
the settings themselves are loaded in fresh subprocesses with the environment each process would get.
"""

import json
import os
import re
import secrets
import shlex
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from greenmfg import settings as project_settings

PROJECT_DIR = Path(__file__).resolve().parent.parent
COMPOSE_FILE = PROJECT_DIR / "docker-compose.yml"
DOCKERFILE = PROJECT_DIR / "Dockerfile"
APP_SERVICES = ("web", "worker", "beat")


# --- helpers -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def command_of(service):
    """A service's command as one shell-like string, whether written as a string or a list."""
    command = service["command"]
    return command if isinstance(command, str) else " ".join(command)


def environment_of(service):
    """A service's environment as a dict, whether written as a mapping or as a list of KEY=VALUE."""
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        return dict(item.split("=", 1) if "=" in item else (item, None) for item in environment)
    return dict(environment)


def depends_on_of(service):
    depends_on = service.get("depends_on") or {}
    if isinstance(depends_on, list):
        return {name: {"condition": "service_started"} for name in depends_on}
    return depends_on


def dockerfile_instructions():
    """The Dockerfile as (INSTRUCTION, arguments) pairs, continuation lines joined and comments dropped."""
    instructions, pending = [], ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        keyword, _, arguments = (pending + stripped).partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    return instructions


def clean_environment(**overrides):
    """The inherited environment without any variable the settings read, plus ``overrides``."""
    environment = {key: value for key, value in os.environ.items() if key not in project_settings.ENVIRONMENT}
    environment["DJANGO_SETTINGS_MODULE"] = "greenmfg.settings"
    environment.update(overrides)
    return environment


def run_python(code, environment):
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


SETTINGS_PROBE = """
import json, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "greenmfg.settings")
import django
django.setup()
from django.conf import settings
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "ENGINE": settings.DATABASES["default"]["ENGINE"],
    "CELERY_TASK_ALWAYS_EAGER": settings.CELERY_TASK_ALWAYS_EAGER,
    "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    "CACHE_BACKEND": settings.CACHES["default"]["BACKEND"],
    "LANGUAGE_CODE": settings.LANGUAGE_CODE,
    "TIME_ZONE": settings.TIME_ZONE,
    "AUTH_USER_MODEL": settings.AUTH_USER_MODEL,
}))
"""


def probe_settings(**overrides):
    result = run_python(SETTINGS_PROBE, clean_environment(**overrides))
    assert result.returncode == 0, f"settings failed to load:\n{result.stdout}\n{result.stderr}"
    return json.loads(result.stdout.strip().splitlines()[-1])


def production_environment(tmp_path, **overrides):
    production = {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(45),  # 60 characters
        "DJANGO_ALLOWED_HOSTS": "greenmfg.example.cn",
        "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3",
    }
    return clean_environment(**{**production, **overrides})


def check_deploy(environment):
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- docker-compose.yml ----------------------------------------------------------------------------------------


def test_compose_has_the_five_services(compose):
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(compose["services"])


def test_web_migrates_then_runs_gunicorn(compose):
    command = command_of(compose["services"]["web"])
    assert "manage.py migrate" in command
    assert re.search(r"\bgunicorn\b.*\bgreenmfg\.wsgi(:application)?\b", command), command
    assert command.index("migrate") < command.index("gunicorn"), "migrations must run before gunicorn starts"
    assert "8000:8000" in [str(port) for port in compose["services"]["web"]["ports"]]


def test_web_runs_gunicorn_with_its_configuration_and_timeouts_nest(compose):
    """The database gives up before gunicorn does, so a slow request gets the portal's message, not a kill."""
    assert "gunicorn -c gunicorn.conf.py greenmfg.wsgi:application" in command_of(compose["services"]["web"])
    config = {}
    exec((PROJECT_DIR / "gunicorn.conf.py").read_text(encoding="utf-8"), config)
    assert (
        config["timeout"] * 1000
        > project_settings.DB_STATEMENT_TIMEOUT_MS
        > project_settings.DB_LOCK_TIMEOUT_MS
    )


def test_web_is_healthy_by_readyz_and_a_backup_service_keeps_backups_in_a_volume(compose):
    services = compose["services"]
    assert "/readyz" in " ".join(services["web"]["healthcheck"]["test"])
    backup = services["backup"]
    assert "python manage.py backup" in command_of(backup)
    environment = environment_of(backup)
    assert set(environment) <= set(project_settings.ENVIRONMENT)
    assert f"backups:{environment['BACKUP_DIR']}" in backup["volumes"]
    assert f"media:{environment['MEDIA_ROOT']}:ro" in backup["volumes"]
    runs = " ".join(arguments for keyword, arguments in dockerfile_instructions() if keyword == "RUN")
    assert "postgresql-client" in runs, "backup and restore need pg_dump and pg_restore in the image"


def test_worker_runs_the_celery_worker(compose):
    assert shlex.split(command_of(compose["services"]["worker"]))[:4] == [
        "celery",
        "-A",
        "greenmfg",
        "worker",
    ]


def test_beat_uses_the_database_scheduler(compose):
    words = shlex.split(command_of(compose["services"]["beat"]))
    assert words[:4] == ["celery", "-A", "greenmfg", "beat"]
    assert "-S" in words, "beat must be told its scheduler"
    alias = words[words.index("-S") + 1]
    assert alias == "django"
    # The alias is django_celery_beat's entry point, the same scheduler the settings name.
    schedulers = {point.name: point.value for point in entry_points(group="celery.beat_schedulers")}
    assert schedulers[alias] == project_settings.CELERY_BEAT_SCHEDULER
    assert project_settings.CELERY_BEAT_SCHEDULER == "django_celery_beat.schedulers:DatabaseScheduler"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_environment_uses_only_names_the_settings_read(compose, name):
    environment = environment_of(compose["services"][name])
    assert environment, f"{name} has no environment"
    unknown = set(environment) - set(project_settings.ENVIRONMENT)
    assert not unknown, f"{name} sets variables greenmfg/settings.py never reads: {sorted(unknown)}"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_reach_postgres_and_redis(compose, name):
    services = compose["services"]
    environment = environment_of(services[name])

    database = urlsplit(environment["DATABASE_URL"])
    assert database.scheme in {"postgres", "postgresql", "pgsql"}
    assert database.hostname == "postgres" and "postgres" in services
    assert database.port in (None, 5432)
    postgres_env = environment_of(services["postgres"])
    assert database.path.lstrip("/") == postgres_env["POSTGRES_DB"]
    assert database.username == postgres_env["POSTGRES_USER"]
    assert database.password == postgres_env["POSTGRES_PASSWORD"]

    redis = urlsplit(environment["REDIS_URL"])
    assert redis.scheme == "redis"
    assert redis.hostname == "redis" and "redis" in services

    depends_on = depends_on_of(services[name])
    assert depends_on["postgres"]["condition"] == "service_healthy"
    assert "redis" in depends_on


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_run_in_production_mode(compose, name):
    environment = environment_of(compose["services"][name])
    assert str(environment["DJANGO_DEBUG"]).lower() == "false"
    # Compose must refuse to start without a real secret key rather than fall back to the development one.
    assert str(environment["DJANGO_SECRET_KEY"]).startswith("${DJANGO_SECRET_KEY:?")


@pytest.mark.parametrize("name", ["web", "worker"])
def test_media_root_is_a_volume(compose, name):
    service = compose["services"][name]
    media_root = environment_of(service)["MEDIA_ROOT"]
    targets = [
        volume["target"] if isinstance(volume, dict) else str(volume).split(":")[1]
        for volume in service.get("volumes", [])
        if isinstance(volume, dict) or ":" in str(volume)
    ]
    assert media_root in targets, f"{name} keeps uploads in the container: mount a volume at {media_root}"


def test_postgres_has_a_volume_and_a_readiness_check(compose):
    postgres = compose["services"]["postgres"]
    assert str(postgres["image"]).startswith("postgres:15")
    assert any("/var/lib/postgresql/data" in str(volume) for volume in postgres["volumes"])
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])


# --- Dockerfile ------------------------------------------------------------------------------------------------


def test_dockerfile_installs_weasyprint_libraries_and_cjk_fonts():
    runs = " ".join(arguments for keyword, arguments in dockerfile_instructions() if keyword == "RUN")
    installed = set()
    for match in re.finditer(r"apt-get install ([^&;|]+)", runs):
        installed |= {word for word in match.group(1).split() if not word.startswith("-")}
    assert {"libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-noto-cjk"} <= installed


def test_dockerfile_installs_from_the_lock_file():
    instructions = dockerfile_instructions()
    assert any(keyword == "COPY" and "requirements.lock" in arguments for keyword, arguments in instructions)
    assert any(
        keyword == "RUN" and re.search(r"pip install .*-r requirements\.lock", arguments)
        for keyword, arguments in instructions
    )


def test_dockerfile_base_user_and_command():
    instructions = dockerfile_instructions()
    assert ("FROM", "python:3.11-slim-bookworm") in instructions
    users = [arguments for keyword, arguments in instructions if keyword == "USER"]
    assert users and users[-1] not in {"root", "0"}, "the image must not run as root"
    command = json.loads(next(arguments for keyword, arguments in reversed(instructions) if keyword == "CMD"))
    assert command == ["gunicorn", "-c", "gunicorn.conf.py", "greenmfg.wsgi:application"]
    assert any(
        keyword == "RUN" and "collectstatic --noinput" in arguments and "DJANGO_DEBUG=false" in arguments
        for keyword, arguments in instructions
    )


def test_dockerfile_copies_every_project_folder():
    """The code is copied folder by folder (to keep .venv and db.sqlite3 out): a new app must be added there."""
    copied = set()
    for keyword, arguments in dockerfile_instructions():
        if keyword == "COPY":
            copied |= {
                Path(source).parts[0] for source in arguments.split()[:-1] if not source.startswith("--")
            }
    local_apps = [app for app in project_settings.INSTALLED_APPS if (PROJECT_DIR / app).is_dir()]
    needed = {
        "manage.py",
        "gunicorn.conf.py",
        "requirements.lock",
        "templates",
        "static",
        "fixtures",
        *local_apps,
    }
    needed |= {folder for folder in ("locale",) if (PROJECT_DIR / folder).is_dir()}
    assert needed <= copied, f"Dockerfile does not copy {sorted(needed - copied)}"


# --- manage.py check --deploy ----------------------------------------------------------------------------------


@pytest.mark.parametrize("redis_url", ["", "redis://127.0.0.1:6399/0"])
def test_check_deploy_passes_with_the_production_environment(tmp_path, redis_url):
    """Also with Redis configured, as in compose (the check does not connect to it)."""
    result = check_deploy(production_environment(tmp_path, REDIS_URL=redis_url))
    assert result.returncode == 0, f"check --deploy failed:\n{result.stdout}\n{result.stderr}"


def test_check_deploy_fails_with_debug_on(tmp_path):
    result = check_deploy(production_environment(tmp_path, DJANGO_DEBUG="true"))
    assert result.returncode != 0, f"check --deploy passed with DEBUG on:\n{result.stdout}\n{result.stderr}"
    assert "security.W018" in result.stdout + result.stderr


# --- which settings the environment selects --------------------------------------------------------------------


def test_no_environment_gives_the_embedded_default():
    probed = probe_settings()
    assert probed["ENGINE"] == "django.db.backends.sqlite3"
    assert probed["CELERY_TASK_ALWAYS_EAGER"] is True
    assert probed["CELERY_BROKER_URL"] == "memory://"
    assert probed["CACHE_BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert probed["DEBUG"] is True


def test_database_url_selects_postgresql():
    probed = probe_settings(DATABASE_URL="postgres://u@127.0.0.1:5432/x")
    assert probed["ENGINE"] == "django.db.backends.postgresql"


def test_redis_url_selects_the_real_broker_and_cache():
    url = "redis://127.0.0.1:6379/1"
    probed = probe_settings(REDIS_URL=url)
    assert probed["CELERY_BROKER_URL"] == url
    assert probed["CELERY_TASK_ALWAYS_EAGER"] is False
    assert probed["CACHE_BACKEND"] == "greenmfg.cache.ForgivingRedisCache"


def test_locale_and_user_model_do_not_depend_on_the_environment():
    for probed in (probe_settings(), probe_settings(DJANGO_DEBUG="false", DJANGO_SECRET_KEY="x" * 60)):
        assert probed["LANGUAGE_CODE"] == "zh-hans"
        assert probed["TIME_ZONE"] == "Asia/Shanghai"
        assert probed["AUTH_USER_MODEL"] == "greenmfg.User"


def test_the_project_builds_as_a_package_with_its_four_apps(tmp_path):
    """`pip install .` works: the flat layout declares its packages (built here without network)."""
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            tmp_path,
            ".",
        ],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr
    import zipfile

    (wheel,) = tmp_path.glob("greenmfg-*.whl")
    top_level = {name.split("/")[0] for name in zipfile.ZipFile(wheel).namelist()}
    assert {"greenmfg", "applications", "reviews", "registry"} <= top_level
    assert "tests" not in top_level and "bench" not in top_level
