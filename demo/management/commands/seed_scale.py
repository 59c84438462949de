"""`python manage.py seed_scale --employees N`: N more employees with histories, for benchmarks.

Each employee gets a new occupied position (vacant when their service ended), a record of about
ten actions (appointment, probation, increments, promotions, leave, training ...), two
performance evaluations and their qualifications, from the same generators as `seed_demo`.
National IDs come from a counter range that demo data never uses (second digit 9, see
`demo_data.scale_national_id`) and continue after the highest one already there, so the command
can be run again to add more. Each batch is one transaction.

On PostgreSQL every table, positions and employees included, is loaded with COPY (psycopg's
`cursor.copy`), one batch at a time, with the primary keys taken from the tables' sequences
beforehand so the dependent rows are built in the same pass; derived columns
(`Employee.name_normalised`, `EmploymentAction.entity`) are written by the loader as the
models' save() would. For a large run (`--defer-indexes`, the default from 50,000 employees)
the secondary indexes and foreign keys of the loaded tables are dropped first and put back
once at the end (PostgreSQL's advice for bulk loads): building an index over all the rows is
much cheaper than maintaining it row by row (the GIN trigram index on names above all), and a
foreign key added back is validated by one join instead of a deferred check per row queued
until COMMIT. Primary keys, unique indexes and check constraints stay, so the database checks
every row as it arrives; a foreign key that no longer holds makes the command fail at the
end. Elsewhere (SQLite, `--no-copy`) rows go in with bulk_create.
"""

from __future__ import annotations

import argparse
import collections
import multiprocessing
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Max, Q
from django.db.models.functions import Length, Substr

from accounts.models import ServiceGrant
from core.catalogue import ServiceCode
from demo import demo_data
from demo.management.commands.seed_demo import GRANTS_FROM, ensure_reference_data
from employment_records.models import (
    NAME_COLUMNS,
    Employee,
    EmployeeStatus,
    EmploymentAction,
    EndReason,
    GovernmentEntity,
    OrganisationalUnit,
    PerformanceEvaluation,
    Position,
    PositionStatus,
    Qualification,
    ScholarshipDecision,
    TrainingDecision,
    normalised_name,
)

POSITION_FIELDS = ("number", "entity_id", "unit_id", "job_class_id", "rank", "status")
EMPLOYEE_FIELDS = (
    "national_id",
    *NAME_COLUMNS,
    "name_normalised",
    "nationality",
    "gender",
    "date_of_birth",
    "registry_mobile",
    "entity_id",
    "unit_id",
    "rank",
    "step",
    "rank_since",
    "hire_date",
    "status",
    "end_date",
    "end_reason",
    "position_id",  # last: filled in by the loader once the position has its key
)
ACTION_FIELDS = (
    "employee_id",
    "entity_id",
    "action_type",
    "decision_number",
    "decision_date",
    "effective_date",
    "from_rank",
    "to_rank",
    "from_step",
    "to_step",
    "notes",
    "from_position_id",  # the last two: filled in by the loader
    "to_position_id",
)
# Each record carries its employee's entity, as TakesEmployeesEntity.save() would write it.
EVALUATION_FIELDS = ("employee_id", "entity_id", "year", "score", "rating")
QUALIFICATION_FIELDS = (
    "employee_id",
    "entity_id",
    "level",
    "major",
    "institution",
    "graduation_date",
)
TRAINING_FIELDS = (
    "employee_id",
    "entity_id",
    "title_ar",
    "title_en",
    "provider",
    "decision_number",
    "decision_date",
    "start_date",
    "end_date",
    "hours",
    "status",
)
SCHOLARSHIP_FIELDS = (
    "employee_id",
    "entity_id",
    "degree",
    "field_of_study",
    "institution",
    "country",
    "decision_number",
    "decision_date",
    "start_date",
    "end_date",
    "status",
)
GRANT_FIELDS = ("employee_id", "service", "entity_id", "valid_from")
# Rows that hang off an employee, generated with the employee's index in the batch first.
CHILDREN = (
    (PerformanceEvaluation, EVALUATION_FIELDS),
    (Qualification, QUALIFICATION_FIELDS),
    (TrainingDecision, TRAINING_FIELDS),
    (ScholarshipDecision, SCHOLARSHIP_FIELDS),
    (ServiceGrant, GRANT_FIELDS),
)
ENDINGS = (EndReason.RESIGNATION, EndReason.EARLY_RETIREMENT, EndReason.DEATH)
# The tables a run fills: --defer-indexes drops and restores their indexes and foreign keys.
LOADED_MODELS = (
    Position,
    Employee,
    EmploymentAction,
    PerformanceEvaluation,
    Qualification,
    TrainingDecision,
    ScholarshipDecision,
    ServiceGrant,
)
DEFER_INDEXES_FROM = 50_000


