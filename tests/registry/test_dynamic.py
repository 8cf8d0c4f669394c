"""Dynamic management: 三年一复核 to retention or removal, the bar that follows, 动态管理表, and the 2025 targets."""

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO
from urllib.parse import unquote

import pytest
from dateutil.relativedelta import relativedelta
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from applications import services as applications
from applications.models import Declaration
from greenmfg.models import Notification
from registry import progress
from registry.models import AnnualReport, ListedUnit, Plan, ReReviewCase, Target
from registry.rereviews import open_due_rereviews

from ..factories import PDF_BYTES, BatchFactory, OrganisationFactory, ready_to_submit
from ..workflow.test_journey import post_transition

pytestmark = pytest.mark.django_db


def unit_of(org, *, level="provincial", year=2022, category="factory", product="", listed_on=None):
    return ListedUnit.objects.create(
        organisation=org,
        region_id=org.region_id,
        category=category,
        product_name=product,
        level=level,
        year=year,
        listed_on=listed_on or date(year, 6, 1),
    )


def due_case(cast):
    unit = unit_of(cast.wuhan_org, listed_on=timezone.localdate() - relativedelta(years=3))
    open_due_rereviews()
    return unit, ReReviewCase.objects.get(listed_unit=unit)


def report(client, case, conclusion="unqualified"):
    return client.post(
        f"/rereviews/{case.pk}/",
        {
            "report": "1",
            "report-onsite_date": timezone.localdate().isoformat(),
            "report-findings": "现场核查发现能耗数据不实。",
            "report-conclusion": conclusion,
            "report-report": SimpleUploadedFile("复核报告.pdf", PDF_BYTES),
        },
    )


def test_the_sweep_tells_the_city_and_the_unit_once(cast):
    _unit, case = due_case(cast)
    open_due_rereviews()
    assert ReReviewCase.objects.count() == 1
    assert (
        Notification.objects.filter(recipient=cast.wuhan_official, key=f"rereview:{case.pk}:opened").count()
        == 1
    )
    assert (
        Notification.objects.filter(recipient=cast.applicant, key=f"rereview:{case.pk}:opened").count() == 1
    )
    assert not Notification.objects.filter(recipient=cast.huangshi_official).exists()


def test_a_re_review_ends_in_removal_and_the_company_is_barred_for_three_years(cast, login, client):
    unit, case = due_case(cast)
    assert login(cast.huangshi_official).get(f"/rereviews/{case.pk}/").status_code == 404

    report(login(cast.wuhan_official), case)
    assert ReReviewCase.objects.get(pk=case.pk).status == "city_reported"

    province = login(cast.province)
    refused = province.post(
        f"/rereviews/{case.pk}/",
        {"decision-decision": "remove", "decision-expert_opinion": "专家组同意移出", "decision-reason": ""},
        follow=True,
    ).content.decode()
    assert "移出名单须写明原因" in refused
    province.post(
        f"/rereviews/{case.pk}/",
        {
            "decision-decision": "remove",
            "decision-expert_opinion": "专家组同意移出",
            "decision-reason": "能耗数据不实",
        },
    )
    unit.refresh_from_db()
    assert unit.review_status == "removed"
    client.logout()
    assert cast.wuhan_org.name not in client.get("/lists/").content.decode()

    # The removal bars the organisation: its next submission is refused with the reason.
    declaration = applications.create_declaration(
        organisation=cast.wuhan_org, user=cast.applicant, batch=BatchFactory(), category="factory"
    )
    ready_to_submit(declaration, cast.applicant)
    response = post_transition(login(cast.applicant), declaration.pk, "submit_self_evaluation")
    page = login(cast.applicant).get(response["Location"]).content.decode()
    assert "三年复核被移出绿色制造名单：能耗数据不实" in page
    assert Declaration.objects.get(pk=declaration.pk).state == "draft"

    # ... and is allowed again after three years.
    today = timezone.localdate()
    assert declaration.exclusion_in_force(on=today + relativedelta(years=3) - timedelta(days=1)) is not None
    assert declaration.exclusion_in_force(on=today + relativedelta(years=3)) is None


def test_a_retained_unit_gets_its_next_re_review_in_three_years(cast, login):
    unit, case = due_case(cast)
    report(login(cast.wuhan_official), case, conclusion="qualified")
    login(cast.province).post(
        f"/rereviews/{case.pk}/", {"decision-decision": "retain", "decision-expert_opinion": "继续保留"}
    )
    unit.refresh_from_db()
    assert (unit.review_status, unit.next_review_on) == (
        "retained",
        timezone.localdate() + relativedelta(years=3),
    )


def test_only_the_units_city_reports_and_only_the_province_decides(cast, login):
    _unit, case = due_case(cast)
    for user in (cast.applicant, cast.expert):
        assert login(user).get(f"/rereviews/{case.pk}/").status_code == 403
    report(login(cast.province), case)
    assert ReReviewCase.objects.get(pk=case.pk).status == "open"
    report(login(cast.wuhan_official), case)
    login(cast.wuhan_official).post(
        f"/rereviews/{case.pk}/",
        {"decision-decision": "retain", "decision-expert_opinion": "城市自己决定"},
    )
    assert ReReviewCase.objects.get(pk=case.pk).status == "city_reported"


