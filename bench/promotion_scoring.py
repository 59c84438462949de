#!/usr/bin/env python
"""Benchmark promotion scoring: N candidates and M offered positions, scored and assigned.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/masar_promobench \
        .venv/bin/python bench/promotion_scoring.py --candidates 50000 --positions 200 --migrate

Creates the employees with `manage.py seed_scale` (in one entity), makes them rank-8
candidates, offers M vacant rank-9 positions in a closed round, gives every candidate up to five
random preferences, then runs the scoring exactly as the batch task does (chunked bulk reads and
writes, then the serial assignment) and prints the rate. The last line is
`candidates/s <rate> total_seconds <seconds>`. Prints figures; asserts nothing. The rows stay in
the database: use a throwaway one (see bench/README.md).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masar.settings")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=50_000)
    parser.add_argument("--positions", type=int, default=200)
    parser.add_argument("--chunk", type=int, default=2000, help="employees per transaction")
    parser.add_argument("--entity", default="MOH", help="the entity that holds the round")
    parser.add_argument("--migrate", action="store_true", help="run migrations first")
    parser.add_argument(
        "--publish", action="store_true", help="then review and publish, timing publication"
    )
    parser.add_argument("--pdf", action="store_true", help="with --publish: render the PDF")
    parser.add_argument("--allow-default-db", action="store_true")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL") and not args.allow_default_db:
        parser.error("DATABASE_URL is not set: point it at a throwaway database.")

    import django

    django.setup()
    import datetime as dt

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Max
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from employment_records.models import (
        Employee,
        GovernmentEntity,
        JobClass,
        OrganisationalUnit,
        Position,
        PositionStatus,
        QualificationLevel,
    )
    from promotions import services
    from promotions.models import OfferedPosition, Preference, Round, RoundStatus

    if args.migrate:
        call_command("migrate", verbosity=0)
    started = time.perf_counter()
    before = Employee.objects.aggregate(top=Max("pk"))["top"] or 0
    call_command("seed_scale", employees=args.candidates, entity=args.entity, verbosity=0)
    entity = GovernmentEntity.objects.get(code=args.entity)
    new = Employee.objects.filter(pk__gt=before, entity=entity)
    # Everyone added competes for rank 9 (seed_scale draws ranks at random); those whose
    # service ended stay so and fail the first rule, as they would.
    new.update(rank=8)
    print(f"data: {new.count()} employees in {time.perf_counter() - started:.1f} s")

    job_class = JobClass.objects.filter(rank=9).first() or JobClass.objects.create(
        code="BENCH-9",
        title_ar="وظيفة مرتبة 9",
        title_en="Rank 9 post",
        rank=9,
        min_qualification=QualificationLevel.SECONDARY,
    )
    unit = OrganisationalUnit.objects.filter(entity=entity).first()
    stamp = int(time.time())
    positions = Position.objects.bulk_create(
        Position(
            entity=entity,
            number=f"B{stamp % 100000:05d}{i:05d}",
            unit=unit,
            job_class=job_class,
            rank=9,
            status=PositionStatus.VACANT,
        )
        for i in range(args.positions)
    )
    now = timezone.now()
    round_ = Round.objects.create(
        entity=entity,
        title_ar="قياس الأداء",
        title_en="Benchmark",
        target_rank=9,
        reference_date=timezone.localdate(),
        opens_at=now - dt.timedelta(days=8),
        closes_at=now - dt.timedelta(days=1),
        status=RoundStatus.CLOSED,
        weight_performance=40,
        weight_training=15,
        weight_education=10,
        weight_seniority=15,
        weight_volunteering=10,
        weight_other=10,
    )
    # Earlier benchmark rounds must not hold these positions: all of them are new.
    offers = OfferedPosition.objects.bulk_create(
        OfferedPosition(round=round_, position=p) for p in positions
    )
    rng = random.Random(7)
    offer_ids = [o.pk for o in offers]
    rows = []
    for employee_id in services.population(round_).values_list("pk", flat=True).iterator():
        for order, offered in enumerate(rng.sample(offer_ids, min(5, len(offer_ids))), start=1):
            rows.append(
                Preference(round=round_, employee_id=employee_id, offered_id=offered, order=order)
            )
    with transaction.atomic():
        Preference.objects.bulk_create(rows, batch_size=5000)
    candidates = services.population(round_).count()
    Round.objects.filter(pk=round_.pk).update(scoring_started_at=now, scoring_total=candidates)

    with CaptureQueriesContext(connection) as queries:
        began = time.perf_counter()
        services.run_scoring(round_id=round_.pk, chunk=args.chunk)
        seconds = time.perf_counter() - began
    round_.refresh_from_db()
    chunks = -(-candidates // args.chunk)
    print(
        f"scored: {candidates} employees read, {round_.scores.count()} candidates, "
        f"{round_.scores.filter(assigned__isnull=False).count()} promoted; "
        f"{len(queries.captured_queries)} queries over {chunks} chunks "
        f"(about {len(queries.captured_queries) / max(chunks, 1):.0f} per chunk of {args.chunk})"
    )
    if args.publish:
        publish(round_, pdf=args.pdf)
    print(f"candidates/s {candidates / seconds:.0f} total_seconds {seconds:.1f}")
    return 0


def publish(round_, *, pdf: bool) -> None:
    """Review and publish (the decisions go into the employment records in that transaction),
    then optionally render the results PDF in-process as the documents worker would."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core import documents
    from employment_records.models import EmploymentAction
    from promotions import services

    with CaptureQueriesContext(connection) as queries:
        began = time.perf_counter()
        services.take_step(round_id=round_.pk, name="review", actor=None)
        services.take_step(round_id=round_.pk, name="publish", actor=None)
        seconds = time.perf_counter() - began
    written = EmploymentAction.objects.filter(source=f"promotion_round:{round_.pk}").count()
    print(
        f"published: {written} promotion decisions written to the employment records; "
        f"{len(queries.captured_queries)} queries in {seconds:.1f} s"
    )
    if not pdf:
        return
    round_.refresh_from_db()
    began = time.perf_counter()
    # Without REDIS_URL the documents task runs eagerly when the request commits; with a
    # broker it is queued, so render it here as the worker would (safe to run twice).
    document = services.request_results_document(
        round_id=round_.pk, entity_id=round_.entity_id, language="ar", actor=None
    )
    document = documents.render_and_store(document.pk)
    from promotions.documents import RANKED_ROWS

    print(
        f"results PDF: {round_.scores.filter(outcome='promoted').count()} decisions and the "
        f"first {RANKED_ROWS} places rendered in {time.perf_counter() - began:.1f} s "
        f"({document.code})"
    )


if __name__ == "__main__":
    sys.exit(main())