class _OnePosition(demo_data.PositionSource):
    """Each scale employee's current position is new; earlier ones are not recorded."""

    number: str = ""
    wanted: tuple[int, str, bool] = (1, "admin", True)

    def take(self, rank, kind, *, final, occupy):
        if not final:
            return None
        self.wanted = (rank, kind, occupy)
        return self.number


def insert_rows(model, fields: tuple[str, ...], rows: list[tuple], *, copy: bool) -> None:
    """Insert plain tuples: PostgreSQL COPY, or bulk_create elsewhere."""
    if not rows:
        return
    if copy:
        quote = connection.ops.quote_name
        columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(
                f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
            ) as stream,
        ):
            for row in rows:
                stream.write_row(row)
    else:
        model.objects.bulk_create(
            [model(**dict(zip(fields, row, strict=True))) for row in rows], batch_size=2000
        )


def insert_with_ids(model, fields: tuple[str, ...], rows: list[tuple], *, copy: bool) -> list[int]:
    """Insert rows and return their primary keys, in order. With COPY the keys are drawn from
    the table's sequence first (COPY returns nothing), so dependent rows can name them."""
    if not copy:
        created = model.objects.bulk_create(
            [model(**dict(zip(fields, row, strict=True))) for row in rows], batch_size=2000
        )
        return [obj.pk for obj in created]
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(rows)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
    insert_rows(
        model,
        ("id", *fields),
        [(pk, *row) for pk, row in zip(ids, rows, strict=True)],
        copy=True,
    )
    return ids


