"""The full-list .xlsx through greenmfg.xlsx against raw openpyxl write_only on the same rows (issue 15: ≤ 1.3×).

Run from the repository root: ``.venv/bin/python bench/xlsx_export.py --rows 20000``. No database: the rows are
built in memory in the 名单's columns (Chinese names, credit codes, dates), so only the writing is timed. Each
writer runs ``--repeat`` times, interleaved; the best CPU time of each is compared.
"""

import argparse
import os
import sys
import time
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "greenmfg.settings")

import django

django.setup()

from openpyxl import Workbook  # noqa: E402

from greenmfg import xlsx  # noqa: E402
from registry.exports import LIST_COLUMNS  # noqa: E402

CITIES = ["武汉市", "黄石市", "十堰市", "宜昌市", "襄阳市", "鄂州市", "荆门市", "孝感市", "荆州市", "黄冈市"]


def rows(count):
    start = date(2020, 1, 1)
    return [
        [
            n,
            CITIES[n % len(CITIES)],
            f"湖北省第{n}号绿色制造示范有限责任公司",
            f"91420100MA{n:08d}",
            "节能型变压器 SZ20" if n % 5 == 0 else "",
            "绿色工厂",
            "省级",
            2020 + n % 6,
            f"鄂经信节能〔{2020 + n % 6}〕{n % 50}号",
            start + timedelta(days=n % 2000),
            "有效",
        ]
        for n in range(1, count + 1)
    ]


def raw(data):
    book = Workbook(write_only=True)
    sheet = book.create_sheet("名单")
    sheet.append(LIST_COLUMNS)
    for row in data:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def helper(data):
    return xlsx.workbook(title="湖北省绿色制造名单", header=LIST_COLUMNS, rows=iter(data))


def cpu(function, data):
    started = time.process_time()
    function(data)
    return time.process_time() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    data = rows(args.rows)
    timings = {"raw": [], "helper": []}
    for _ in range(args.repeat):
        timings["raw"].append(cpu(raw, data))
        timings["helper"].append(cpu(helper, data))
    best = {name: min(values) for name, values in timings.items()}
    print(f"{args.rows} rows × {len(LIST_COLUMNS)} columns, best CPU of {args.repeat}:")
    print(f"  raw openpyxl write_only  {best['raw']:.3f} s")
    print(f"  greenmfg.xlsx            {best['helper']:.3f} s")
    print(f"  ratio                    {best['helper'] / best['raw']:.2f}×")


if __name__ == "__main__":
    main()
