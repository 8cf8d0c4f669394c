"""How long a provincial official waits for a long published PDF list: dry run and confirmation of N rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/greenmfg_import .venv/bin/python bench/import_pdf.py --rows 2000

Builds a text PDF the way MIIT publishes one (a notice title, 附件1 绿色工厂名单 and 附件2 绿色设计产品名单, the
header repeated on every page, notes under each table; 地区 湖北 and no credit codes), then times, in the
database ``DATABASE_URL`` names (migrated), the upload's dry run (reading the PDF and deciding every row) and the
confirmation (creating the unclaimed units and listings), each as the worker does it when the file is longer than
``IMPORT_BACKGROUND_PAGES`` pages or the confirmation writes more than ``IMPORT_BACKGROUND_ROWS`` rows, beside
the requests that hand them over. Everything it writes is rolled back and its files go
to a temporary folder, so it can run against any development database. Prints the times; nothing fails.
"""

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "greenmfg.settings")
os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="import-bench-")


class Rollback(Exception):
    """Raised at the end so the measured writes leave nothing behind."""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    args = parser.parse_args()

    import django

    django.setup()
    from datetime import date

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection, transaction

    from greenmfg.roles import Role
    from registry import imports
    from tests.factories import make_user
    from tests.registry import published_files as files

    products = args.rows // 5
    factories = [[i, "湖北", f"湖北示范制造{i}有限公司"] for i in range(1, args.rows - products + 1)]
    product_rows = [
        [i, "湖北", f"湖北示范制造{i}有限公司", "节能电机", f"YE{i}"] for i in range(1, products + 1)
    ]
    started = time.perf_counter()
    content = files.pdf(
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
                product_rows,
                ["注：产品型号以证书为准。"],
            ),
        ]
    )
    built = time.perf_counter() - started
    import pdfplumber

    with pdfplumber.open(io.BytesIO(content)) as pdf:
        pages = len(pdf.pages)

    try:
        with transaction.atomic():
            province = make_user(Role.PROVINCE)
            started = time.perf_counter()
            handed_over = []
            imports.start_reading = handed_over.append  # the worker's part is timed on its own below
            list_import = imports.create_import(
                file=SimpleUploadedFile("bench.pdf", content),
                year=2023,
                listed_on=date(2023, 12, 20),
                user=province,
            )
            uploaded = time.perf_counter() - started
            started, cpu = time.perf_counter(), time.process_time()
            for pk in handed_over:  # a PDF longer than IMPORT_BACKGROUND_PAGES: what the worker does
                imports.read_in_background(pk)
            list_import.refresh_from_db()
            dry_run, dry_run_cpu = time.perf_counter() - started, time.process_time() - cpu
            started = time.perf_counter()
            counts = imports.confirm(list_import, user=province)  # the request; None: handed to a worker
            confirm_request = time.perf_counter() - started
            confirmed_where = "in the request" if counts else "in a worker"
            started, cpu = time.perf_counter(), time.process_time()
            if counts is None:  # what the worker does (the hand-over waits for a commit that never comes)
                imports.apply_in_background(list_import.pk)
                list_import.refresh_from_db()
                counts = list_import.report["result"]
            confirmed, confirmed_cpu = time.perf_counter() - started, time.process_time() - cpu
            totals = list_import.report["totals"]
            raise Rollback
    except Rollback:
        pass
    print(
        f"database: {connection.vendor}; PDF of {args.rows} rows, {pages} pages, {len(content) // 1024} KiB"
    )
    print(f"built in {built:.1f} s (WeasyPrint, not part of the import)")
    # Wall time depends on what else the machine runs; the CPU time of this process does much less.
    where = "in a worker" if handed_over else "in the request"
    print(f"upload (the request: checks, page count, file stored): {uploaded:.1f} s")
    print(
        f"dry run {where} (read the PDF, decide every row): {dry_run:.1f} s, CPU {dry_run_cpu:.1f} s;"
        f" totals {totals}"
    )
    print(f"confirm (the request: checks, hand-over): {confirm_request:.1f} s")
    print(
        f"confirm {confirmed_where} (write units and listings): {confirmed:.1f} s, CPU {confirmed_cpu:.1f} s;"
        f" {counts}"
    )
    total = uploaded + dry_run + confirm_request + confirmed
    print(f"total for the official: {total:.1f} s (load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
