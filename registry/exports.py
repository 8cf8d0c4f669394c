"""Documents of the registry: lists as .xlsx (openpyxl), notices as PDF (WeasyPrint)."""

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from greenmfg import xlsx

from .models import ListedUnit

LIST_COLUMNS = [
    "序号", "地区", "单位名称", "统一社会信用代码", "产品名称", "类别", "级别", "批次/年度", "文号", "发布日期", "复核状态",
]  # fmt: skip


def list_workbook(listed_units, *, title=None, document_number="") -> bytes:
    """名单 as .xlsx: one row per listed unit, in the columns domain.md gives, with the credit code and the list's
    文号 and 发布日期 (a unit's 入选日期 is its list's 发布日期) so that the file stands as a record on its own."""
    # get_FOO_display() rebuilds the translated choices on every call: half the time of a large export.
    category, level, status = (
        {value: str(label) for value, label in ListedUnit._meta.get_field(name).flatchoices}
        for name in ("category", "level", "review_status")
    )
    rows = (
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
            unit.listed_on,
            status[unit.review_status],
        ]
        for number, unit in enumerate(listed_units, start=1)
    )
    return xlsx.workbook(
        title=title or _("湖北省绿色制造名单"),
        header=[_(name) for name in LIST_COLUMNS],
        rows=rows,
        document_number=document_number,
    )


def notice_pdf(publicity, entries) -> bytes:
    """The 公示 notice as a PDF: legal basis, steps done, the list, period, how to object, contact, issuer, date."""
    html = render_to_string("registry/notice_pdf.html", {"publicity": publicity, "entries": list(entries)})
    return HTML(string=html).write_pdf(font_config=FontConfiguration())
