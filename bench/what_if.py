"""Measure the proposed fixes without editing the application: before/after on the affected pages.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/greenmfg_bench .venv/bin/python bench/what_if.py

The fixes are applied only inside this process and the bench database, and undone at the end:

1. two indexes for the declaration lists' ordering (``-updated_at, -id``; ``region, -updated_at, -id``), created
   in the bench database and dropped again;
2. ``ListedUnit.objects.for_lists()`` without ``declaration__batch`` in ``select_related`` (monkeypatched);
3. ``registry.exports.list_workbook`` looking its three labels up in dicts built once per workbook instead of
   calling ``get_FOO_display()`` per cell (monkeypatched).

Prints a markdown table of median latency and SQL time before and after; ``--write`` appends it to results.md.
"""

import argparse
import sys
from io import BytesIO

from django.conf import settings
from django.db import connection, connections
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from pages import RESULTS, Clients, measure, timed  # importing pages sets Django up

from registry import exports
from registry.models import ListedUnit, ListedUnitQuerySet

INDEXES = {
    "bench_whatif_declaration_recent": "ON applications_declaration (updated_at DESC, id DESC)",
    "bench_whatif_declaration_region_recent": "ON applications_declaration (region_id, updated_at DESC, id DESC)",
}
PAGES = [
    ("declarations", "shengting", "/declarations/"),
    ("declarations", "shizhou_wuhan", "/declarations/"),
    ("declarations city_review", "shizhou_wuhan", "/declarations/?state=city_review"),
    ("dashboard", "shengting", "/dashboard/"),
    ("dashboard", "shizhou_wuhan", "/dashboard/"),
    ("lists", None, "/lists/"),
    ("lists deep page", None, "/lists/?page=300"),
    ("api lists", None, "/api/lists/"),
    ("api lists 200/page", None, "/api/lists/?page_size=200"),
]
EXPORT = ("lists export.xlsx (all)", None, "/lists/export.xlsx")


def for_lists_without_declaration(self):
    return self.select_related("organisation", "region").order_by(
        "region__order", "category", "organisation__name", "pk"
    )


def list_workbook_with_label_dicts(listed_units) -> bytes:
    """exports.list_workbook, with the choice labels looked up in plain dicts."""
    fields = {name: ListedUnit._meta.get_field(name) for name in ("category", "level", "review_status")}
    labels = {name: {value: str(label) for value, label in f.flatchoices} for name, f in fields.items()}
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("绿色制造名单")
    sheet.column_dimensions["C"].width = 40
    sheet.column_dimensions["E"].width = 20
    header = []
    for title in exports.LIST_COLUMNS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for number, unit in enumerate(listed_units, start=1):
        sheet.append(
            [
                number,
                unit.region.name,
                unit.organisation.name,
                unit.product_name,
                labels["category"][unit.category],
                labels["level"][unit.level],
                unit.year,
                labels["review_status"][unit.review_status],
            ]
        )
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run(clients, n, export_n):
    rows = {}
    for label, user, url in PAGES:
        rows[label, user] = measure(clients.get(user), url, n)
    rows[EXPORT[0], EXPORT[1]] = timed(clients.get(EXPORT[1]), EXPORT[2], export_n)
    return rows


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--export-requests", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="append the table to bench/results.md")
    args = parser.parse_args()
    if "bench" not in connection.settings_dict["NAME"]:
        sys.exit("Point DATABASE_URL at the seeded bench database.")
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    connections["default"].settings_dict["CONN_MAX_AGE"] = None

    clients = Clients()
    before = run(clients, args.requests, args.export_requests)
    original_for_lists, original_workbook = ListedUnitQuerySet.for_lists, exports.list_workbook
    try:
        with connection.cursor() as cursor:
            for name, definition in INDEXES.items():
                cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} {definition}")
            cursor.execute("ANALYZE applications_declaration")
        ListedUnitQuerySet.for_lists = for_lists_without_declaration
        exports.list_workbook = list_workbook_with_label_dicts
        after = run(clients, args.requests, args.export_requests)
    finally:
        ListedUnitQuerySet.for_lists, exports.list_workbook = original_for_lists, original_workbook
        with connection.cursor() as cursor:
            for name in INDEXES:
                cursor.execute(f"DROP INDEX IF EXISTS {name}")
            cursor.execute("ANALYZE applications_declaration")

    lines = [
        "## What if: the proposed fixes applied (bench/what_if.py)",
        "",
        "| page | user | median ms before | median ms after | SQL ms before | SQL ms after |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for (label, user), b in before.items():
        a = after[label, user]
        sql = f"{b['sql_ms']:.1f} | {a['sql_ms']:.1f}" if "sql_ms" in b else "– | –"  # exports: no SQL split
        lines.append(f"| {label} | {user or 'anonymous'} | {b['median']:.1f} | {a['median']:.1f} | {sql} |")
    table = "\n".join(lines)
    print(table)
    if args.write:
        text = RESULTS.read_text() if RESULTS.exists() else ""
        marker = "## What if:"
        if marker in text:
            text = text[: text.index(marker)].rstrip("\n") + "\n"
        RESULTS.write_text(text.rstrip("\n") + "\n\n" + table + "\n")
        print(f"appended to {RESULTS}")


if __name__ == "__main__":
    main()
