"""File storage: private (no public URL) and atomic (a file appears under its name only when complete).

Local disk by default; with ``S3_BUCKET`` set (greenmfg/settings.py) a private bucket of S3-compatible object
storage (MinIO, or any S3), so that every web process sees the same files.
"""

import os
import tempfile

from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.utils.functional import LazyObject, empty

PARTIAL_PREFIX = ".upload-"
PARTIAL_SUFFIX = ".part"


class _PrivateStorage(LazyObject):
    """``storages["private"]``, looked up when first used rather than when the models are defined."""

    def _setup(self):
        self._wrapped = storages["private"]


_private = _PrivateStorage()


def private_storage():
    """Where declaration files live: outside any public URL; downloads go through permission-checked views."""
    return _private


def _storages_changed(setting, **kwargs):
    if setting == "STORAGES":
        _private._wrapped = empty


setting_changed.connect(_storages_changed)


class AtomicFileSystemStorage(FileSystemStorage):
    """Write each file to a temporary name beside its destination, then link it into place when complete.

    A process killed mid-write leaves only a ``.upload-….part`` file (removed by the orphan cleanup), never a
    truncated file under a real name; linking (not renaming) keeps an existing file from being overwritten.
    """

    def _save(self, name, content):
        directory = os.path.dirname(self.path(name))
        if self.directory_permissions_mode is not None:
            os.makedirs(directory, self.directory_permissions_mode, exist_ok=True)
        else:
            os.makedirs(directory, exist_ok=True)
        descriptor, partial = tempfile.mkstemp(prefix=PARTIAL_PREFIX, suffix=PARTIAL_SUFFIX, dir=directory)
        try:
            with os.fdopen(descriptor, "wb") as out:
                for chunk in content.chunks():
                    out.write(chunk if isinstance(chunk, bytes) else chunk.encode())
                out.flush()
                os.fsync(out.fileno())
            os.chmod(partial, self.file_permissions_mode or 0o644)
            while True:
                try:
                    os.link(partial, self.path(name))
                    break
                except FileExistsError:
                    name = self.get_available_name(name)
        finally:
            os.unlink(partial)
        return str(name).replace("\\", "/")
