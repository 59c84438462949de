"""Server time and queries of the main pages, employee and HR, on a database of a given size.

    createdb -h 127.0.0.1 -U postgres masar_pagebench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/masar_pagebench
    .venv/bin/python bench/page_load.py --migrate --employees 20000 [--runs 30]

Seeds the demo personas (`seed_demo`) and, when the database holds fewer employees than
`--employees`, adds the rest with `seed_scale`. Then requests each page through Django's test
client (no network, no browser: the view, the templates and the database), signed in as
persona 1012345672 (with Nafath, so grievances open) and as the HR persona 1034567899. The
first request of each page is warm-up. Prints median and p95 milliseconds and the queries each
page costs, which must not grow with the size of the database.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masar.settings")
os.environ.setdefault("DEBUG", "off")

EMPLOYEE_PAGES = [
    "/",
    "/my-data/",
    "/my-data/record/",
    "/my-data/record/?page=2",
    "/my-data/corrections/",
    "/grievances/",
    "/grievances/mine/",
    "/accounts/",
]
HR_PAGES = [
    "/hr/",
    "/hr/employment_records/employee/",
    "/hr/employment_records/employee/?q=القحطاني",
    "/hr/employment_records/employmentaction/",
    "/hr/employment_records/correctionrequest/",
    "/hr/grievances/grievance/",
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--employees", type=int, default=10_000, help="at least this many")
    parser.add_argument("--runs", type=int, default=30, help="timed requests per page")
    parser.add_argument("--migrate", action="store_true", help="apply migrations first")
    parser.add_argument(
        "--allow-default-db",
        action="store_true",
        help="run without DATABASE_URL (fills the development database)",
    )
    return parser.parse_args()


def prepare(args) -> None:
    from django.core.management import call_command

    from employment_records.models import Employee

    if args.migrate:
        call_command("migrate", verbosity=0)
    call_command("seed_demo")
    missing = args.employees - Employee.objects.count()
    if missing > 0:
        call_command("seed_scale", employees=missing)


def signed_in_client(national_id: str):
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from accounts.tests.factories import sign_in_verified

    user = User.objects.get(username=national_id)
    if user.nafath_verified_at is None:
        user.nafath_verified_at = timezone.now()
        user.save(update_fields=["nafath_verified_at"])
    client = Client()
    sign_in_verified(client, user)
    return client


def measure(client, path: str, runs: int) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(path)  # warm-up
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}")
    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
    return statistics.median(timings), p95, len(queries)


def main() -> int:
    args = parse_args()
    if not os.environ.get("DATABASE_URL") and not args.allow_default_db:
        print("Set DATABASE_URL to a throwaway database (or pass --allow-default-db).")
        return 2
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from employment_records.models import Employee, EmploymentAction

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    prepare(args)
    print(
        f"Page load, server side ({connection.vendor}, {Employee.objects.count():,} employees, "
        f"{EmploymentAction.objects.count():,} actions; {args.runs} warm requests a page, "
        f"cores: {os.cpu_count()})"
    )
    for who, national_id, pages in (
        ("employee 1012345672", "1012345672", EMPLOYEE_PAGES),
        ("HR 1034567899", "1034567899", HR_PAGES),
    ):
        client = signed_in_client(national_id)
        print(f"  {who}")
        for path in pages:
            median, p95, queries = measure(client, path, args.runs)
            print(f"    {path:<48} median={median:6.1f} ms  p95={p95:6.1f} ms  queries={queries}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
