from django.core.files.storage import storages


def private_storage():
    """Where declaration files live: outside any public URL; downloads go through permission-checked views."""
    return storages["private"]