def drop_deferred_checks() -> list[tuple[str, str]]:
    """Drop the loaded tables' non-unique indexes and foreign keys (PostgreSQL's advice for bulk
    loads); return the statements that put them back. Primary keys, unique indexes and check
    constraints stay and check every row as it arrives."""
    tables = [model._meta.db_table for model in LOADED_MODELS]
    quote = connection.ops.quote_name
    restore = []
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.relname, c.conname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
            WHERE c.contype = 'f' AND t.relname = ANY(%s)
            ORDER BY t.relname, c.conname
            """,
            [tables],
        )
        foreign_keys = cursor.fetchall()
        cursor.execute(
            """
            SELECT i.relname, pg_get_indexdef(x.indexrelid)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            WHERE t.relname = ANY(%s) AND NOT x.indisunique AND NOT x.indisprimary
            ORDER BY t.relname, i.relname
            """,
            [tables],
        )
        indexes = cursor.fetchall()
        for table, name, _definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        for name, definition in indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
            restore.append((f"index {name}", definition))
    # Indexes first: the foreign keys' validation (one join per key) comes after.
    restore += [
        (
            f"foreign key {name}",
            f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}",
        )
        for table, name, definition in foreign_keys
    ]
    return restore


def restore_deferred_checks(statements: list[tuple[str, str]]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for _what, statement in statements:
            cursor.execute(statement)
        cursor.execute("RESET maintenance_work_mem")


def next_counter() -> int:
    """One past the highest counter used by earlier runs (employees or positions)."""
    used = Employee.objects.filter(
        Q(national_id__startswith="19") | Q(national_id__startswith="29")
    ).aggregate(top=Max(Substr("national_id", 3, 7)))["top"]
    numbered = (
        Position.objects.annotate(length=Length("number"))
        .filter(number__startswith="9", length=8)
        .aggregate(top=Max(Substr("number", 2, 7)))["top"]
    )
    return max(int(used) + 1 if used else 0, int(numbered) + 1 if numbered else 0)


class Command(BaseCommand):
    help = "Bulk-create N more employees with positions and histories (for benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--employees", type=int, required=True, help="how many to add")
        parser.add_argument(
            "--entity", help="government entity code (default: spread over the demo entities)"
        )
        parser.add_argument("--batch", type=int, default=5000, help="employees per transaction")
        parser.add_argument("--seed", type=int, default=demo_data.SEED)
        parser.add_argument(
            "--grants", action="store_true", help="also grant the six services to Saudis in service"
        )
        parser.add_argument(
            "--no-copy", action="store_true", help="use bulk_create even on PostgreSQL"
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help=(
                "processes generating the next batches while this one loads rows with COPY "
                "(0: generate in this process; SQLite always does)"
            ),
        )
        parser.add_argument(
            "--defer-indexes",
            action=argparse.BooleanOptionalAction,
            default=None,
            help=(
                "PostgreSQL: drop the loaded tables' secondary indexes and foreign keys and put "
                f"them back at the end (default: from {DEFER_INDEXES_FROM:,} employees)"
            ),
        )

    def handle(
        self,
        *args,
        employees,
        entity,
        batch,
        seed,
        grants,
        no_copy,
        defer_indexes,
        workers,
        **options,
    ):
        if employees < 1 or batch < 1:
            raise CommandError("--employees and --batch must be positive.")
        with transaction.atomic():
            ref = ensure_reference_data()
        targets = self.targets(ref, entity)
        copy = connection.vendor == "postgresql" and not no_copy
        start = next_counter()
        if start + employees - 1 > demo_data.SCALE_ID_MAX:
            raise CommandError(
                f"The benchmark ID range has {demo_data.SCALE_ID_MAX + 1 - start}"
                " national IDs left."
            )
        self.stdout.write(
            f"seed_scale: {employees:,} employees in {', '.join(t[0] for t in targets)}, "
            f"batches of {batch:,}, counter from {start:,}"
            f" ({'COPY' if copy else 'bulk_create'} for records)"
        )
        if defer_indexes is None:
            defer_indexes = employees >= DEFER_INDEXES_FROM
        defer_indexes = defer_indexes and copy
        started = time.perf_counter()
        done = actions = 0
        deferred = drop_deferred_checks() if defer_indexes else []
        if deferred:
            self.stdout.write(
                f"  {len(deferred)} secondary indexes and foreign keys dropped until the end"
            )
        jobs = [
            (first, min(batch, start + employees - first), targets, ref.classes, seed, grants)
            for first in range(start, start + employees, batch)
        ]
        try:
            for rows in self.generated(jobs, workers=workers if copy else 0):
                with transaction.atomic():
                    actions += load_batch(rows, copy=copy)
                done += len(rows[1])
                elapsed = time.perf_counter() - started
                self.stdout.write(
                    f"  {done:,}/{employees:,} employees, {actions:,} actions, "
                    f"{elapsed:.1f} s, {done / elapsed:,.0f} employees/s"
                )
        finally:
            # Also after an error or ^C: the indexes come back whatever was loaded.
            if deferred:
                loaded = time.perf_counter()
                restore_deferred_checks(deferred)
                self.stdout.write(
                    f"  {len(deferred)} indexes and foreign keys rebuilt and validated in "
                    f"{time.perf_counter() - loaded:.1f} s"
                )
        if connection.vendor == "postgresql":
            # Fresh planner statistics: until autovacuum gets to the new rows, PostgreSQL
            # estimates an entity's employees in tens, not thousands, and picks slow plans.
            # After a large load (--defer-indexes) VACUUM as well: it sets the visibility map,
            # so the console lists' index-only counts skip the heap, and autovacuum does not
            # start on the new rows in the middle of a benchmark.
            with connection.cursor() as cursor:
                if not deferred or connection.in_atomic_block:  # (no VACUUM in a transaction)
                    cursor.execute("ANALYZE")
                else:
                    tables = ", ".join(
                        connection.ops.quote_name(model._meta.db_table) for model in LOADED_MODELS
                    )
                    cursor.execute(f"VACUUM (ANALYZE) {tables}")
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"seed_scale: {done:,} employees and {actions:,} actions in {elapsed:.1f} s "
                f"({done / elapsed:,.0f} employees/s)"
            )
        )

    @staticmethod
    def generated(jobs, *, workers: int):
        """The batches' rows, in order: built here, or by `workers` processes running at most
        two batches ahead of the loader (so memory stays bounded)."""
        if workers < 1:
            for job in jobs:
                yield _generate_in_worker(job)
            return
        # fork: the children only compute; they never touch the inherited connection.
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            pending = collections.deque()
            for job in jobs:
                pending.append(pool.apply_async(_generate_in_worker, (job,)))
                if len(pending) > workers + 1:
                    yield pending.popleft().get()
            while pending:
                yield pending.popleft().get()

    def targets(self, ref, code):
        """[(entity code, entity pk, {job-class kind: [unit pks]})] to spread employees over."""
        if code:
            entity = GovernmentEntity.objects.filter(code=code).first()
            if entity is None:
                raise CommandError(f"No government entity with code {code!r}.")
            entities = [entity]
        else:
            entities = list(
                GovernmentEntity.objects.filter(
                    code__in=[spec.code for spec in demo_data.ENTITIES]
                ).order_by("code")
            )
        targets = []
        for entity in entities:
            units = dict(OrganisationalUnit.objects.filter(entity=entity).values_list("code", "pk"))
            if not units:
                raise CommandError(f"Entity {entity.code} has no organisational units.")
            spec = demo_data.ENTITIES_BY_CODE.get(entity.code)
            by_kind = {}
            for kind in (*demo_data.KINDS, "leadership"):
                wanted = (
                    [units[u.code] for u in demo_data.units_for(spec, kind) if u.code in units]
                    if spec
                    else []
                )
                by_kind[kind] = wanted or sorted(units.values())
            targets.append((entity.code, entity.pk, by_kind))
        return targets


def generate_batch(first: int, size: int, targets, classes, *, seed: int, grants: bool):
    """The rows of one batch as plain tuples, with no database access (so a separate process
    can build the next batch while this one is loaded). Rows refer to their employee (and the
    employee's position) by the index in the batch: the loader swaps in the primary keys."""
    rng = random.Random(f"{seed}:{first}")  # noqa: S311 - benchmark data
    source = _OnePosition()
    positions, employees, actions = [], [], []
    children = {model: [] for model, _fields in CHILDREN}
    for index, counter in enumerate(range(first, first + size)):
        code, entity_id, units = targets[counter % len(targets)]
        resident = rng.random() < 0.05
        source.number = f"9{counter:07d}"
        spec = demo_data.random_employee(
            rng,
            code,
            source,
            national_id=demo_data.scale_national_id(counter, resident=resident),
            resident=resident,
            end_reason=rng.choice(ENDINGS) if rng.random() < 0.02 else "",
            min_years=3,
            max_years=9,
            evaluation_years=(1446, 1447),
        )
        rank, kind, occupy = source.wanted
        job = rng.choice(demo_data.classes_for(rank, kind))
        unit_id = rng.choice(units[job.kind])
        positions.append(
            (
                source.number,
                entity_id,
                unit_id,
                classes[job.code],
                rank,
                PositionStatus.OCCUPIED if occupy else PositionStatus.VACANT,
            )
        )
        person, career = spec.person, spec.career
        names = person.name_fields()
        employees.append(
            (
                person.national_id,
                *(names[name] for name in NAME_COLUMNS),
                normalised_name(**names),  # as Employee.save() would
                person.nationality,
                person.gender,
                person.date_of_birth,
                "",  # registry_mobile: scale employees never register
                entity_id,
                unit_id,
                career.rank,
                career.step,
                career.rank_since,
                career.hire_date,
                career.status,
                career.end_date,
                career.end_reason,
            )
        )
        actions += [
            (
                index,
                entity_id,  # the employee's, as EmploymentAction.save() would
                a.action_type,
                a.decision_number,
                a.decision_date,
                a.effective_date,
                a.from_rank,
                a.to_rank,
                a.from_step,
                a.to_step,
                a.notes,
                bool(a.from_position),
                bool(a.to_position),
            )
            for a in career.actions
        ]
        children[PerformanceEvaluation] += [
            (index, entity_id, e.year, e.score, e.rating) for e in career.evaluations
        ]
        children[Qualification] += [
            (index, entity_id, q.level, q.major, q.institution, q.graduation_date)
            for q in career.qualifications
        ]
        children[TrainingDecision] += [
            (
                index,
                entity_id,
                t.title_ar,
                t.title_en,
                t.provider,
                t.decision_number,
                t.decision_date,
                t.start_date,
                t.end_date,
                t.hours,
                t.status,
            )
            for t in career.training
        ]
        children[ScholarshipDecision] += [
            (
                index,
                entity_id,
                s.degree,
                s.field_of_study,
                s.institution,
                s.country,
                s.decision_number,
                s.decision_date,
                s.start_date,
                s.end_date,
                s.status,
            )
            for s in career.scholarships
        ]
        if grants and spec.grants and career.status == EmployeeStatus.ACTIVE:
            valid_from = max(career.hire_date, GRANTS_FROM)
            children[ServiceGrant] += [
                (index, service, entity_id, valid_from) for service in ServiceCode.values
            ]
    return positions, employees, actions, children


def load_batch(rows, *, copy: bool) -> int:
    """Insert one generated batch (in the caller's transaction); returns its action count."""
    positions, employees, actions, children = rows
    position_ids = insert_with_ids(Position, POSITION_FIELDS, positions, copy=copy)
    employee_ids = insert_with_ids(
        Employee,
        EMPLOYEE_FIELDS,
        [(*row, position_ids[index]) for index, row in enumerate(employees)],
        copy=copy,
    )
    action_rows = []
    for index, *values, from_position, to_position in actions:
        position_id = position_ids[index]
        action_rows.append(
            (
                employee_ids[index],
                *values,
                position_id if from_position else None,
                position_id if to_position else None,
            )
        )
    insert_rows(EmploymentAction, ACTION_FIELDS, action_rows, copy=copy)
    for model, fields in CHILDREN:
        insert_rows(
            model,
            fields,
            [(employee_ids[index], *values) for index, *values in children[model]],
            copy=copy,
        )
    return len(actions)


def _generate_in_worker(args):
    first, size, targets, classes, seed, grants = args
    return generate_batch(first, size, targets, classes, seed=seed, grants=grants)
