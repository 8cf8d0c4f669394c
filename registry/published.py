"""Published lists as they really come: the tables inside a spreadsheet, a CSV, a Word attachment or a text PDF.

This module knows files, not the database: it turns a file into ``Table``s (a title, the column titles, the data
rows with where each was found, the notes under it), so the importer decides rows the same way whatever the
shape, and the reading can be tested on files built in the tests.

Lists are typed by hand and laid out for print, so the reader is lenient in the ways they really vary: one or
more title lines above a table (附件1 / 2023年度绿色工厂名单), a header over two rows where a cell is merged
across columns (产品 over 产品名称 | 型号), the header printed again on every PDF page, page numbers and running
heads between pages, and notes under the table (注：排名不分先后).
"""

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from greenmfg.refusals import Refused

# Header texts as published lists spell them, compared without spaces and with full-width forms folded.
HEADERS = {
    "number": ("序号", "编号"),
    "region": (
        "地区",
        "省份",
        "市州",
        "所在地",
        "所在地区",
        "所属地区",
        "所在市州",
        "所属市州",
        "市(州)",
        "地市",
        "省(区、市)",
        "省(区、市)及计划单列市",
    ),
    "name": ("单位名称", "企业名称", "园区名称", "名称", "新名称", "现名称", "变更后名称", "更名后名称"),
    "former_name": ("原名称", "原单位名称", "原企业名称", "原园区名称", "变更前名称", "更名前名称"),
    "product": ("产品名称",),
    "model": ("型号", "产品型号", "规格型号"),
    "credit_code": ("统一社会信用代码", "信用代码"),
    "category": ("类别", "名单类别", "类型"),
    "level": ("级别", "名单级别"),
}
HEADER_FIELDS = {
    unicodedata.normalize("NFKC", text): name for name, texts in HEADERS.items() for text in texts
}

# What a title or a 类别/级别 cell says, by the words it uses; the first word found wins.
CATEGORY_WORDS = (
    ("绿色设计产品", "product"),
    ("绿色产品", "product"),
    ("供应链", "supply_chain"),
    ("园区", "park"),
    ("绿色工厂", "factory"),
    ("工厂", "factory"),
)
LEVEL_WORDS = (
    ("国家级", "national"),
    ("国家", "national"),
    ("工业和信息化部", "national"),
    ("工信部", "national"),
    ("省级", "provincial"),
    ("省经信厅", "provincial"),
    ("市级", "municipal"),
    ("市州级", "municipal"),
)
KIND_WORDS = (
    ("更名", "rename"),
    ("名称变更", "rename"),
    ("撤销", "removal"),
    ("撤消", "removal"),
    ("移出", "removal"),
)
NOTE_STARTS = ("注", "备注", "说明", "*", "※")
PUBLISHED_KINDS = {"xlsx": ".xlsx", "xls": ".xls", "csv": ".csv", "docx": ".docx", "pdf": ".pdf"}

_SPACES = re.compile(r"\s+")  # \s covers the full-width space U+3000 and NBSP U+00A0
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PAGE_NUMBER = re.compile(r"^[-—－\s]*(第?\s*\d+\s*页?(共\s*\d+\s*页)?|\d+\s*/\s*\d+)[-—－\s]*$")


def clean_text(value) -> str:
    """A cell as text: no spaces at the ends, one ordinary space for any run of spaces inside."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _SPACES.sub(" ", str(value).translate(_INVISIBLE)).strip()


def fold(text: str) -> str:
    """Text compared the way readers compare it: full-width forms half-width, no spaces at all."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", clean_text(text)))


def words_say(text: str, words) -> str:
    """The value the first of ``words`` found in ``text`` stands for, or ""."""
    folded = fold(text)
    return next((value for word, value in words if word in folded), "")


@dataclass
class Row:
    number: int  # the row in its sheet, or its place in the document's table
    where: str  # how a person finds it: 第3行, 表2第5行, 第2页第7行
    cells: list[str]


@dataclass
class Table:
    """One list in the file: what its title says, which column holds what, its rows and notes."""

    title: str
    preamble: str  # the text before the first table (the 通知's own title), said of every table
    header: list[str]
    header_row: int
    columns: dict[str, int]
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    blank: int = 0

    def cell(self, row: Row, name: str) -> str:
        index = self.columns.get(name)
        return row.cells[index] if index is not None and index < len(row.cells) else ""

    def column_titles(self) -> dict[str, str]:
        return {name: self.header[index] for name, index in self.columns.items()}


# Reading each shape into lines ---------------------------------------------------------------------------
# A line is (cells, where, number): a table row with its cells, or a line of text as a single cell.


