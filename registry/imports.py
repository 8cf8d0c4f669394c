"""名单导入: published lists (national, provincial, municipal; 更名 and 撤销 lists too) loaded as they are.

Nothing is written until a provincial official has read the dry run: ``create_import`` reads the file's tables
(``registry.published``), keeps the file and decides, row by row, what confirming would do and why; the official
may then choose what the file does not say (a table's category or level, its default city, whether a short name
means the unit suggested); ``apply`` decides again — others may have listed or created units since — and writes,
in one transaction, exactly the rows that are still importable; ``revert`` takes a whole import back within the
policy's days while nothing has been built on it.

Real lists carry no credit code and often only the province, so a unit not yet known becomes an *unclaimed*
organisation (no account, no code) under its published name, in the row's city, the table's default city, or
市州待定. Rows are one organisation when their names fold to one key (brackets, spaces, full width) or one is a
recorded former name — within an import and across imports. A short name is never applied silently: when
exactly one known unit's name contains it, the row waits for the official to accept the suggestion.
A PDF longer than ``IMPORT_BACKGROUND_PAGES`` pages is read by a worker, its progress shown page by page; a
confirmation writing more than ``IMPORT_BACKGROUND_ROWS`` rows is written by a worker (still one transaction), its
progress shown, so no web worker waits past gunicorn's timeout.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Category, FormerName, Organisation, Policy
from applications.names import fold_name
from applications.services import (
    create_organisations,
    delete_imported_organisations,
    exclude,
    lift_exclusions,
    rename_organisation,
    undo_rename,
)
from greenmfg.identifiers import validate_credit_code
from greenmfg.models import AuditEntry, Region
from greenmfg.permissions import refuse_unless
from greenmfg.refusals import Refused
from greenmfg.uploads import safe_filename, sha256_of

from . import published
from .models import ListedUnit, ListImport, ListLevel
from .permissions import may_import_lists, may_revert_import

MATCHED, NEW, UNDECIDED, FAILED, ELSEWHERE = "matched", "new", "undecided", "failed", "elsewhere"
LIST, RENAME, REMOVAL = "list", "rename", "removal"
logger = logging.getLogger(__name__)

MAX_ROWS = 20_000
NAME_MAX_LENGTH = Organisation._meta.get_field("name").max_length
PRODUCT_MAX_LENGTH = ListedUnit._meta.get_field("product_name").max_length
HEADERS = published.HEADERS
PROVINCE_NAMES = ("湖北省", "湖北")
clean_text = published.clean_text
name_key = fold_name


def clean_credit_code(value) -> str:
    """Full-width letters and digits become half-width; spaces go; letters upper-case."""
    return published.fold(value).upper()


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
        text = published.fold(text)
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
        return published.fold(text) in ("", *PROVINCE_NAMES)


def _city_of_division(division: str) -> str:
    """The city-level code of a county-level division code: 420106 → 420100; 429004 (仙桃) stays itself."""
    if division.startswith("4290"):
        return division
    return division[:4] + "00"


# Reading -------------------------------------------------------------------------------------------------


def _table_report(index, table, defaults) -> dict:
    """What a table is, from its title, the notice's title, or the official's defaults, and where that came from."""
    said = {}
    for name, words, default in (
        ("kind", published.KIND_WORDS, LIST),
        ("category", published.CATEGORY_WORDS, defaults.get("category") or ""),
        ("level", published.LEVEL_WORDS, defaults.get("level") or ""),
    ):
        from_title = published.words_say(table.title, words)
        from_notice = published.words_say(table.preamble, words)
        if from_title:
            said[name], said[f"{name}_from"] = from_title, "title"
        elif name != "category" and from_notice:
            said[name], said[f"{name}_from"] = from_notice, "notice"
        elif default:
            said[name], said[f"{name}_from"] = default, "default"
        else:
            said[name], said[f"{name}_from"] = "", ""
    if said["kind"] == LIST and "former_name" in table.columns:
        said["kind"], said["kind_from"] = RENAME, "columns"
    for name in ("category", "level"):
        if name in table.columns:
            said[f"{name}_from"] = "column"
    return {
        "index": index,
        "title": table.title,
        "notice": table.preamble,
        "header_row": table.header_row,
        "columns": table.column_titles(),
        "notes": table.notes,
        "blank": table.blank,
        "default_region": defaults.get("default_region") or "",
        **said,
    }


def read(file, kind, defaults, on_page=None) -> dict:
    """The tables of a published file and their rows' inputs; the database is not asked."""
    try:
        found = published.tables(file, kind, on_page)
    finally:
        file.seek(0)
    tables, rows = [], []
    for index, table in enumerate(found):
        tables.append(_table_report(index, table, defaults))
        products = "product" in table.columns
        for row in table.rows:
            product = ""
            if products:
                parts = (table.cell(row, "product"), table.cell(row, "model"))
                product = " ".join(part for part in parts if part)
            rows.append(
                {
                    "seq": len(rows) + 1,
                    "table": index,
                    "number": row.number,
                    "where": row.where,
                    "name": table.cell(row, "name"),
                    "former_name": table.cell(row, "former_name"),
                    "credit_code": clean_credit_code(table.cell(row, "credit_code")),
                    "region_text": table.cell(row, "region"),
                    "product": product,
                    "category_text": table.cell(row, "category"),
                    "level_text": table.cell(row, "level"),
                    "decision": "",
                }
            )
            if len(rows) > MAX_ROWS:
                raise Refused(_("文件超过%(n)d行，请拆分后分别导入。") % {"n": MAX_ROWS})
    return {"shape": kind, "tables": tables, "rows": rows}


