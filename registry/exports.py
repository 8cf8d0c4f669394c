"""Documents of the registry: lists as .xlsx (openpyxl), notices as PDF (WeasyPrint)."""

from io import BytesIO

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from greenmfg.languages import in_official_language

from .models import ListedUnit

LIST_COLUMNS = [
    gettext_noop("序号"), gettext_noop("地区"), gettext_noop("单位名称"), gettext_noop("统一社会信用代码"), gettext_noop("产品名称"), gettext_noop("类别"), gettext_noop("级别"), gettext_noop("批次/年度"), gettext_noop("文号"), gettext_noop("发布日期"), gettext_noop("复核状态"),
]  # fmt: skip


@in_official_language
def list_workbook(listed_units) -> bytes:
    """名单 as .xlsx: one row per listed unit, in the columns domain.md gives, with the credit code and the list's
    文号 and 发布日期 (a unit's 入选日期 is its list's 发布日期) so that the file stands as a record on its own."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("绿色制造名单"))
    sheet.column_dimensions["C"].width = 40
    sheet.column_dimensions["D"].width = 22
    sheet.column_dimensions["F"].width = 20
    sheet.column_dimensions["I"].width = 24
    sheet.column_dimensions["J"].width = 12
    header = []
    for title in LIST_COLUMNS:
        cell = WriteOnlyCell(sheet, value=_(title))
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    # get_FOO_display() rebuilds the translated choices on every call: half the time of a large export.
    category, level, status = (
        {value: str(label) for value, label in ListedUnit._meta.get_field(name).flatchoices}
        for name in ("category", "level", "review_status")
    )
    for number, unit in enumerate(listed_units, start=1):
        sheet.append(
            [
                number,
                unit.region.name,
                unit.organisation.name,
                unit.organisation.credit_code,
                unit.product_name,
                category[unit.category],
                level[unit.level],
                unit.year,
                unit.document_number,
                unit.listed_on.isoformat(),
                status[unit.review_status],
            ]
        )
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@in_official_language
def notice_pdf(publicity, entries) -> bytes:
    """The 公示 notice as a PDF: legal basis, steps done, the list, period, how to object, contact, issuer, date."""
    html = render_to_string("registry/notice_pdf.html", {"publicity": publicity, "entries": list(entries)})
    return HTML(string=html).write_pdf(font_config=FontConfiguration())
