"""Queries and latency of the main pages, in process (Django test Client), against the seeded bench database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/greenmfg_bench .venv/bin/python bench/pages.py

For each page: the number of SQL queries and their total time (one request under ``CaptureQueriesContext``),
then the median and 95th percentile of wall-clock latency over ``--requests`` requests without query capture,
logged in as the right demo role (password ``greenmfg-demo``). Then the time to export ``/lists/export.xlsx`` (all
listed units) and a declaration PDF. Prints a markdown table and writes ``bench/results.md`` (the HTTP section that
``bench/http.sh`` writes there is kept).

The requests run with DEBUG off (no query log, no debug templates) and a persistent database connection
(CONN_MAX_AGE as in production), so the numbers are those of the view, the ORM, the templates and PostgreSQL;
no network, no WSGI server, no static files.
"""

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "greenmfg.settings")

import django  # noqa: E402

django.setup()
warnings.filterwarnings("ignore", "No directory at", UserWarning)  # whitenoise: STATIC_ROOT not collected

from django.conf import settings  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from applications import workflow  # noqa: E402
from applications.models import Declaration, Organisation  # noqa: E402
from greenmfg.models import AuditEntry, User  # noqa: E402
from registry.models import ListedUnit  # noqa: E402
from reviews.models import Commission, Evaluator  # noqa: E402

PASSWORD = "greenmfg-demo"
RESULTS = Path(__file__).resolve().parent / "results.md"
HTTP_START, HTTP_END = "<!-- http:start -->", "<!-- http:end -->"
SLOW_MEDIAN_MS = 300
MANY_QUERIES = 30


def detail_declaration():
    """The demo park declaration in provincial review: answers, attachments, experts, a full audit trail."""
    declaration = (
        Declaration.objects.filter(
            organisation__members__username="yuanqu_yichang", state__in=workflow.IN_PROVINCIAL_REVIEW
        )
        .order_by("pk")
        .first()
    )
    return (
        declaration
        or Declaration.objects.filter(state__in=workflow.IN_PROVINCIAL_REVIEW).order_by("pk").first()
    )


def seeded_declaration():
    """A listed declaration from bench/seed.py (about ten audit rows, no answers or files)."""
    return (
        Declaration.objects.filter(state__in=workflow.LISTED, created_by__username__startswith="bench_")
        .order_by("pk")
        .first()
    )


def pages(declaration_pk, seeded_pk):
    """(label, user or None, URL) of every page measured; the labels are the rows of the table."""
    detail = f"/declarations/{declaration_pk}/"
    return [
        ("home", None, "/"),
        ("lists", None, "/lists/"),
        ("lists filtered", None, "/lists/?region=420100&category=factory"),
        ("lists search", None, "/lists/?q=%E6%9C%BA%E6%A2%B0"),  # q=机械
        ("lists deep page", None, "/lists/?page=300"),
        ("api lists", None, "/api/lists/"),
        ("api lists 200/page", None, "/api/lists/?page_size=200"),
        ("evaluators", None, "/evaluators/"),
        ("declarations", "shengting", "/declarations/"),
        ("declarations", "shizhou_wuhan", "/declarations/"),
        ("declarations city_review", "shizhou_wuhan", "/declarations/?state=city_review"),
        ("declarations", "qiye_wuhan", "/declarations/"),
        ("dashboard", "shengting", "/dashboard/"),
        ("dashboard", "shizhou_wuhan", "/dashboard/"),
        ("dashboard", "qiye_wuhan", "/dashboard/"),
        ("overview", "shengting", "/overview/"),
        ("targets", "shengting", "/targets/"),
        ("declaration detail (demo)", "shengting", detail),
        ("declaration detail (seeded)", "shengting", f"/declarations/{seeded_pk}/"),
    ]


def exports(declaration_pk):
    return [
        ("lists export.xlsx (all)", None, "/lists/export.xlsx"),
        ("declaration PDF", "shengting", f"/declarations/{declaration_pk}/declaration.pdf"),
    ]


class Clients:
    """One logged-in test Client per demo user (through the login form's backend, with the demo password)."""

    def __init__(self):
        self.clients = {None: Client()}

    def get(self, username):
        if username not in self.clients:
            client = Client()
            if not client.login(username=username, password=PASSWORD):
                sys.exit(f"cannot log in as {username!r}: run manage.py demo_data on this database first")
            self.clients[username] = client
        return self.clients[username]