# Deciding ------------------------------------------------------------------------------------------------


def _chunks(values, size=500):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


class Known:
    """The organisations the rows may name, by credit code, by name key and by former name, in a fixed number
    of queries; and, only when a row names no one, every name, for short names."""

    def __init__(self, rows):
        codes = {row["credit_code"] for row in rows if row["credit_code"]}
        keys = {name_key(row[field]) for row in rows for field in ("name", "former_name") if row[field]}
        self.by_pk, self.by_code, self.by_key = {}, {}, {}
        for chunk in _chunks(codes):
            for organisation in Organisation.objects.filter(credit_code__in=chunk):
                self._add(organisation)
        for chunk in _chunks(keys):
            for organisation in Organisation.objects.filter(name_key__in=chunk, merged_into__isnull=True):
                self._add(organisation)
            formers = FormerName.objects.filter(name_key__in=chunk, organisation__merged_into__isnull=True)
            for former in formers.select_related("organisation"):
                self._add(former.organisation, key=former.name_key)
        self._all_names = None

    def _add(self, organisation, key=None):
        self.by_pk[organisation.pk] = organisation
        if organisation.credit_code:
            self.by_code[organisation.credit_code] = organisation
        group = self.by_key.setdefault(key or organisation.name_key, [])
        if organisation not in group:
            group.append(organisation)

    def named(self, name) -> list:
        return self.by_key.get(name_key(name), [])

    def containing(self, short_key) -> list[tuple[int, str]]:
        """Known units whose name contains ``short_key``: what a news page's short name may stand for."""
        if self._all_names is None:
            self._all_names = list(
                Organisation.objects.filter(merged_into__isnull=True).values_list("pk", "name_key", "name")
            )
        return [(pk, name) for pk, key, name in self._all_names if short_key in key and key != short_key]


def _listed(known, rows, year) -> set:
    """(organisation, category, level, product) already on a list of ``year``."""
    ids = set(known.by_pk)
    listed = set()
    for chunk in _chunks(ids):
        listed.update(
            ListedUnit.objects.filter(organisation_id__in=chunk, year=year).values_list(
                "organisation_id", "category", "level", "product_name"
            )
        )
    return listed


def _removable(known) -> dict:
    """Listings of the named organisations not yet removed: what a 撤销 list can remove."""
    units = {}
    for chunk in _chunks(set(known.by_pk)):
        for unit in ListedUnit.objects.filter(organisation_id__in=chunk).exclude(
            review_status=ListedUnit.ReviewStatus.REMOVED
        ):
            units.setdefault(unit.organisation_id, []).append(unit)
    return units


