#!/usr/bin/env python
"""Benchmark the job-data audit: build an inventory of N positions with `seed_scale`, run one
audit over the entity, print the rate.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/masar_jabench \
        .venv/bin/python bench/job_audit.py --positions 100000 --migrate

`seed_scale` gives each new employee a new position, so N employees make N positions. The
audit walks them in chunks of `--chunk` positions at a constant number of queries per chunk;
the script prints the query count next to N so its growth (N / chunk, never N) is visible.
The last line is `positions/s <rate> total seconds <seconds>`. It asserts nothing and leaves
its rows in the database: use a throwaway one (see bench/README.md).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masar.settings")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--positions", type=int, default=100_000)
    parser.add_argument("--entity", default="MOH", help="the entity to fill and audit")
    parser.add_argument("--chunk", type=int, default=2000, help="positions per chunk")
    parser.add_argument("--skip-seed", action="store_true", help="audit what is there")
    parser.add_argument("--migrate", action="store_true", help="run migrations first")
    parser.add_argument(
        "--allow-default-db",
        action="store_true",
        help="run without DATABASE_URL, i.e. against the development db.sqlite3",
    )
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL") and not args.allow_default_db:
        parser.error(
            "DATABASE_URL is not set, so this would fill the development database. Point it at "
            "a throwaway database, or pass --allow-default-db."
        )

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from employment_records.models import GovernmentEntity
    from job_audit import services
    from job_audit.models import AuditRun

    if args.migrate:
        call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    if not args.skip_seed:
        call_command(
            "seed_scale", employees=args.positions, entity=args.entity, batch=5000, verbosity=1
        )
    seeded = time.perf_counter() - started
    entity = GovernmentEntity.objects.get(code=args.entity)
    positions = services.inventory(entity.pk).count()

    run = AuditRun.objects.create(entity=entity)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        run = services.run_audit(run_id=run.pk, chunk_size=args.chunk)
    seconds = time.perf_counter() - started
    print()
    print(f"database        {connection.vendor}")
    print(f"seeding         {seeded:.1f} s")
    print(f"positions       {positions:,} in {entity.code}")
    print(f"chunk           {args.chunk:,} positions")
    print(f"queries         {len(queries):,} ({len(queries) / max(positions, 1):.4f} per position)")
    print(f"findings        {run.total_findings:,} {dict(run.counts)}")
    print(f"positions/s {positions / seconds:,.0f} total seconds {seconds:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
