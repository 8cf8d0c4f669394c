"""Backups that restore: the database, the uploaded files, and a manifest with every file's checksum.

A backup is a folder ``greenmfg-<UTC time>/`` with ``database.dump`` (``pg_dump -Fc``: one consistent snapshot
taken in a single transaction) or ``database.sqlite3`` (SQLite's online backup), ``media.tar`` (every uploaded
file) and ``manifest.json`` (sizes and sha256 of the two and of each file in the tar). The database is dumped
before the files are packed, so every file a dumped row names is already on disk (files are written before their
row commits); at worst the tar holds a few files of rows committed after the dump, which the orphan cleanup
removes after a restore. The folder is written under a temporary name and renamed when complete.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import time
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

PREFIX = "greenmfg-"
CHUNK = 1024 * 1024


class BackupError(Exception):
    pass


def sha256_file(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _pg_environment(database):
    environment = {**os.environ, "PGPASSWORD": str(database.get("PASSWORD") or "")}
    arguments = ["-h", database.get("HOST") or "127.0.0.1", "-p", str(database.get("PORT") or 5432)]
    if database.get("USER"):
        arguments += ["-U", database["USER"]]
    return environment, arguments


def _dump_database(target: Path) -> Path:
    database = connection.settings_dict
    if connection.vendor == "postgresql":
        path = target / "database.dump"
        environment, arguments = _pg_environment(database)
        subprocess.run(
            [
                "pg_dump",
                "-Fc",
                "--no-owner",
                "--no-privileges",
                "-f",
                str(path),
                *arguments,
                database["NAME"],
            ],
            env=environment,
            check=True,
            capture_output=True,
        )
        return path
    if connection.vendor == "sqlite":
        path = target / "database.sqlite3"
        connection.ensure_connection()
        copy = sqlite3.connect(path)
        try:
            connection.connection.backup(copy)
        finally:
            copy.close()
        return path
    raise BackupError(f"no backup for the {connection.vendor} database")


def _pack_media(target: Path, media_root: Path) -> tuple[Path, dict]:
    path, files = target / "media.tar", {}
    with tarfile.open(path, "w") as archive:
        if media_root.is_dir():
            for file in sorted(p for p in media_root.rglob("*") if p.is_file()):
                name = file.relative_to(media_root).as_posix()
                files[name] = {"size": file.stat().st_size, "sha256": sha256_file(file)}
                archive.add(file, arcname=name, recursive=False)
    return path, files


def backup(directory, *, keep: int) -> tuple[Path, dict]:
    """Write one backup into ``directory`` and keep only the newest ``keep``; returns its folder and manifest."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    final = directory / f"{PREFIX}{stamp}"
    partial = directory / f".{PREFIX}{stamp}.partial"
    partial.mkdir()
    try:
        dump = _dump_database(partial)
        media, files = _pack_media(partial, Path(settings.MEDIA_ROOT))
        manifest = {
            "created_at": datetime.now(UTC).isoformat(),
            "database": {"vendor": connection.vendor, "file": dump.name},
            "migrations": sorted(
                f"{app}.{name}"
                for app, name in MigrationRecorder.Migration.objects.values_list("app", "name")
            ),
            "parts": {
                part.name: {"size": part.stat().st_size, "sha256": sha256_file(part)}
                for part in (dump, media)
            },
            "files": files,
        }
        (partial / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False), "utf-8")
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    manifest["seconds"] = round(time.monotonic() - started, 2)
    for old in sorted(directory.glob(f"{PREFIX}*"))[:-keep] if keep > 0 else []:
        shutil.rmtree(old)
    return final, manifest


def verify(folder) -> dict:
    """The manifest of a backup whose parts are complete and unchanged; raises BackupError otherwise."""
    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    for name, expected in manifest["parts"].items():
        if sha256_file(folder / name) != expected["sha256"]:
            raise BackupError(f"{name} does not match its checksum in manifest.json")
    return manifest


def _database_is_empty() -> bool:
    return not connection.introspection.table_names()


def restore(folder) -> dict:
    """Restore a verified backup into an empty database and an empty media folder; every file is checked."""
    folder = Path(folder)
    manifest = verify(folder)
    started = time.monotonic()
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise BackupError(f"the backup is of a {vendor} database, this one is {connection.vendor}")
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.is_dir() and any(media_root.iterdir()):
        raise BackupError(f"the media folder {media_root} is not empty")
    database = connection.settings_dict
    if vendor == "postgresql":
        if not _database_is_empty():
            raise BackupError(f"the database {database['NAME']} is not empty")
        environment, arguments = _pg_environment(database)
        subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                *arguments,
                "-d",
                database["NAME"],
                str(folder / manifest["database"]["file"]),
            ],
            env=environment,
            check=True,
            capture_output=True,
        )
    else:
        target = Path(database["NAME"])
        if target.exists() and target.stat().st_size:
            raise BackupError(f"the database file {target} is not empty")
        connection.close()
        shutil.copyfile(folder / manifest["database"]["file"], target)
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(folder / "media.tar") as archive:
        archive.extractall(media_root, filter="data")
    for name, expected in manifest["files"].items():
        if sha256_file(media_root / name) != expected["sha256"]:
            raise BackupError(f"the restored file {name} does not match its checksum")
    return {"files": len(manifest["files"]), "seconds": round(time.monotonic() - started, 2)}


def describe(folder, manifest) -> str:
    parts = ", ".join(f"{name} {part['size']:,} bytes" for name, part in manifest["parts"].items())
    return f"{folder}: {parts}; {len(manifest['files'])} files"
