# greenmfg production image: one image for web (gunicorn), Celery worker and Celery beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MEDIA_ROOT=/data/media

# WeasyPrint's system libraries (PDF exports), CJK fonts so Chinese text renders in the PDFs, and the
# PostgreSQL 15 client (pg_dump, pg_restore) for manage.py backup / restore.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        postgresql-client \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so code changes do not invalidate this layer.
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock

# The code. Listed explicitly so the local .venv, db.sqlite3 and .git never reach the image.
COPY manage.py pyproject.toml gunicorn.conf.py ./
COPY greenmfg ./greenmfg
COPY applications ./applications
COPY reviews ./reviews
COPY registry ./registry
COPY templates ./templates
COPY static ./static
COPY fixtures ./fixtures
COPY locale ./locale

# Static files are collected at build time with the production storage (hashed, compressed, served by
# WhiteNoise). The secret key here is a build-only dummy scoped to this RUN; it is not kept in the image's env.
RUN DJANGO_DEBUG=false \
    DJANGO_SECRET_KEY=build-only-dummy-key-not-used-at-runtime \
    python manage.py collectstatic --noinput

# Run as an unprivileged user; it owns only the media and backup directories (volumes in docker-compose.yml).
RUN groupadd --system app \
    && useradd --system --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app \
    && mkdir -p /data/media /backups \
    && chown app:app /data/media /backups
USER app

EXPOSE 8000
CMD ["gunicorn", "-c", "gunicorn.conf.py", "greenmfg.wsgi:application"]