class Decider:
    """Decides the rows of one import in order, remembering the new units earlier rows will create."""

    def __init__(self, report, *, year):
        self.tables = report["tables"]
        self.rows = report["rows"]
        self.year = year
        self.regions = RegionNames()
        self.known = Known(self.rows)
        self.listed = _listed(self.known, self.rows, year)
        self.removable = _removable(self.known)
        self.pending = {}  # name key or credit code → the row creating that unit
        self.pending_names = {}  # name key → the row creating that unit
        self.seen = {}  # identity of a listing → the row that lists it

    def decide(self) -> list[dict]:
        decided = []
        for inputs in self.rows:
            row = {
                **inputs,
                "status": FAILED,
                "reason": "",
                "note": "",
                "action": "",
                "organisation": None,
                "organisation_name": "",
                "matched_by": "",
                "region": "",
                "region_code": "",
                "category": "",
                "level": "",
                "suggestion": None,
                "same_as": None,
            }
            decided.append(row)
            table = self.tables[row["table"]]
            handler = {LIST: self._list_row, RENAME: self._rename_row, REMOVAL: self._removal_row}[
                table["kind"]
            ]
            status, message = handler(row, table)
            row["status"] = status
            if status in (FAILED, ELSEWHERE, UNDECIDED):
                row["reason"] = message
            else:
                row["action"] = message
        return decided

    # What the row says ---------------------------------------------------------------------------------

    def _category_level(self, row, table):
        category = published.words_say(row["category_text"], published.CATEGORY_WORDS) or table["category"]
        level = published.words_say(row["level_text"], published.LEVEL_WORDS) or table["level"]
        row["category"], row["level"] = category, level
        if not category:
            return _("未能从标题或类别列确定类别，请在上方为该表选择类别")
        if not level:
            return _("未能从标题或级别列确定级别，请在上方为该表选择级别")
        return ""

    def _find(self, row, name, *, former=""):
        """The known organisation a row names: by code, then by name or a former name. A refusal when it is
        ambiguous."""
        code = row["credit_code"]
        if code and code in self.known.by_code:
            row["matched_by"] = "credit_code"
            return self.known.by_code[code], ""
        for text, matched_by in ((name, "name"), (former, "former_name")):
            namesakes = self.known.named(text) if text else []
            if len(namesakes) > 1:
                return None, _("系统中有%(n)d个同名单位：%(names)s，请先在单位管理中合并") % {
                    "n": len(namesakes),
                    "names": _("、").join(o.name for o in namesakes[:3]),
                }
            if namesakes:
                organisation = namesakes[0]
                row["matched_by"] = "former_name" if organisation.name_key != name_key(text) else matched_by
                return organisation, ""
        return None, ""

    def _region(self, row, table, organisation):
        """The city: the row's, the table's default, the credit code's, the organisation's; None is 市州待定."""
        region = self.regions.resolve(row["region_text"])
        if region is None and not self.regions.unspecified(row["region_text"]):
            return None, False
        if region is None and table["default_region"]:
            region = self.regions.by_code.get(table["default_region"])
        if region is None and row["credit_code"]:
            region = self.regions.by_code.get(_city_of_division(row["credit_code"][2:8]))
            if region is not None:
                row["note"] = _("地区按统一社会信用代码中的登记管理机关行政区划码确定为%(city)s") % {
                    "city": region.name
                }
        if region is None and organisation is not None and organisation.region_id:
            region = self.regions.by_code[organisation.region_id]
        return region, True

    # Lists ---------------------------------------------------------------------------------------------

    def _list_row(self, row, table):
        name, code = row["name"], row["credit_code"]
        if not name:
            return FAILED, _("单位名称为空")
        if len(name) > NAME_MAX_LENGTH:
            return FAILED, _("单位名称超过%(n)d个字") % {"n": NAME_MAX_LENGTH}
        if code and code not in self.known.by_code:
            try:
                validate_credit_code(code)
            except ValidationError as error:
                return FAILED, error.messages[0]
        organisation, refusal = self._find(row, name)
        if refusal:
            return FAILED, refusal
        region, in_hubei = self._region(row, table, organisation)
        if not in_hubei:
            return ELSEWHERE, _("地区“%(region)s”不是湖北省的市州，不导入") % {"region": row["region_text"]}
        if region is not None:
            row["region"], row["region_code"] = region.name, region.code
        refusal = self._category_level(row, table)
        if refusal:
            return UNDECIDED, refusal
        if row["category"] == Category.PRODUCT and not row["product"]:
            return FAILED, _("产品名称为空")
        if row["category"] != Category.PRODUCT:
            row["product"] = ""
        if len(row["product"]) > PRODUCT_MAX_LENGTH:
            return FAILED, _("产品名称和型号合计超过%(n)d个字") % {"n": PRODUCT_MAX_LENGTH}

        earlier = None
        if organisation is None:
            earlier = self.pending.get(code) if code else None
            earlier = earlier or self.pending.get(name_key(name))
        if organisation is None and earlier is None:
            organisation, status = self._short_name(row, name)
            if status:
                return status
        identity = (
            organisation.pk if organisation else ("new", earlier["seq"] if earlier else row["seq"]),
            row["category"],
            row["level"],
            row["product"],
        )
        if identity in self.seen:
            first = self.seen[identity]
            return FAILED, _("与%(where)s重复") % {"where": first["where"]}
        if organisation and (organisation.pk, row["category"], row["level"], row["product"]) in self.listed:
            return FAILED, _("该单位已在%(year)d年的该名单中") % {"year": self.year}
        self.seen[identity] = row
        listing = self._listing_words(row)
        if organisation:
            row["organisation"], row["organisation_name"] = organisation.pk, organisation.name
            if not row["region_code"] and organisation.region_id:
                region = self.regions.by_code[organisation.region_id]
                row["region"], row["region_code"] = region.name, region.code
            why = {
                "credit_code": _("按统一社会信用代码匹配"),
                "name": _("按单位名称匹配"),
                "former_name": _("按曾用名匹配"),
                "short_name": _("按简称匹配（已确认）"),
            }[row["matched_by"]]
            return MATCHED, _("%(listing)s：已有单位“%(name)s”（%(why)s）") % {
                "listing": listing,
                "name": organisation.name,
                "why": why,
            }
        if earlier:
            row["same_as"] = earlier["seq"]
            row["organisation_name"] = earlier["name"]
            if not row["region_code"] and earlier["region_code"]:
                row["region"], row["region_code"] = earlier["region"], earlier["region_code"]
            return NEW, _("%(listing)s：与%(where)s为同一新单位“%(name)s”") % {
                "listing": listing,
                "where": earlier["where"],
                "name": earlier["name"],
            }
        self.pending[name_key(name)] = self.pending_names[name_key(name)] = row
        if code:
            self.pending[code] = row
        city = row["region"] or _("市州待定")
        if code:
            what = _("新建单位“%(name)s”（%(city)s，统一社会信用代码%(code)s）") % {
                "name": name,
                "city": city,
                "code": code,
            }
        else:
            what = _("新建未认领单位“%(name)s”（%(city)s；待企业注册并经市州确认后认领）") % {
                "name": name,
                "city": city,
            }
        return NEW, f"{listing}：{what}"

    def _short_name(self, row, name):
        """A name no unit has may be a short name (健民叶开泰): suggest the one unit containing it, never apply it."""
        if row["credit_code"]:
            return None, None
        short = name_key(name)  # folded once, not once per earlier row (2,000 rows: 12 s → 0.x s)
        containing = self.known.containing(short)
        containing += [
            (("new", pending["seq"]), pending["name"])
            for key, pending in self.pending_names.items()
            if short in key
        ]
        if len(containing) != 1:
            if containing:
                row["note"] = _("有%(n)d个单位的名称包含“%(name)s”，不作为简称匹配") % {
                    "n": len(containing),
                    "name": name,
                }
            return None, None
        (pk, full_name), decision = containing[0], row["decision"]
        row["suggestion"] = {"organisation": pk if isinstance(pk, int) else None, "name": full_name}
        if decision == "new":
            row["note"] = _("已选择不按简称匹配“%(name)s”") % {"name": full_name}
            return None, None
        if decision == "accept" and isinstance(pk, int):
            row["matched_by"] = "short_name"
            if pk not in self.known.by_pk:
                self.known.by_pk[pk] = Organisation.objects.get(pk=pk)
            return self.known.by_pk[pk], None
        return None, (
            UNDECIDED,
            _("“%(short)s”可能是“%(name)s”的简称：请选择按简称匹配，或新建单位")
            % {"short": name, "name": full_name},
        )

    def _listing_words(self, row):
        return _("列入%(year)d年%(level)s%(category)s名单%(product)s") % {
            "year": self.year,
            "level": ListLevel(row["level"]).label,
            "category": Category(row["category"]).label,
            "product": f"（{row['product']}）" if row["product"] else "",
        }

    # 更名 and 撤销 -------------------------------------------------------------------------------------

    def _rename_row(self, row, table):
        old, new = row["former_name"], row["name"]
        if not old or not new:
            return FAILED, _("更名名单须同时有原名称和新名称")
        if len(new) > NAME_MAX_LENGTH:
            return FAILED, _("单位名称超过%(n)d个字") % {"n": NAME_MAX_LENGTH}
        organisation, refusal = self._find(row, old)
        if refusal:
            return FAILED, refusal
        if organisation is None:
            organisation, refusal = self._find(row, new)
            if refusal:
                return FAILED, refusal
            if organisation is None:
                return FAILED, _("系统中没有原名称为“%(old)s”的单位，无需更名") % {"old": old}
        row["organisation"], row["organisation_name"] = organisation.pk, organisation.name
        if organisation.name_key == name_key(new):
            return FAILED, _("“%(name)s”已是新名称，无需更名") % {"name": organisation.name}
        if ("rename", organisation.pk) in self.seen:
            return FAILED, _("与%(where)s重复") % {"where": self.seen["rename", organisation.pk]["where"]}
        self.seen["rename", organisation.pk] = row
        return MATCHED, _("“%(old)s”更名为“%(new)s”，原名称记为曾用名，今后按两个名称都能匹配") % {
            "old": organisation.name,
            "new": new,
        }

    def _removal_row(self, row, table):
        name = row["name"]
        if not name:
            return FAILED, _("单位名称为空")
        organisation, refusal = self._find(row, name)
        if refusal:
            return FAILED, refusal
        if organisation is None:
            return FAILED, _("系统中没有名为“%(name)s”的单位，无可撤销的名单记录") % {"name": name}
        row["organisation"], row["organisation_name"] = organisation.pk, organisation.name
        refusal = self._category_level(row, table)
        if refusal:
            return UNDECIDED, refusal
        units = [
            unit
            for unit in self.removable.get(organisation.pk, [])
            if unit.category == row["category"]
            and unit.level == row["level"]
            and (not row["product"] or unit.product_name == row["product"])
        ]
        if not units:
            return FAILED, _("“%(name)s”没有在册的%(level)s%(category)s名单记录") % {
                "name": organisation.name,
                "level": ListLevel(row["level"]).label,
                "category": Category(row["category"]).label,
            }
        if ("removal", organisation.pk, row["category"]) in self.seen:
            first = self.seen["removal", organisation.pk, row["category"]]
            return FAILED, _("与%(where)s重复") % {"where": first["where"]}
        self.seen["removal", organisation.pk, row["category"]] = row
        row["units"] = [unit.pk for unit in units]
        return MATCHED, _("撤销“%(name)s”的%(listings)s，并记录移出后不得申报") % {
            "name": organisation.name,
            "listings": _("、").join(
                _("%(year)d年%(level)s%(category)s")
                % {
                    "year": unit.year,
                    "level": unit.get_level_display(),
                    "category": unit.get_category_display(),
                }
                for unit in units
            ),
        }


