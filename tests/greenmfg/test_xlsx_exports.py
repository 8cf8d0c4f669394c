"""Every .xlsx the portal produces, downloaded over HTTP as the user who may, is office-ready and formula-safe."""

import zipfile
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from greenmfg.roles import Role
from greenmfg.xlsx import display_width
from registry.models import AnnualReport, ListedUnit, NationalRecommendation
from registry.rereviews import open_due_rereviews
from reviews import experts

from ..factories import BatchFactory, make_user
from ..reviews.test_review_stage import expert_pool, in_city_review
from ..workflow.test_journey import city_decides

pytestmark = pytest.mark.django_db

NAME = '=HYPERLINK("http://x","y")'


@pytest.fixture
def exports(cast, login):
    """An organisation named like a formula in every export: listed (and due for re-review), recommended to the
    national list, recommended by its city with a 文号, and scored by an expert. Yields (who, url, checks)."""
    cast.wuhan_org.name = NAME
    cast.wuhan_org.save()
    batch = BatchFactory(requires_third_party=False)
    declaration = in_city_review(cast, batch=batch)
    city = login(cast.wuhan_official)
    city_decides(city, declaration, "recommend", "同意推荐")
    city.post(f"/reviews/city/{batch.pk}/", {"rank": "1", "order": [declaration.pk]})
    city.post(
        f"/reviews/city/{batch.pk}/",
        {"opinion": "同意推荐", "document_number": "武经信节能〔2026〕5号", "confirmed": "yes"},
    )
    experts.assign_by_hand(declaration, expert_pool(1)[0], user=cast.province)
    unit = ListedUnit.objects.create(
        organisation=cast.wuhan_org,
        region_id="420100",
        category="factory",
        level="provincial",
        year=2023,
        listed_on=timezone.localdate() - relativedelta(years=3),
        document_number="鄂经信节能〔2023〕68号",
    )
    open_due_rereviews()
    NationalRecommendation.objects.create(unit=unit, year=2026, recommended_by=cast.province)
    due_year = unit.rereviews.get().due_on.year
    AnnualReport.objects.create(
        listed_unit=unit,
        year=2025,
        energy_consumption=Decimal("1234.50"),
        output_value=Decimal("56789.00"),
        emissions="达标",
        submitted_by=cast.applicant,
    )
    cast.auditor = make_user(Role.AUDITOR)
    return [
        # who, url, title starts with, text in the title, number columns, date columns, the name's column
        (None, "/lists/export.xlsx", "湖北省绿色制造名单", "", "AH", "J", "C"),
        ("province", "/lists/national/export.xlsx?year=2026", "推荐国家级", "", "AH", "J", "C"),
        (
            "wuhan_official",
            f"/reviews/city/{batch.pk}/summary.xlsx",
            "武汉市",
            "武经信节能〔2026〕5号",
            "AK",
            "",
            "C",
        ),
        ("province", f"/reviews/batches/{batch.pk}/scores.xlsx", batch.title, "", "AF", "", "C"),
        ("province", f"/rereviews/results.xlsx?year={due_year}", f"{due_year}年", "", "AF", "G", "C"),
        ("province", "/targets/?format=xlsx", "湖北省", "", "BCDE", "", None),
        ("wuhan_official", "/rereviews/annual-reports.xlsx?year=2025", "2025年度", "", "AIJ", "H", "C"),
        ("auditor", "/audit/export.xlsx?action=submit_recommendation", "审计记录", "", "A", "B", None),
    ]


def test_every_export_is_office_ready_and_carries_no_formula_from_data(cast, login, client, exports):
    for who, url, title, in_title, numbers, dates, name_column in exports:
        response = (login(getattr(cast, who)) if who else client).get(url)
        assert response.status_code == 200, url
        book = load_workbook(BytesIO(response.content))
        sheet = book.active

        heading = sheet["A1"].value
        assert heading.startswith(title) and "截至" in heading and in_title in heading, (url, heading)
        assert sheet["A1"].font.b
        header = [cell for cell in sheet[2] if cell.value]
        assert header and all(cell.font.b for cell in header), url
        assert sheet.freeze_panes == "A3"
        last = get_column_letter(len(header))
        assert sheet.auto_filter.ref == f"A2:{last}{sheet.max_row}", url
        assert sheet.print_title_rows == "$1:$2"
        assert (sheet.page_setup.orientation, int(sheet.page_setup.paperSize)) == ("landscape", 9)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
        assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text
        for cell in header:  # each column at least as wide as its title, a Chinese character counting double
            assert sheet.column_dimensions[cell.column_letter].width >= display_width(cell.value), url

        data = sheet[3]
        for column in numbers:
            assert data[ord(column) - 65].data_type == "n" and data[ord(column) - 65].value is not None, url
        for column in dates:
            assert data[ord(column) - 65].is_date and isinstance(data[ord(column) - 65].value, datetime), url

        if name_column:
            name = sheet[f"{name_column}3"]
            assert (name.value, name.data_type) == (NAME, "s"), url
        with zipfile.ZipFile(BytesIO(response.content)) as archive:
            xml = archive.read("xl/worksheets/sheet1.xml").decode()
        assert "<f>" not in xml and "<f " not in xml, url


def test_text_that_a_spreadsheet_would_evaluate_is_written_as_text_and_shown_unchanged():
    from greenmfg import xlsx

    risky = ["=1+1", "+86 27 8888", "-2", "@SUM(A1)", "\t=1", "\r=1", "=", "普通文本", "a\x01b"]
    content = xlsx.workbook(
        title="测试", header=["文本", "数", "日期"], rows=[[text, 1.5, date(2026, 1, 2)] for text in risky]
    )
    sheet = load_workbook(BytesIO(content)).active
    written = [row[0] for row in sheet.iter_rows(min_row=3)]
    assert [cell.value for cell in written] == [*risky[:-1], "ab"]
    assert {cell.data_type for cell in written} == {"s"}
    assert all(cell.quotePrefix for cell in written[:7])
    assert (sheet["B3"].value, sheet["C3"].value) == (1.5, datetime(2026, 1, 2))


def test_columns_are_as_wide_as_their_text_a_chinese_character_counting_double():
    from greenmfg import xlsx

    content = xlsx.workbook(
        title="测试",
        header=["单位名称", "代码"],
        rows=[["武汉绿源机械有限公司", "91420100MA4K"], ["短", "1"]],
    )
    sheet = load_workbook(BytesIO(content)).active
    assert sheet.column_dimensions["A"].width == 2 * 10 + 2  # ten Chinese characters
    assert sheet.column_dimensions["B"].width == 12 + 2
