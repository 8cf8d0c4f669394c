"""The province's real history on day one: lists in their published shapes, imported through the pages into an
empty database by a provincial official — every row accounted for, duplicates merged, nothing invented."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applications.models import Exclusion, FormerName, Organisation, Policy
from greenmfg.roles import Role
from registry.models import ListedUnit, ListImport, ReReviewCase

from ..factories import DeclarationFactory, make_user
from . import published_files as files

pytestmark = pytest.mark.django_db

STATUSES = ("matched", "new", "undecided", "failed", "elsewhere")


def upload(client, content, name, **fields):
    data = {"year": 2023, "listed_on": "2023-12-20", "document_number": "", **fields}
    response = client.post("/lists/import/", {**data, "file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302, response.content.decode()[-3000:]
    return ListImport.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[1])


def confirm(client, list_import):
    response = client.post(f"/lists/import/{list_import.pk}/", {"confirm": "1"}, follow=True)
    assert response.status_code == 200
    list_import.refresh_from_db()
    assert list_import.applied_at is not None
    return list_import


def by_status(list_import):
    rows = list_import.report["rows"]
    counted = {status: [row for row in rows if row["status"] == status] for status in STATUSES}
    assert sum(len(group) for group in counted.values()) == len(rows)  # every row has exactly one outcome
    return counted


# The national list: a text PDF, 地区 = 湖北 (or another province), no credit codes, two tables ---------------

HUBEI_FACTORIES = [f"湖北国家级示范{i}有限公司" for i in range(1, 46)]
OTHER_FACTORIES = [("北京市", "北京绿色示范有限公司"), ("江苏", "江苏绿色示范有限公司")]
NATIONAL_PRODUCTS = [
    ("湖北", "湖北三环锻造(集团)有限公司", "汽车转向节", "ZX-1"),
    ("湖北省", "湖北国家级示范1有限公司", "节能电机", "YE5"),
]


def national_pdf():
    factories = [[i, "湖北", name] for i, name in enumerate(HUBEI_FACTORIES, start=1)]
    factories.insert(3, [4, "湖北", "湖北三环锻造（集团）有限公司"])
    factories += [[len(factories) + i, *row] for i, row in enumerate(OTHER_FACTORIES, start=1)]
    products = [[i, *row] for i, row in enumerate(NATIONAL_PRODUCTS, start=1)]
    return files.pdf(
        [
            (
                ["附件1", "2023年度绿色工厂名单"],
                ["序号", "省份", "单位名称"],
                factories,
                ["注：排名不分先后。"],
            ),
            (
                ["附件2", "2023年度绿色设计产品名单"],
                ["序号", "省份", "企业名称", "产品名称", "产品型号"],
                products,
                ["注：产品型号以证书为准。"],
            ),
        ]
    )


def test_a_national_pdf_with_no_codes_and_only_the_province_imports_every_hubei_row(official):
    content = national_pdf()
    list_import = upload(official, content, "附件.pdf")

    tables = list_import.report["tables"]
    assert [(t["title"], t["category"], t["level"], t["level_from"]) for t in tables] == [
        ("附件1 2023年度绿色工厂名单", "factory", "national", "notice"),
        ("附件2 2023年度绿色设计产品名单", "product", "national", "notice"),
    ]
    assert tables[0]["notes"] == ["注：排名不分先后。"]
    counted = by_status(list_import)
    # 46 Hubei factories (the header repeated on page 2 is not a row), 2 elsewhere, 2 products.
    assert list_import.report["totals"]["rows"] == 46 + 2 + 2
    assert len(counted["elsewhere"]) == 2
    assert len(counted["new"]) == 48 and not counted["failed"] and not counted["undecided"]
    same = [row for row in counted["new"] if row["same_as"]]
    assert sorted(row["name"] for row in same) == ["湖北三环锻造(集团)有限公司", "湖北国家级示范1有限公司"]
    assert Organisation.objects.count() == 0 and ListedUnit.objects.count() == 0  # nothing before confirming

    page = official.get(f"/lists/import/{list_import.pk}/").content.decode()
    assert "新建未认领单位“湖北国家级示范2有限公司”（市州待定" in page
    assert "地区“北京市”不是湖北省的市州，不导入" in page

    confirm(official, list_import)

    # Nothing invented: exactly the distinct Hubei names, no codes, no cities guessed.
    assert sorted(Organisation.objects.values_list("name", flat=True)) == sorted(
        [*HUBEI_FACTORIES, "湖北三环锻造（集团）有限公司"]
    )
    assert not Organisation.objects.filter(credit_code__isnull=False).exists()
    assert not Organisation.objects.filter(region__isnull=False).exists()
    assert ListedUnit.objects.filter(category="factory", level="national").count() == 46
    assert sorted(ListedUnit.objects.filter(category="product").values_list("product_name", flat=True)) == [
        "汽车转向节 ZX-1",
        "节能电机 YE5",
    ]
    assert {u.next_review_on for u in ListedUnit.objects.all()} == {date(2026, 12, 20)}


def test_the_same_file_twice_is_refused_and_a_revert_takes_back_exactly_the_import(official):
    content = national_pdf()
    list_import = confirm(official, upload(official, content, "附件.pdf"))

    again = official.post(
        "/lists/import/",
        {"year": 2023, "listed_on": "2023-12-20", "file": SimpleUploadedFile("再次.pdf", content)},
    )
    assert "不能重复导入" in again.content.decode()
    assert ListImport.objects.count() == 1

    official.post(f"/lists/import/{list_import.pk}/", {"revert": "1"})

    list_import.refresh_from_db()
    assert list_import.reverted_at is not None
    assert Organisation.objects.count() == 0 and ListedUnit.objects.count() == 0
    # Reverted, the same file may be imported again (saved under another name: the identical form posted again
    # within half an hour is taken as a double submission and lands on the first import).
    assert upload(official, content, "附件（重新导入）.pdf").pk != list_import.pk


def test_a_revert_is_refused_once_something_is_built_on_the_import_or_its_days_have_passed(official):
    list_import = confirm(official, upload(official, national_pdf(), "附件.pdf"))
    unit = ListedUnit.objects.filter(list_import=list_import).order_by("pk").first()

    def refused_with(reason):
        page = official.post(
            f"/lists/import/{list_import.pk}/", {"revert": "1"}, follow=True
        ).content.decode()
        assert reason in page
        list_import.refresh_from_db()
        assert (
            list_import.reverted_at is None
            and ListedUnit.objects.filter(list_import=list_import).count() == 48
        )

    case = ReReviewCase.objects.create(listed_unit=unit, due_on=date(2026, 12, 20))
    refused_with("导入的名单记录已有三年复核，不能撤销。")
    case.delete()
    declaration = DeclarationFactory(
        organisation=unit.organisation, region_id="420100", created_by=make_user(Role.APPLICANT)
    )
    refused_with("导入新建的单位已有申报，不能撤销。")
    declaration.delete()
    days = Policy.in_force(list_import.listed_on).import_revert_days
    ListImport.objects.filter(pk=list_import.pk).update(applied_at=timezone.now() - timedelta(days=days + 1))
    refused_with(f"导入已超过{days}天，不能整批撤销。")


# A city's list: a Word file of several tables, short names, a header over two rows ----------------------


def test_a_city_word_file_suggests_short_names_and_the_official_decides(official):
    confirm(official, upload(official, national_pdf(), "附件.pdf"))
    content = files.docx(
        [
            (
                ["附件1", "2023年武汉市级绿色工厂名单"],
                ["序号", "单位名称"],
                [[1, "三环锻造"], [2, "武汉光谷新材料有限公司"], [3, "武汉光谷新材料有限公司"]],
                ["注：以上排名不分先后。"],
            ),
            (
                ["附件2", "2023年武汉市级绿色设计产品名单"],
                ["序号", "企业名称", "产品名称", "型号"],
                [[1, "国家级示范45", "变压器", "S13"], [2, "国家级示范", "电机", "Y2"]],
                [],
            ),
        ],
        notice="武汉市经济和信息化局关于公布2023年武汉市级绿色制造名单的通知",
        merged_header=True,
    )

    list_import = upload(official, content, "武汉市级名单.docx", default_region="420100")

    tables = list_import.report["tables"]
    assert [(t["category"], t["level"], t["default_region"]) for t in tables] == [
        ("factory", "municipal", "420100"),
        ("product", "municipal", "420100"),
    ]
    assert tables[1]["columns"]["product"] == "产品名称" and tables[1]["columns"]["model"] == "型号"
    rows = {row["where"]: row for row in list_import.report["rows"]}
    assert rows["表1第2行"]["status"] == "undecided"
    assert rows["表1第2行"]["suggestion"]["name"] == "湖北三环锻造（集团）有限公司"
    assert rows["表1第3行"]["status"] == "new" and rows["表1第3行"]["region"] == "武汉市"
    assert rows["表1第4行"]["status"] == "failed" and rows["表1第4行"]["reason"] == "与表1第3行重复"
    # Contained in one known name only: a suggestion. Contained in 45 names: not a short name at all.
    assert rows["表2第3行"]["status"] == "undecided"
    assert rows["表2第4行"]["status"] == "new" and "不作为简称匹配" in rows["表2第4行"]["note"]
    page = official.get(f"/lists/import/{list_import.pk}/").content.decode()
    assert "可能是“湖北三环锻造（集团）有限公司”的简称" in page

    choices = {f"t{i}-kind": "list" for i in range(2)}
    choices.update({f"t{i}-category": t["category"] for i, t in enumerate(tables)})
    choices.update({f"t{i}-level": "municipal" for i in range(2)})
    choices.update({f"t{i}-default_region": "420100" for i in range(2)})
    seq = {row["where"]: row["seq"] for row in list_import.report["rows"]}
    official.post(
        f"/lists/import/{list_import.pk}/",
        {
            "choose": "1",
            **choices,
            f"decision-{seq['表1第2行']}": "accept",
            f"decision-{seq['表2第3行']}": "new",
        },
    )
    list_import.refresh_from_db()
    rows = {row["where"]: row for row in list_import.report["rows"]}
    assert rows["表1第2行"]["status"] == "matched" and rows["表1第2行"]["matched_by"] == "short_name"
    assert rows["表2第3行"]["status"] == "new"
    confirm(official, list_import)

    sanhuan = Organisation.objects.get(name="湖北三环锻造（集团）有限公司")
    assert sanhuan.listings.filter(level="municipal", region_id="420100").count() == 1
    assert Organisation.objects.filter(name="武汉光谷新材料有限公司", region_id="420100").count() == 1
    assert not Organisation.objects.filter(name="三环锻造").exists()


def test_a_table_whose_title_says_no_category_is_chosen_in_the_dry_run(official):
    content = files.xlsx(["2023年名单"], ["序号", "市州", "单位名称"], [1, "黄石", "黄石某某有限公司"])
    list_import = upload(official, content, "名单.xlsx", level="provincial")

    assert list_import.report["totals"]["undecided"] == 1
    assert "请在上方为该表选择类别" in official.get(f"/lists/import/{list_import.pk}/").content.decode()
    official.post(
        f"/lists/import/{list_import.pk}/",
        {"choose": "1", "t0-kind": "list", "t0-category": "supply_chain", "t0-level": "provincial"},
    )
    confirm(official, list_import)

    unit = ListedUnit.objects.get()
    assert (unit.category, unit.level, unit.region_id) == ("supply_chain", "provincial", "420200")
    assert unit.organisation.is_unclaimed


# A provincial .xls saved by WPS, with a 类别 column mixing categories --------------------------------------


def test_an_xls_with_a_category_column_and_spellings_of_a_known_name(official):
    confirm(official, upload(official, national_pdf(), "附件.pdf"))
    content = files.xls(
        ["2023年度湖北省省级绿色制造名单"],
        ["序号", "市州", "单位名称", "类别"],
        [1, "十堰市", "湖北三环锻造 (集团) 有限公司", "绿色工厂"],
        [2, "宜昌", "宜昌绿色园区管理委员会", "绿色工业园区"],
        [3, "襄阳市", "襄阳供应链有限公司", "绿色供应链管理企业"],
        [4, "湖北省", "ＡＢＣ湖北新材料有限公司", "绿色工厂"],
        [5, "", "ABC湖北新材料有限公司", "绿色工厂"],
        ["注：排名不分先后。"],
    )

    list_import = upload(official, content, "省级名单.xls")

    assert list_import.report["tables"][0]["level"] == "provincial"
    rows = {row["number"]: row for row in list_import.report["rows"]}
    assert len(rows) == 5
    assert (rows[3]["status"], rows[3]["matched_by"], rows[3]["category"]) == ("matched", "name", "factory")
    assert (rows[4]["category"], rows[5]["category"]) == ("park", "supply_chain")
    assert rows[6]["status"] == "new" and rows[6]["region"] == ""
    assert rows[7]["status"] == "failed" and rows[7]["reason"] == "与第6行重复"
    confirm(official, list_import)

    sanhuan = Organisation.objects.get(name="湖北三环锻造（集团）有限公司")
    assert sanhuan.region_id is None  # the listing has a city, the unclaimed unit keeps what it was given
    assert sanhuan.listings.get(level="provincial").region_id == "420300"
    assert Organisation.objects.get(name="宜昌绿色园区管理委员会").kind == "park"


def test_a_csv_list_reads_like_a_sheet(official):
    content = files.csv_bytes(["序号", "地区", "单位名称"], ["1", "荆门", "荆门绿色化工有限公司"])

    list_import = upload(official, content, "名单.csv", level="provincial", category="factory")

    (row,) = list_import.report["rows"]
    assert (row["status"], row["region"]) == ("new", "荆门市")


def test_a_scanned_pdf_is_refused_with_a_message_that_says_so(official):
    response = official.post(
        "/lists/import/",
        {
            "year": 2023,
            "listed_on": "2023-12-20",
            "file": SimpleUploadedFile("扫描件.pdf", files.scanned_pdf()),
        },
    )

    assert "该 PDF 没有可提取的文字，应是扫描件或图片" in response.content.decode()
    assert not ListImport.objects.exists()


# 更名 and 撤销 lists --------------------------------------------------------------------------------------


def test_a_rename_list_records_former_names_and_later_lists_match_them(official):
    confirm(official, upload(official, national_pdf(), "附件.pdf"))
    content = files.xlsx(
        ["附件3", "绿色制造名单更名情况"],
        ["序号", "原名称", "新名称"],
        [1, "湖北国家级示范3有限公司", "湖北更名后示范股份有限公司"],
        [2, "从未入选的有限公司", "仍未入选的有限公司"],
    )

    list_import = upload(official, content, "更名.xlsx")

    assert list_import.report["tables"][0]["kind"] == "rename"
    counted = by_status(list_import)
    assert (len(counted["matched"]), len(counted["failed"])) == (1, 1)
    confirm(official, list_import)

    renamed = Organisation.objects.get(name="湖北更名后示范股份有限公司")
    assert list(renamed.former_names.values_list("name", flat=True)) == ["湖北国家级示范3有限公司"]
    assert not Organisation.objects.filter(name__in=["从未入选的有限公司", "仍未入选的有限公司"]).exists()

    older = upload(
        official,
        files.xlsx(
            ["2021年度绿色工厂名单"], ["序号", "地区", "单位名称"], [1, "湖北", "湖北国家级示范3有限公司"]
        ),
        "旧名单.xlsx",
        level="national",
        year=2021,
    )
    (row,) = older.report["rows"]
    assert (row["status"], row["matched_by"], row["organisation"]) == ("matched", "former_name", renamed.pk)


def test_a_removal_list_marks_removals_with_date_and_number_and_bars_declaring(official):
    confirm(official, upload(official, national_pdf(), "附件.pdf"))
    content = files.docx(
        [
            (
                ["附件", "撤销绿色工厂名单"],
                ["序号", "省份", "单位名称"],
                [[1, "湖北", "湖北国家级示范5有限公司"], [2, "湖北", "没入选过的有限公司"]],
                [],
            )
        ],
        notice="工业和信息化部办公厅关于撤销部分绿色制造名单的通知",
    )

    list_import = upload(
        official,
        content,
        "撤销.docx",
        year=2025,
        listed_on="2025-06-30",
        document_number="工信厅节函〔2025〕99号",
    )

    assert (list_import.report["tables"][0]["kind"], list_import.report["tables"][0]["level"]) == (
        "removal",
        "national",
    )
    counted = by_status(list_import)
    assert (len(counted["matched"]), len(counted["failed"])) == (1, 1)
    confirm(official, list_import)

    unit = ListedUnit.objects.get(organisation__name="湖北国家级示范5有限公司")
    assert (unit.review_status, unit.removed_on, unit.removal_document) == (
        "removed",
        date(2025, 6, 30),
        "工信厅节函〔2025〕99号",
    )
    exclusion = Exclusion.objects.get(organisation=unit.organisation)
    assert (exclusion.starts_on, exclusion.ends_on) == (date(2025, 6, 30), date(2028, 6, 29))
    assert unit not in ListedUnit.objects.public()
    assert "湖北国家级示范5有限公司" not in official.get("/lists/").content.decode()

    official.post(f"/lists/import/{list_import.pk}/", {"revert": "1"})

    unit.refresh_from_db()
    assert (unit.review_status, unit.removed_on) == ("current", None)
    assert not Exclusion.objects.exists()
    assert not FormerName.objects.exists()


def test_the_province_places_units_of_a_province_only_list_in_their_cities_in_bulk(official, login):
    confirm(official, upload(official, national_pdf(), "附件.pdf"))
    first, second = Organisation.objects.filter(name__in=HUBEI_FACTORIES[:2]).order_by("name")

    page = official.get("/lists/pending-cities/").content.decode()
    assert first.name in page and "2023国家级绿色工厂" in page
    official.post("/lists/pending-cities/", {f"city-{first.pk}": "420500", f"city-{second.pk}": ""})

    first.refresh_from_db(), second.refresh_from_db()
    assert (first.region_id, second.region_id) == ("420500", None)
    assert set(first.listings.values_list("region_id", flat=True)) == {"420500"}
    assert set(second.listings.values_list("region_id", flat=True)) == {None}
    assert login(make_user(Role.CITY, city="420500")).get("/lists/pending-cities/").status_code == 403