def _totals(rows, tables) -> dict:
    statuses = [row["status"] for row in rows]
    return {
        "rows": len(rows),
        "blank": sum(table["blank"] for table in tables),
        MATCHED: statuses.count(MATCHED),
        NEW: statuses.count(NEW),
        UNDECIDED: statuses.count(UNDECIDED),
        FAILED: statuses.count(FAILED),
        ELSEWHERE: statuses.count(ELSEWHERE),
        "importable": statuses.count(MATCHED) + statuses.count(NEW),
        "organisations_to_create": sum(
            row["status"] == NEW and row["same_as"] is None and row["kind"] == LIST for row in rows
        ),
    }


INPUTS = (
    "seq",
    "table",
    "number",
    "where",
    "name",
    "former_name",
    "credit_code",
    "region_text",
    "product",
    "category_text",
    "level_text",
    "decision",
)


def decide(report, *, year) -> dict:
    """The report with every row decided again against the database as it is now."""
    inputs = [{key: row[key] for key in INPUTS} for row in report["rows"]]
    rows = Decider({**report, "rows": inputs}, year=year).decide()
    for row in rows:
        row["kind"] = report["tables"][row["table"]]["kind"]
    return {**report, "rows": rows, "totals": _totals(rows, report["tables"])}


# The entry points ----------------------------------------------------------------------------------------


