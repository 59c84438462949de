"""Where the employee pages spend their time (issue 16): cProfile over warm requests.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/masar_pagebench   # or SQLite
    .venv/bin/python bench/profile_pages.py [--runs 20] [--top 15] [--page /my-data/record/]

Seeds the demo personas (`seed_demo`, idempotent) and requests each page through Django's test
client as persona 1012345672 (signed in with password and SMS code, Nafath-verified, so every
service opens). Each page is requested once to warm up, then `--runs` times without the profiler
(median server time, and the process's CPU time per request, steadier than the clock on a
busy machine) and `--runs` times under cProfile. Per request it prints the calls that
grow with the rows a page shows: gettext, reverse(), template includes, render_to_string, the
Hijri/Gregorian date formatting; and the share of the time spent rendering templates. `--top N`
also prints the N most expensive functions (cumulative) of each page.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masar.settings")
os.environ.setdefault("DEBUG", "off")

EMPLOYEE = "1012345672"
PAGES = [
    "/bench/signed-in",
    "/",
    "/my-data/",
    "/my-data/record/",
    "/grievances/mine/",
    "GRIEVANCE",  # the persona's newest grievance
    "/promotions/",
    "/bayan/",
    "/job-audit/",
    "/cv/",
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="requests per page, each way")
    parser.add_argument("--top", type=int, default=0, help="print the N costliest functions")
    parser.add_argument("--page", action="append", help="only these paths (repeatable)")
    parser.add_argument("--no-seed", action="store_true", help="skip seed_demo")
    return parser.parse_args()


def counted_functions():
    """(label, code objects) of the calls worth counting per request."""
    from django.template import loader, loader_tags
    from django.template.base import Template
    from django.urls import base as urls_base
    from django.utils.translation import trans_real

    from core import dates

    return [
        ("gettext", [trans_real.gettext.__code__, trans_real.ngettext.__code__]),
        ("reverse", [urls_base.reverse.__code__]),
        ("include", [loader_tags.IncludeNode.render.__code__]),
        ("render_to_string", [loader.render_to_string.__code__]),
        ("date fmt", [dates.format_hijri.__code__, dates.format_gregorian.__code__]),
        ("template", [Template.render.__code__]),
    ]


def _key(code) -> tuple[str, int, str]:
    return (code.co_filename, code.co_firstlineno, code.co_name)


def profile(client, path: str, runs: int, top: int) -> dict:
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(runs):
        client.get(path)
    profiler.disable()
    elapsed = time.perf_counter() - started
    stats = pstats.Stats(profiler)
    result = {}
    for label, codes in counted_functions():
        calls = cumulative = 0.0
        for code in codes:
            entry = stats.stats.get(_key(code))
            if entry:
                calls += entry[1]
                cumulative = max(cumulative, entry[3])
        result[label] = calls / runs
        if label == "template":
            # Template.render nests (extends, include): the outermost call's cumulative time
            # is at most the total; the first-level render is what a page costs.
            result["template share"] = min(1.0, cumulative / elapsed)
    if top:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
        result["top"] = out.getvalue()
    return result


def main() -> int:
    args = parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    if not args.no_seed:
        call_command("seed_demo", verbosity=0)
    from accounts.models import User
    from bench.page_load import signed_in_client  # password + SMS code, Nafath-verified

    client = signed_in_client(EMPLOYEE)
    user = User.objects.get(username=EMPLOYEE)
    from grievances.models import Grievance

    newest = Grievance.objects.filter(employee__user=user).order_by("-id").first()
    pages = args.page or PAGES
    print(
        f"Profile of the employee pages ({connection.vendor}; {args.runs} requests a page; "
        f"per request)"
    )
    print(
        f"  {'page':<26} {'median':>8} {'cpu':>8} {'queries':>7} {'gettext':>8} {'reverse':>8} "
        f"{'include':>8} {'r2s':>6} {'dates':>6} {'templ.':>7}"
    )
    for path in pages:
        if path == "GRIEVANCE":
            if newest is None:
                continue
            path = f"/grievances/{newest.number}/"
        response = client.get(path)
        if response.status_code != 200:
            print(f"  {path:<26} answered {response.status_code}: skipped")
            continue
        timings = []
        cpu_started = time.process_time()
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                client.get(path)
                timings.append((time.perf_counter() - started) * 1000)
        cpu = (time.process_time() - cpu_started) * 1000 / args.runs
        query_count = len(queries)  # the next request's request_started clears the log
        counts = profile(client, path, args.runs, args.top)
        print(
            f"  {path:<26} {statistics.median(timings):6.1f}ms {cpu:6.1f}ms {query_count:7d} "
            f"{counts['gettext']:8.0f} {counts['reverse']:8.0f} {counts['include']:8.0f} "
            f"{counts['render_to_string']:6.0f} {counts['date fmt']:6.0f} "
            f"{counts['template share']:6.0%}"
        )
        if args.top:
            print(counts["top"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
