"""Requests per second of the employee pages beside the floor, side by side in one run (issue 16).

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/masar_throughput
    export REDIS_URL=redis://127.0.0.1:6379/4
    .venv/bin/python bench/throughput.py [--migrate] [--seconds 5] [--rounds 3] [--proxy]

Seeds the demo personas (`seed_demo`, idempotent), signs persona 1012345672 in directly (a
session as after password and SMS code, Nafath-verified so every service opens) and starts
gunicorn with gunicorn.conf.py (as docker-compose's `web`: gthread, workers and threads from
the core count) on 127.0.0.1:8114 with BENCH_VIEWS=on, which mounts the two minimal views:
/bench/anonymous and /bench/signed-in. `--proxy` puts nginx with deploy/nginx.conf in front on
127.0.0.1:8104, as docker-compose's `proxy`.

wrk (`apt-get install -y wrk`) then loads each URL for `--seconds`, every URL once per round,
rounds interleaved so that a change in the machine's load hits every URL alike; the figure of
a URL is its median over the rounds. Printed: requests per second, latency p50/p99, each page's
ratio to the signed-in minimal view (goal >= 0.3) and that view's ratio to the anonymous one
(goal >= 0.6). Loopback only; bounded by rounds x URLs x seconds.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masar.settings")
os.environ.setdefault("DEBUG", "off")

from bench import serving  # noqa: E402

EMPLOYEE = "1012345672"
ANONYMOUS = "/bench/anonymous"
SIGNED_IN = "/bench/signed-in"
PAGES = [
    # A page with the layout and no data of its own: what the layout costs every page.
    ("layout only (terms)", "/terms/"),
    ("dashboard", "/"),
    ("my data", "/my-data/"),
    ("record", "/my-data/record/"),
    ("my grievances", "/grievances/mine/"),
    ("grievance", "GRIEVANCE"),
    ("promotions", "/promotions/"),
    ("Bayan", "/bayan/"),
    ("job audit", "/job-audit/"),
    ("CV", "/cv/"),
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5, help="wrk duration per URL and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--port", type=int, default=8114, help="gunicorn's loopback port")
    parser.add_argument("--proxy", action="store_true", help="nginx in front (port 8104)")
    parser.add_argument("--proxy-port", type=int, default=8104)
    parser.add_argument("--migrate", action="store_true", help="apply migrations first")
    parser.add_argument(
        "--only", nargs="*", default=None, help="page labels to measure (default: every page)"
    )
    return parser.parse_args()


def prepare(args) -> tuple[str, str | None]:
    """The persona's session key and the number of one of their grievances."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    if args.migrate:
        call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    from bench.load import ensure_grievance

    key = serving.prepare_sessions([EMPLOYEE])[EMPLOYEE]
    from accounts.models import User

    number = ensure_grievance(User.objects.get(username=EMPLOYEE))
    connections.close_all()
    return key, number


def status_of(port: int, path: str, cookie: str | None) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": f"sessionid={cookie}"} if cookie else {}
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status


def _ms(text: str) -> float:
    match = re.match(r"([\d.]+)(us|ms|s|m)$", text)
    if not match:
        return float("nan")
    value, unit = match.groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def wrk(args, port: int, path: str, cookie: str | None) -> dict:
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.seconds}s",
        "--latency",
        f"http://127.0.0.1:{port}{path}",
    ]
    if cookie:
        command[1:1] = ["-H", f"Cookie: sessionid={cookie}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {
        "rps": rps,
        "p50": _ms(re.search(r"^\s+50%\s+(\S+)", out, re.MULTILINE).group(1)),
        "p99": _ms(re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE).group(1)),
        "bad": int(bad.group(1)) if bad else 0,
        "socket": errors.group(0) if errors else "",
    }