def test_the_re_review_results_export_for_miit(cast, login):
    _unit, case = due_case(cast)
    report(login(cast.wuhan_official), case)
    login(cast.province).post(
        f"/rereviews/{case.pk}/",
        {"decision-decision": "remove", "decision-expert_opinion": "同意", "decision-reason": "不再符合"},
    )
    response = login(cast.province).get("/rereviews/results.xlsx", {"year": case.due_on.year})
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(min_row=2, values_only=True))
    assert rows[0][:3] == ("序号", "地区", "单位名称")
    assert rows[1][1:3] == ("武汉市", cast.wuhan_org.name)
    assert rows[1][-3:] == ("不再符合要求", "移出", "不再符合")
    assert login(cast.wuhan_official).get("/rereviews/results.xlsx").status_code == 403


def test_a_listed_unit_files_its_annual_report_which_its_city_sees(cast, login):
    unit = unit_of(cast.wuhan_org)
    form = {
        "year": 2025,
        "energy_consumption": "12345.6",
        "output_value": "88000",
        "emissions": "达标排放",
        "changes": "",
    }
    assert login(cast.other_applicant).post(f"/lists/{unit.pk}/annual-report/", form).status_code == 403
    login(cast.applicant).post(f"/lists/{unit.pk}/annual-report/", form)
    assert AnnualReport.objects.get().energy_consumption == Decimal("12345.60")
    city_page = login(cast.wuhan_official).get("/rereviews/annual-reports/", {"year": 2025}).content.decode()
    assert cast.wuhan_org.name in city_page and "已报送" in city_page
    assert (
        cast.wuhan_org.name
        not in login(cast.huangshi_official).get("/rereviews/annual-reports/").content.decode()
    )


# Targets


def test_each_unit_counts_once_at_its_highest_level_from_2021_to_2025(cast):
    factory = OrganisationFactory(region_id="420100")
    unit_of(factory, level="provincial", year=2022)
    unit_of(factory, level="national", year=2023)  # the same factory, now national: still one
    unit_of(OrganisationFactory(region_id="420100"), level="municipal", year=2021)
    removed = unit_of(OrganisationFactory(region_id="420100"), year=2024)
    ListedUnit.objects.filter(pk=removed.pk).update(review_status="removed")
    unit_of(OrganisationFactory(region_id="420100"), year=2020)  # before 2021: not counted
    maker = OrganisationFactory(region_id="420100")
    unit_of(maker, category="product", product="电机A", year=2023)
    unit_of(maker, category="product", product="电机B", year=2023)  # two products: two units

    counts = progress.achieved(Plan.objects.get(last_year=2025))

    assert counts[("420100", "factory")] == 2
    assert counts[("420100", "product")] == 2
    row = next(r for r in progress.table()["rows"] if r.region.pk == "420100")
    assert (row.cells["factory"].listed, row.cells["factory"].target, row.cells["factory"].gap) == (2, 21, 19)
    assert row.cells["factory"].percent == 10  # 2/21 = 9.5% → 10


def test_the_targets_dashboard_makes_the_same_number_of_queries_with_10_and_1000_units(cast, login):
    client = login(cast.province)

    def add(n):
        organisations = [OrganisationFactory.build(region_id="420500") for _ in range(n)]
        for organisation in organisations:
            organisation.save()
        ListedUnit.objects.bulk_create(
            [
                ListedUnit(
                    organisation=o, region_id="420500", category="factory", level="provincial", year=2024,
                    listed_on=date(2024, 5, 1), next_review_on=date(2027, 5, 1),
                )
                for o in organisations
            ]
        )  # fmt: skip

    add(10)
    with CaptureQueriesContext(connection) as ten:
        client.get("/targets/")
    add(990)
    with CaptureQueriesContext(connection) as thousand:
        page = client.get("/targets/").content.decode()
    assert len(thousand) == len(ten)
    assert "1000/10" in page  # 宜昌 factories: 1000 listed against a target of 10

    sheet = load_workbook(BytesIO(client.get("/targets/", {"format": "xlsx"}).content)).active
    yichang = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "宜昌市")
    assert yichang[1:5] == (10, 1000, 10000, 0)


def test_a_new_plan_entered_as_data_is_chosen_on_the_dashboard_and_counts_its_own_years(cast, login):
    plan = Plan.objects.create(
        name="湖北省绿色制造体系建设实施方案（2026—2030年）",
        first_year=2026,
        last_year=2030,
        lists_from_year=2026,
    )
    Target.objects.create(plan=plan, region_id="420100", category="factory", count=40)
    unit_of(OrganisationFactory(region_id="420100"), year=2024)  # the old plan's years only
    unit_of(OrganisationFactory(region_id="420100"), year=2026)
    client = login(cast.province)

    page = client.get("/targets/", {"plan": plan.pk}).content.decode()

    assert "2030年绿色制造体系建设目标完成情况" in page
    assert "统计2026—2030年公布的" in page
    assert "1/40" in page
    old = client.get("/targets/", {"plan": Plan.objects.get(last_year=2025).pk}).content.decode()
    assert "1/21" in old and "2025年绿色制造体系建设目标完成情况" in old
    response = client.get("/targets/", {"plan": plan.pk, "format": "xlsx"})
    assert unquote(response["Content-Disposition"]).endswith("2030年目标进度.xlsx")
    wuhan = next(
        r
        for r in load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True)
        if r[0] == "武汉市"
    )
    assert wuhan[1:3] == (40, 1) and wuhan[5:7] == (0, 0)  # factories, then products: target, achieved


def test_a_city_sees_its_own_progress_and_others_are_refused(cast, login):
    assert "武汉市 · 绿色工厂" in login(cast.wuhan_official).get("/targets/").content.decode()
    assert login(cast.applicant).get("/targets/").status_code == 403
