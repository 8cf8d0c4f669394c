"""The declaration list pages by its sort key: every row once, forward and back, the filters kept."""

import re

import pytest

from applications.models import Declaration
from greenmfg import pagination

from ..factories import BatchFactory, enterprise_of

pytestmark = pytest.mark.django_db


def names_and_links(client, url):
    page = client.get(url).content.decode()
    names = re.findall(r'<a href="/declarations/\d+/">([^<]+)</a>', page)
    links = dict(
        (label, href.replace("&amp;", "&"))
        for href, label in re.findall(r'<a href="(\?[^"]+)">(上一页|下一页)</a>', page)
    )
    return page, names, links


def test_pages_follow_each_other_without_gaps_or_repeats_and_keep_the_filters(cast, login):
    batch = BatchFactory()
    Declaration.objects.bulk_create(
        [
            Declaration(
                organisation=enterprise_of(cast.applicant),
                region_id="420100",
                batch=batch,
                category="factory" if i % 2 else "park",
                created_by=cast.applicant,
            )
            for i in range(120)
        ]
    )
    client = login(cast.wuhan_official)
    expected = list(
        Declaration.objects.filter(category="factory")
        .order_by("-updated_at", "-pk")
        .values_list("organisation__name", flat=True)
    )
    page, first, links = names_and_links(client, "/declarations/?category=factory")
    assert "共 60 条" in page and "上一页" not in links
    _page, second, links = names_and_links(client, "/declarations/" + links["下一页"])
    assert "category=factory" in links["上一页"] and "下一页" not in links
    assert first + second == expected
    _page, back, _links = names_and_links(client, "/declarations/" + links["上一页"])
    assert back == first


def test_a_large_total_is_the_estimate_and_a_hand_edited_cursor_is_the_first_page(cast, login, monkeypatch):
    monkeypatch.setattr(pagination, "EXACT_BELOW", 0)
    Declaration.objects.create(
        organisation=cast.wuhan_org,
        region_id="420100",
        batch=BatchFactory(),
        category="factory",
        created_by=cast.applicant,
    )
    client = login(cast.province)
    assert "约 " in client.get("/declarations/").content.decode()
    assert client.get("/declarations/?after=not-a-cursor").status_code == 200
    assert client.get("/declarations/?before=WzEsMiwzXQ").status_code == 200
