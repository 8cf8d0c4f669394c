"""名单导入: a published list (.xlsx, e.g. MIIT's annual list) loaded so a new installation has its history.

Nothing is written until a provincial official has read the dry run: ``parse`` reads the sheet and decides,
row by row, what confirming would do; ``create_import`` keeps the file and that report on a ``ListImport``;
``apply`` decides again — others may have listed or created units since the dry run — and writes, in one
transaction, exactly the rows that are still importable. Failed rows are never written.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from applications.models import Category, Organisation, Policy
from applications.services import create_organisation
from greenmfg.identifiers import validate_credit_code
from greenmfg.models import AuditEntry, Region
from greenmfg.permissions import refuse_unless
from greenmfg.refusals import Refused
from greenmfg.uploads import safe_filename

from .models import ListedUnit, ListImport
from .permissions import may_import_lists

MATCHED, NEW, FAILED = "matched", "new", "failed"
MAX_ROWS = 20_000
NAME_MAX_LENGTH = Organisation._meta.get_field("name").max_length
PRODUCT_MAX_LENGTH = ListedUnit._meta.get_field("product_name").max_length

# Header texts as published lists spell them, compared without spaces and with full-width forms folded.
HEADERS = {
    "number": ("序号",),
    "region": ("地区", "省份", "市州", "所在地区", "所属地区", "所在市州", "所属市州", "市(州)"),
    "name": ("单位名称", "企业名称", "园区名称"),
    "product": ("产品名称",),
    "model": ("型号", "产品型号", "规格型号"),
    "credit_code": ("统一社会信用代码", "信用代码"),
}
PROVINCE_NAMES = ("湖北省", "湖北")
_HEADER_FIELDS = {
    unicodedata.normalize("NFKC", text): field for field, texts in HEADERS.items() for text in texts
}
_SPACES = re.compile(r"\s+")  # \s covers the full-width space U+3000 and NBSP U+00A0
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


# Cells ---------------------------------------------------------------------------------------------------


def clean_text(value) -> str:
    """A cell as text: no spaces at the ends, one ordinary space for any run of spaces inside."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _SPACES.sub(" ", str(value).translate(_INVISIBLE)).strip()


def clean_credit_code(value) -> str:
    """Full-width letters and digits become half-width; spaces go; letters upper-case."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", clean_text(value))).upper()


def name_key(name: str) -> str:
    """What two spellings of one name share: full-width brackets, digits and letters folded, spaces gone."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", clean_text(name)))


def _name_spellings(name: str) -> set[str]:
    """The spellings a stored name may have for ``name``: its brackets full-width or half-width."""
    return {
        name,
        name.replace("(", "（").replace(")", "）"),
        name.replace("（", "(").replace("）", ")"),
    }


# Regions -------------------------------------------------------------------------------------------------


class RegionNames:
    """The 17 市州 by the names lists use: 武汉市 or 武汉, 恩施土家族苗族自治州, 恩施州 or 恩施, 神农架林区 or 神农架."""

    def __init__(self):
        self.by_code = {region.code: region for region in Region.objects.all()}
        self.aliases = {}
        for region in self.by_code.values():
            self.aliases[region.name] = region
            for suffix in ("土家族苗族自治州", "林区", "市"):
                if region.name.endswith(suffix):
                    short = region.name.removesuffix(suffix)
                    self.aliases[short] = region
                    if suffix.endswith("州"):
                        self.aliases[f"{short}州"] = region
        # A county or district after the city (武汉市东湖新技术开发区, 恩施市) still names the city.
        self.longest_first = sorted(self.aliases, key=len, reverse=True)

    def resolve(self, text: str) -> Region | None:
        """The region ``text`` names; None when it names only the province, nothing, or not a city of Hubei."""
        text = _SPACES.sub("", text)
        for province in PROVINCE_NAMES:
            if text.startswith(province):
                text = text.removeprefix(province)
                break
        if not text:
            return None
        if text in self.aliases:
            return self.aliases[text]
        for alias in self.longest_first:
            if text.startswith(alias):
                return self.aliases[alias]
        return None

    @staticmethod
    def unspecified(text: str) -> bool:
        return _SPACES.sub("", text) in ("", *PROVINCE_NAMES)


# Reading -------------------------------------------------------------------------------------------------


