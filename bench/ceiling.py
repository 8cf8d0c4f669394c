"""Each page's throughput as a share of the ceiling (a constant view served the same way), in one run.

    .venv/bin/python bench/ceiling.py --base http://127.0.0.1:8123 --sessions SESSIONS_FILE --title "after"

Closed-loop load on 127.0.0.1 only, bounded in time and connections: ``wrk -t2 -cN -dS --latency`` when wrk is
installed, else bench/http_load.py (Python threads; it saturates before the server does, so the ceiling it
measures is lower and the shares look better than they are — the table says which generator ran). Every URL is
first fetched once and must answer 200 (a signed-in page that redirects to the login would measure nothing).
Prints a markdown table (req/s, share of the ceiling, p50, p99, errors) and writes it into bench/results.md
under ``--title``. Absolute req/s move with whatever else runs on the machine; the shares from one run are what
compare.
"""

import argparse
import http.client
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
import http_load

RESULTS = Path(__file__).resolve().parent / "results.md"

# (label, signed-in user or None, URL): the ceiling first, the Django admin changelist last.
PAGES = [
    ("bare Django view (ceiling)", None, "/bench/ceiling/"),
    ("`/`", None, "/"),
    ("`/lists/`", None, "/lists/"),
    ("`/lists/?q=机械`", None, "/lists/?q=%E6%9C%BA%E6%A2%B0"),
    ("`/api/lists/`", None, "/api/lists/"),
    ("`/publicity/`", None, "/publicity/"),
    ("`/evaluators/`", None, "/evaluators/"),
    # The same constant view for a signed-in official: what loading the session, the user, the second factor and
    # the roles costs every signed-in page before it renders anything (the floor of the queues and dashboards).
    ("bare Django view, signed in (province)", "shengting", "/bench/ceiling/"),
    ("`/declarations/` (province)", "shengting", "/declarations/"),
    ("`/declarations/` (武汉)", "shizhou_wuhan", "/declarations/"),
    ("`/dashboard/` (province)", "shengting", "/dashboard/"),
    ("`/dashboard/` (武汉)", "shizhou_wuhan", "/dashboard/"),
    ("Django admin changelist of declarations", "bench_admin", "/admin/applications/declaration/"),
]

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def check(base, path, headers):
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    connection.request("GET", path, headers=headers)
    status = connection.getresponse().status
    connection.close()
    if status != 200:
        sys.exit(f"GET {path} answered {status}, not 200")


def with_wrk(base, path, headers, duration, connections):
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run([*command, base + path], capture_output=True, text=True, check=True).stdout

    def latency(percent):
        value, unit = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * UNITS[unit]

    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": latency(50),
        "p99": latency(99),
        "errors": (int(bad.group(1)) if bad else 0)
        + (sum(int(n) for n in socket_errors.groups()[::3]) if socket_errors else 0),
    }


def with_http_load(base, path, headers, duration, connections):
    http_load.run(base, path, 1, 2, 10, headers)
    row = http_load.run(base, path, duration, connections, 1_000_000, headers)
    return {"rps": row["rps"], "p50": row["p50"], "p99": row["p99"], "errors": row["errors"]}


def table(rows):
    ceiling = rows[0][2]["rps"]
    lines = [
        "| page | URL | req/s | share of ceiling | p50 ms | p99 ms | errors |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, path, r in rows:
        lines.append(
            f"| {label} | `{path}` | {r['rps']:,.1f} | {100 * r['rps'] / ceiling:.1f} % | {r['p50']:.1f} | "
            f"{r['p99']:.1f} | {r['errors']} |"
        )
    return "\n".join(lines)


def write(title, note, text):
    start, end = f"<!-- ceiling:{title}:start -->", f"<!-- ceiling:{title}:end -->"
    section = f"{start}\n## HTTP against the ceiling: {title}\n\n{note}\n\n{text}\n{end}"
    old = RESULTS.read_text() if RESULTS.exists() else "# greenmfg page benchmarks\n"
    if start in old and end in old:
        old = old[: old.index(start)] + section + old[old.index(end) + len(end) :]
    else:
        old = old.rstrip("\n") + "\n\n" + section + "\n"
    RESULTS.write_text(old)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", default="http://127.0.0.1:8123")
    parser.add_argument("--sessions", type=Path, required=True, help="lines of username<TAB>sessionid")
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--title", default="latest")
    parser.add_argument("--note", default="")
    parser.add_argument("--only", help="measure only pages whose label contains this (the ceiling always)")
    args = parser.parse_args()
    if urlsplit(args.base).hostname != "127.0.0.1":
        sys.exit("bench/ceiling.py only sends traffic to 127.0.0.1")
    sessions = dict(line.split("\t") for line in args.sessions.read_text().split("\n") if line)
    generator = with_wrk if shutil.which("wrk") else with_http_load
    rows = []
    for label, user, path in PAGES:
        if args.only and rows and args.only not in label:
            continue
        headers = {"Accept-Encoding": "gzip"}
        if user:
            headers["Cookie"] = f"sessionid={sessions[user]}"
        check(args.base, path, headers)
        # Warm-up at full load: every worker and thread has loaded the URLconf and connected to the database.
        generator(args.base, path, headers, 2, args.connections)
        row = generator(args.base, path, headers, args.duration, args.connections)
        rows.append((label, path, row))
        print(
            f"{label:<45} {row['rps']:9.1f} req/s  p50 {row['p50']:7.1f} ms  p99 {row['p99']:7.1f} ms",
            flush=True,
        )
    text = table(rows)
    name = "wrk -t2" if generator is with_wrk else "bench/http_load.py (Python threads)"
    note = (
        f"- {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {args.note}\n"
        f"- load: {name}, {args.connections} connections, {args.duration} s per URL, closed loop on 127.0.0.1; "
        "server, load generator and PostgreSQL share the machine's CPUs with other work, so compare the shares of "
        "the ceiling within one run, not req/s across runs"
    )
    print()
    print(text)
    write(args.title, note, text)
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