def parse(file, *, kind="xlsx", year, on_page=None, **defaults) -> dict:
    """The dry run of a published file; reads the database, writes nothing."""
    report = read(file, kind, defaults, on_page)
    return decide(report, year=year)


def create_import(
    *, file, year, listed_on, user, kind=None, level="", category="", document_number="", default_region=None
):
    """Keep the uploaded list and its dry run. The same file (by content) is refused while an import of it
    stands, so a list cannot be loaded twice."""
    refuse_unless(may_import_lists, user)
    kind = kind or published.kind_of(file)
    if kind is None:
        raise Refused(_("无法识别该文件的格式。"))
    digest = sha256_of(file)
    earlier = ListImport.objects.filter(sha256=digest, reverted_at__isnull=True).first()
    if earlier:
        raise Refused(
            _("该文件已于%(at)s上传（%(name)s），不能重复导入；如需重新导入，请先撤销该次导入。")
            % {
                "at": timezone.localtime(earlier.uploaded_at).strftime("%Y-%m-%d %H:%M"),
                "name": earlier.original_name,
            }
        )
    defaults = {
        "level": level,
        "category": category,
        "default_region": default_region.pk if default_region else "",
    }
    pages = published.page_count(file, kind)
    in_background = pages > settings.IMPORT_BACKGROUND_PAGES
    extension = published.PUBLISHED_KINDS[kind]
    list_import = ListImport(
        level=level,
        category=category,
        year=year,
        document_number=document_number,
        listed_on=listed_on,
        original_name=safe_filename(file.name, "pdf").removesuffix(".pdf") + extension,
        sha256=digest,
        report={} if in_background else parse(file, kind=kind, year=year, **defaults),
        reading_pages=pages if in_background else 0,
        reading_defaults={**defaults, "kind": kind},
        uploaded_by=user,
    )
    list_import.file.save(f"{digest}{extension}", file, save=False)
    list_import.save()
    if in_background:
        start_reading(list_import.pk)
    return list_import


def _refuse_unless_read(list_import):
    if list_import.reading_error:
        raise Refused(_("该文件读取失败，不能导入：%(reason)s") % {"reason": list_import.reading_error})
    if list_import.is_reading:
        raise Refused(_("文件仍在读取中，请读完后再操作。"))


