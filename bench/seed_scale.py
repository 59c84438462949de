#!/usr/bin/env python
"""Benchmark `manage.py seed_scale`: add N employees to DATABASE_URL and print the rate.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/masar_seedbench \
        .venv/bin/python bench/seed_scale.py 10000 --migrate

Prints figures; it is not a test and asserts nothing. The rows stay in the database: use a
throwaway one (see bench/README.md).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masar.settings")


def database_label(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}{parts.path}"  # no user or password


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("employees", nargs="?", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--entity", help="one government entity code (default: all demo ones)")
    parser.add_argument("--grants", action="store_true", help="also create service grants")
    parser.add_argument("--no-copy", action="store_true", help="bulk_create instead of COPY")
    parser.add_argument("--migrate", action="store_true", help="run migrations first")
    parser.add_argument(
        "--allow-default-db",
        action="store_true",
        help="run without DATABASE_URL, i.e. against the development db.sqlite3",
    )
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url and not args.allow_default_db:
        parser.error(
            "DATABASE_URL is not set, so this would add rows to the development database "
            "(db.sqlite3). Point DATABASE_URL at a throwaway database, or pass "
            "--allow-default-db."
        )

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from employment_records.models import Employee, EmploymentAction

    if args.migrate:
        call_command("migrate", verbosity=0, interactive=False)
    employees_before = Employee.objects.count()
    actions_before = EmploymentAction.objects.count()

    options = {"employees": args.employees, "batch": args.batch, "verbosity": 1}
    if args.entity:
        options["entity"] = args.entity
    if args.grants:
        options["grants"] = True
    if args.no_copy:
        options["no_copy"] = True
    started = time.perf_counter()
    call_command("seed_scale", **options)
    seconds = time.perf_counter() - started

    added = Employee.objects.count() - employees_before
    actions = EmploymentAction.objects.count() - actions_before
    rate = added / seconds
    print()
    print(f"database        {connection.vendor} {database_label(url) if url else '(default)'}")
    print(f"employees       {added:,} (now {employees_before + added:,} in the database)")
    print(f"actions         {actions:,} ({actions / max(added, 1):.1f} per employee)")
    print(f"total seconds   {seconds:.1f}")
    print(f"employees/s     {rate:,.0f}")
    print(f"actions/s       {actions / seconds:,.0f}")
    print(f"100,000 would take about {100_000 / rate:,.0f} s at this rate")
    return 0


if __name__ == "__main__":
    sys.exit(main())