def _open_sheet(file):
    file.seek(0)
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a damaged or foreign file
        raise Refused(_("无法读取该 Excel 文件，请用 Excel 或 WPS 另存为 .xlsx 后重新上传。")) from error
    sheet = workbook.active
    # Some generators write a wrong <dimension>; without it openpyxl reads every row the file has.
    sheet.reset_dimensions()
    return workbook, sheet


def _cell(cells, columns, field) -> str:
    index = columns.get(field)
    return cells[index] if index is not None and index < len(cells) else ""


def _header(cells, number, *, title_allowed) -> dict[str, int] | None:
    """The columns a header row names, by field; None for a one-cell title above the header."""
    columns = {}
    for index, text in enumerate(cells):
        field = _HEADER_FIELDS.get(_SPACES.sub("", unicodedata.normalize("NFKC", text)))
        if field and field not in columns:
            columns[field] = index
    if "name" in columns:
        return columns
    filled = [cell for cell in cells if cell]
    if len(filled) == 1 and title_allowed:
        return None
    raise Refused(
        _("第%(row)d行应为表头，但其中没有“单位名称”列（也可写作“企业名称”或“园区名称”）。该行为：%(cells)s")
        % {"row": number, "cells": "、".join(filled)[:200]}
    )


def _read_rows(sheet, *, category):
    """The header row, its columns, and the rows under it: each a dict of cleaned inputs, or None when blank."""
    columns, header_row, header_cells, titles, rows = None, 0, [], 0, []
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = [clean_text(value) for value in values]
        if columns is None:
            if not any(cells):
                continue
            # A title above the header (2023年度绿色工厂名单) is not the header; the next row is.
            columns = _header(cells, number, title_allowed=not titles)
            if columns is None:
                titles += 1
                continue
            header_row, header_cells = number, cells
            continue
        if not any(cells):
            rows.append(None)
            continue
        if len(rows) >= MAX_ROWS:
            raise Refused(_("表格超过%(n)d行，请拆分后分别导入。") % {"n": MAX_ROWS})
        product = ""
        if category == Category.PRODUCT:
            parts = (_cell(cells, columns, "product"), _cell(cells, columns, "model"))
            product = " ".join(part for part in parts if part)
        rows.append(
            {
                "number": number,
                "name": _cell(cells, columns, "name"),
                "credit_code": clean_credit_code(_cell(cells, columns, "credit_code")),
                "region_text": _cell(cells, columns, "region"),
                "product": product,
            }
        )
    if columns is None:
        raise Refused(_("表格是空的：没有找到表头。"))
    while rows and rows[-1] is None:
        rows.pop()
    return header_row, {field: header_cells[index] for field, index in columns.items()}, rows


# Deciding ------------------------------------------------------------------------------------------------


def _chunks(values, size=500):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _known_organisations(rows):
    """Organisations the rows may name, by credit code and by name key, in a fixed number of queries."""
    codes = {row["credit_code"] for row in rows if row["credit_code"]}
    spellings = set()
    for row in rows:
        if row["name"]:
            spellings |= _name_spellings(row["name"])
    by_code, by_name = {}, {}
    for chunk in _chunks(codes):
        for organisation in Organisation.objects.filter(credit_code__in=chunk):
            by_code[organisation.credit_code] = organisation
    for chunk in _chunks(spellings):
        for organisation in Organisation.objects.filter(name__in=chunk).order_by("pk"):
            by_name.setdefault(name_key(organisation.name), []).append(organisation)
    return by_code, by_name


def _already_listed(organisation_ids, *, category, level, year) -> set[tuple[int, str]]:
    listed = set()
    for chunk in _chunks(organisation_ids):
        listed.update(
            ListedUnit.objects.filter(
                organisation_id__in=chunk, category=category, level=level, year=year
            ).values_list("organisation_id", "product_name")
        )
    return listed


def decide(rows, *, category, level, year) -> list[dict]:
    """What confirming would do with each row: ``matched``, ``new`` or ``failed`` with a reason in Chinese.

    ``rows`` are the cleaned inputs of the non-blank rows (number, name, credit_code, region_text, product).
    """
    regions = RegionNames()
    by_code, by_name = _known_organisations(rows)
    candidates = {o.pk for o in by_code.values()} | {o.pk for group in by_name.values() for o in group}
    listed = _already_listed(candidates, category=category, level=level, year=year)
    seen = {}  # identity of an importable row → its row number
    pending = {}  # credit code → the row that will create that organisation
    decided = []
    for inputs in rows:
        row = {
            **inputs,
            "status": FAILED,
            "reason": "",
            "note": "",
            "organisation": None,
            "matched_by": "",
            "region": "",
            "region_code": "",
        }
        decided.append(row)
        row["reason"] = _refusal(row, regions, by_code, by_name, pending, seen, listed, category=category)
        if row["reason"]:
            row["status"] = FAILED
            continue
        for key in _identities(row):
            seen[key] = row["number"]
        if row["status"] == NEW:
            pending.setdefault(row["credit_code"], row)
    return decided