# Reading a long file in the background ----------------------------------------------------------------------

READING_STALLS_AFTER = timedelta(minutes=10)  # a reader that has not finished by then died: read again


def _hand_to_worker(task, pk, what):
    """Queue ``task`` for the import; a broker that is away only delays it: the beat sweep hands it over again."""
    try:
        task.apply_async(args=[pk], retry=False)
    except Exception:
        logger.warning("imports: broker unavailable; %s %s waits for the sweep", what, pk)


def start_reading(pk):
    """Hand the reading to a worker (``read_stalled_imports`` sweeps)."""
    from .tasks import read_list_import  # tasks import this module

    _hand_to_worker(read_list_import, pk, "import")


def read_in_background(pk) -> bool:
    """Read a long file's dry run, saving progress after each page; False when another reader has it."""
    now = timezone.now()
    claimed = (
        ListImport.objects.filter(pk=pk, report={}, reading_error="")
        .filter(Q(reading_started_at__isnull=True) | Q(reading_started_at__lt=now - READING_STALLS_AFTER))
        .update(reading_started_at=now, pages_read=0)
    )
    if not claimed:
        return False
    list_import = ListImport.objects.get(pk=pk)
    defaults = dict(list_import.reading_defaults)
    kind = defaults.pop("kind")

    def on_page(n):
        ListImport.objects.filter(pk=pk).update(pages_read=n)

    try:
        with list_import.file.open("rb") as file:
            report = parse(file, kind=kind, year=list_import.year, on_page=on_page, **defaults)
    except Refused as refusal:
        ListImport.objects.filter(pk=pk).update(reading_error=refusal.reason, sha256="")
        return True
    ListImport.objects.filter(pk=pk).update(report=report, pages_read=list_import.reading_pages)
    return True


def stalled_reading_ids() -> list[int]:
    """Long files nobody is reading: never handed to a worker (broker away) or whose reader died."""
    return list(
        ListImport.objects.filter(report={}, reading_error="")
        .filter(
            Q(reading_started_at__isnull=True, uploaded_at__lt=timezone.now() - timedelta(minutes=1))
            | Q(reading_started_at__lt=timezone.now() - READING_STALLS_AFTER)
        )
        .values_list("pk", flat=True)
    )


# Confirming a long import in the background -----------------------------------------------------------------

APPLYING_STALLS_AFTER = timedelta(minutes=10)  # a writer that has not committed by then died: write again


def _progress_key(pk):
    return f"list-import:{pk}:written"


def applying_progress(list_import) -> int:
    """Rows a worker has written so far; the writes are one transaction, so the count is kept in the cache
    (0 when the cache is away or the worker has not begun)."""
    return cache.get(_progress_key(list_import.pk)) or 0


def _tell_progress(pk, n):
    cache.set(_progress_key(pk), n, timeout=3600)


def start_applying(pk):
    """Hand the writing to a worker (``apply_stalled_imports`` sweeps)."""
    from .tasks import apply_list_import  # tasks import this module

    _hand_to_worker(apply_list_import, pk, "confirmed import")


def apply_in_background(pk) -> bool:
    """Write a confirmed import; False when it is written, withdrawn, or another writer has it. A refusal (the
    import was reverted meanwhile, the official lost the right) or a failure is kept for the page, and the
    official may confirm again."""
    now = timezone.now()
    claimed = (
        ListImport.objects.filter(pk=pk, applied_at__isnull=True, applying_since__isnull=False)
        .filter(Q(applying_started_at__isnull=True) | Q(applying_started_at__lt=now - APPLYING_STALLS_AFTER))
        .update(applying_started_at=now)
    )
    if not claimed:
        return False
    list_import = ListImport.objects.select_related("applying_by").get(pk=pk)
    _tell_progress(pk, 0)
    try:
        apply(list_import, user=list_import.applying_by, on_progress=lambda n: _tell_progress(pk, n))
    except Exception as failure:
        reason = (
            failure.reason
            if isinstance(failure, Refused)
            else _("写入时出错，未导入任何数据，请重新确认导入。")
        )
        ListImport.objects.filter(pk=pk).update(
            applying_error=reason, applying_since=None, applying_started_at=None
        )
        if not isinstance(failure, Refused):
            raise
    finally:
        cache.delete(_progress_key(pk))
    return True


def stalled_applying_ids() -> list[int]:
    """Confirmed imports nobody is writing: never handed to a worker (broker away) or whose writer died."""
    now = timezone.now()
    return list(
        ListImport.objects.filter(applied_at__isnull=True, applying_since__isnull=False)
        .filter(
            Q(applying_started_at__isnull=True, applying_since__lt=now - timedelta(minutes=1))
            | Q(applying_started_at__lt=now - APPLYING_STALLS_AFTER)
        )
        .values_list("pk", flat=True)
    )


