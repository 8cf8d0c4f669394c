"""The province's main task in a real browser: assign experts, decide, open a 公示, answer an objection, end the
notice at its term (confirming), publish the list with its 文号 and export it."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from applications import services as applications
from applications.models import Declaration
from registry.models import ListedUnit, Objection, Publicity
from reviews import experts
from reviews.models import Assignment, Expert

from ..factories import BatchFactory, make_user, ready_to_submit
from ..workflow.test_journey import all_met
from .test_declare import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings(
        "ignore:Session-scoped fixtures defined as instance methods:DeprecationWarning"
    ),
]


def recommended(cast):
    declaration = applications.create_declaration(
        organisation=cast.wuhan_org,
        user=cast.applicant,
        batch=BatchFactory(requires_third_party=False),
        category="factory",
    )
    ready_to_submit(declaration, cast.applicant)
    for name, actor in (
        ("submit_self_evaluation", cast.applicant),
        ("submit_to_city", cast.applicant),
        ("recommend", cast.wuhan_official),
    ):
        applications.transition(declaration.pk, name, user=actor, opinion="同意")
    return Declaration.objects.get(pk=declaration.pk)


def test_the_province_runs_review_publicity_and_the_list(page: Page, live_server, browser_cast, tmp_path):
    cast = browser_cast
    declaration = recommended(cast)
    for n in range(5):
        Expert.objects.create(
            user=make_user("评审专家"), categories=["factory"], employer=f"大学{n}", region_id="420500"
        )
    page.set_default_timeout(10_000)
    log_in(page, live_server.url, cast.province)

    # 分配专家 → the experts score (their own test covers their pages) → 评审结论.
    page.goto(f"{live_server.url}/reviews/batches/{declaration.batch_id}/assign/")
    page.get_by_role("button", name="自动分配全部").click()
    assert Assignment.objects.filter(declaration=declaration).count() == 5
    for assignment in Assignment.objects.filter(declaration=declaration):
        experts.save_scores(
            assignment, user=assignment.expert.user, answers=_answers(declaration), comments={},
            comment="同意通过", submit=True,
        )  # fmt: skip
    page.goto(f"{live_server.url}/reviews/batches/{declaration.batch_id}/decisions/")
    page.get_by_role("button", name="对所选申报记录结论").click()
    expect(page.get_by_role("alert").filter(has_text="没有勾选任何申报")).to_be_visible()
    page.get_by_role("checkbox", name=cast.wuhan_org.name).check()
    page.get_by_label("会议纪要/评审意见").fill("省级评审会议：同意通过。")
    page.get_by_role("button", name="对所选申报记录结论").click()
    expect(page.get_by_text("已记录 1 个申报评审通过")).to_be_visible()

    # 公示
    page.goto(f"{live_server.url}/publicity/new/")
    page.get_by_label("公示标题").fill("2026年度湖北省绿色制造名单公示")
    page.get_by_label(re.compile(r"^联系电话")).fill("027-00000000")  # the office's own number: no default
    page.get_by_role("checkbox", name=re.compile(cast.wuhan_org.name)).check()
    page.get_by_role("button", name="发布").click()
    expect(page).to_have_url(re.compile(r"/publicity/\d+/$"))
    publicity = Publicity.objects.get()

    # The public objects; the province hears at once and dismisses it.
    public = page.context.browser.new_page()
    public.goto(f"{live_server.url}/publicity/{publicity.pk}/")
    public.get_by_label("异议对象").select_option(str(declaration.pk))
    public.get_by_label("实名（姓名或单位名称）").fill("王实名")
    public.get_by_label("联系电话或邮箱").fill("13900001111")
    public.get_by_label("异议事实与理由").fill("该企业曾发生环境污染事件。")
    public.get_by_role("button", name="提交异议").click()
    expect(public.get_by_text("异议已受理")).to_be_visible()
    reference = Objection.objects.get().reference
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.get_by_text("1 件异议待处理")).to_be_visible()
    page.get_by_text("1 件异议待处理").click()
    page.get_by_label("处理结果").select_option(label="异议不成立")
    page.get_by_label("处理意见").fill("经核实，该事件不属于较大及以上环境事件。")
    page.get_by_role("button", name="记录处理结果").click()
    public.goto(f"{live_server.url}/publicity/objections/lookup/")
    public.get_by_label("受理编号").fill(reference)
    public.get_by_label("提交异议时填写的联系方式").fill("13900001111")
    public.get_by_role("button", name="查询").click()
    expect(public.get_by_text("异议不成立")).to_be_visible()
    public.close()

    # The notice's days pass; ending it asks first and lists the unit, not yet public.
    yesterday = timezone.localdate() - timedelta(days=1)
    Publicity.objects.filter(pk=publicity.pk).update(
        starts_on=yesterday - timedelta(days=7), ends_on=yesterday
    )
    page.goto(f"{live_server.url}/publicity/{publicity.pk}/")
    page.get_by_role("button", name="结束公示并列入名单…").click()
    expect(page.get_by_text("此操作不可撤销")).to_be_visible()
    assert Declaration.objects.get(pk=declaration.pk).state == "in_publicity"
    page.get_by_role("button", name="确认结束公示").click()
    expect(page.get_by_text("1个单位列入省级名单待发布")).to_be_visible()
    assert Declaration.objects.get(pk=declaration.pk).state == "listed"

    # 发布名单 with its 文号, then the export.
    page.goto(f"{live_server.url}/lists/publish/")
    page.get_by_label("名单文号").fill("鄂经信节能〔2026〕99号")
    page.get_by_label("发布日期").fill("2026-12-20")
    page.get_by_role("checkbox", name=re.compile(cast.wuhan_org.name)).check()
    page.get_by_role("button", name="发布").click()
    expect(page.get_by_role("cell", name="鄂经信节能〔2026〕99号")).to_be_visible()
    assert ListedUnit.objects.get().document_number == "鄂经信节能〔2026〕99号"
    page.goto(f"{live_server.url}/lists/")
    expect(page.get_by_role("link", name=cast.wuhan_org.name)).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="导出 Excel").click()
    assert download.value.suggested_filename.startswith("湖北省绿色制造名单-")
    page.screenshot(path=tmp_path / "province-list.png", full_page=True)


def _answers(declaration):
    from applications.answers import parse_answers

    template = declaration.setting.template
    answers, errors = parse_answers(all_met(declaration), template.indicators.all(), template.years_of_data)
    assert not errors
    return answers