def _refusal(row, regions, by_code, by_name, pending, seen, listed, *, category) -> str:
    """Fill in what the row resolves to; the reason it cannot be imported, or "" when it can."""
    name, code = row["name"], row["credit_code"]
    if not name:
        return _("单位名称为空")
    if len(name) > NAME_MAX_LENGTH:
        return _("单位名称超过%(n)d个字") % {"n": NAME_MAX_LENGTH}
    region = regions.resolve(row["region_text"])
    if region is None and not regions.unspecified(row["region_text"]):
        return _("地区“%(region)s”不是湖北省的市州") % {"region": row["region_text"]}

    organisation = by_code.get(code) if code else None
    if organisation:
        row["matched_by"] = "credit_code"
        if name_key(organisation.name) != name_key(name):
            row["note"] = _("按统一社会信用代码匹配；系统中的单位名称为“%(name)s”") % {
                "name": organisation.name
            }
    else:
        if code:
            try:
                validate_credit_code(code)
            except ValidationError as error:
                return error.messages[0]
        namesakes = by_name.get(name_key(name), [])
        if len(namesakes) > 1:
            return _("系统中有%(n)d个同名单位，请在表格中填写统一社会信用代码") % {"n": len(namesakes)}
        if namesakes:
            organisation = namesakes[0]
            row["matched_by"] = "name"
            if code and code != organisation.credit_code:
                row["note"] = _("按单位名称匹配；表格中的统一社会信用代码与系统记录（%(code)s）不一致") % {
                    "code": organisation.credit_code
                }
    earlier = pending.get(code) if code and not organisation else None

    if organisation:
        row["status"], row["organisation"] = MATCHED, organisation.pk
        region = region or regions.by_code[organisation.region_id]
    elif not code:
        return _("未找到该单位且缺少统一社会信用代码，无法新建")
    else:
        row["status"] = NEW
        if earlier:
            region = region or regions.by_code[earlier["region_code"]]
    if region is None and code:
        # GB 32100: characters 3–8 are the registering authority's division code, which names the city.
        region = regions.by_code.get(_city_of_division(code[2:8]))
        if region is not None:
            row["note"] = _("地区按统一社会信用代码中的登记管理机关行政区划码确定为%(city)s") % {
                "city": region.name
            }
    if region is None:
        if row["region_text"]:
            return _("地区只写到“%(region)s”，无法确定新单位所在的市州") % {"region": row["region_text"]}
        return _("地区为空，无法确定新单位所在的市州")
    row["region"], row["region_code"] = region.name, region.code

    if category == Category.PRODUCT and not row["product"]:
        return _("产品名称为空")
    if len(row["product"]) > PRODUCT_MAX_LENGTH:
        return _("产品名称和型号合计超过%(n)d个字") % {"n": PRODUCT_MAX_LENGTH}
    for key in _identities(row):
        if key in seen:
            return _("与第%(row)d行重复") % {"row": seen[key]}
    if organisation and (organisation.pk, row["product"]) in listed:
        return _("该单位已在名单中")
    if earlier:
        row["note"] = _("与第%(row)d行为同一新单位") % {"row": earlier["number"]}
    return ""


def _identities(row):
    """Ways two rows can be the same listing: one credit code, one name, or one organisation, for one product."""
    yield ("name", name_key(row["name"]), row["product"])
    if row["credit_code"]:
        yield ("code", row["credit_code"], row["product"])
    if row["organisation"]:
        yield ("organisation", row["organisation"], row["product"])


def _totals(rows, *, blank: int) -> dict:
    statuses = [row["status"] for row in rows]
    return {
        "rows": len(rows),
        "blank": blank,
        MATCHED: statuses.count(MATCHED),
        NEW: statuses.count(NEW),
        FAILED: statuses.count(FAILED),
        "importable": statuses.count(MATCHED) + statuses.count(NEW),
        "organisations_to_create": len({row["credit_code"] for row in rows if row["status"] == NEW}),
    }


def _inputs(row) -> dict:
    return {key: row[key] for key in ("number", "name", "credit_code", "region_text", "product")}