def choose(list_import, *, user, tables: dict, decisions: dict):
    """What the official chose in the dry run: per table its category, level and default city; per
    suggested row, accept the short name or create a new unit. The rows are decided again."""
    refuse_unless(may_import_lists, user)
    with transaction.atomic():
        locked = ListImport.objects.select_for_update().get(pk=list_import.pk)
        _refuse_unless_read(locked)
        if locked.applied_at:
            raise Refused(_("该名单已导入，不能再修改。"))
        _refuse_if_applying(locked)
        report = locked.report
        for table in report["tables"]:
            for name, value in tables.get(table["index"], {}).items():
                if table.get(name) != value:
                    table[name] = value
                    if name in ("category", "level", "kind"):
                        table[f"{name}_from"] = "chosen" if value else ""
        for row in report["rows"]:
            row["decision"] = decisions.get(row["seq"], row["decision"])
        locked.report = decide(report, year=locked.year)
        locked.save(update_fields=["report"])
    list_import.report = locked.report
    return locked


def _refuse_if_applied(list_import):
    if list_import.applied_at:
        raise Refused(
            _("该名单已于%(at)s导入，不能重复导入。")
            % {"at": timezone.localtime(list_import.applied_at).strftime("%Y-%m-%d %H:%M")}
        )


def _refuse_if_applying(list_import):
    if list_import.is_applying:
        raise Refused(_("该名单正在后台导入，请稍候。"))


def confirm(list_import, *, user) -> dict | None:
    """The official confirms the dry run: written now (the counts) when short, else handed to a worker (None)."""
    if list_import.report.get("totals", {}).get("importable", 0) <= settings.IMPORT_BACKGROUND_ROWS:
        return apply(list_import, user=user)
    refuse_unless(may_import_lists, user)
    with transaction.atomic():
        locked = ListImport.objects.select_for_update().get(pk=list_import.pk)
        _refuse_unless_read(locked)
        _refuse_if_applied(locked)
        _refuse_if_applying(locked)
        locked.applying_by, locked.applying_since = user, timezone.now()
        locked.applying_started_at, locked.applying_error = None, ""
        locked.save(update_fields=["applying_by", "applying_since", "applying_started_at", "applying_error"])
        transaction.on_commit(lambda: start_applying(locked.pk))
    list_import.applying_by, list_import.applying_since = locked.applying_by, locked.applying_since
    return None


def apply(list_import, *, user, on_progress=None) -> dict:
    """Write the importable rows of a dry run; decides every row again first, so a unit listed or an
    organisation created since the dry run is neither listed twice nor created twice."""
    refuse_unless(may_import_lists, user)
    with transaction.atomic():
        locked = ListImport.objects.select_for_update().get(pk=list_import.pk)
        _refuse_unless_read(locked)
        _refuse_if_applied(locked)
        report = decide(locked.report, year=locked.year)
        written = _Writer(locked, user, on_progress).write(report["rows"])
        counts = {
            "listed": len(written["units"]),
            "organisations": len(written["organisations"]),
            "renamed": len(written["renames"]),
            "removed": len(written["removals"]),
            "failed": report["totals"]["rows"] - report["totals"]["importable"],
        }
        locked.report = {**report, "result": counts, "written": written}
        locked.applied_at, locked.applying_error = timezone.now(), ""
        locked.save(update_fields=["report", "applied_at", "applying_error"])
        AuditEntry.record(
            locked,
            actor=user,
            action="import_list",
            opinion=_(
                "导入名单记录%(listed)d条，新建单位%(organisations)d个，更名%(renamed)d个，"
                "撤销%(removed)d条，未导入%(failed)d行"
            )
            % counts,
        )
    list_import.report, list_import.applied_at = locked.report, locked.applied_at
    return counts


