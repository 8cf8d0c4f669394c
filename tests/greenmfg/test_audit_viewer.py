"""The audit administrator's read-only viewer: filters, pages by sequence, an xlsx export that is itself audited."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from greenmfg.models import AuditEntry, Region
from greenmfg.roles import Role

from ..factories import make_user


@pytest.fixture
def auditor(db):
    return make_user(Role.AUDITOR)


def entries(n, actor=None, action="test", opinion="意见"):
    region = Region.objects.get(pk="420100")
    return [AuditEntry.record(region, actor=actor, action=action, opinion=opinion) for _ in range(n)]


def test_only_the_audit_administrator_sees_the_viewer_and_its_link(cast, auditor, login, client):
    assert client.get("/audit/").status_code == 302  # to the login page
    for user in (
        cast.province,
        cast.applicant,
        make_user(Role.ADMIN, is_staff=True),
        make_user(Role.SECURITY),
    ):
        page = login(user)
        assert page.get("/audit/").status_code == 403
        assert page.get("/audit/export.xlsx").status_code == 403
        assert 'href="/audit/"' not in page.get("/dashboard/").content.decode()
    page = login(auditor)
    assert 'href="/audit/"' in page.get("/dashboard/").content.decode()
    assert page.get("/audit/").status_code == 200


def test_the_viewer_filters_by_who_what_when_and_object(cast, auditor, login):
    entries(2, actor=cast.province, action="publish")
    entries(3, actor=cast.applicant, action="submit")
    page = login(auditor)

    by_actor = page.get("/audit/", {"actor": cast.province.username})
    assert [e.actor for e in by_actor.context["entries"]] == [cast.province] * 2
    assert len(page.get("/audit/", {"action": "submit"}).context["entries"]) == 3
    region_type = AuditEntry.objects.filter(action="submit").first().content_type_id
    assert len(page.get("/audit/", {"subject": region_type, "object_id": 420100}).context["entries"]) == 5
    assert page.get("/audit/", {"since": "2999-01-01"}).context["entries"] == []


@pytest.mark.parametrize(
    "params",
    [
        {"since": "abc"},
        {"until": "2026-13-40"},
        {"subject": "x"},
        {"object_id": "-1"},
        {"object_id": "9" * 30},
        {"actor": "a\x00b"},
        {"before": "9" * 40},
    ],
)
def test_malformed_filters_answer_400_with_the_form_not_500(auditor, login, params):
    response = login(auditor).get("/audit/", params)
    assert response.status_code == 400
    assert "筛选条件有误" in response.content.decode()


def test_pages_go_back_by_sequence_number_with_a_bounded_number_of_queries(
    auditor, login, django_assert_max_num_queries
):
    written = entries(120)
    page = login(auditor)
    with django_assert_max_num_queries(12):
        first = page.get("/audit/", {"action": "test"})
    seqs = [e.seq for e in first.context["entries"]]
    assert seqs == [e.seq for e in reversed(written)][:50]
    second = page.get(f"/audit/?{first.context['older']}")
    assert [e.seq for e in second.context["entries"]] == [e.seq for e in reversed(written)][50:100]
    third = page.get(f"/audit/?{second.context['older']}")
    assert len(third.context["entries"]) == 20 and third.context["older"] is None


def test_the_export_holds_the_filtered_entries_as_text_and_is_itself_audited(cast, auditor, login):
    entries(3, actor=cast.applicant, action="submit", opinion='=HYPERLINK("http://evil.example","点我")')
    entries(2, action="other")
    response = login(auditor).get("/audit/export.xlsx", {"action": "submit"}, REMOTE_ADDR="10.0.0.9")

    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet["A1"].value.startswith("审计记录")
    rows = list(sheet.iter_rows(min_row=3, values_only=True))  # title, header, then the entries
    assert len(rows) == 3
    opinion = sheet.cell(row=3, column=10)
    assert opinion.data_type == "s" and opinion.value.startswith("=HYPERLINK")
    assert sheet.cell(row=3, column=2).is_date
    export = AuditEntry.objects.get(action="export")
    assert (export.actor, export.address) == (auditor, "10.0.0.9")
    assert export.opinion.startswith("审计记录-")
    page = login(auditor).get("/audit/", {"action": "export"}).content.decode()
    assert "导出 <small" in page and "10.0.0.9" in page