# The three entry points ----------------------------------------------------------------------------------


def parse(file, *, category, level, year) -> dict:
    """The dry run of an .xlsx list for the given category, level and year; reads the database, writes nothing.

    The first non-empty row is the header (a one-cell title above it is skipped); columns are recognised by
    their header text (``HEADERS``). Completely blank rows are skipped and counted, not failed.
    """
    workbook, sheet = _open_sheet(file)
    try:
        header_row, columns, read = _read_rows(sheet, category=category)
        title = sheet.title
    finally:
        workbook.close()
        file.seek(0)
    inputs = [row for row in read if row is not None]
    if not inputs:
        raise Refused(_("表头下面没有数据行。"))
    rows = decide(inputs, category=category, level=level, year=year)
    return {
        "sheet": title,
        "header_row": header_row,
        "columns": columns,
        "rows": rows,
        "totals": _totals(rows, blank=len(read) - len(inputs)),
    }


def create_import(*, file, level, category, year, listed_on, user, document_number="") -> ListImport:
    """Keep the uploaded list and its dry run; the caller has checked that ``file`` really is an .xlsx."""
    report = parse(file, category=category, level=level, year=year)
    list_import = ListImport(
        level=level,
        category=category,
        year=year,
        document_number=document_number,
        listed_on=listed_on,
        original_name=safe_filename(file.name, "xlsx"),
        report=report,
        uploaded_by=user,
    )
    list_import.file.save(list_import.original_name, file, save=False)
    list_import.save()
    return list_import


def apply(list_import, *, user) -> dict:
    """Write the importable rows of a dry run: organisations for ``new`` rows, one ListedUnit per row.

    Decides every row again first, so a unit listed or an organisation created since the dry run is
    neither listed twice nor created twice. Returns the counts, which are also kept on the report.
    """
    refuse_unless(may_import_lists, user)
    with transaction.atomic():
        locked = ListImport.objects.select_for_update().get(pk=list_import.pk)
        if locked.applied_at:
            raise Refused(
                _("该名单已于%(at)s导入，不能重复导入。")
                % {"at": timezone.localtime(locked.applied_at).strftime("%Y-%m-%d %H:%M")}
            )
        report = locked.report
        rows = decide(
            [_inputs(row) for row in report["rows"]],
            category=locked.category,
            level=locked.level,
            year=locked.year,
        )
        kind = Organisation.Kind.PARK if locked.category == Category.PARK else Organisation.Kind.ENTERPRISE
        policy = Policy.in_force(locked.listed_on)
        regions = Region.objects.in_bulk()
        source = _("名单导入：%(file)s") % {"file": locked.original_name}
        created = {}
        units = []
        for row in rows:
            if row["status"] == FAILED:
                continue
            if row["status"] == NEW:
                if row["credit_code"] not in created:
                    created[row["credit_code"]] = create_organisation(
                        name=row["name"],
                        credit_code=row["credit_code"],
                        region=regions[row["region_code"]],
                        kind=kind,
                        user=user,
                        source=source,
                    )
                row["organisation"] = created[row["credit_code"]].pk
            units.append(
                ListedUnit(
                    organisation_id=row["organisation"],
                    region_id=row["region_code"],
                    category=locked.category,
                    product_name=row["product"],
                    level=locked.level,
                    year=locked.year,
                    document_number=locked.document_number,
                    listed_on=locked.listed_on,
                    next_review_on=policy.next_review_on(locked.listed_on),
                )
            )
        ListedUnit.objects.bulk_create(units, batch_size=1000)
        counts = {
            "listed": len(units),
            "organisations": len(created),
            "failed": sum(row["status"] == FAILED for row in rows),
        }
        locked.report = {
            **report,
            "rows": rows,
            "totals": _totals(rows, blank=report["totals"]["blank"]),
            "result": counts,
        }
        locked.applied_at = timezone.now()
        locked.save(update_fields=["report", "applied_at"])
        AuditEntry.record(
            locked,
            actor=user,
            action="import_list",
            opinion=_("导入名单记录%(listed)d条，新建单位%(organisations)d个，未导入%(failed)d行") % counts,
        )
    list_import.report, list_import.applied_at = locked.report, locked.applied_at
    return counts


def _city_of_division(division: str) -> str:
    """The city-level code of a county-level division code: 420106 → 420100; 429004 (仙桃) stays itself."""
    if division.startswith("4290"):
        return division
    return division[:4] + "00"
