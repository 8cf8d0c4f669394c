"""registry.published on its own: files in each published shape become the tables a reader sees in them."""

import io

import pytest

from greenmfg.refusals import Refused
from registry import published

from . import published_files as files


def read(content, name):
    file = io.BytesIO(content)
    file.name = name
    kind = published.kind_of(file)
    return kind, published.tables(file, kind)


def test_each_shape_is_recognised_by_its_content():
    assert read(files.xls(["单位名称"], ["甲公司"]), "名单.xlsx")[0] == "xls"
    assert read(files.xlsx(["单位名称"], ["甲公司"]), "名单")[0] == "xlsx"
    assert read(files.csv_bytes(["单位名称"], ["甲公司"]), "名单.csv")[0] == "csv"
    assert read(files.docx([([], ["单位名称"], [["甲公司"]], [])]), "x")[0] == "docx"


def test_a_sheet_with_two_tables_titles_a_two_row_header_and_notes():
    _kind, tables = read(
        files.xlsx(
            ["附件1"],
            ["2023年度绿色工厂名单"],
            ["序号", "地区", "单位名称"],
            [1, "武汉", "甲公司"],
            [],
            [2, "黄石", "乙公司"],
            ["注：排名不分先后"],
            ["附件2 2023年度绿色设计产品名单"],
            ["序号", "企业名称", "产品", None],
            [None, None, "产品名称", "型号"],
            [1, "丙公司", "电机", "Y2"],
        ),
        "名单.xlsx",
    )

    assert [t.title for t in tables] == ["附件1 2023年度绿色工厂名单", "附件2 2023年度绿色设计产品名单"]
    assert [[row.cells for row in t.rows] for t in tables] == [
        [["1", "武汉", "甲公司", ""], ["2", "黄石", "乙公司", ""]],
        [["1", "丙公司", "电机", "Y2"]],
    ]
    assert [row.where for row in tables[0].rows] == ["第4行", "第6行"]
    assert tables[0].notes == ["注：排名不分先后"] and tables[0].blank == 1
    assert tables[1].column_titles() == {
        "number": "序号",
        "name": "企业名称",
        "product": "产品名称",
        "model": "型号",
    }


def test_a_pdf_table_over_three_pages_is_one_table_without_its_repeated_header_or_page_numbers():
    rows = [[i, "湖北", f"湖北第{i}有限公司"] for i in range(1, 81)]
    _kind, tables = read(
        files.pdf([(["附件1 绿色工厂名单"], ["序号", "地区", "单位名称"], rows, ["注：完"])]), "x.pdf"
    )

    (table,) = tables
    assert [row.cells[2] for row in table.rows] == [f"湖北第{i}有限公司" for i in range(1, 81)]
    assert table.rows[-1].where.startswith("第3页")  # two page breaks, the header printed on each page
    assert table.notes == ["注：完"]


def test_a_file_without_a_name_column_or_text_is_refused_with_what_is_wrong():
    with pytest.raises(Refused, match="没有找到名单表格"):
        read(files.xlsx(["序号", "地区"], [1, "武汉"]), "x.xlsx")
    with pytest.raises(Refused, match="扫描件"):
        read(files.scanned_pdf(), "x.pdf")
    with pytest.raises(Refused, match="表头下面没有数据行"):
        read(files.csv_bytes(["单位名称"]), "x.csv")
