"""Lists in the shapes they are really published in, built here so the tests need no real government files.

Each builder takes tables as ``(title lines, header, rows, notes)`` and lays them out the way that shape's
publishers do: a notice title, 附件 headings, the header repeated on every PDF page, notes under a table.
"""

import csv
import io
from html import escape

import xlwt
from docx import Document
from openpyxl import Workbook
from weasyprint import HTML

NOTICE = "工业和信息化部办公厅关于公布2023年度绿色制造名单的通知"


def xlsx(*rows, sheets=None) -> bytes:
    """One sheet of ``rows``, or ``sheets`` = {name: rows}; a row of one value in a merged cell is a title."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, sheet_rows in (sheets or {"Sheet1": rows}).items():
        sheet = workbook.create_sheet(name)
        width = max(len(row) for row in sheet_rows if row) if any(sheet_rows) else 1
        for number, row in enumerate(sheet_rows, start=1):
            sheet.append(list(row))
            if len(row) == 1 and width > 1:
                sheet.merge_cells(start_row=number, start_column=1, end_row=number, end_column=width)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xls(*rows) -> bytes:
    """The old binary Excel format WPS still saves by default."""
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("名单")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(*rows, encoding="gb18030") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def docx(tables, *, notice=NOTICE, merged_header=False) -> bytes:
    """A 通知's Word attachment: the notice title, then each table under its 附件 heading, notes under it.

    With ``merged_header`` a header cell spans two columns over a second header row (产品 → 产品名称 | 型号).
    """
    document = Document()
    document.add_paragraph(notice)
    for titles, header, rows, notes in tables:
        for line in titles:
            document.add_paragraph(line)
        two_rows = merged_header and "产品名称" in header
        table = document.add_table(rows=0, cols=len(header))
        if two_rows:
            top = table.add_row().cells
            index = header.index("产品名称")
            for i, text in enumerate(header):
                top[i].text = "产品" if i in (index, index + 1) else text
            top[index].merge(top[index + 1])
        for values in [header, *rows]:
            cells = table.add_row().cells
            for cell, value in zip(cells, values, strict=True):
                cell.text = str(value)
        for note in notes:
            document.add_paragraph(note)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pdf(tables, *, notice=NOTICE) -> bytes:
    """A text PDF as a notice prints: each table's header repeated on every page it runs over, page numbers."""
    parts = [
        "<html><head><meta charset='utf-8'><style>"
        "@page { size: A4; margin: 2cm; @bottom-center { content: '- ' counter(page) ' -'; } }"
        "body { font-family: 'Noto Sans CJK SC', sans-serif; font-size: 10pt; }"
        "table { border-collapse: collapse; width: 100%; } td, th { border: 1px solid #000; padding: 2px; }"
        "thead { display: table-header-group; } tr { break-inside: avoid; }"
        f"</style></head><body><h1>{escape(notice)}</h1>"
    ]
    for titles, header, rows, notes in tables:
        parts += [f"<h2>{escape(line)}</h2>" for line in titles]
        parts.append("<table><thead><tr>")
        parts += [f"<th>{escape(str(text))}</th>" for text in header]
        parts.append("</tr></thead><tbody>")
        for row in rows:
            parts.append("<tr>" + "".join(f"<td>{escape(str(value))}</td>" for value in row) + "</tr>")
        parts.append("</tbody></table>")
        parts += [f"<p>{escape(note)}</p>" for note in notes]
    parts.append("</body></html>")
    return HTML(string="".join(parts)).write_pdf()


def scanned_pdf() -> bytes:
    """A PDF of a picture and no text, as a scanner makes it."""
    return HTML(
        string="<html><body><svg width='400' height='200'><rect width='400' height='200' fill='#888'/></svg>"
        "</body></html>"
    ).write_pdf()
