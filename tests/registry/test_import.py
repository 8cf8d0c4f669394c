"""名单导入: a published .xlsx list becomes a dry run that writes nothing, then, confirmed, exactly its good rows."""

from datetime import date
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from applications.models import Organisation
from greenmfg.models import AuditEntry
from greenmfg.refusals import Refused
from registry import imports
from registry.models import ListedUnit, ListImport

from ..factories import PDF_BYTES, OrganisationFactory, valid_credit_code

pytestmark = pytest.mark.django_db

LIST = {
    "level": "provincial",
    "category": "factory",
    "year": 2023,
    "document_number": "鄂经信节能〔2023〕50号",
    "listed_on": "2023-12-20",
}


def xlsx(*rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def full_width(text: str) -> str:
    return "".join(chr(ord(char) + 0xFEE0) for char in text)


def with_wrong_check_character(code: str) -> str:
    return code[:17] + ("1" if code[17] != "1" else "2")


def upload(client, content, *, name="2023年省级绿色工厂名单.xlsx", **fields):
    return client.post("/lists/import/", {**LIST, **fields, "file": SimpleUploadedFile(name, content)})


def counts():
    return {
        "organisations": Organisation.objects.count(),
        "listed": ListedUnit.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


@pytest.fixture
def sheet(cast):
    """The sheet of the brief: a blank line, spaces around a name, a bad code, 北京市, matches, a new unit, repeats."""
    listed_already = OrganisationFactory(name="宜昌已入选化工有限公司", region_id="420500")
    ListedUnit.objects.create(
        organisation=listed_already,
        region_id="420500",
        category="factory",
        level="provincial",
        year=2023,
        listed_on=date(2023, 12, 1),
    )
    new_wuhan = valid_credit_code("420100")
    new_enshi = valid_credit_code("422800")
    province_only = valid_credit_code("420106")  # registered in 武昌区: the city is 武汉
    return {
        "new_wuhan": new_wuhan,
        "new_enshi": new_enshi,
        "province_only": province_only,
        "content": xlsx(
            ["序号", "市　州", " 单位名称 ", "统一社会信用代码"],  # row 1
            [],  # row 2: blank
            [1, "武汉市", "\u3000武汉新能\u3000环保科技有限公司\u00a0", new_wuhan],  # row 3: new
            [2, "武汉市", "武汉错码有限公司", with_wrong_check_character(valid_credit_code())],  # 4
            [3, "北京市", "北京绿色工厂有限公司", valid_credit_code("110100")],  # row 5
            [4, "黄石", "黄石某某公司（表格里的名字）", full_width(cast.huangshi_org.credit_code)],  # 6
            [5, "湖北省", "武汉绿源机械有限公司", None],  # row 7: matched by name, region of the organisation
            [6, "武汉市", "武汉新能 环保科技有限公司", new_wuhan],  # row 8: repeats row 3
            [7, "恩施州", "恩施硒谷茶业有限公司", new_enshi],  # row 9: new
            [8, "宜昌市", listed_already.name, listed_already.credit_code],  # row 10: already listed
            [9, "襄阳市", None, valid_credit_code("420600")],  # row 11: no name
            [10, "荆州市", "荆州未登记有限公司", None],  # row 12: unknown and no code
            [11, "湖北省", "只写了省份的新公司", province_only],  # row 13: city from the code
        ),
    }


EXPECTED = {
    3: ("new", ""),
    4: ("failed", "统一社会信用代码校验位错误"),
    5: ("elsewhere", "地区“北京市”不是湖北省的市州"),
    6: ("matched", ""),
    7: ("matched", ""),
    8: ("failed", "与第3行重复"),
    9: ("new", ""),
    10: ("failed", "该单位已在2023年的该名单中"),
    11: ("failed", "单位名称为空"),
    12: ("new", ""),  # unknown and no code: an unclaimed unit in its city
    13: ("new", ""),
}


def test_the_dry_run_reports_every_row_with_its_number_and_writes_nothing(cast, login, sheet):
    client = login(cast.province)
    before = counts()

    response = upload(client, sheet["content"])

    list_import = ListImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/lists/import/{list_import.pk}/"
    assert counts() == before
    assert list_import.applied_at is None
    report = list_import.report
    assert [row["number"] for row in report["rows"]] == list(EXPECTED)
    for row in report["rows"]:
        status, reason = EXPECTED[row["number"]]
        assert row["status"] == status, row
        assert row["reason"].startswith(reason), row
    assert report["totals"] == {
        "rows": 11,
        "blank": 1,
        "matched": 2,
        "new": 4,
        "undecided": 0,
        "failed": 4,
        "elsewhere": 1,
        "importable": 6,
        "organisations_to_create": 4,
    }
    rows = {row["number"]: row for row in report["rows"]}
    assert rows[3]["name"] == "武汉新能 环保科技有限公司"
    assert (rows[3]["region"], rows[3]["credit_code"]) == ("武汉市", sheet["new_wuhan"])
    assert (rows[6]["organisation"], rows[6]["matched_by"]) == (cast.huangshi_org.pk, "credit_code")
    assert rows[6]["region"] == "黄石市"
    assert (rows[7]["organisation"], rows[7]["matched_by"], rows[7]["region"]) == (
        cast.wuhan_org.pk,
        "name",
        "武汉市",
    )
    assert rows[9]["region"] == "恩施土家族苗族自治州"
    assert rows[13]["region"] == "武汉市"  # only 湖北省 in the sheet: the city comes from the credit code
    assert "登记管理机关行政区划码" in rows[13]["note"]
    assert "第18位应为" in rows[4]["reason"]

    page = client.get(response["Location"]).content.decode()
    assert "地区“北京市”不是湖北省的市州" in page
    assert "与第3行重复" in page
    assert page.count('class="badge state-rejected"') == 4
    assert "新建未认领单位“荆州未登记有限公司”（荆州市" in page
    assert 'name="confirm"' in page
    assert counts() == before


def test_confirming_writes_exactly_the_importable_rows(cast, login, sheet):
    client = login(cast.province)
    upload(client, sheet["content"])
    list_import = ListImport.objects.get()
    organisations_before = set(Organisation.objects.values_list("pk", flat=True))

    response = client.post(f"/lists/import/{list_import.pk}/", {"confirm": "1"}, follow=True)

    assert "已导入名单记录6条，新建单位4个，更名0个，撤销0条；5行未导入。" in response.content.decode()
    assert 'name="confirm"' not in response.content.decode()
    created = Organisation.objects.exclude(pk__in=organisations_before).order_by("name")
    assert [(o.name, o.credit_code, o.region_id, o.kind) for o in created] == sorted(
        [
            ("武汉新能 环保科技有限公司", sheet["new_wuhan"], "420100", "enterprise"),
            ("恩施硒谷茶业有限公司", sheet["new_enshi"], "422800", "enterprise"),
            ("只写了省份的新公司", sheet["province_only"], "420100", "enterprise"),
            ("荆州未登记有限公司", None, "421000", "enterprise"),
        ]
    )
    units = ListedUnit.objects.filter(year=2023, listed_on=date(2023, 12, 20))
    assert sorted((u.organisation.name, u.region_id) for u in units) == sorted(
        [
            ("武汉新能 环保科技有限公司", "420100"),
            ("黄石华新新材料股份有限公司", "420200"),
            ("武汉绿源机械有限公司", "420100"),
            ("恩施硒谷茶业有限公司", "422800"),
            ("只写了省份的新公司", "420100"),
            ("荆州未登记有限公司", "421000"),
        ]
    )
    assert {(u.level, u.category, u.document_number, u.product_name) for u in units} == {
        ("provincial", "factory", "鄂经信节能〔2023〕50号", "")
    }
    assert {u.next_review_on for u in units} == {date(2026, 12, 20)}
    assert not Organisation.objects.filter(name__in=["武汉错码有限公司", "北京绿色工厂有限公司"]).exists()
    list_import.refresh_from_db()
    assert list_import.applied_at is not None
    assert list_import.report["result"] == {
        "listed": 6,
        "organisations": 4,
        "renamed": 0,
        "removed": 0,
        "failed": 5,
    }
    (entry,) = AuditEntry.for_object(list_import)
    assert (entry.actor, entry.action) == (cast.province, "import_list")
    assert "6" in entry.opinion


def test_each_organisation_an_import_creates_has_its_audit_entry(cast, login, sheet):
    client = login(cast.province)
    upload(client, sheet["content"])
    list_import = ListImport.objects.get()
    organisations_before = set(Organisation.objects.values_list("pk", flat=True))

    client.post(f"/lists/import/{list_import.pk}/", {"confirm": "1"})

    created = Organisation.objects.exclude(pk__in=organisations_before)
    assert created.count() == 4
    for organisation in created:
        (entry,) = AuditEntry.for_object(organisation)
        assert (entry.actor, entry.action) == (cast.province, "create_organisation")
        assert list_import.original_name in entry.opinion


def test_applying_twice_is_refused_and_writes_nothing_more(cast, login, sheet):
    client = login(cast.province)
    upload(client, sheet["content"])
    list_import = ListImport.objects.get()
    client.post(f"/lists/import/{list_import.pk}/", {"confirm": "1"})
    after_first = counts()

    response = client.post(f"/lists/import/{list_import.pk}/", {"confirm": "1"}, follow=True)

    assert "不能重复导入" in response.content.decode()
    assert counts() == after_first
    with pytest.raises(Refused, match="不能重复导入"):
        imports.apply(ListImport.objects.get(), user=cast.province)
    assert counts() == after_first


def test_confirming_decides_again_so_nothing_is_created_or_listed_twice(cast):
    code = valid_credit_code("420100")
    list_import = imports.create_import(
        file=SimpleUploadedFile(
            "名单.xlsx", xlsx(["地区", "单位名称", "信用代码"], ["武汉", "后来登记的公司", code])
        ),
        level="national",
        category="factory",
        year=2022,
        listed_on=date(2022, 11, 1),
        user=cast.province,
    )
    assert list_import.report["rows"][0]["status"] == "new"
    meanwhile = OrganisationFactory(name="后来登记的公司", credit_code=code)

    assert imports.apply(list_import, user=cast.province) == {
        "listed": 1,
        "organisations": 0,
        "renamed": 0,
        "removed": 0,
        "failed": 0,
    }

    assert ListedUnit.objects.get(year=2022).organisation == meanwhile
    assert list_import.report["rows"][0]["status"] == "matched"


def test_a_product_list_keeps_one_row_per_product_and_creates_the_enterprise_once(cast):
    code = valid_credit_code("420200")
    content = xlsx(
        ["二〇二三年度绿色设计产品名单"],  # a title above the header
        ["序号", "省份", "企业名称", "产品名称", "产品型号", "统一社会信用代码"],
        [1, "湖北省黄石市", "黄石变压器有限公司", "节能型变压器", "SZ20", code],
        [2, "黄石市", "黄石变压器有限公司", "非晶合金变压器", "SH15", code],
        [3, "黄石市", "黄石变压器有限公司", "节能型变压器", "SZ20", code],
        [4, "黄石市", "黄石变压器有限公司", None, None, code],
    )
    report = imports.parse(BytesIO(content), category="product", level="national", year=2023)

    assert report["tables"][0]["header_row"] == 2
    assert [(r["number"], r["status"], r["product"], r["reason"]) for r in report["rows"]] == [
        (3, "new", "节能型变压器 SZ20", ""),
        (4, "new", "非晶合金变压器 SH15", ""),
        (5, "failed", "节能型变压器 SZ20", "与第3行重复"),
        (6, "failed", "", "产品名称为空"),
    ]
    assert "与第3行为同一新单位" in report["rows"][1]["action"]
    list_import = imports.create_import(
        file=SimpleUploadedFile("产品.xlsx", content),
        level="national",
        category="product",
        year=2023,
        listed_on=date(2023, 12, 1),
        user=cast.province,
    )
    assert imports.apply(list_import, user=cast.province) == {
        "listed": 2,
        "organisations": 1,
        "renamed": 0,
        "removed": 0,
        "failed": 2,
    }
    assert sorted(
        ListedUnit.objects.filter(organisation__credit_code=code).values_list("product_name", flat=True)
    ) == [
        "节能型变压器 SZ20",
        "非晶合金变压器 SH15",
    ]


def test_a_list_that_is_not_of_products_ignores_the_product_columns_and_parks_are_parks(cast):
    code = valid_credit_code("420500")
    content = xlsx(
        ["园区名称", "地区", "产品名称", "统一社会信用代码"],
        ["宜昌高新技术产业开发区", "宜昌", "不该读取", code],
    )
    list_import = imports.create_import(
        file=SimpleUploadedFile("园区.xlsx", content),
        level="provincial",
        category="park",
        year=2021,
        listed_on=date(2021, 12, 30),
        user=cast.province,
    )
    assert list_import.report["rows"][0]["product"] == ""

    imports.apply(list_import, user=cast.province)

    park = Organisation.objects.get(credit_code=code)
    assert (park.kind, park.region_id) == ("park", "420500")
    assert park.listings.get().product_name == ""


@pytest.mark.parametrize("user", ["wuhan_official", "applicant"])
def test_only_the_province_may_upload_or_apply(cast, login, user):
    list_import = imports.create_import(
        file=SimpleUploadedFile("名单.xlsx", xlsx(["单位名称"], ["武汉绿源机械有限公司"])),
        level="provincial",
        category="factory",
        year=2024,
        listed_on=date(2024, 12, 1),
        user=cast.province,
    )
    client = login(getattr(cast, user))

    assert client.get("/lists/import/").status_code == 403
    assert upload(client, xlsx(["单位名称"], ["武汉绿源机械有限公司"])).status_code == 403
    assert client.get(f"/lists/import/{list_import.pk}/").status_code == 403
    assert client.post(f"/lists/import/{list_import.pk}/", {"confirm": "1"}).status_code == 403
    assert ListImport.objects.count() == 1
    assert ListImport.objects.get().applied_at is None
    assert not ListedUnit.objects.exists()
    with pytest.raises(Refused):
        imports.apply(list_import, user=getattr(cast, user))


def test_a_file_that_is_no_list_shape_is_refused_with_a_message_whatever_its_name(cast, login):
    client = login(cast.province)

    response = upload(client, b"\x89PNG\r\n\x1a\n" + bytes(64), name="名单.xlsx")

    assert response.status_code == 200
    assert "文件“名单.xlsx”不是可读取的名单文件" in response.content.decode()
    assert not ListImport.objects.exists()


def test_a_damaged_pdf_is_refused_with_a_message(cast, login):
    response = upload(login(cast.province), PDF_BYTES, name="名单.pdf")

    assert response.status_code == 200
    assert "无法读取该 PDF 文件" in response.content.decode()
    assert not ListImport.objects.exists()


def test_a_sheet_without_a_name_column_is_refused_with_a_message(cast, login):
    client = login(cast.province)

    response = upload(client, xlsx(["序号", "地区", "备注"], [1, "武汉市", "无"]))

    assert "文件中没有找到名单表格：表头应有“单位名称”列" in response.content.decode()
    assert not ListImport.objects.exists()


def test_the_upload_page_explains_the_columns(cast, login):
    page = login(cast.province).get("/lists/import/").content.decode()

    assert "单位名称、企业名称、园区名称" in page
    assert "原名称" in page
    assert "统一社会信用代码、信用代码" in page
    assert 'enctype="multipart/form-data"' in page


def test_cells_and_regions_are_normalised(cast):
    assert imports.clean_text("\u3000武汉\u00a0\u00a0绿源 \t机械\u3000") == "武汉 绿源 机械"
    assert imports.clean_text(12.0) == "12"
    assert imports.clean_credit_code(" ９１４２０１００ＭＡ４ｋ\u3000") == "91420100MA4K"
    regions = imports.RegionNames()
    names = {
        text: getattr(regions.resolve(text), "name", None) for text in ["武汉", "武汉市", "湖北省武汉市"]
    }
    assert names == dict.fromkeys(["武汉", "武汉市", "湖北省武汉市"], "武汉市")
    for text in ["恩施州", "恩施", "恩施土家族苗族自治州", "恩施市"]:
        assert regions.resolve(text).name == "恩施土家族苗族自治州"
    assert regions.resolve("神农架").name == "神农架林区"
    assert regions.resolve("北京市") is None
    assert regions.resolve("湖北省") is None and regions.unspecified("湖北省")
    assert regions.unspecified("") and not regions.unspecified("北京市")


def test_a_name_matches_whatever_width_its_brackets_have(cast):
    organisation = OrganisationFactory(name="湖北三环锻造（集团）有限公司")

    report = imports.parse(
        BytesIO(xlsx(["单位名称"], ["湖北三环锻造(集团)有限公司"])),
        category="factory",
        level="provincial",
        year=2024,
    )

    assert report["rows"][0]["organisation"] == organisation.pk


def test_the_dry_run_makes_the_same_number_of_queries_for_a_long_list(cast):
    def queries_for(n):
        rows = [["武汉市", f"湖北测试{i}有限公司", valid_credit_code()] for i in range(n)]
        with CaptureQueriesContext(connection) as context:
            imports.parse(
                BytesIO(xlsx(["地区", "单位名称", "统一社会信用代码"], *rows)),
                category="factory",
                level="provincial",
                year=2024,
            )
        return len(context.captured_queries)

    assert queries_for(3) == queries_for(60)


def test_deciding_folds_each_name_a_bounded_number_of_times_however_many_rows(monkeypatch):
    """Short names are looked for among the rows before: each row's name is folded once, not once per earlier
    row (2,000 rows took 12 s to decide, on every choice the official made in the dry run)."""
    folded = []
    fold = imports.name_key
    monkeypatch.setattr(imports, "name_key", lambda text: (folded.append(text), fold(text))[1])
    table = {
        "index": 0,
        "kind": "list",
        "category": "factory",
        "level": "national",
        "default_region": "",
        "blank": 0,
    }
    rows = [
        {
            **dict.fromkeys(imports.INPUTS, ""),
            "seq": n,
            "table": 0,
            "where": f"第{n}行",
            "name": f"湖北示范制造{n}有限公司",
            "region_text": "湖北",
        }
        for n in range(1, 301)
    ]

    report = imports.decide({"tables": [table], "rows": rows}, year=2023)

    assert report["totals"]["new"] == 300
    assert len(folded) <= 10 * len(rows)
