"""培育库: each city keeps its own pool; progress comes from declarations and lists; the province sees it all."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from greenmfg.models import AuditEntry
from greenmfg.roles import Role
from registry.models import CultivationCandidate, ListedUnit

from ..factories import DeclarationFactory, OrganisationFactory, make_user, valid_credit_code

pytestmark = pytest.mark.django_db


def candidate(region_id="420100", responsible=None, **kwargs):
    values = {
        "category": "factory",
        "planned_year": 2027,
        "name": "湖北待培育制造有限公司",
        "responsible": responsible or make_user(Role.CITY, city=region_id),
    }
    values.update(kwargs)
    return CultivationCandidate.objects.create(region_id=region_id, **values)


def listed(organisation, category="factory", **kwargs):
    return ListedUnit.objects.create(
        organisation=organisation,
        region_id=organisation.region_id,
        category=category,
        year=2026,
        listed_on=date(2026, 6, 1),
        **kwargs,
    )


def form_data(**overrides):
    data = {
        "organisation": "",
        "name": "",
        "credit_code": "",
        "category": "factory",
        "planned_year": "2027",
        "responsible": "",
        "notes": "已开展节能诊断，计划明年申报。",
    }
    data.update(overrides)
    return data


def progress_of(client, name):
    """The progress cell of the row that names ``name`` on /cultivation/."""
    page = client.get("/cultivation/").content.decode()
    row = next(r for r in page.split("<tr>") if name in r)
    return row


def test_a_city_official_adds_a_candidate_to_their_own_pool(cast, login):
    client = login(cast.wuhan_official)

    response = client.post(
        "/cultivation/",
        form_data(organisation=cast.wuhan_org.pk, responsible=cast.wuhan_official.pk, region="420200"),
    )

    assert response.status_code == 302
    added = CultivationCandidate.objects.get()
    assert (added.region_id, added.organisation, added.responsible) == (
        "420100",
        cast.wuhan_org,
        cast.wuhan_official,
    )
    assert added.status == CultivationCandidate.Status.CULTIVATING
    assert AuditEntry.for_object(added).get().action == "add_candidate"
    assert "武汉绿源机械有限公司" in client.get("/cultivation/").content.decode()


def test_a_company_not_yet_on_the_portal_is_added_by_name_and_credit_code(cast, login):
    code = valid_credit_code("420100")

    response = login(cast.wuhan_official).post(
        "/cultivation/",
        form_data(name="武汉新星电子有限公司", credit_code=code.lower(), responsible=cast.wuhan_official.pk),
    )

    assert response.status_code == 302
    assert CultivationCandidate.objects.values_list("name", "credit_code").get() == (
        "武汉新星电子有限公司",
        code,
    )


def test_an_invalid_credit_code_is_refused_with_the_chinese_message(cast, login):
    code = valid_credit_code("420100")
    wrong = code[:17] + ("0" if code[17] != "0" else "1")

    response = login(cast.wuhan_official).post(
        "/cultivation/",
        form_data(name="武汉新星电子有限公司", credit_code=wrong, responsible=cast.wuhan_official.pk),
    )

    assert response.status_code == 200
    assert "统一社会信用代码校验位错误" in response.content.decode()
    assert not CultivationCandidate.objects.exists()


def test_a_candidate_needs_an_organisation_or_a_name(cast, login):
    response = login(cast.wuhan_official).post("/cultivation/", form_data(responsible=cast.wuhan_official.pk))

    assert "请选择平台注册单位，或填写单位名称。" in response.content.decode()
    assert not CultivationCandidate.objects.exists()


def test_a_city_cannot_add_another_citys_organisation_or_official(cast, login):
    client = login(cast.wuhan_official)

    with_organisation = client.post(
        "/cultivation/", form_data(organisation=cast.huangshi_org.pk, responsible=cast.wuhan_official.pk)
    )
    with_official = client.post(
        "/cultivation/", form_data(name="武汉新星电子有限公司", responsible=cast.huangshi_official.pk)
    )

    assert with_organisation.status_code == with_official.status_code == 200
    assert "organisation" in with_organisation.context["form"].errors
    assert "responsible" in with_official.context["form"].errors
    assert not CultivationCandidate.objects.exists()


def test_the_same_company_and_category_is_not_cultivated_twice(cast, login):
    candidate(organisation=cast.wuhan_org, name="", responsible=cast.wuhan_official)

    response = login(cast.wuhan_official).post(
        "/cultivation/", form_data(organisation=cast.wuhan_org.pk, responsible=cast.wuhan_official.pk)
    )

    assert "该单位已在本市州培育库中培育该类别。" in response.content.decode()
    assert CultivationCandidate.objects.count() == 1


def test_a_city_edits_and_drops_its_own_candidate(cast, login):
    mine = candidate(responsible=cast.wuhan_official)
    client = login(cast.wuhan_official)

    response = client.post(
        f"/cultivation/{mine.pk}/",
        form_data(name=mine.name, responsible=cast.wuhan_official.pk, planned_year="2028", status="dropped"),
    )

    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.planned_year, mine.status) == (2028, CultivationCandidate.Status.DROPPED)
    assert AuditEntry.for_object(mine).get().action == "drop_candidate"


def test_a_city_cannot_edit_another_citys_candidate(cast, login):
    theirs = candidate("420200", responsible=cast.huangshi_official, notes="原始记录")
    client = login(cast.wuhan_official)

    seen = client.get(f"/cultivation/{theirs.pk}/")
    changed = client.post(
        f"/cultivation/{theirs.pk}/",
        form_data(name="改名", responsible=cast.wuhan_official.pk, status="dropped", notes="篡改"),
    )

    assert seen.status_code == changed.status_code == 403
    theirs.refresh_from_db()
    assert (theirs.name, theirs.status, theirs.notes) == ("湖北待培育制造有限公司", "cultivating", "原始记录")


def test_a_city_never_sees_another_citys_candidates(cast, login):
    candidate(name="武汉候选甲有限公司", responsible=cast.wuhan_official)
    candidate("420200", name="黄石候选乙有限公司", responsible=cast.huangshi_official)

    page = login(cast.wuhan_official).get("/cultivation/", {"region": "420200"}).content.decode()

    assert "武汉候选甲有限公司" in page
    assert "黄石候选乙有限公司" not in page


def test_the_province_sees_every_city_and_filters(cast, login):
    candidate(name="武汉候选甲有限公司", planned_year=2026, responsible=cast.wuhan_official)
    candidate(name="武汉候选丙有限公司", category="park", planned_year=2027, responsible=cast.wuhan_official)
    candidate("420200", name="黄石候选乙有限公司", planned_year=2027, responsible=cast.huangshi_official)
    client = login(cast.province)

    def names(**query):
        response = client.get("/cultivation/", query)
        assert response.status_code == 200
        return sorted(c.display_name for c in response.context["page"].object_list)

    assert names() == ["武汉候选丙有限公司", "武汉候选甲有限公司", "黄石候选乙有限公司"]
    assert names(region="420200") == ["黄石候选乙有限公司"]
    assert names(category="park") == ["武汉候选丙有限公司"]
    assert names(planned_year="2027") == ["武汉候选丙有限公司", "黄石候选乙有限公司"]
    assert names(region="420100", planned_year="2027") == ["武汉候选丙有限公司"]


def test_the_province_only_watches(cast, login):
    theirs = candidate(responsible=cast.wuhan_official)
    client = login(cast.province)

    assert (
        client.post(
            "/cultivation/", form_data(name="省里加的", responsible=cast.wuhan_official.pk)
        ).status_code
        == 403
    )
    assert client.get(f"/cultivation/{theirs.pk}/").status_code == 403
    assert CultivationCandidate.objects.count() == 1


def test_a_candidate_turns_declared_then_listed(cast, login):
    tracked = candidate(organisation=cast.wuhan_org, name="", responsible=cast.wuhan_official)
    other_category = candidate(
        organisation=cast.wuhan_org, name="", category="supply_chain", responsible=cast.wuhan_official
    )
    client = login(cast.province)

    def progress():
        rows = {c.pk: c for c in client.get("/cultivation/").context["page"].object_list}
        return rows[tracked.pk].progress, rows[tracked.pk].declaration_state, rows[other_category.pk].progress

    assert progress() == ("not_declared", None, "not_declared")

    DeclarationFactory(organisation=cast.wuhan_org, category="factory", state="city_review")
    DeclarationFactory(organisation=cast.wuhan_org, category="factory", batch__year=2025, state="withdrawn")
    assert progress() == ("declared", "city_review", "not_declared")
    assert "已申报 · 市州初审" in progress_of(client, "武汉绿源机械有限公司")

    listed(cast.wuhan_org, category="factory")
    assert progress()[0] == "listed"
    assert "已入选" in progress_of(client, "武汉绿源机械有限公司")
    assert client.get("/cultivation/", {"progress": "listed"}).context["page"].object_list[0].pk == tracked.pk
    assert [c.pk for c in client.get("/cultivation/", {"progress": "not_declared"}).context["page"]] == [
        other_category.pk
    ]

    summary = client.get("/cultivation/").context["summary"]
    assert summary["by_city"] == [
        {
            "region_id": "420100",
            "region__name": "武汉市",
            "region__order": summary["by_city"][0]["region__order"],
            "candidates": 2,
            "dropped": 0,
            "declared": 1,
            "listed": 1,
        }
    ]
    factory_row = next(row for row in summary["by_category"] if row["category"] == "factory")
    assert (factory_row["label"], factory_row["declared"], factory_row["listed"]) == ("绿色工厂", 1, 1)


def test_a_removed_listing_no_longer_counts_as_listed(cast, login):
    tracked = candidate(organisation=cast.wuhan_org, name="", responsible=cast.wuhan_official)
    listed(cast.wuhan_org, review_status=ListedUnit.ReviewStatus.REMOVED)

    row = login(cast.wuhan_official).get("/cultivation/").context["page"].object_list[0]

    assert (row.pk, row.progress) == (tracked.pk, "not_declared")


def test_a_candidate_is_matched_by_credit_code_after_the_company_registers(cast, login):
    code = valid_credit_code("420100")
    tracked = candidate(name="武汉新星电子有限公司", credit_code=code, responsible=cast.wuhan_official)
    client = login(cast.wuhan_official)
    assert client.get("/cultivation/").context["page"].object_list[0].progress == "not_declared"

    registered = OrganisationFactory(name="武汉新星电子股份有限公司", credit_code=code, region_id="420100")
    DeclarationFactory(organisation=registered, category="factory")

    row = client.get("/cultivation/").context["page"].object_list[0]
    assert (row.pk, row.matched_organisation_id, row.progress, row.declaration_state) == (
        tracked.pk,
        registered.pk,
        "declared",
        "draft",
    )
    assert "已在平台注册" in progress_of(client, "武汉新星电子有限公司")


def test_a_candidate_without_a_code_is_matched_by_name_in_its_own_city_only(cast, login):
    candidate(name="同名制造有限公司", responsible=cast.wuhan_official)
    elsewhere = OrganisationFactory(name="同名制造有限公司", region_id="420200")
    listed(elsewhere)
    client = login(cast.wuhan_official)
    assert client.get("/cultivation/").context["page"].object_list[0].progress == "not_declared"

    listed(OrganisationFactory(name="同名制造有限公司", region_id="420100"))
    response = client.get("/cultivation/")
    assert response.context["page"].object_list[0].progress == "listed"
    # Listed from a list, without a declaration on the portal: the funnel still counts it as declared.
    assert [(row["declared"], row["listed"]) for row in response.context["summary"]["by_city"]] == [(1, 1)]


@pytest.mark.parametrize("who", ["province", "wuhan_official"])
def test_the_list_page_makes_the_same_number_of_queries_with_3_and_60_candidates(cast, login, who):
    client = login(getattr(cast, who))

    def add(count, offset):
        for n in range(offset, offset + count):
            region_id, official = (
                ("420100", cast.wuhan_official) if n % 2 else ("420200", cast.huangshi_official)
            )
            organisation = OrganisationFactory(region_id=region_id)
            kwargs = {"organisation": organisation, "name": ""} if n % 3 else {"name": f"未注册公司{n}"}
            candidate(
                region_id, responsible=official, category=["factory", "product", "park"][n % 3], **kwargs
            )
            if n % 4 == 0:
                DeclarationFactory(organisation=organisation, category=["factory", "product", "park"][n % 3])
            if n % 5 == 0:
                listed(organisation, category=["factory", "product", "park"][n % 3])

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/cultivation/")
        assert response.status_code == 200
        return len(queries)

    add(3, 0)
    with_three = count_queries()
    add(57, 3)
    with_sixty = count_queries()

    assert with_three == with_sixty


@pytest.mark.parametrize("who", ["applicant", "expert", "evaluator_staff"])
def test_others_are_refused(cast, login, who):
    theirs = candidate(responsible=cast.wuhan_official)
    client = login(getattr(cast, who))

    assert client.get("/cultivation/").status_code == 403
    assert client.get(f"/cultivation/{theirs.pk}/").status_code == 403
    assert (
        client.post("/cultivation/", form_data(name="越权", responsible=cast.wuhan_official.pk)).status_code
        == 403
    )
    assert CultivationCandidate.objects.count() == 1


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/cultivation/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
