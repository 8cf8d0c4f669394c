"""The dashboard's panels and the declaration queue are kept per user and rendered again once a transition
changes what waits."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications import services as applications
from greenmfg.backends import UserWithRolesBackend
from greenmfg.roles import Role

from ..factories import BatchFactory, ready_to_submit

pytestmark = pytest.mark.django_db


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


@pytest.mark.parametrize("url", ["/dashboard/", "/declarations/?state=city_review"])
def test_a_transition_shows_on_the_officials_kept_page(cast, login, django_capture_on_commit_callbacks, url):
    declaration = applications.create_declaration(
        organisation=cast.wuhan_org,
        user=cast.applicant,
        batch=BatchFactory(requires_third_party=False),
        category="factory",
    )
    ready_to_submit(declaration, cast.applicant)
    official = login(cast.wuhan_official)
    rendered, text = queries(official, url)
    assert cast.wuhan_org.name not in text
    kept, _text = queries(official, url)
    assert kept < rendered  # the rows came from the cache

    with django_capture_on_commit_callbacks(execute=True):
        for name in ("submit_self_evaluation", "submit_to_city"):
            applications.transition(declaration.pk, name, user=cast.applicant)
    _count, text = queries(official, url)
    assert cast.wuhan_org.name in text


def test_each_user_has_their_own_panels(cast, login):
    assert "待初审（武汉市）" in login(cast.wuhan_official).get("/dashboard/").content.decode()
    huangshi = login(cast.huangshi_official).get("/dashboard/").content.decode()
    assert "待初审（黄石市）" in huangshi and "待初审（武汉市）" not in huangshi


def test_the_kept_navigation_follows_the_page_the_roles_and_the_flags_at_once(cast, login):
    from django.contrib.auth.models import Group

    from greenmfg.models import User
    from greenmfg.roles import Role

    official = login(cast.wuhan_official)
    dashboard = official.get("/dashboard/").content.decode()
    assert '<a href="/dashboard/" aria-current="page">' in dashboard
    assert "/rereviews/" in dashboard and "/audit/" not in dashboard and "/admin/" not in dashboard
    queue = official.get("/declarations/").content.decode()
    assert (
        '<a href="/declarations/" aria-current="page">' in queue
    )  # the same user's navigation, another view
    assert '<a href="/dashboard/" aria-current="page">' not in queue

    cast.wuhan_official.groups.add(Group.objects.get(name=Role.AUDITOR.value))
    assert "/audit/" in official.get("/dashboard/").content.decode()
    User.objects.filter(pk=cast.wuhan_official.pk).update(is_staff=True)  # no signal: the flag is in the key
    assert "/admin/" in official.get("/dashboard/").content.decode()

    assert "/rereviews/" not in login(cast.applicant).get("/dashboard/").content.decode()


def test_a_signed_in_page_reads_the_user_with_their_roles_and_unread_count_in_one_query(cast, login):
    """The account rules, the navigation and the bell ask them on every page: they come with the user."""
    client = login(cast.wuhan_official)
    client.get("/dashboard/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/dashboard/").status_code == 200
    memberships = [q["sql"] for q in queries.captured_queries if "greenmfg_user_groups" in q["sql"]]
    assert len(memberships) == 1, memberships
    assert memberships[0].startswith('SELECT "greenmfg_user"."id"')
    assert [q for q in queries.captured_queries if "greenmfg_notification" in q["sql"]] == [
        q for q in queries.captured_queries if q["sql"] == memberships[0]
    ]
    assert "城市" not in memberships[0]  # group names are read, not written into the SQL

    official = cast.wuhan_official
    groups = frozenset(official.groups.values_list("name", flat=True))
    assert UserWithRolesBackend().get_user(official.pk).role_names == groups == {Role.CITY.value}
    official.groups.clear()  # a role taken away is gone on the next request
    assert UserWithRolesBackend().get_user(official.pk).role_names == frozenset()
    # The query is compiled once; each request asks for its own user.
    assert UserWithRolesBackend().get_user(str(cast.province.pk)).role_names == {Role.PROVINCE.value}
    assert UserWithRolesBackend().get_user(cast.province.pk + 1000) is None
    assert UserWithRolesBackend().get_user("not a number") is None


@pytest.mark.parametrize("url", ["/declarations/", "/dashboard/"])
def test_what_a_signed_in_page_keeps_is_read_in_one_round_trip_to_the_cache(cast, login, request, url):
    """The queue or the panels, the navigation and the footer's plan: one ``get_many`` once they are kept."""
    client = login(cast.province)
    client.get(url)
    calls = request.getfixturevalue("cache_calls")
    page = client.get(url).content.decode()
    assert calls == ["get_many"]
    assert "mainnav" in page and "依据《" in page  # the navigation and the footer's plan are there
