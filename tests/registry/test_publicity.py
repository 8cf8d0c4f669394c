"""公示 from creation to listing, objections, the notice's PDF, and the lists published from it."""

import subprocess
from datetime import date, timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from applications import services as applications
from applications.models import Batch, Declaration
from greenmfg.celery import app as celery_app
from registry import periods
from registry.models import ListedUnit, NationalRecommendation, Objection, Publicity
from registry.services import close_due_publicities, open_publicity
from registry.tasks import close_due_publicities as close_task

from ..factories import PDF_BYTES, BatchFactory, OrganisationFactory, enterprise_of, ready_to_submit
from ..workflow.test_journey import publicity_form, publish, term_over

pytestmark = pytest.mark.django_db


# Working-day periods (2026: Spring Festival 2/15–2/23 off, Saturday 2/14 worked; National Day 10/1–10/7 off,
# Saturday 10/10 worked), per the State Council's notice as the chinese-calendar package carries it.


@pytest.mark.parametrize(
    ("start", "length", "kind", "end"),
    [
        # Fri 2/13 (1), Sat 2/14 worked (2), 2/15–2/23 holiday, Tue 2/24 (3), 2/25 (4), 2/26 (5)
        (date(2026, 2, 13), 5, "working", date(2026, 2, 26)),
        # Sat 2/14 is itself a working day (1); then 2/24 (2), 2/25 (3)
        (date(2026, 2, 14), 3, "working", date(2026, 2, 25)),
        # Tue 9/29 (1), Wed 9/30 (2), 10/1–10/7 holiday, Thu 10/8 (3), Fri 10/9 (4), Sat 10/10 worked (5)
        (date(2026, 9, 29), 5, "working", date(2026, 10, 10)),
        # Starting on a holiday: 10/1 does not count; 10/8 (1), 10/9 (2)
        (date(2026, 10, 1), 2, "working", date(2026, 10, 9)),
        # Calendar days count everything: 2/13 … 2/20 is 8 days
        (date(2026, 2, 13), 8, "calendar", date(2026, 2, 20)),
        # An ordinary week: Mon 3/2 … Fri 3/6
        (date(2026, 3, 2), 5, "working", date(2026, 3, 6)),
    ],
)
def test_publicity_periods_in_working_and_calendar_days(start, length, kind, end):
    assert periods.period_end(start, length, kind) == end


def test_a_year_without_holiday_data_is_refused_with_a_clear_message():
    with pytest.raises(periods.CalendarUnavailable, match="尚无2031年的法定节假日安排数据"):
        periods.period_end(date(2031, 1, 5), 5, "working")


# The whole 公示, from the outside


def passed_review(cast, org=None, user=None, batch=None):
    org, user = org or cast.wuhan_org, user or cast.applicant
    declaration = applications.create_declaration(
        organisation=org,
        user=user,
        batch=batch or BatchFactory(requires_third_party=False),
        category="factory",
    )
    ready_to_submit(declaration, user)
    for name, actor in (
        ("submit_self_evaluation", user),
        ("submit_to_city", user),
        ("recommend", cast.wuhan_official if org.region_id == "420100" else cast.huangshi_official),
        ("pass_review", cast.province),
    ):
        applications.transition(declaration.pk, name, user=actor, opinion="意见")
    return Declaration.objects.get(pk=declaration.pk)


def objection(declaration, **overrides):
    return {
        "declaration": declaration.pk,
        "real_name": "王实名",
        "contact": "13900001111",
        "facts": "该企业2025年发生较大环境污染事件，已被当地生态环境局通报。",
        **overrides,
    }


