"""What every page's frame promises: a way to register from the home page, required fields marked, and a
province navigation short enough to read, grouped, with the evaluators' review apart from their directory."""

import re

import pytest

from applications import services as applications

from .factories import BatchFactory

pytestmark = pytest.mark.django_db


def top_level_entries(page):
    nav = page.split('id="nav-items">', 1)[1].split("</nav>", 1)[0]
    depth, entries = 0, 0
    for tag in re.findall(r"<(/?)(ul|li)\b", nav):
        closing, name = tag
        if name == "ul":
            depth += -1 if closing else 1
        elif name == "li" and not closing and depth == 0:
            entries += 1
    return entries


def test_the_home_page_links_to_registration(client):
    page = client.get("/").content.decode()
    assert 'href="/accounts/register/"' in page and 'href="/evaluators/register/"' in page


def test_the_province_navigation_is_grouped(cast, login):
    page = login(cast.province).get("/dashboard/").content.decode()
    assert top_level_entries(page) <= 7
    assert '<details class="dropdown">' in page and "公开信息" in page
    assert "评价机构审核" in page and "评价机构名录" in page


def test_required_fields_are_marked_on_the_first_step(cast, login):
    declaration = applications.create_declaration(
        organisation=cast.wuhan_org, user=cast.applicant, batch=BatchFactory(), category="factory"
    )
    page = login(cast.applicant).get(f"/declarations/{declaration.pk}/edit/").content.decode()
    for label in ("法定代表人", "联系人", "通讯地址"):
        assert re.search(rf">{label}<span class=\"required\"", page), label
    assert not re.search(r">注册资本[^<]*<span class=\"required\"", page)
