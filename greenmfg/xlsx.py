"""Every .xlsx the portal writes, ready for an office to file and print, and safe to open.

One call writes one sheet::

    xlsx.workbook(title=_("湖北省绿色制造名单"), header=[...], rows=iterable_of_lists, document_number="…")
    xlsx.write(file, title=..., header=..., rows=...)   # the same into an open binary file (a background job)

Row 1 is the title (what, as of when, the 文号 if there is one), row 2 the bold header, frozen and filtered; columns
are as wide as their text (a CJK character counts double, fitted on the first rows); pages are A4 landscape, one
page wide, with rows 1–2 repeated on each page and 第 n 页 in the footer. Numbers and dates stay numbers and dates.

Formula safety: openpyxl makes any string that starts with ``=`` a formula, and a spreadsheet program evaluates
text starting with ``+ - @`` (or a tab or carriage return before them) when someone edits the cell. Such a
string is written as an explicit text cell (``data_type "s"``, quote prefix): it shows unchanged and is never
evaluated. Rows are streamed (openpyxl ``write_only``), so a long list costs little more than raw openpyxl.
"""

import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from io import BytesIO
from itertools import chain, islice

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
WIDTH_SAMPLE = 500
MIN_WIDTH, MAX_WIDTH = 6, 60
TITLE_FONT = Font(bold=True, size=14)
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E8EEF4")


def workbook(**sheet) -> bytes:
    """The workbook as bytes; takes the arguments of ``write`` after the file."""
    buffer = BytesIO()
    write(buffer, **sheet)
    return buffer.getvalue()


def write(
    file,
    *,
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence],
    as_of: date | datetime | None = None,
    document_number: str = "",
    sheet_name: str = "",
) -> None:
    """Write one titled sheet of ``header`` and ``rows`` (lists of str, numbers, dates, None) into ``file``."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_sheet_name(sheet_name or title))
    rows = iter(rows)
    first = [_cells(sheet, row) for row in islice(rows, WIDTH_SAMPLE)]
    columns = len(header)
    last = get_column_letter(max(columns, 1))
    for index, width in enumerate(_widths(header, first), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    _print_setup(sheet)
    if columns > 1:
        sheet.merged_cells.add(f"A1:{last}1")

    sheet.append([_styled(sheet, title_line(title, as_of, document_number), font=TITLE_FONT)])
    sheet.append([_styled(sheet, name, font=HEADER_FONT, fill=HEADER_FILL) for name in header])
    written = 0
    for row in chain(first, (_cells(sheet, row) for row in rows)):
        sheet.append(row)
        written += 1
    sheet.auto_filter.ref = f"A2:{last}{written + 2}"
    book.save(file)


def title_line(title: str, as_of=None, document_number: str = "") -> str:
    as_of = as_of or timezone.localtime()
    if isinstance(as_of, datetime):
        when = date_format(timezone.localtime(as_of) if timezone.is_aware(as_of) else as_of, "Y年n月j日 H:i")
    else:
        when = date_format(as_of, "Y年n月j日")
    line = _("%(title)s（截至%(when)s）") % {"title": title, "when": when}
    if document_number:
        line += "　" + _("文号：%(number)s") % {"number": document_number}
    return line


def text_cell(sheet, value: str) -> Cell:
    """A cell that holds ``value`` as text whatever it starts with: never a formula, shown as given (less any
    control character, which a workbook cannot hold)."""
    cell = WriteOnlyCell(sheet)
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def _cells(sheet, row) -> list:
    values = list(row)
    for index, value in enumerate(values):
        if isinstance(value, str):
            if value.startswith(FORMULA_TRIGGERS):
                values[index] = text_cell(sheet, value)
            elif ILLEGAL_CHARACTERS_RE.search(value):  # openpyxl refuses control characters
                values[index] = ILLEGAL_CHARACTERS_RE.sub("", value)
        elif isinstance(value, datetime) and value.tzinfo is not None:
            values[index] = timezone.localtime(value).replace(tzinfo=None)
    return values


def _styled(sheet, value, **style) -> Cell:
    cell = text_cell(sheet, str(value))
    for name, setting in style.items():
        setattr(cell, name, setting)
    cell.alignment = Alignment(vertical="center")
    return cell


def display_width(value) -> int:
    """Columns a value takes on screen: a wide (CJK) character counts two, a date ten."""
    if isinstance(value, Cell):
        value = value.value
    if value is None:
        return 0
    if isinstance(value, date):
        return 19 if isinstance(value, datetime) else 10
    text = value if isinstance(value, str) else str(value)
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _widths(header, rows) -> list[float]:
    widths = [display_width(name) for name in header]
    for row in rows:
        for index, value in enumerate(row[: len(widths)]):
            widths[index] = max(widths[index], display_width(value))
    return [min(max(width + 2, MIN_WIDTH), MAX_WIDTH) for width in widths]


def _print_setup(sheet) -> None:
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "1:2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.oddFooter.center.text = _("第 &P 页，共 &N 页")


def _sheet_name(title: str) -> str:
    """Excel's rules for a sheet name: at most 31 characters, none of []:*?/\\."""
    return "".join(" " if char in "[]:*?/\\" else char for char in title)[:31] or "Sheet"
