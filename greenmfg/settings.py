"""Settings from the environment (12-factor).

Nothing set gives the embedded default: SQLite beside the code and Celery tasks run eagerly in the web process.
``DATABASE_URL`` and ``REDIS_URL`` switch to the real services; ``DJANGO_DEBUG=false`` turns on the production
hardening that ``manage.py check --deploy`` asks for.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent

# Every variable the settings read, with its default; docker-compose.yml is tested against this list.
ENVIRONMENT = {
    "DJANGO_DEBUG": (bool, True),
    "DJANGO_SECRET_KEY": (str, "insecure-development-key-do-not-use-in-production"),
    "DJANGO_ALLOWED_HOSTS": (list, ["127.0.0.1", "localhost"]),
    "DJANGO_CSRF_TRUSTED_ORIGINS": (list, []),
    "DATABASE_URL": (str, f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
    "REDIS_URL": (str, ""),
    "MEDIA_ROOT": (str, str(BASE_DIR / "var" / "media")),
    "S3_BUCKET": (str, ""),
    "S3_ENDPOINT_URL": (str, ""),
    "S3_REGION": (str, "us-east-1"),
    "S3_ACCESS_KEY_ID": (str, ""),
    "S3_SECRET_ACCESS_KEY": (str, ""),
    "STATIC_ROOT": (str, str(BASE_DIR / "var" / "static")),
    "DJANGO_SECURE_SSL_REDIRECT": (bool, True),
    "ATTACHMENT_MAX_MB": (int, 20),
    "DISCREPANCY_THRESHOLD": (int, 15),
    "EXPORT_BACKGROUND_ROWS": (int, 5000),
    "INVITATION_VALID_DAYS": (int, 7),
    "EMAIL_URL": (str, ""),
    "DEFAULT_FROM_EMAIL": (str, "greenmfg@localhost"),
    "SITE_URL": (str, "http://127.0.0.1:8000"),
    "DEADLINE_REMINDER_DAYS": (int, 7),
    "ANNUAL_REPORT_DEADLINE": (str, "04-15"),
    "DB_STATEMENT_TIMEOUT_MS": (int, 20000),
    "DB_LOCK_TIMEOUT_MS": (int, 5000),
    "BROKER_VISIBILITY_TIMEOUT": (int, 900),
    "TRUSTED_PROXIES": (list, []),
    "BACKUP_DIR": (str, str(BASE_DIR / "var" / "backups")),
    "BACKUP_KEEP": (int, 7),
    "LOGIN_FAILURE_LIMIT": (int, 5),
    "LOGIN_LOCKOUT_MINUTES": (int, 30),
    "OFFICIAL_SESSION_IDLE_MINUTES": (int, 30),
    "OFFICIAL_PASSWORD_MAX_AGE_DAYS": (int, 180),
    "AUDIT_RETENTION_DAYS": (int, 180),
    "AUDIT_ARCHIVE_DIR": (str, str(BASE_DIR / "var" / "audit-archive")),
}
env = environ.Env(**ENVIRONMENT)

DEBUG = env("DJANGO_DEBUG")
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "greenmfg.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "guardian",
    "django_celery_beat",
    "django_filters",
    "django_htmx",
    "django_ratelimit",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "pgtrigger",
    "csp",
    "greenmfg",
    "applications",
    "reviews",
    "registry",
]

MIDDLEWARE = [
    "greenmfg.health.HealthMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "greenmfg.middleware.ClientAddressMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "greenmfg.languages.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    # A stored public page for a visitor without a session leaves here (greenmfg/public_cache.py): the middleware
    # above sets the language and every response's headers, what follows only serves sessions, forms and users.
    "greenmfg.public_cache.StoredPublicPageMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "greenmfg.languages.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "greenmfg.middleware.AccountPolicyMiddleware",
    "greenmfg.downloads.AuditDownloadsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "greenmfg.submissions.OncePerSubmissionMiddleware",
    "greenmfg.refusals.RefusalMiddleware",
    "greenmfg.middleware.BoundedWaitMiddleware",
    "axes.middleware.AxesMiddleware",
]
# Views that create a record: the same form posted twice creates it once (greenmfg/submissions.py).
ONCE_PER_SUBMISSION = {
    "applications:create",
    "applications:batch_create",
    "register",
    "reviews:register",
    "reviews:commission_request",
    "registry:publicity_create",
    "registry:publicity_detail",
    "registry:import_upload",
}

ROOT_URLCONF = "greenmfg.urls"
# Form templates can be overridden from templates/ (labels without Django's ASCII colon).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "greenmfg.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "greenmfg.context_processors.unread_notifications",
            ],
        },
    },
]

DATABASES = {"default": env.db_url("DATABASE_URL")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", 60 if not DEBUG else 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Bounded waits: a statement or a row lock never outlasts the web server's timeout (gunicorn.conf.py, 30 s);
# greenmfg.middleware turns the error into a Chinese "try again" message instead of a 500.
DB_STATEMENT_TIMEOUT_MS = env("DB_STATEMENT_TIMEOUT_MS")
DB_LOCK_TIMEOUT_MS = env("DB_LOCK_TIMEOUT_MS")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c statement_timeout={DB_STATEMENT_TIMEOUT_MS} -c lock_timeout={DB_LOCK_TIMEOUT_MS}"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "greenmfg.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out username and address before any check
    # Django's ModelBackend, with the user's roles read in the query that loads a signed-in user.
    "greenmfg.backends.UserWithRolesBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row; the public pages need no object permissions
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Officials, experts, evaluator staff and administrators: at least 10 characters from 3 of 4 classes.
    {"NAME": "greenmfg.passwords.OfficialPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"

# Login failures (django-axes): a username from one address is locked after LOGIN_FAILURE_LIMIT failures for
# LOGIN_LOCKOUT_MINUTES; the 安全管理员 can unlock it earlier. Attempts are rows in the database, not in Redis.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env("LOGIN_FAILURE_LIMIT")
AXES_COOLOFF_TIME = timedelta(minutes=env("LOGIN_LOCKOUT_MINUTES"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the lock ends 30 minutes after it began
# The address greenmfg.middleware.ClientAddressMiddleware resolved (TRUSTED_PROXIES), as for the rate limit.
AXES_CLIENT_IP_CALLABLE = "greenmfg.accounts.client_address"
AXES_LOCKOUT_CALLABLE = "greenmfg.account_views.locked_out"
AXES_ENABLE_ADMIN = False  # unlocks go through the 安全管理员's page, which audits them
AXES_VERBOSE = False
AXES_DISABLE_ACCESS_LOG = True  # successful logins are in the audit trail (greenmfg.accounts)
# Officials, experts, evaluator staff and administrators (greenmfg.accounts.privileged): a second factor, idle
# sessions ended after this many minutes and at browser close, a password changed every this many days.
OTP_TOTP_ISSUER = "湖北省绿色制造体系"
OFFICIAL_SESSION_IDLE_MINUTES = env("OFFICIAL_SESSION_IDLE_MINUTES")
OFFICIAL_PASSWORD_MAX_AGE_DAYS = env("OFFICIAL_PASSWORD_MAX_AGE_DAYS")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env("STATIC_ROOT")
# Declaration files are never served from a public URL: downloads go through permission-checked views.
MEDIA_ROOT = env("MEDIA_ROOT")
STORAGES = {
    "default": {"BACKEND": "greenmfg.storage.AtomicFileSystemStorage"},
    "private": {
        "BACKEND": "greenmfg.storage.AtomicFileSystemStorage",
        # Its location is MEDIA_ROOT, which no URL serves.
        "OPTIONS": {"base_url": "/no-public-url/"},
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# With S3_BUCKET, uploaded and generated files go to a private bucket of S3-compatible object storage (MinIO in
# docker-compose.yml) instead of MEDIA_ROOT, so any number of web and worker containers share them. Nothing there
# has a public URL: downloads stream through the same permission-checked views as from local disk.
S3_BUCKET = env("S3_BUCKET")
if S3_BUCKET:
    STORAGES["default"] = STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env("S3_ENDPOINT_URL") or None,
            "region_name": env("S3_REGION"),
            "access_key": env("S3_ACCESS_KEY_ID") or None,
            "secret_key": env("S3_SECRET_ACCESS_KEY") or None,
            "default_acl": "private",
            "file_overwrite": False,  # like the local storage: a second file of the same name gets a new name
            "querystring_expire": 60,  # a signed URL, were one made, would last a minute
            "addressing_style": "path",
            "signature_version": "s3v4",
        },
    }

# Exports of more rows than this are built by a Celery worker, with their progress on the page
# (registry/background_exports.py); smaller ones are built in the request.
EXPORT_BACKGROUND_ROWS = env("EXPORT_BACKGROUND_ROWS")

# One uploaded file may be at most this large; the content decides its type, not its name.
ATTACHMENT_MAX_BYTES = env("ATTACHMENT_MAX_MB") * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            # A cache that is down is a miss, never an error (the rate limit then fails open, see below).
            "BACKEND": "greenmfg.cache.ForgivingRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        }
    }
    # Sessions read from Redis, written through to the database: a signed-in request makes no session query,
    # and a session outlives a Redis restart (a miss reads the database). Sessions are ended through the user's
    # session token (greenmfg/accounts.py), never by deleting rows behind the cache's back.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# Nobody reads task results (outcomes are rows in the database), so there is no result backend to wait on.
CELERY_TASK_IGNORE_RESULT = True
# A request hands a task to the broker at most once and gives up after a second; the outbox sweep covers it.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY = False
# Crash-safe tasks: acknowledged after they finish, given back if the worker dies, one task fetched at a time.
# Every task is idempotent, so a task redone after a crash changes nothing it had already done.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker that loses the broker gives its late-acknowledged tasks back rather than finishing them unacknowledged.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# Redis gives a task taken by a worker that died without acknowledging it to another worker after this many
# seconds. It must exceed the longest task and the longest countdown (retries back off at most 10 minutes).
BROKER_VISIBILITY_TIMEOUT = env("BROKER_VISIBILITY_TIMEOUT")
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": BROKER_VISIBILITY_TIMEOUT,
    "socket_connect_timeout": 1,
    "max_retries": 0,  # publishing: one connection attempt, no 2-second pause before a second one
}
# Objections are rate-limited per address through the cache; without Redis the cache is per process.
# With the cache unreachable the limit is not enforced (logged by greenmfg.cache) rather than refusing objections.
RATELIMIT_USE_CACHE = "default"
RATELIMIT_FAIL_OPEN = True
# django_ratelimit.W001 only compares the backend's dotted path with a list that predates Django's own Redis cache:
# ForgivingRedisCache is Django's RedisCache (atomic INCR, shared by every process), which the limit needs.
SILENCED_SYSTEM_CHECKS = (
    ["django_ratelimit.W001"] if REDIS_URL else ["django_ratelimit.E003", "django_ratelimit.W001"]
)
# Behind a reverse proxy the client address comes from X-Forwarded-For, but only when the request arrives from
# one of these addresses (greenmfg.middleware.ClientAddressMiddleware); otherwise the header is ignored.
TRUSTED_PROXIES = env("TRUSTED_PROXIES")
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "open-due-rereviews": {
        "task": "registry.tasks.open_due_rereviews",
        "schedule": crontab(hour=6, minute=0),
    },
    "sweep-outbox": {
        "task": "greenmfg.tasks.sweep_outbox",
        "schedule": 30,
    },
    "read-stalled-imports": {
        "task": "registry.tasks.read_stalled_imports",
        "schedule": 60,
    },
    "apply-stalled-imports": {
        "task": "registry.tasks.apply_stalled_imports",
        "schedule": 60,
    },
    "build-stalled-list-exports": {
        "task": "registry.tasks.build_stalled_list_exports",
        "schedule": 60,
    },
    "remove-outdated-list-exports": {
        "task": "registry.tasks.remove_outdated_list_exports",
        "schedule": crontab(hour=3, minute=0),
    },
    "remove-orphan-files": {
        "task": "greenmfg.tasks.remove_orphan_files",
        "schedule": crontab(hour=3, minute=30),
    },
    "close-due-publicities": {
        "task": "registry.tasks.close_due_publicities",
        "schedule": 60 * 60,
    },
    "send-deadline-reminders": {
        "task": "registry.notify.send_deadline_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    "archive-audit": {
        "task": "greenmfg.tasks.archive_audit",
        "schedule": crontab(day_of_month=1, hour=2, minute=30),
    },
}

# Notifications are emailed by a Celery task: printed to the console unless EMAIL_URL names an SMTP server
# (e.g. smtp+tls://user:password@smtp.example.cn:587). Links in the emails start with SITE_URL.
# EMAIL_URL itself is not kept as a setting: it holds the password, and the debug page would show it.
if env("EMAIL_URL"):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL")
# A mail server that hangs holds one outbox row, not the worker: the row is retried later.
EMAIL_TIMEOUT = 20
SITE_URL = env("SITE_URL")
# Reminders go out this many days before each batch deadline.
DEADLINE_REMINDER_DAYS = env("DEADLINE_REMINDER_DAYS")
# 名单导入: a PDF of more pages than this is read by a worker, its progress shown (2,000 rows ≈ 54 pages ≈ 13 s of
# CPU); shorter files are read in the request.
IMPORT_BACKGROUND_PAGES = env.int("IMPORT_BACKGROUND_PAGES", default=10)
# 名单导入: a confirmation writing more rows than this is written by a worker, its progress shown (2,000 rows: 0.6 s
# of CPU, 2.5 s at load 16 on 2 cores; the largest file allowed, 20,000 rows, takes ≈ 30 s to decide alone).
IMPORT_BACKGROUND_ROWS = env.int("IMPORT_BACKGROUND_ROWS", default=1000)
# Events alike for one person (20 recommendations at once) become one notice while it is unread and not yet
# e-mailed, for at most this many hours; its e-mail leaves this many seconds after the first event, listing all.
# With Celery eager (no worker to send later) the e-mail leaves at once: one transaction's events are still one.
NOTIFICATION_GROUPING_WINDOW = env.int("NOTIFICATION_GROUPING_WINDOW", default=24)
NOTIFICATION_GROUPING_DELAY = env.int(
    "NOTIFICATION_GROUPING_DELAY", default=0 if CELERY_TASK_ALWAYS_EAGER else 120
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"greenmfg": {"level": "INFO"}},
}

# Content-Security-Policy without 'unsafe-inline': every script and style comes from our static files (greenmfg.js
# does what inline handlers did; htmx's injected indicator styles are off in base.html and live in greenmfg.css).
# Pico's icons are data: SVGs. The PDFs are rendered server-side by WeasyPrint, where no policy applies.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}
# The portal needs none of the browser's powerful features.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env("DJANGO_SECURE_SSL_REDIRECT")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"

# A self-evaluation and a third-party evaluation whose group score rates differ by more than this many
# percentage points are flagged to the city and the province.
DISCREPANCY_THRESHOLD = env("DISCREPANCY_THRESHOLD")
# A team invitation link works this many days after it is created (and until it is used or revoked).
INVITATION_VALID_DAYS = env("INVITATION_VALID_DAYS")
# manage.py backup writes here and keeps the newest BACKUP_KEEP backups (README: Backup and restore).
BACKUP_DIR = env("BACKUP_DIR")
BACKUP_KEEP = env("BACKUP_KEEP")
# Listed units file their yearly 动态管理表 by this month-day.
ANNUAL_REPORT_DEADLINE = env("ANNUAL_REPORT_DEADLINE")
# 网络安全法 §21: audit entries are kept at least this many days in the database; older ones are moved to gzipped
# JSON-lines files here (manage.py archive_audit, monthly by beat), each file's SM3 hash recorded in the chain.
AUDIT_RETENTION_DAYS = max(env("AUDIT_RETENTION_DAYS"), 180)
AUDIT_ARCHIVE_DIR = env("AUDIT_ARCHIVE_DIR")
# The certificates the portal signs issued PDFs with, per office (README: Signed documents): the province as
# OFFICE_CERTIFICATE_PROVINCE, a city by its division code as OFFICE_CERTIFICATE_420100; each a PKCS#12 file
# path, its passphrase in the same name + _PASSPHRASE. Read by prefix, so not in ENVIRONMENT. None: unsigned.
OFFICE_CERTIFICATES = {
    name.removeprefix("OFFICE_CERTIFICATE_").lower(): (path, os.environ.get(f"{name}_PASSPHRASE", ""))
    for name, path in os.environ.items()
    if name.startswith("OFFICE_CERTIFICATE_") and not name.endswith("_PASSPHRASE") and path
}
