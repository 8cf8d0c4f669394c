"""Documents of the registry: lists as .xlsx (greenmfg.xlsx); the 公示 notice and published lists as PDF
(greenmfg.pdf), signed by the issuing office when it has a certificate."""

from django.utils.translation import gettext as _

from greenmfg import pdf, signing, xlsx

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
    return pdf.render(
        "registry/notice_pdf.html",
        {"publicity": publicity, "entries": list(entries)},
        office=signing.province(publicity.issuer),
        reason=_("公示"),
    )


def publication_pdf(publication) -> bytes:
    """A published list as its office issued it: heading, 文号, the units, 落款 and date; signed by that office
    (the province for the provincial list, the city for its municipal list) when it has a certificate."""
    office = signing.city(publication.region) if publication.region else signing.province()
    where = publication.region.name if publication.region else _("湖北省")
    heading = _("%(year)s年度%(where)s绿色制造名单") % {"year": publication.year, "where": where}
    units = publication.units.select_related("organisation", "region").order_by(
        "region__order", "category", "organisation__name", "pk"
    )
    return pdf.render(
        "registry/publication_pdf.html",
        {"publication": publication, "heading": heading, "units": units},
        office=office,
        reason=_("发布名单"),
    )