def request(client, url):
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}\n{body[:2000].decode(errors='replace')}")
    return body


class QueryTimer:
    """An execute wrapper timing each query to the microsecond (the query log rounds to milliseconds)."""

    def __init__(self):
        self.queries = []

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((sql, (time.perf_counter() - start) * 1000))


def measure(client, url, n, warmup=2):
    for _ in range(warmup):
        request(client, url)
    timer = QueryTimer()
    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timer):
        body = request(client, url)
    queries = captured.captured_queries
    for query, (sql, ms) in zip(queries, timer.queries, strict=False):
        query["ms"] = ms if query["sql"][:40] == sql[:40] else float(query["time"]) * 1000
    times = []
    for _ in range(n):
        start = time.perf_counter()
        request(client, url)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "queries": len(queries),
        "sql_ms": sum(timer_ms for _sql, timer_ms in timer.queries),
        "median": statistics.median(times),
        "p95": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
        "max": times[-1],
        "bytes": len(body),
        "slowest": sorted(queries, key=lambda q: q["ms"], reverse=True)[:3],
        "repeated": repeated_queries(queries),
    }


def repeated_queries(queries):
    """Query shapes run more than twice in one request (a sign of N+1), with their count."""
    shapes = {}
    for q in queries:
        shape = re.sub(r"\b\d+\b", "?", re.sub(r"'[^']*'", "?", q["sql"]))
        shapes[shape] = shapes.get(shape, 0) + 1
    return sorted(((n, s) for s, n in shapes.items() if n > 2), reverse=True)


def timed(client, url, n):
    request(client, url)  # warm-up (fonts, templates)
    with CaptureQueriesContext(connection) as captured:
        body = request(client, url)
    queries = len(captured.captured_queries)  # read now: the next request clears the query log
    times = []
    for _ in range(n):
        start = time.perf_counter()
        request(client, url)
        times.append((time.perf_counter() - start) * 1000)
    return {
        "queries": queries,
        "median": statistics.median(times),
        "max": max(times),
        "bytes": len(body),
    }


def sizes():
    return {
        "organisations": Organisation.objects.count(),
        "users": User.objects.count(),
        "declarations": Declaration.objects.count(),
        "audit entries": AuditEntry.objects.count(),
        "listed units": ListedUnit.objects.count(),
        "listed units shown (not removed)": ListedUnit.objects.public().count(),
        "commissions": Commission.objects.count(),
        "approved evaluators": Evaluator.objects.approved().count(),
    }


def machine():
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": postgres,
        "git": subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip(),
    }


def flag(row):
    notes = []
    if row["median"] > SLOW_MEDIAN_MS:
        notes.append("SLOW")
    if row["queries"] > MANY_QUERIES:
        notes.append("MANY QUERIES")
    if row["repeated"]:
        notes.append(f"repeated ×{row['repeated'][0][0]}")
    return ", ".join(notes)


def last_seed():
    path = RESULTS.parent / "last_seed.json"
    if path.exists():
        return json.loads(path.read_text())
    return {"command": "bench/seed.py --declarations 100000 --audit 1000000 --listed 20000", "seconds": "?"}


