"""A small closed-loop HTTP load generator (threads + http.client), for 127.0.0.1 only.

    .venv/bin/python bench/http_load.py --base http://127.0.0.1:8123 --duration 10 --connections 8 / /lists/

Each of ``--connections`` threads sends GET requests one after another for ``--duration`` seconds (and at most
``--max-requests`` in all), reusing its connection while the server keeps it open (gunicorn's sync workers close
it after every response, so most requests open a new TCP connection, as a browser behind no proxy would).
Reports requests per second, latency percentiles and errors per URL; with ``--results`` it writes them into the
HTTP section of bench/results.md.
"""

import argparse
import http.client
import statistics
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

HTTP_START, HTTP_END = "<!-- http:start -->", "<!-- http:end -->"


def worker(host, port, path, deadline, budget, lock, latencies, errors, headers=None):
    connection = None
    while time.perf_counter() < deadline:
        with lock:
            if budget[0] <= 0:
                break
            budget[0] -= 1
        start = time.perf_counter()
        try:
            if connection is None:
                connection = http.client.HTTPConnection(host, port, timeout=30)
            connection.request("GET", path, headers={"Accept-Encoding": "gzip", **(headers or {})})
            response = connection.getresponse()
            response.read()
            elapsed = (time.perf_counter() - start) * 1000
            if response.status != 200:
                errors.append(response.status)
            else:
                latencies.append(elapsed)
            if response.will_close:
                connection.close()
                connection = None
        except (OSError, http.client.HTTPException) as error:
            errors.append(type(error).__name__)
            if connection is not None:
                connection.close()
            connection = None
    if connection is not None:
        connection.close()


def run(base, path, duration, connections, max_requests, headers=None):
    parts = urlsplit(base)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("bench/http_load.py only sends traffic to 127.0.0.1")
    latencies, errors, lock, budget = [], [], threading.Lock(), [max_requests]
    started = time.perf_counter()
    deadline = started + duration
    threads = [
        threading.Thread(
            target=worker,
            args=(parts.hostname, parts.port or 80, path, deadline, budget, lock, latencies, errors, headers),
        )
        for _ in range(connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()

    def pct(p):
        return (
            latencies[min(len(latencies) - 1, round(p * (len(latencies) - 1)))] if latencies else float("nan")
        )

    return {
        "path": path,
        "requests": len(latencies),
        "errors": len(errors),
        "error_kinds": sorted({str(e) for e in errors}),
        "seconds": wall,
        "rps": len(latencies) / wall,
        "median": statistics.median(latencies) if latencies else float("nan"),
        "p50": pct(0.50),
        "p90": pct(0.90),
        "p99": pct(0.99),
        "max": latencies[-1] if latencies else float("nan"),
    }


def table(rows):
    lines = [
        "| URL | requests | errors | req/s | median ms | p90 ms | p99 ms | max ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| `{r['path']}` | {r['requests']} | {r['errors']} | {r['rps']:.1f} | {r['median']:.1f} | "
            f"{r['p90']:.1f} | {r['p99']:.1f} | {r['max']:.1f} |"
        )
    return "\n".join(lines)


def write_results(path, rows, args, note):
    section = "\n".join(
        [
            HTTP_START,
            "## HTTP (gunicorn, anonymous pages)",
            "",
            f"- {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {note}",
            f"- load: {args.connections} concurrent connections, {args.duration:g} s per URL "
            f"(at most {args.max_requests} requests), closed loop, `bench/http_load.py` on the same machine",
            "",
            table(rows),
            HTTP_END,
        ]
    )
    text = path.read_text() if path.exists() else "# greenmfg page benchmarks\n"
    if HTTP_START in text and HTTP_END in text:
        text = text[: text.index(HTTP_START)] + section + text[text.index(HTTP_END) + len(HTTP_END) :]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--base", default="http://127.0.0.1:8123")
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument("--results", type=Path, help="write the table into this results.md")
    parser.add_argument("--note", default="", help="server description for the results")
    args = parser.parse_args()
    rows = []
    for path in args.paths:
        run(args.base, path, 1, 2, 10)  # warm-up: each worker imports and connects once
        row = run(args.base, path, args.duration, args.connections, args.max_requests)
        rows.append(row)
        print(
            f"{path:<16} {row['requests']:>6} req {row['errors']:>4} err {row['rps']:8.1f} req/s "
            f"median {row['median']:7.1f} ms p90 {row['p90']:7.1f} ms p99 {row['p99']:7.1f} ms"
            + (f"  errors: {', '.join(row['error_kinds'])}" if row["errors"] else ""),
            flush=True,
        )
    print()
    print(table(rows))
    if args.results:
        write_results(args.results, rows, args, args.note)
        print(f"written to {args.results}")


if __name__ == "__main__":
    main()
