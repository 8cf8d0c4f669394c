import pgtrigger
import pytest
from django.contrib.sessions.backends.cached_db import KEY_PREFIX as SESSION_KEY_PREFIX
from django.core.cache import caches
from django.db.backends.base.operations import BaseDatabaseOperations

from greenmfg.accounts import privileged
from greenmfg.models import User
from greenmfg.roles import Role

from .factories import (
    PASSWORD,
    EvaluatorFactory,
    OrganisationFactory,
    backup_code,
    force_login_verified,
    make_user,
)


@pytest.fixture(autouse=True)
def fast_password_hasher_own_media_root_and_cache(settings, tmp_path):
    """Each test starts clean: its own media folder and its own cache (rate limits live in the cache)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(tmp_path)}
    }


@pytest.fixture(autouse=True, scope="session")
def flush_between_transactional_tests_may_truncate_the_audit_trail():
    """The audit table refuses TRUNCATE (greenmfg/models.py); the test runner's flush is the one exception."""
    flush = BaseDatabaseOperations.execute_sql_flush

    def flush_ignoring_the_trigger(self, sql_list):
        with pgtrigger.ignore("greenmfg.AuditEntry:no_truncate", databases=[self.connection.alias]):
            return flush(self, sql_list)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(BaseDatabaseOperations, "execute_sql_flush", flush_ignoring_the_trigger)
        yield


@pytest.fixture
def login(client):
    """Log the test client in as ``user`` (with the real login form, as a person would), and for those who need
    a second factor with a backup code through the real verification form."""

    def log_in(user):
        client.logout()
        response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, response.content.decode()
        user = User.objects.get(pk=user.pk)
        if privileged(user):
            response = client.post("/accounts/verify/", {"token": backup_code(user)})
            assert response.status_code == 302 and "/accounts/" not in response["Location"], response
        return client

    return log_in


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's ``admin_client``, with the second factor done (a superuser needs one)."""
    return force_login_verified(client, admin_user)


@pytest.fixture
def cast(db):
    """One user per role, two cities (武汉 420100, 黄石 420200), an enterprise in each, an approved evaluator."""

    class Cast:
        wuhan_org = OrganisationFactory(name="武汉绿源机械有限公司", region_id="420100")
        huangshi_org = OrganisationFactory(name="黄石华新新材料股份有限公司", region_id="420200")
        applicant = make_user(Role.APPLICANT)
        other_applicant = make_user(Role.APPLICANT)
        evaluator_staff = make_user(Role.EVALUATOR)
        wuhan_official = make_user(Role.CITY, city="420100")
        huangshi_official = make_user(Role.CITY, city="420200")
        expert = make_user(Role.EXPERT)
        province = make_user(Role.PROVINCE)
        evaluator = EvaluatorFactory(name="湖北绿色低碳评价中心")

    Cast.wuhan_org.memberships.create(user=Cast.applicant, is_admin=True)
    Cast.huangshi_org.memberships.create(user=Cast.other_applicant, is_admin=True)
    Cast.evaluator_staff.groups.add(Cast.evaluator.staff_group)
    return Cast


@pytest.fixture
def cache_calls(monkeypatch):
    """The calls the portal makes to the cache from here on, by name (``["get_many"]``): locmem's ``get_many``
    calls its own ``get``, which is not counted again, nor is the session's own read (cached_db, with Redis)."""
    backend, calls, inside = caches["default"], [], []
    for name in ("get", "get_many", "set", "add", "incr", "set_many", "delete"):
        original = getattr(backend, name)

        def counted(*args, _original=original, _name=name, **kwargs):
            if not inside and not str(args[0]).startswith(SESSION_KEY_PREFIX):
                calls.append(_name)
            inside.append(_name)
            try:
                return _original(*args, **kwargs)
            finally:
                inside.pop()

        monkeypatch.setattr(backend, name, counted)
    return calls