def render(info, data_sizes, rows, export_rows, n, command):
    seed = last_seed()
    out = [
        "# greenmfg page benchmarks",
        "",
        f"- date: {info['date']}; git {info['git']}",
        f"- machine: {info['nproc']} CPUs ({info['cpu']}), Python {info['python']}, Django {info['django']}, "
        f"PostgreSQL {info['postgresql']}",
        "- data: " + ", ".join(f"{v:,} {k}" for k, v in data_sizes.items()),
        "",
        "## Commands",
        "",
        "```sh",
        "createdb -h 127.0.0.1 -U postgres greenmfg_bench",
        "export DATABASE_URL=postgres://postgres@127.0.0.1:5432/greenmfg_bench",
        ".venv/bin/python manage.py migrate",
        ".venv/bin/python manage.py demo_data",
        f".venv/bin/python {seed['command']}  # took {seed['seconds']} s",
        command,
        "bash bench/http.sh",
        "dropdb -h 127.0.0.1 -U postgres greenmfg_bench",
        "```",
        "",
        f"## Pages (in process, Django test Client, {n} timed requests each after 2 warm-ups)",
        "",
        "Queries and SQL time from one request under `CaptureQueriesContext`; latencies without query capture.",
        "",
        "| page | user | URL | queries | SQL ms | median ms | p95 ms | KiB | note |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for label, user, url, row in rows:
        out.append(
            f"| {label} | {user or 'anonymous'} | `{url}` | {row['queries']} | {row['sql_ms']:.1f} | "
            f"{row['median']:.1f} | {row['p95']:.1f} | {row['bytes'] / 1024:.0f} | {flag(row)} |"
        )
    out += [
        "",
        "## Exports",
        "",
        "| export | user | URL | queries | median ms | max ms | KiB |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for label, user, url, row in export_rows:
        out.append(
            f"| {label} | {user or 'anonymous'} | `{url}` | {row['queries']} | {row['median']:.0f} | "
            f"{row['max']:.0f} | {row['bytes'] / 1024:.0f} |"
        )
    out += ["", "## Slowest queries per page (from the captured request)", ""]
    for label, user, url, row in rows:
        out.append(f"### {label} ({user or 'anonymous'}) `{url}`")
        out.append("")
        for q in row["slowest"]:
            sql = q["sql"] if len(q["sql"]) < 600 else q["sql"][:600] + " …"
            out.append(f"- {q['ms']:.1f} ms: `{sql}`")
        for count, shape in row["repeated"][:3]:
            out.append(f"- repeated {count}×: `{shape[:300]}`")
        out.append("")
    return "\n".join(out) + "\n"


def keep_http_section(text):
    """Keep what bench/http.sh wrote at the end of results.md."""
    if RESULTS.exists():
        old = RESULTS.read_text()
        if HTTP_START in old:
            return text + "\n" + old[old.index(HTTP_START) :]
    return text + f"\n{HTTP_START}\n## HTTP (gunicorn)\n\nNot run yet: `bash bench/http.sh`.\n{HTTP_END}\n"


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--export-requests", type=int, default=3, help="timed requests per export")
    parser.add_argument("--only", help="measure only pages whose label contains this")
    parser.add_argument("--no-write", action="store_true", help="print the table, do not write results.md")
    args = parser.parse_args()

    if connection.vendor != "postgresql" or "bench" not in connection.settings_dict["NAME"]:
        sys.exit("Point DATABASE_URL at the seeded bench database (postgres://…/greenmfg_bench).")
    # As in production: no query log, no debug pages, one persistent connection.
    settings.DEBUG = False
    # The export row times the workbook itself, built in the request here; above this many rows the portal has a
    # Celery worker build it (registry/background_exports.py), which runs the same code.
    settings.EXPORT_BACKGROUND_ROWS = 10**9
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    connections["default"].settings_dict["CONN_MAX_AGE"] = None
    connections["default"].close()

    declaration = detail_declaration()
    if declaration is None:
        sys.exit("no declaration in provincial review: run manage.py demo_data and bench/seed.py first")
    clients = Clients()
    rows = []
    seeded = seeded_declaration()
    for label, user, url in pages(declaration.pk, seeded.pk if seeded else declaration.pk):
        if args.only and args.only not in label:
            continue
        row = measure(clients.get(user), url, args.requests)
        rows.append((label, user, url, row))
        print(
            f"{label:<26} {user or 'anonymous':<14} {row['queries']:>4} q {row['sql_ms']:8.1f} ms SQL "
            f"{row['median']:8.1f} ms median {row['p95']:8.1f} ms p95  {flag(row)}",
            flush=True,
        )
    export_rows = []
    for label, user, url in exports(declaration.pk):
        if args.only and args.only not in label:
            continue
        row = timed(clients.get(user), url, args.export_requests)
        export_rows.append((label, user, url, row))
        print(
            f"{label:<26} {user or 'anonymous':<14} {row['queries']:>4} q {row['median']:8.0f} ms median "
            f"{row['bytes'] / 1024:8.0f} KiB",
            flush=True,
        )

    command = ".venv/bin/python bench/pages.py " + " ".join(sys.argv[1:])
    text = render(machine(), sizes(), rows, export_rows, args.requests, command.strip())
    print()
    print(text[text.index("## Pages") : text.index("## Slowest")])
    if not args.no_write:
        RESULTS.write_text(keep_http_section(text))
        print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