class _Writer:
    """Writes one confirmed import and notes every row it wrote, so ``revert`` can take exactly those back."""

    PROGRESS_EVERY = 500  # rows between two progress reports

    def __init__(self, list_import, user, on_progress=None):
        self.list_import, self.user = list_import, user
        self.on_progress = on_progress or (lambda n: None)
        self.done = 0
        self.policy = Policy.in_force(list_import.listed_on)
        self.regions = Region.objects.in_bulk()
        self.source = _("名单导入：%(file)s") % {"file": list_import.original_name}
        if list_import.document_number:
            self.source += f"（{list_import.document_number}）"
        self.written = {"organisations": [], "units": [], "renames": [], "removals": [], "exclusions": []}

    def write(self, rows) -> dict:
        """Renames and removals row by row; new units, then all listings, in bulk."""
        created, listings = {}, []
        for row in rows:
            if row["status"] not in (MATCHED, NEW):
                continue
            if row["kind"] == RENAME:
                self._rename(row)
                self._count(1)
            elif row["kind"] == REMOVAL:
                self._remove(row)
                self._count(1)
            else:
                if row["status"] == NEW and row["same_as"] is None:
                    created[row["seq"]] = Organisation(
                        name=row["name"],
                        credit_code=row["credit_code"] or None,
                        region=self.regions.get(row["region_code"]),
                        kind=Organisation.Kind.PARK
                        if row["category"] == Category.PARK
                        else Organisation.Kind.ENTERPRISE,
                    )
                listings.append(row)
        create_organisations(list(created.values()), user=self.user, source=self.source)
        self.written["organisations"] = [organisation.pk for organisation in created.values()]
        for row in listings:
            if row["status"] == NEW:
                row["organisation"] = created[row["same_as"] or row["seq"]].pk
        for chunk in _chunks(listings, self.PROGRESS_EVERY):
            ListedUnit.objects.bulk_create([self._listing(row) for row in chunk])
            self._count(len(chunk))
        self.written["units"] = list(
            ListedUnit.objects.filter(list_import=self.list_import).values_list("pk", flat=True)
        )
        return self.written

    def _count(self, n):
        before, self.done = self.done, self.done + n
        if before // self.PROGRESS_EVERY != self.done // self.PROGRESS_EVERY:
            self.on_progress(self.done)

    def _listing(self, row):
        return ListedUnit(
            organisation_id=row["organisation"],
            region_id=row["region_code"] or None,
            category=row["category"],
            product_name=row["product"],
            level=row["level"],
            year=self.list_import.year,
            document_number=self.list_import.document_number,
            listed_on=self.list_import.listed_on,
            next_review_on=self.policy.next_review_on(self.list_import.listed_on),
            list_import=self.list_import,
        )

    def _rename(self, row):
        organisation = Organisation.objects.get(pk=row["organisation"])
        old_name = organisation.name
        former = FormerName.objects.filter(organisation=organisation, name_key=organisation.name_key).first()
        _renamed, recorded = rename_organisation(
            organisation, new_name=row["name"], user=self.user, source=self.source
        )
        self.written["renames"].append([organisation.pk, old_name, None if former else recorded.pk])

    def _remove(self, row):
        on = self.list_import.listed_on
        # Not the model's ordering: it joins the region, which may be empty, and PostgreSQL locks no outer join.
        for unit in ListedUnit.objects.select_for_update().filter(pk__in=row["units"]).order_by("pk"):
            self.written["removals"].append([unit.pk, unit.review_status])
            unit.review_status = ListedUnit.ReviewStatus.REMOVED
            unit.removed_on, unit.removal_document = on, self.list_import.document_number
            unit.save(update_fields=["review_status", "removed_on", "removal_document"])
        exclusion = exclude(
            Organisation.objects.get(pk=row["organisation"]),
            reason=_("被撤销%(level)s%(category)s称号")
            % {"level": ListLevel(row["level"]).label, "category": Category(row["category"]).label},
            starts_on=on,
            ends_on=self.policy.removal_bar_ends_on(on),
            source=self.list_import.document_number or self.source,
            user=self.user,
        )
        self.written["exclusions"].append(exclusion.pk)


def revert(list_import, *, user) -> None:
    """Take back everything one import wrote: its listings, the units it created, its renames and removals."""
    with transaction.atomic():
        locked = ListImport.objects.select_for_update().get(pk=list_import.pk)
        refuse_unless(may_revert_import, user, locked)
        written = locked.report["written"]
        for unit_pk, status in written["removals"]:
            ListedUnit.objects.filter(pk=unit_pk).update(
                review_status=status, removed_on=None, removal_document=""
            )
        lift_exclusions(written["exclusions"], user=user, reason=_("撤销名单导入"))
        for organisation_pk, old_name, former_pk in reversed(written["renames"]):
            undo_rename(
                Organisation(pk=organisation_pk),
                former_name=former_pk,
                old_name=old_name,
                user=user,
                source=locked.original_name,
            )
        ListedUnit.objects.filter(list_import=locked).delete()
        delete_imported_organisations(written["organisations"], user=user, reason=_("撤销名单导入"))
        locked.reverted_at, locked.reverted_by = timezone.now(), user
        locked.save(update_fields=["reverted_at", "reverted_by"])
        AuditEntry.record(
            locked,
            actor=user,
            action="revert_import",
            opinion=_(
                "撤销导入：删除名单记录%(units)d条、新建单位%(organisations)d个，恢复更名%(renames)d个、撤销%(removals)d条"
            )
            % {name: len(written[name]) for name in ("units", "organisations", "renames", "removals")},
        )
    list_import.reverted_at = locked.reverted_at
