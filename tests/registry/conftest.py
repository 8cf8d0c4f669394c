import pytest

from greenmfg.roles import Role

from ..factories import make_user


@pytest.fixture
def province(db):
    return make_user(Role.PROVINCE)


@pytest.fixture
def official(login, province):
    """The test client signed in as a provincial official (名单导入)."""
    return login(province)