def kind_of(uploaded) -> str | None:
    """The shape of an uploaded list from its content (and, for CSV, its name): a key of PUBLISHED_KINDS."""
    uploaded.seek(0)
    head = uploaded.read(8)
    uploaded.seek(0)
    if head.startswith(_OLE):
        return "xls"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(uploaded) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        finally:
            uploaded.seek(0)
        return "docx" if "word/document.xml" in names else "xlsx" if "xl/workbook.xml" in names else None
    if (getattr(uploaded, "name", "") or "").lower().endswith(".csv") and _decode(uploaded.read()):
        uploaded.seek(0)
        return "csv"
    uploaded.seek(0)
    return None


def _decode(content: bytes) -> str:
    """CSV from Excel is UTF-8 with a BOM, or GB18030 when saved by a Chinese Excel or WPS."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return ""


def _spreadsheet_lines(file):
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(file)
    except Exception as error:  # calamine raises its own kinds on a damaged or foreign file
        raise Refused(_("无法读取该表格文件，请用 Excel 或 WPS 另存为 .xlsx 后重新上传。")) from error
    sheets = [name for name in workbook.sheet_names if workbook.get_sheet_by_name(name).height]
    for sheet_name in sheets:
        sheet = workbook.get_sheet_by_name(sheet_name)
        prefix = f"{sheet_name} " if len(sheets) > 1 else ""
        for number, values in enumerate(sheet.to_python(skip_empty_area=False), start=1):
            yield (
                [clean_text(v) for v in values],
                _("%(sheet)s第%(n)d行") % {"sheet": prefix, "n": number},
                number,
            )
        yield None, "", 0  # a new sheet starts a new table


def _csv_lines(file):
    text = _decode(file.read())
    for number, values in enumerate(csv.reader(io.StringIO(text)), start=1):
        yield [clean_text(v) for v in values], _("第%(n)d行") % {"n": number}, number


def _docx_lines(file):
    from docx import Document
    from docx.table import Table as WordTable
    from docx.text.paragraph import Paragraph

    try:
        document = Document(file)
    except Exception as error:  # python-docx raises many kinds on a damaged file
        raise Refused(_("无法读取该 Word 文件，请用 Word 或 WPS 另存为 .docx 后重新上传。")) from error
    table_number = 0
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            text = clean_text(block.text)
            if text:
                yield [text], "", 0
        elif isinstance(block, WordTable):
            table_number += 1
            for number, row in enumerate(block.rows, start=1):
                where = _("表%(t)d第%(n)d行") % {"t": table_number, "n": number}
                yield [clean_text(cell.text) for cell in row.cells], where, number


def _open_pdf(file):
    import pdfplumber

    try:
        return pdfplumber.open(file)
    except Exception as error:  # pdfminer raises many kinds on a damaged file
        raise Refused(_("无法读取该 PDF 文件。")) from error


def page_count(file, kind: str) -> int:
    """Pages of a PDF (cheap: the page tree, not the pages' contents); 1 for any other file."""
    if kind != "pdf":
        return 1
    file.seek(0)
    try:
        with _open_pdf(file) as pdf:
            return len(pdf.pages)
    finally:
        file.seek(0)


def _pdf_lines(file, on_page=None):
    with _open_pdf(file) as pdf:
        text_seen = False
        for page_number, page in enumerate(pdf.pages, start=1):
            text_seen = text_seen or bool(page.chars)
            yield from _pdf_page_lines(page, page_number)
            page.close()  # a long list is read a page at a time, not held whole
            if on_page:
                on_page(page_number)
        if not text_seen:
            raise Refused(
                _(
                    "该 PDF 没有可提取的文字，应是扫描件或图片。请上传发布单位提供的 Word、Excel 或文字版 PDF。"
                )
            )


def _pdf_page_lines(page, page_number):
    """A page's table rows and the text lines outside its tables, top to bottom."""
    found = page.find_tables()
    boxes = [table.bbox for table in found]

    def outside(obj):
        return not any(x0 <= obj["x0"] and obj["x1"] <= x1 and top <= obj["top"] <= bottom
                       for x0, top, x1, bottom in boxes)  # fmt: skip

    items = [
        (line["top"], [clean_text(line["text"])], "", 0)
        for line in page.filter(outside).extract_text_lines()
        if clean_text(line["text"])
    ]
    for table in found:
        for number, (row, cells) in enumerate(zip(table.rows, table.extract(), strict=True), start=1):
            where = _("第%(p)d页表格第%(n)d行") % {"p": page_number, "n": number}
            items.append((row.bbox[1], [clean_text(c) for c in cells], where, page_number * 1000 + number))
    for _top, cells, where, number in sorted(items, key=lambda item: item[0]):
        yield cells, where, number


READERS = {
    "xlsx": _spreadsheet_lines,
    "xls": _spreadsheet_lines,
    "csv": _csv_lines,
    "docx": _docx_lines,
    "pdf": _pdf_lines,
}


# Lines into tables ---------------------------------------------------------------------------------------


def _header_columns(cells) -> dict[str, int]:
    columns = {}
    for index, text in enumerate(cells):
        name = HEADER_FIELDS.get(fold(text))
        if name and name not in columns:
            columns[name] = index
    return columns


def _is_header(columns) -> bool:
    return "name" in columns or "former_name" in columns


def _is_note(text: str) -> bool:
    return fold(text).startswith(NOTE_STARTS)


def _starts_a_table(titles) -> bool:
    """Title lines between two tables name a new list (附件2, 绿色设计产品名单), not a page's running head."""
    text = " ".join(titles)
    return "附件" in fold(text) or bool(words_say(text, CATEGORY_WORDS) or words_say(text, KIND_WORDS))


def _merged_header(header, below):
    """A header printed over two rows: a cell of the lower row says more than the merged cell above it."""
    width = max(len(header), len(below))
    header, below = header + [""] * (width - len(header)), below + [""] * (width - len(below))
    return [low or high for high, low in zip(header, below, strict=True)]


def _split_preamble(titles):
    """Before the first table: the notice's own title (said of every table), then the table's title, which
    starts at the last 附件 line, or is the last line."""
    start = next((i for i in range(len(titles) - 1, -1, -1) if fold(titles[i]).startswith("附件")), None)
    if start is None:
        start = max(len(titles) - 1, 0)
    return " ".join(titles[:start]), " ".join(titles[start:])


class _Reader:
    """The state of reading lines into tables: the table being filled and the text lines since the last row."""

    def __init__(self):
        self.found, self.current, self.titles, self.preamble = [], None, [], ""
        self.awaiting_subheader, self.header_texts = False, set()

    def start(self, title, cells, number, columns):
        self.current = Table(
            title=title,
            preamble=self.preamble,
            header=cells,
            header_row=number,
            columns=columns,
        )
        self.found.append(self.current)
        self.titles = []

    def line(self, cells, where, number):
        filled = [cell for cell in cells if cell]
        if not filled:
            if self.current is not None:
                self.current.blank += 1
            return
        single = len(set(filled)) == 1  # a cell merged across the row repeats its text in every column
        columns = _header_columns(cells)
        current = self.current
        if self.awaiting_subheader and not single:
            self.awaiting_subheader = False
            if columns and (not _is_header(columns) or fold(filled[0]) in HEADER_FIELDS):
                current.header = _merged_header(current.header, cells)
                current.columns = _header_columns(current.header)
                self.header_texts.add(fold("".join(cells)))
                return
        self.awaiting_subheader = False
        if _is_header(columns):
            if current is not None and fold("".join(cells)) in self.header_texts:
                if not _starts_a_table(self.titles):
                    self.titles = []
                    return  # the header again at the top of a new page
            if not self.found:
                self.preamble, title = _split_preamble(self.titles)
            else:
                title = " ".join(text for text in self.titles if not _is_note(text))
            self.start(title, cells, number, columns)
            self.header_texts = {fold("".join(cells))}
            self.awaiting_subheader = True
            return
        if single:
            text = filled[0]
            if _PAGE_NUMBER.match(text):
                return
            if current is not None and current.rows and _is_note(text):
                current.notes.append(text)
                return
            in_name_column = where and cells.index(text) == current.columns.get("name") if current else False
            if not (in_name_column and not _starts_a_table([text])):
                self.titles.append(text)
                return
        if current is None:
            return  # a table without a name column is not a list
        if self.titles:
            if current.rows and _starts_a_table(self.titles):
                # Title lines, then rows without a header: a new list laid out like the last one.
                self.start(" ".join(self.titles), current.header, current.header_row, current.columns)
            self.titles = []
        self.current.rows.append(Row(number, where, cells))

    def finish(self) -> list[Table]:
        if self.found:
            self.found[-1].notes.extend(text for text in self.titles if _is_note(text))
        lists = [table for table in self.found if table.rows]
        if lists:
            return lists
        if self.found:
            raise Refused(_("表头下面没有数据行。"))
        raise Refused(
            _("文件中没有找到名单表格：表头应有“单位名称”列（也可写作“企业名称”“园区名称”或“原名称”）。")
        )


def tables(file, kind: str, on_page=None) -> list[Table]:
    """Every list in the file, in order. Refused (in Chinese) when the file holds no table with a name column.

    ``on_page(n)`` is called after each page of a PDF is read (progress of a long file)."""
    file.seek(0)
    reader = _Reader()
    lines = READERS[kind](file, on_page) if kind == "pdf" else READERS[kind](file)
    for cells, where, number in lines:
        if cells is None:  # the end of a sheet: its tables end with it
            reader.current, reader.titles = None, []
            continue
        reader.line(cells, where, number)
    return reader.finish()
