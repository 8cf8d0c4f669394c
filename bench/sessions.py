"""Print ``label<TAB>sessionid`` for the users the HTTP benchmark signs in as (bench database only).

Sessions are made directly (as ``django.contrib.auth.login`` stores them), so the load measures the pages,
not the login form; the cache is emptied first; ``bench_admin`` is a superuser made here for the Django admin changelist.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "greenmfg.settings")

import django

django.setup()

import secrets  # noqa: E402

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_static.models import StaticDevice  # noqa: E402

from greenmfg import accounts  # noqa: E402
from greenmfg.models import User  # noqa: E402

if "bench" not in settings.DATABASES["default"]["NAME"]:
    sys.exit("bench/sessions.py only runs against a bench database")

cache.clear()  # the bench Redis database: no page cached from an earlier seed
admin, _ = User.objects.get_or_create(
    username="bench_admin", defaults={"is_staff": True, "is_superuser": True}
)
for username in ("shengting", "shizhou_wuhan", "bench_admin"):
    user = User.objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "greenmfg.backends.UserWithRolesBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    # As the login form and the second step leave an official's session: verified, the one live session.
    device, _ = StaticDevice.objects.get_or_create(user=user, name="备用码")
    token = secrets.token_hex(16)
    User.objects.filter(pk=user.pk).update(session_token=token, must_change_password=False)
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[accounts.SESSION_TOKEN] = token
    session[accounts.LAST_SEEN] = timezone.now().timestamp()
    session[accounts.HAS_SECOND_FACTOR] = True
    session.create()
    print(f"{username}\t{session.session_key}")