def _spread(runs: list[dict], floor_runs: list[dict]) -> str:
    """The lowest and highest ratio of a URL to its floor within one round: on a shared
    machine the floor, a one-millisecond request, moves more than the pages do."""
    ratios = [run["rps"] / base["rps"] for run, base in zip(runs, floor_runs, strict=True)]
    return f"{min(ratios):.2f}-{max(ratios):.2f}"


def main() -> int:
    args = parse_args()
    problem = serving.require_services()
    if problem:
        print(problem)
        return 2
    if not shutil.which("wrk"):
        print("wrk is missing: apt-get install -y wrk")
        return 2
    key, grievance = prepare(args)
    urls = [("anonymous minimal", ANONYMOUS, None), ("signed-in minimal", SIGNED_IN, key)]
    for label, path in PAGES:
        if args.only is not None and label not in args.only:
            continue
        if path == "GRIEVANCE":
            if grievance is None:
                continue
            path = f"/grievances/{grievance}/"
        urls.append((label, path, key))
    log = Path(tempfile.gettempdir()) / f"masar-throughput-gunicorn-{os.getpid()}.log"
    with serving.gunicorn(args.port, log_path=log) as master:
        target = args.port
        proxy = serving.nginx(args.proxy_port, args.port) if args.proxy else None
        if proxy:
            proxy.__enter__()
            target = args.proxy_port
        try:
            for label, path, cookie in urls:
                status = status_of(target, path, cookie)
                if status != 200:
                    print(f"{label} {path} answered {status}: stopping")
                    return 1
            memory = serving.worker_memory_mb(master)
            print(
                f"Throughput, one run ({len(memory)} gunicorn workers x "
                f"{os.environ.get('GUNICORN_THREADS', 4)} threads from gunicorn.conf.py"
                f"{', behind nginx' if proxy else ''}; wrk -t{args.threads} -c{args.connections},"
                f" {args.seconds} s a URL, {args.rounds} rounds interleaved, median; "
                f"cores: {os.cpu_count()}; load average {os.getloadavg()[0]:.1f})"
            )
            results: dict[str, list[dict]] = {label: [] for label, _, _ in urls}
            for _round in range(args.rounds):
                for label, path, cookie in urls:
                    results[label].append(wrk(args, target, path, cookie))
        finally:
            if proxy:
                proxy.__exit__(None, None, None)
        memory = serving.worker_memory_mb(master)
    median = {label: statistics.median(r["rps"] for r in runs) for label, runs in results.items()}
    floor = median["signed-in minimal"]
    print(
        f"  {'page':<22} {'path':<32} {'rps':>7} {'p50':>8} {'p99':>8} {'ratio':>6} "
        f"{'rounds':>11}  errors"
    )
    for label, path, _cookie in urls:
        runs = results[label]
        p50 = statistics.median(r["p50"] for r in runs)
        p99 = statistics.median(r["p99"] for r in runs)
        if label == "anonymous minimal":
            ratio, spread = "", ""
        elif label == "signed-in minimal":
            ratio = f"{floor / median['anonymous minimal']:.2f}"
            spread = _spread(runs, results["anonymous minimal"])
        else:
            ratio = f"{median[label] / floor:.2f}"
            spread = _spread(runs, results["signed-in minimal"])
        bad = sum(r["bad"] for r in runs)
        socket = "; ".join(r["socket"] for r in runs if r["socket"])
        print(
            f"  {label:<22} {path[:32]:<32} {median[label]:7.1f} {p50:6.1f}ms {p99:6.1f}ms "
            f"{ratio:>6} {spread:>11}  {bad or ''}{' ' + socket if socket else ''}"
        )
    print(
        "  ratio: signed-in minimal / anonymous minimal (goal >= 0.6); a page / signed-in "
        "minimal (goal >= 0.3); rounds: the lowest and highest of each round's own ratio"
    )
    print(f"  workers' resident memory after the run: {', '.join(f'{m:.0f}' for m in memory)} MB")
    print(f"  load average at the end: {os.getloadavg()[0]:.1f}; gunicorn log: {log}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