def test_a_publicity_runs_from_creation_through_objections_to_listing(cast, login, client, tmp_path):
    batch = BatchFactory(requires_third_party=False)
    Batch.objects.filter(pk=batch.pk).update(publicity_length=5, publicity_day_kind="working")
    batch.refresh_from_db()
    kept = passed_review(cast, batch=batch)
    objected = passed_review(cast, org=cast.huangshi_org, user=cast.other_applicant, batch=batch)

    province = login(cast.province)
    response = province.post("/publicity/new/", publicity_form(batch, [kept, objected]))
    publicity = Publicity.objects.get()
    assert response["Location"] == f"/publicity/{publicity.pk}/"
    assert (publicity.length, publicity.day_kind) == (5, "working")
    from greenmfg.models import Notification

    assert (
        Notification.objects.filter(recipient=cast.applicant, url=f"/publicity/{publicity.pk}/").count() == 1
    )
    assert publicity.ends_on == periods.period_end(publicity.starts_on, 5, "working")

    # The public sees the notice and its PDF, and objects.
    province.logout()
    page = client.get(f"/publicity/{publicity.pk}/").content.decode()
    assert cast.wuhan_org.name in page and cast.huangshi_org.name in page
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(client.get(f"/publicity/{publicity.pk}/notice.pdf").content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    text = text.replace("\n", "")
    for expected in (
        "鄂经信办节能〔2022〕8号",
        cast.huangshi_org.name,
        "实名",
        "湖北省经济和信息化厅",
        "联系电话",
    ):
        assert expected in text
    evidence = SimpleUploadedFile("通报.pdf", PDF_BYTES)
    acknowledged = client.post(
        f"/publicity/{publicity.pk}/", {**objection(objected), "evidence": evidence}, follow=True
    ).content.decode()
    filed = Objection.objects.get()
    assert f"异议已受理，受理编号：{filed.reference}" in acknowledged
    assert filed.evidence

    # The province cannot close while the objection waits; it upholds it, then closes.
    province = login(cast.province)
    term_over(publicity)
    refused = province.post(f"/publicity/{publicity.pk}/close/").content.decode()
    assert "还有 1 件异议未处理" in refused
    province.post(f"/publicity/objections/{filed.pk}/handle/", {"outcome": "uphold", "note": "经核实属实"})
    assert Declaration.objects.get(pk=objected.pk).state == "rejected"
    province.post(f"/publicity/{publicity.pk}/close/")

    assert Declaration.objects.get(pk=kept.pk).state == "listed"
    assert list(ListedUnit.objects.values_list("organisation__name", flat=True)) == [cast.wuhan_org.name]
    client.logout()
    assert cast.wuhan_org.name not in client.get("/lists/").content.decode()
    publish(login(cast.province), ListedUnit.objects.get())
    client.logout()
    assert cast.wuhan_org.name in client.get("/lists/").content.decode()
    assert cast.huangshi_org.name not in client.get("/lists/").content.decode()


def test_objections_are_rate_limited_per_address(cast, client):
    declaration = passed_review(cast)
    publicity = open_publicity([declaration.pk], user=cast.province, title="公示", batch=declaration.batch)
    for n in range(5):
        client.post(f"/publicity/{publicity.pk}/", objection(declaration, real_name=f"异议人{n}"))
    assert Objection.objects.count() == 5

    sixth = client.post(f"/publicity/{publicity.pk}/", objection(declaration), follow=True).content.decode()

    assert "提交过于频繁" in sixth
    assert Objection.objects.count() == 5
    other = client.post(f"/publicity/{publicity.pk}/", objection(declaration), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302
    assert Objection.objects.count() == 6


def test_an_objection_after_the_period_or_with_missing_facts_is_refused(cast, client):
    declaration = passed_review(cast)
    publicity = open_publicity(
        [declaration.pk],
        user=cast.province,
        title="公示",
        length=3,
        day_kind="calendar",
        starts_on=timezone.localdate() - timedelta(days=10),
    )
    late = client.post(f"/publicity/{publicity.pk}/", objection(declaration)).content.decode()
    assert "提交异议" not in late  # the form is gone once the period has ended
    assert not Objection.objects.exists()


def test_the_beat_task_closes_ended_notices_once(cast, monkeypatch):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    declaration = passed_review(cast)
    publicity = open_publicity(
        [declaration.pk],
        user=cast.province,
        title="公示",
        length=5,
        day_kind="calendar",
        starts_on=timezone.localdate() - timedelta(days=7),
    )
    open_publicity(
        [passed_review(cast, org=enterprise_of(cast.applicant), batch=declaration.batch).pk], user=cast.province, title="仍在公示", length=8,
        day_kind="calendar",
    )  # fmt: skip

    assert close_task.delay().get(timeout=30) == 1
    assert close_due_publicities() == 0
    assert Publicity.objects.get(pk=publicity.pk).closed_at is not None
    assert ListedUnit.objects.count() == 1


def test_only_the_province_opens_closes_and_handles(cast, login):
    declaration = passed_review(cast)
    publicity = open_publicity([declaration.pk], user=cast.province, title="公示", batch=declaration.batch)
    filed = Objection.objects.create(
        publicity=publicity,
        declaration=declaration,
        reference="R1",
        real_name="a",
        contact="b",
        facts="c" * 10,
    )
    for user in (cast.applicant, cast.wuhan_official, cast.expert):
        client = login(user)
        assert client.get("/publicity/new/").status_code == 403
        assert client.post(f"/publicity/{publicity.pk}/close/").status_code == 403
        assert (
            client.post(
                f"/publicity/objections/{filed.pk}/handle/", {"outcome": "uphold", "note": "x"}
            ).status_code
            == 403
        )
    assert Declaration.objects.get(pk=declaration.pk).state == "in_publicity"


# The lists


def listed(cast, level="provincial", region_id="420100", year=2026):
    return ListedUnit.objects.create(
        organisation=OrganisationFactory(region_id=region_id),
        region_id=region_id,
        category="factory",
        level=level,
        year=year,
        listed_on=date(year, 6, 1),
    )


def test_the_province_publishes_the_provincial_list_with_its_document_number(cast, login):
    units = [listed(cast), listed(cast)]
    login(cast.province).post(
        "/lists/publish/",
        {
            "year": 2026,
            "document_number": "鄂经信节能〔2026〕88号",
            "published_on": "2026-11-20",
            "units": [u.pk for u in units],
        },
    )
    assert set(ListedUnit.objects.values_list("document_number", flat=True)) == {"鄂经信节能〔2026〕88号"}


def test_a_city_publishes_a_municipal_list_of_its_own_units_only(cast, login):
    client = login(cast.wuhan_official)
    form = {
        "category": "factory",
        "year": 2026,
        "document_number": "武经信〔2026〕5号",
        "listed_on": "2026-10-01",
    }
    client.post("/lists/publish/", {**form, "organisations": [cast.huangshi_org.pk]})
    assert not ListedUnit.objects.exists()
    client.post("/lists/publish/", {**form, "organisations": [cast.wuhan_org.pk]})
    unit = ListedUnit.objects.get()
    assert (unit.level, unit.organisation, unit.document_number) == (
        "municipal",
        cast.wuhan_org,
        "武经信〔2026〕5号",
    )


def test_national_recommendation_export_and_result(cast, login):
    provincial = listed(cast)
    municipal = listed(cast, level="municipal")
    client = login(cast.province)
    refused = client.post("/lists/national/", {"year": 2026, "units": [municipal.pk]})
    assert refused.status_code == 200
    client.post("/lists/national/", {"year": 2026, "units": [provincial.pk]})
    recommendation = NationalRecommendation.objects.get()

    rows = list(
        load_workbook(
            BytesIO(client.get("/lists/national/export.xlsx", {"year": 2026}).content)
        ).active.iter_rows(min_row=2, values_only=True)
    )
    assert [row[2] for row in rows[1:]] == [provincial.organisation.name]

    client.post(
        f"/lists/national/{recommendation.pk}/result/",
        {"result": "accepted", "document_number": "工信厅节函〔2026〕1号"},
    )
    national = ListedUnit.objects.get(level="national")
    assert (national.organisation, national.document_number) == (
        provincial.organisation,
        "工信厅节函〔2026〕1号",
    )
    assert ListedUnit.objects.filter(organisation=provincial.organisation).count() == 2


def test_a_unit_has_its_own_public_page(cast, client):
    unit = listed(cast)
    page = client.get(f"/lists/{unit.pk}/").content.decode()
    assert unit.organisation.name in page
    unit.review_status = "removed"
    unit.save()
    assert client.get(f"/lists/{unit.pk}/").status_code == 404


# A 公示 runs its full term, and its units are public only once their list is published


def test_a_notice_cannot_end_before_its_term_without_a_reason(cast, login):
    declaration = passed_review(cast)
    publicity = open_publicity([declaration.pk], user=cast.province, title="公示", batch=declaration.batch)
    province = login(cast.province)

    page = province.get(f"/publicity/{publicity.pk}/close/").content.decode()
    assert f"公示期至 {publicity.ends_on:%Y-%m-%d}" in page or "才届满" in page
    assert "此操作不可撤销" in page and "期满前结束的理由" in page
    refused = province.post(f"/publicity/{publicity.pk}/close/", {"early_reason": "  "})

    assert refused.status_code == 200
    assert "这个字段是必填项" in refused.content.decode()
    assert Publicity.objects.get(pk=publicity.pk).closed_at is None
    assert Declaration.objects.get(pk=declaration.pk).state == "in_publicity"


def test_ending_a_notice_early_records_the_reason_on_the_notice_and_in_the_audit(cast, login, client):
    from greenmfg.models import AuditEntry

    declaration = passed_review(cast)
    publicity = open_publicity([declaration.pk], user=cast.province, title="公示", batch=declaration.batch)
    login(cast.province).post(f"/publicity/{publicity.pk}/close/", {"early_reason": "公示名单有误，撤回重发"})

    closed = Publicity.objects.get(pk=publicity.pk)
    assert closed.early_close_reason == "公示名单有误，撤回重发"
    entry = AuditEntry.for_object(closed).get(action="close_publicity")
    assert entry.actor == cast.province and "公示名单有误，撤回重发" in entry.opinion
    client.logout()
    page = client.get(f"/publicity/{publicity.pk}/").content.decode()
    assert "期满前结束" in page and "公示名单有误，撤回重发" in page


def test_at_term_a_notice_ends_without_a_reason_and_its_units_await_the_published_list(cast, login, client):
    declaration = passed_review(cast)
    publicity = open_publicity([declaration.pk], user=cast.province, title="公示", batch=declaration.batch)
    term_over(publicity)
    province = login(cast.province)
    assert "期满前结束的理由" not in province.get(f"/publicity/{publicity.pk}/close/").content.decode()

    done = province.post(f"/publicity/{publicity.pk}/close/", follow=True).content.decode()

    assert "1个单位列入省级名单待发布" in done and "发布名单" in done
    unit = ListedUnit.objects.get(declaration=declaration)
    client.logout()
    assert cast.wuhan_org.name not in client.get("/lists/").content.decode()
    assert client.get(f"/lists/{unit.pk}/").status_code == 404

    publish(login(cast.province), unit, published_on="2026-12-20")

    client.logout()
    unit.refresh_from_db()
    assert unit.document_number == "鄂经信节能〔2026〕99号"
    assert unit.listed_on == unit.publication.published_on == date(2026, 12, 20)
    assert unit.next_review_on == date(2029, 12, 20)
    page = client.get(f"/lists/{unit.pk}/").content.decode()
    assert "鄂经信节能〔2026〕99号" in page and cast.wuhan_org.name in client.get("/lists/").content.decode()


# An objection reaches the province at once, and the objector can follow it


def test_an_objection_notifies_the_province_at_once_and_counts_on_its_dashboard(cast, login, client):
    from greenmfg.models import Notification

    declaration = passed_review(cast)
    publicity = open_publicity([declaration.pk], user=cast.province, title="公示", batch=declaration.batch)
    client.post(f"/publicity/{publicity.pk}/", objection(declaration))
    filed = Objection.objects.get()

    notice = Notification.objects.get(recipient=cast.province, key=f"objection:{filed.pk}")
    assert filed.reference in notice.text and notice.url == f"/publicity/{publicity.pk}/"
    assert not Notification.objects.filter(key=f"objection:{filed.pk}").exclude(recipient=cast.province)
    dashboard = login(cast.province).get("/dashboard/").content.decode()
    assert "1 件异议待处理" in dashboard

    login(cast.province).post(
        f"/publicity/objections/{filed.pk}/handle/", {"outcome": "dismiss", "note": "经核实不属实"}
    )
    assert "件异议待处理" not in login(cast.province).get("/dashboard/").content.decode()


def test_the_objector_looks_up_the_status_by_reference_and_contact(cast, login, client):
    declaration = passed_review(cast)
    publicity = open_publicity([declaration.pk], user=cast.province, title="公示", batch=declaration.batch)
    acknowledged = client.post(f"/publicity/{publicity.pk}/", objection(declaration), follow=True)
    assert "异议查询" in acknowledged.content.decode()
    filed = Objection.objects.get()

    wrong = client.post(
        "/publicity/objections/lookup/", {"reference": filed.reference, "contact": "13900009999"}
    )
    assert "没有找到受理编号和联系方式都相符的异议" in wrong.content.decode()
    assert "经核实不属实" not in wrong.content.decode()

    pending = client.post(
        "/publicity/objections/lookup/", {"reference": filed.reference, "contact": "139 0000 1111"}
    )
    assert "待处理" in pending.content.decode() and cast.wuhan_org.name in pending.content.decode()

    login(cast.province).post(
        f"/publicity/objections/{filed.pk}/handle/", {"outcome": "dismiss", "note": "经核实不属实"}
    )
    client.logout()
    handled = client.post(
        "/publicity/objections/lookup/", {"reference": filed.reference.lower(), "contact": "13900001111"}
    ).content.decode()
    assert "异议不成立" in handled and "经核实不属实" in handled
