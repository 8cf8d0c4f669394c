"""The 公示 notice PDF with N entries, end to end as its download builds it (issue 15: 200 entries ≤ 1 s).

Run from the repository root against the seeded benchmark database (bench/run.sh seeds it):
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/greenmfg_bench .venv/bin/python bench/publicity_pdf.py``.
The open notice of the seed is cut to ``--entries`` of its declarations inside a transaction that is rolled
back, so the database is left as it was; the view's own query and ``registry.exports.notice_pdf`` (template,
WeasyPrint, signing when a certificate is configured) are timed ``--repeat`` times; the best wall and CPU time
are printed with the pages and the text pdftotext finds (the first and last unit must be in it).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "greenmfg.settings")

import django

django.setup()

from django.db import transaction  # noqa: E402

from registry import exports  # noqa: E402
from registry.models import Publicity  # noqa: E402
from registry.views.publicity import _publicity_entries  # noqa: E402


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--entries", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with transaction.atomic():
        publicity = max(Publicity.objects.all(), key=lambda notice: notice.declarations.count())
        keep = list(publicity.declarations.order_by("pk").values_list("pk", flat=True)[: args.entries])
        if len(keep) < args.entries:
            sys.exit(f"the largest notice has {len(keep)} declarations; seed more (bench/run.sh)")
        publicity.declarations.set(keep)
        walls, cpus = [], []
        for _ in range(args.repeat):
            wall, cpu = time.perf_counter(), time.process_time()
            content = exports.notice_pdf(publicity, _publicity_entries(publicity))
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        entries = list(_publicity_entries(publicity))
        transaction.set_rollback(True)
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(content)
        file.flush()
        text = subprocess.run(["pdftotext", "-layout", file.name, "-"], capture_output=True, text=True).stdout
    pages = text.count("\f")
    first, last = entries[0].organisation.name, entries[-1].organisation.name
    found = first in text and last in text
    print(
        f"公示 notice, {args.entries} entries: best of {args.repeat} {min(walls):.2f} s wall, "
        f"{min(cpus):.2f} s CPU (median wall {sorted(walls)[len(walls) // 2]:.2f} s); {len(content):,} bytes, "
        f"{pages} pages; first and last unit in the text: {found}"
    )
    if not found:
        sys.exit("the PDF's text lacks its units")


if __name__ == "__main__":
    main()
