"""申报 in depth, from the outside: every refusal with its message, nothing half-saved, files only for those allowed."""

import shutil
import subprocess
from datetime import time, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applications import services
from applications.models import Attachment, Declaration, Invitation, Membership, Organisation
from greenmfg.identifiers import credit_code_check_character
from greenmfg.models import AuditEntry

from ..factories import (
    PDF_BYTES,
    BatchFactory,
    OrganisationFactory,
    enterprise_of,
    make_user,
    ready_to_submit,
)
from ..workflow.test_journey import city_decides, fill_in_by_http, post_transition

pytestmark = pytest.mark.django_db


def new_declaration(cast, category="factory", org=None, **batch):
    return services.create_declaration(
        organisation=org or cast.wuhan_org,
        user=cast.applicant,
        batch=BatchFactory(**batch),
        category=category,
    )


def files_under(root):
    return [p for p in Path(root).rglob("*") if p.is_file()]


# Registration and credit codes


def test_an_enterprise_registers_itself_and_becomes_its_organisations_admin(client):
    body = "91420600MA4XY0007"
    response = client.post(
        "/accounts/register/",
        {
            "organisation_name": "襄阳新能汽车零部件有限公司",
            "kind": "enterprise",
            "credit_code": body + credit_code_check_character(body),
            "region": "420600",
            "username": "xiangyang",
            "full_name": "王五",
            "password1": "a-long-password-9",
            "password2": "a-long-password-9",
        },
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get(name="襄阳新能汽车零部件有限公司")
    assert Membership.objects.get(organisation=organisation).is_admin
    assert client.get("/declarations/new/").status_code == 200


def test_a_wrong_credit_code_is_refused_with_what_is_wrong_and_nothing_is_created(client):
    response = client.post(
        "/accounts/register/",
        {
            "organisation_name": "测试单位",
            "kind": "enterprise",
            "credit_code": "91350100M000100Y44",
            "region": "420100",
            "username": "someone",
            "full_name": "某人",
            "password1": "a-long-password-9",
            "password2": "a-long-password-9",
        },
    )
    assert response.status_code == 200
    assert "统一社会信用代码校验位错误：第18位应为“3”，您输入的是“4”" in response.content.decode()
    assert not Organisation.objects.filter(name="测试单位").exists()
    assert not Membership.objects.exists()


# Submission rules


def test_an_unmet_veto_item_refuses_submission_and_names_the_item(cast, login):
    declaration = new_declaration(cast)
    client = login(cast.applicant)
    fill_in_by_http(client, declaration)
    veto = declaration.setting.template.indicators.filter(kind="veto").first()
    answers = {
        f"met_{a.indicator_id}": "1" if a.met else "0" for a in declaration.answers.filter(met__isnull=False)
    }
    answers |= {
        f"value_{a.indicator_id}_0": a.values[0] for a in declaration.answers.filter(met__isnull=True)
    }
    answers[f"met_{veto.pk}"] = "0"
    client.post(f"/declarations/{declaration.pk}/self-evaluation/", answers)

    page = client.get(
        post_transition(client, declaration.pk, "submit_self_evaluation")["Location"]
    ).content.decode()

    assert Declaration.objects.get(pk=declaration.pk).state == "draft"
    assert f"基本要求未满足：{veto.code} {veto.name}" in page


def test_the_score_builds_up_as_the_form_is_filled(cast, login):
    declaration = new_declaration(cast, "supply_chain")
    indicators = declaration.setting.template.indicators
    strategy = indicators.get(kind="group", parent=None, name__contains="战略")
    leaves = indicators.filter(parent=strategy)
    client = login(cast.applicant)

    response = client.post(
        f"/declarations/{declaration.pk}/self-evaluation/preview/",
        {f"met_{leaf.pk}": "1" for leaf in leaves},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert '<strong data-testid="total">20.00</strong>' in html
    assert "低于合格线" in html
    assert not declaration.answers.exists()  # a preview saves nothing


def test_a_renamed_executable_is_refused_and_nothing_is_saved(cast, login, settings):
    declaration = new_declaration(cast)
    client = login(cast.applicant)
    fake = SimpleUploadedFile(
        "自评价报告.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, content_type="application/pdf"
    )

    response = client.post(
        f"/declarations/{declaration.pk}/attachments/", {"slot": "self_evaluation_report", "file": fake}
    )

    assert response.status_code == 400
    assert "文件“自评价报告.pdf”的内容不是 PDF、JPG、PNG、DOCX 或 XLSX 格式" in response.content.decode()
    assert not Attachment.objects.exists()
    assert files_under(settings.MEDIA_ROOT) == []


def test_an_oversize_file_is_refused_with_the_limit_and_nothing_is_saved(cast, login, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    declaration = new_declaration(cast)
    client = login(cast.applicant)
    big = SimpleUploadedFile("报告.pdf", PDF_BYTES + b"0" * 2048, content_type="application/pdf")

    response = client.post(f"/declarations/{declaration.pk}/attachments/", {"slot": "other", "file": big})

    assert response.status_code == 400
    assert "超过了 1.0\xa0KB 的上限" in response.content.decode()
    assert not Attachment.objects.exists()
    assert files_under(settings.MEDIA_ROOT) == []


def test_an_office_file_is_recognised_by_content_and_its_name_is_sanitised(cast, login):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    declaration = new_declaration(cast)
    client = login(cast.applicant)
    upload = SimpleUploadedFile("../../能耗 数据<2025>.txt", buffer.getvalue())

    response = client.post(f"/declarations/{declaration.pk}/attachments/", {"slot": "other", "file": upload})

    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == "能耗 数据_2025_.xlsx"
    assert attachment.content_type.endswith("spreadsheetml.sheet")
    assert "/" not in attachment.file.name.split("declarations/")[-1].split("/")[-1]


def test_a_filename_loses_control_and_bidirectional_override_characters_on_the_way_in_and_out(cast, login):
    """Django's multipart parser drops them from an upload's name already; an organisation's name (from
    self-registration or an import) reaches the 申报书's download name unfiltered but for ``greenmfg.uploads``."""
    from urllib.parse import unquote

    tricky = "\u202e\u2066\u2069\u200b\x85\u2028\x07\r\n"
    Organisation.objects.filter(pk=cast.wuhan_org.pk).update(name="武汉\u202efdp.exe\u2066绿源\x85\u2028\r\n")
    declaration = new_declaration(cast)
    client = login(cast.applicant)
    upload = SimpleUploadedFile("报告\u202efdp\u2066x\u2069\u200b\x85\u2028\x07.exe.pdf", PDF_BYTES)
    assert (
        client.post(
            f"/declarations/{declaration.pk}/attachments/", {"slot": "other", "file": upload}
        ).status_code
        == 302
    )
    attachment = Attachment.objects.get()

    download = client.get(f"/declarations/{declaration.pk}/attachments/{attachment.pk}/")
    document = client.get(f"/declarations/{declaration.pk}/declaration.pdf")

    assert attachment.original_name == "报告fdpx.exe.pdf"
    assert "报告fdpx.exe.pdf" in unquote(download["Content-Disposition"])
    assert f"申报书-{declaration.pk}-武汉fdp.exe绿源____.pdf" in unquote(document["Content-Disposition"])
    for response in (download, document):
        assert not any(c in unquote(response["Content-Disposition"]) for c in tricky)


def test_files_are_downloaded_only_by_those_who_may_see_the_declaration(cast, login):
    declaration = ready_to_submit(new_declaration(cast), cast.applicant)
    attachment = declaration.attachments.first()
    url = f"/declarations/{declaration.pk}/attachments/{attachment.pk}/"

    assert login(cast.applicant).get(url).status_code == 200
    assert b"".join(login(cast.wuhan_official).get(url).streaming_content) == PDF_BYTES
    for outsider in (cast.other_applicant, cast.huangshi_official, cast.evaluator_staff, cast.expert):
        assert login(outsider).get(url).status_code == 404
    other = ready_to_submit(new_declaration(cast, org=cast.huangshi_org), cast.other_applicant)
    guessed = f"/declarations/{other.pk}/attachments/{attachment.pk}/"
    assert login(cast.other_applicant).get(guessed).status_code == 404


def test_the_declaration_is_locked_after_submission_and_the_city_sees_what_changed(cast, login):
    declaration = new_declaration(cast, requires_third_party=False)
    ready_to_submit(declaration, cast.applicant)
    applicant = login(cast.applicant)
    post_transition(applicant, declaration.pk, "submit_self_evaluation")
    post_transition(applicant, declaration.pk, "submit_to_city")

    applicant.post(f"/declarations/{declaration.pk}/edit/", {"address": "改过的地址"})
    assert Declaration.objects.get(pk=declaration.pk).address != "改过的地址"

    official = login(cast.wuhan_official)
    city_decides(official, declaration, "return", "请补充", items_to_fix="请补充联系人电话")
    applicant = login(cast.applicant)
    form = {
        "industry_code": "C3811",
        "address": "武汉市江夏区新地址88号",
        "legal_representative": "张建国",
        "contact_name": "张敏",
        "contact_mobile": "13900139000",
    }
    assert applicant.post(f"/declarations/{declaration.pk}/edit/", form).status_code == 302
    upload = SimpleUploadedFile("补充的联系人说明.pdf", PDF_BYTES, content_type="application/pdf")
    applicant.post(f"/declarations/{declaration.pk}/attachments/", {"slot": "other", "file": upload})
    asking = applicant.get(f"/declarations/{declaration.pk}/transition/resubmit/").content.decode()
    assert "修改说明" in asking
    post_transition(applicant, declaration.pk, "resubmit", opinion="已按要求补充联系人手机和说明材料")

    page = login(cast.wuhan_official).get(f"/declarations/{declaration.pk}/").content.decode()
    assert (
        "已按要求补充联系人手机和说明材料" in page
    )  # the applicant's 修改说明, in the record the city reads
    assert "与上次提交相比的修改" in page
    assert "武汉市江夏区新地址88号" in page
    assert "13900139000" in page
    added = declaration.attachments.get(original_name="补充的联系人说明.pdf")
    assert "补充的联系人说明.pdf（" in page  # the file by its name and upload time, never by its hash
    assert added.sha256[:12] not in page
    assert declaration.versions.count() == 2


def test_the_declaration_pdf_carries_the_chinese_name_and_the_total(cast, login, tmp_path):
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext is missing: apt-get install poppler-utils")
    declaration = ready_to_submit(new_declaration(cast, "supply_chain"), cast.applicant)
    response = login(cast.wuhan_official).get(f"/declarations/{declaration.pk}/declaration.pdf")
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "declaration.pdf"
    path.write_bytes(response.content)

    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout

    assert "武汉绿源机械有限公司" in text
    assert "自评总分" in text
    assert "100.00" in text
    assert (
        login(cast.other_applicant).get(f"/declarations/{declaration.pk}/declaration.pdf").status_code == 404
    )


@pytest.mark.parametrize("who", ["applicant", "wuhan_official"])
def test_lists_make_the_same_number_of_queries_with_1_and_with_50_declarations(cast, login, who):
    client = login(getattr(cast, who))
    declaration = new_declaration(cast, requires_third_party=False)
    ready_to_submit(declaration, cast.applicant)
    services.transition(declaration.pk, "submit_self_evaluation", user=cast.applicant)
    services.transition(declaration.pk, "submit_to_city", user=cast.applicant)
    with CaptureQueriesContext(connection) as one:
        client.get("/declarations/")
        client.get("/dashboard/")
    batch = declaration.batch
    Declaration.objects.bulk_create(
        [
            Declaration(
                organisation=enterprise_of(cast.applicant),
                region_id="420100",
                batch=batch,
                category="factory",
                created_by=cast.applicant,
            )
            for _ in range(49)
        ]
    )
    with CaptureQueriesContext(connection) as fifty:
        page = client.get("/declarations/").content.decode()
        client.get("/dashboard/")
    assert len(fifty) == len(one)
    assert "共 50 条" in page


# Teams, batches, exclusions


def test_an_organisation_admin_invites_a_colleague_who_joins_and_sees_the_declarations(cast, login, client):
    declaration = new_declaration(cast)
    admin = login(cast.applicant)
    admin.post("/declarations/team/", {"full_name": "李四", "email": "lisi@example.cn"})
    invitation = cast.wuhan_org.invitations.get()
    admin.logout()

    response = client.post(
        f"/declarations/join/{invitation.token}/",
        {"username": "lisi", "password1": "a-long-password-9", "password2": "a-long-password-9"},
    )

    assert response.status_code == 302
    assert client.get(f"/declarations/{declaration.pk}/").status_code == 200
    client.logout()
    again = client.post(
        f"/declarations/join/{invitation.token}/",
        {"username": "lisi2", "password1": "a-long-password-9", "password2": "a-long-password-9"},
    )
    assert again.status_code == 302
    assert not Membership.objects.filter(user__username="lisi2").exists()


def join_as(client, invitation, username):
    return client.post(
        f"/declarations/join/{invitation.token}/",
        {"username": username, "password1": "a-long-password-9", "password2": "a-long-password-9"},
        follow=True,
    )


@pytest.mark.parametrize(("age_days", "joins"), [(6, True), (7, False), (400, False)])
def test_an_invitation_expires_after_the_configured_days(cast, login, client, age_days, joins):
    login(cast.applicant).post("/declarations/team/", {"full_name": "李四", "email": "lisi@example.cn"})
    invitation = cast.wuhan_org.invitations.get()
    Invitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - timedelta(days=age_days, minutes=1 if joins else 0)
    )
    client.logout()

    page = join_as(client, invitation, "lisi").content.decode()

    assert Membership.objects.filter(user__username="lisi").exists() is joins
    if not joins:
        assert "该邀请链接已过期（有效期7天），请联系单位管理员重新邀请。" in page


def test_the_validity_of_an_invitation_is_a_setting(cast, login, client, settings):
    settings.INVITATION_VALID_DAYS = 30
    login(cast.applicant).post("/declarations/team/", {"full_name": "李四", "email": "lisi@example.cn"})
    invitation = cast.wuhan_org.invitations.get()
    Invitation.objects.filter(pk=invitation.pk).update(created_at=timezone.now() - timedelta(days=20))
    client.logout()
    join_as(client, invitation, "lisi")
    assert Membership.objects.filter(user__username="lisi").exists()


def test_the_organisation_admin_revokes_an_invitation_and_its_link_stops_working(cast, login, client):
    admin = login(cast.applicant)
    admin.post("/declarations/team/", {"full_name": "李四", "email": "lisi@example.cn"})
    invitation = cast.wuhan_org.invitations.get()
    revoke = f"/declarations/team/invitations/{invitation.pk}/revoke/"
    assert revoke in admin.get("/declarations/team/").content.decode()
    # Nobody else takes it back: another organisation's admin, or a member who is not admin.
    colleague = make_user("申报单位")
    Membership.objects.create(organisation=cast.wuhan_org, user=colleague)
    assert login(cast.other_applicant).post(revoke).status_code == 404
    login(colleague).post(revoke)
    invitation.refresh_from_db()
    assert invitation.revoked_at is None

    login(cast.applicant).post(revoke)
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert revoke not in login(cast.applicant).get("/declarations/team/").content.decode()
    client.logout()

    page = join_as(client, invitation, "lisi").content.decode()

    assert "该邀请已被单位管理员撤销" in page
    assert not Membership.objects.filter(user__username="lisi").exists()


def test_a_member_who_is_not_admin_cannot_invite(cast, login):
    colleague = make_user("申报单位")
    Membership.objects.create(organisation=cast.wuhan_org, user=colleague)
    response = login(colleague).post("/declarations/team/", {"full_name": "王五", "email": "w@example.cn"})
    assert "只有单位管理员可以邀请成员" in response.content.decode()
    assert not cast.wuhan_org.invitations.exists()


def test_the_province_opens_a_batch_with_its_categories_and_extends_a_deadline_on_the_record(cast, login):
    from applications.models import Batch, IndicatorTemplate

    client = login(cast.province)
    template = IndicatorTemplate.objects.get(code="supply_chain/2022")
    form = {
        "year": 2027,
        "title": "2027年度绿色制造申报",
        "submission_deadline": "2027-05-31T17:00",
        "recommendation_deadline": "2027-06-30T17:00",
        "publicity_length": 5,
        "publicity_day_kind": "working",
        "evaluator_yearly_cap": 15,
        "experts_per_declaration": 5,
        "experts_from_other_cities": "on",
        "categories-TOTAL_FORMS": 4,
        "categories-INITIAL_FORMS": 0,
        "categories-0-category": "supply_chain",
        "categories-0-requires_third_party": "on",
        "categories-0-pass_mark": "70",
        "categories-0-template": template.pk,
    }
    response = client.post("/declarations/batches/new/", form)
    batch = Batch.objects.get(year=2027)
    assert response["Location"] == f"/declarations/batches/{batch.pk}/"
    assert [(s.category, s.pass_mark) for s in batch.categories.all()] == [("supply_chain", 70)]

    client.post(
        f"/declarations/batches/{batch.pk}/",
        {"deadline": "submission_deadline", "new_value": "2027-06-10T17:00", "reason": "因系统维护顺延"},
    )
    entry = AuditEntry.for_object(batch).get(action="extend_deadline")
    assert (entry.from_state, entry.to_state, entry.actor) == (
        "2027-05-31 17:00",
        "2027-06-10 17:00",
        cast.province,
    )
    assert "因系统维护顺延" in entry.opinion

    for user in (cast.applicant, cast.wuhan_official):
        assert login(user).get("/declarations/batches/new/").status_code == 403


def test_a_city_records_an_exclusion_only_for_its_own_organisations(cast, login):
    client = login(cast.wuhan_official)
    form = {
        "reason": "发生较大环境污染事件",
        "source": "市生态环境局通报",
        "starts_on": "2026-01-01",
        "ends_on": "2028-12-31",
    }

    client.post("/declarations/exclusions/", {**form, "organisation": cast.huangshi_org.pk})
    assert not cast.huangshi_org.exclusions.exists()

    client.post("/declarations/exclusions/", {**form, "organisation": cast.wuhan_org.pk})
    assert cast.wuhan_org.exclusions.get().reason == "发生较大环境污染事件"
    assert login(cast.applicant).get("/declarations/exclusions/").status_code == 403


CATEGORY_FIELDS = {
    "factory": {},
    "product": {
        "product_name": "高效电机",
        "product_model": "YE5-132M",
        "evaluation_standard": "T/CEEIA 280-2017",
    },
    "supply_chain": {
        "supplier_count": "320",
        "green_supplier_count": "85",
        "supplier_management_system": "年度审核",
    },
    "park": {
        "park_level": "provincial",
        "park_area": "12.5",
        "park_boundary": "东至长江",
        "park_management_body": "管委会",
    },
}


@pytest.mark.parametrize("category", list(CATEGORY_FIELDS))
def test_each_of_the_four_categories_is_declared_and_submitted_through_its_own_form(cast, login, category):
    from applications import eligibility

    from ..workflow.test_journey import BASIC_INFO, all_met

    organisation = cast.wuhan_org
    if category == "park":
        organisation = OrganisationFactory(kind="park", region_id="420100", name="武汉经开区管委会")
        organisation.memberships.create(user=cast.applicant)
    batch = BatchFactory(requires_third_party=False)
    client = login(cast.applicant)
    client.post(
        "/declarations/new/", {"organisation": organisation.pk, "batch": batch.pk, "category": category}
    )
    declaration = Declaration.objects.get(organisation=organisation, category=category)

    missing = client.post(f"/declarations/{declaration.pk}/edit/", BASIC_INFO)
    if CATEGORY_FIELDS[category]:
        assert missing.status_code == 200  # the category's own fields are required
    assert (
        client.post(
            f"/declarations/{declaration.pk}/edit/", {**BASIC_INFO, **CATEGORY_FIELDS[category]}
        ).status_code
        == 302
    )
    items = {f"item_{code}": "on" for code, _label in eligibility.items_for(category)}
    client.post(f"/declarations/{declaration.pk}/eligibility/", {**items, "commitment": "on"})
    client.post(f"/declarations/{declaration.pk}/self-evaluation/", all_met(declaration))
    for slot in ("self_evaluation_report", "commitment_scan"):
        client.post(
            f"/declarations/{declaration.pk}/attachments/",
            {"slot": slot, "file": SimpleUploadedFile(f"{slot}.pdf", PDF_BYTES)},
        )
    post_transition(client, declaration.pk, "submit_self_evaluation")
    post_transition(client, declaration.pk, "submit_to_city")

    declaration.refresh_from_db()
    assert declaration.state == "city_review"
    assert declaration.self_score == declaration.self_evaluation().total == 100
    page = client.get(f"/declarations/{declaration.pk}/").content.decode()
    shown = (
        {**CATEGORY_FIELDS[category], "park_level": "省级"}
        if category == "park"
        else CATEGORY_FIELDS[category]
    )
    for value in shown.values():
        assert value in page


# One declaration per organisation, category and batch (per product for products)


def test_a_second_declaration_in_the_same_category_and_batch_is_refused_in_the_form(cast, login):
    first = new_declaration(cast)
    client = login(cast.applicant)
    response = client.post(
        "/declarations/new/",
        {"organisation": cast.wuhan_org.pk, "batch": first.batch.pk, "category": "factory"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert f"已有一份绿色工厂申报（编号 {first.pk}，草稿）" in page and "请先将其撤回" in page
    assert Declaration.objects.count() == 1

    services.transition(first.pk, "withdraw", user=cast.applicant)
    again = client.post(
        "/declarations/new/",
        {"organisation": cast.wuhan_org.pk, "batch": first.batch.pk, "category": "factory"},
    )
    assert again.status_code == 302
    assert Declaration.objects.exclude(state="withdrawn").count() == 1


def test_products_are_one_declaration_per_product(cast, login):
    from django.db import IntegrityError, transaction

    first = new_declaration(cast, category="product")
    services.update_declaration(
        first, user=cast.applicant, fields={"product_name": "永磁同步电机", "product_model": "YE5-132M"}
    )
    other_model = services.create_declaration(
        organisation=cast.wuhan_org, user=cast.applicant, batch=first.batch, category="product"
    )
    client = login(cast.applicant)
    fields = {
        "industry_code": "C3811", "address": "武汉市", "legal_representative": "张建国", "contact_name": "张敏",
        "contact_mobile": "13800138000", "product_name": "永磁同步电机", "evaluation_standard": "T/CEEIA 280",
    }  # fmt: skip
    assert (
        client.post(
            f"/declarations/{other_model.pk}/edit/", {**fields, "product_model": "YE5-160M"}
        ).status_code
        == 302
    )

    same = client.post(f"/declarations/{other_model.pk}/edit/", {**fields, "product_model": "YE5-132M"})
    assert "已有产品“永磁同步电机 YE5-132M”的申报" in same.content.decode()
    assert Declaration.objects.get(pk=other_model.pk).product_model == "YE5-160M"

    with pytest.raises(IntegrityError), transaction.atomic():
        Declaration.objects.filter(pk=other_model.pk).update(product_model="YE5-132M")
    with pytest.raises(IntegrityError), transaction.atomic():
        Declaration.objects.create(
            organisation=cast.wuhan_org, region_id="420100", batch=first.batch, category="factory",
            created_by=cast.applicant,
        )  # fmt: skip
        Declaration.objects.create(
            organisation=cast.wuhan_org, region_id="420100", batch=first.batch, category="factory",
            created_by=cast.applicant,
        )  # fmt: skip


def test_a_deadline_entered_as_a_minute_includes_that_minute(cast, login):
    """Entered as the current minute, the deadline has not passed yet: declaring is still accepted."""
    from applications.models import Batch, IndicatorTemplate

    now = timezone.localtime()
    minute = now.strftime("%Y-%m-%dT%H:%M")
    client = login(cast.province)
    template = IndicatorTemplate.objects.get(code="supply_chain/2022")
    client.post(
        "/declarations/batches/new/",
        {
            "year": 2031,
            "title": "2031年度绿色制造申报",
            "submission_deadline": minute,
            "recommendation_deadline": minute,
            "publicity_length": 5,
            "publicity_day_kind": "working",
            "evaluator_yearly_cap": 15,
            "experts_per_declaration": 5,
            "categories-TOTAL_FORMS": 4,
            "categories-INITIAL_FORMS": 0,
            "categories-0-category": "supply_chain",
            "categories-0-requires_third_party": "on",
            "categories-0-pass_mark": "70",
            "categories-0-template": template.pk,
        },
    )
    batch = Batch.objects.get(year=2031)
    deadline = timezone.localtime(batch.submission_deadline)
    assert deadline == now.replace(second=59, microsecond=999999)

    declaration = services.create_declaration(
        organisation=cast.wuhan_org, user=cast.applicant, batch=batch, category="supply_chain"
    )
    assert declaration.pk

    client.post(
        f"/declarations/batches/{batch.pk}/",
        {"deadline": "recommendation_deadline", "new_value": "2031-06-10T23:59", "reason": "顺延"},
    )
    batch.refresh_from_db()
    assert timezone.localtime(batch.recommendation_deadline).time() == time(23, 59, 59, 999999)
    assert AuditEntry.for_object(batch).get(action="extend_deadline").to_state == "2031-06-10 23:59"
