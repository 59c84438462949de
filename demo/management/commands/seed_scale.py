"""`python manage.py seed_scale --employees N`: N more employees with histories, for benchmarks.

Each employee gets a new occupied position (vacant when their service ended), a record of about
ten actions (appointment, probation, increments, promotions, leave, training ...), two
performance evaluations and their qualifications, from the same generators as `seed_demo`.
National IDs come from a counter range that demo data never uses (second digit 9, see
`demo_data.scale_national_id`) and continue after the highest one already there, so the command
can be run again to add more. Each batch is one transaction; on PostgreSQL the child rows go
in with COPY.
"""

from __future__ import annotations

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
)

ACTION_FIELDS = (
    "employee_id",
    "action_type",
    "decision_number",
    "decision_date",
    "effective_date",
    "from_position_id",
    "to_position_id",
    "from_rank",
    "to_rank",
    "from_step",
    "to_step",
    "notes",
)
EVALUATION_FIELDS = ("employee_id", "year", "score", "rating")
QUALIFICATION_FIELDS = ("employee_id", "level", "major", "institution", "graduation_date")
TRAINING_FIELDS = (
    "employee_id",
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
ENDINGS = (EndReason.RESIGNATION, EndReason.EARLY_RETIREMENT, EndReason.DEATH)


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

    def handle(self, *args, employees, entity, batch, seed, grants, no_copy, **options):
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
        started = time.perf_counter()
        done = actions = 0
        for first in range(start, start + employees, batch):
            size = min(batch, start + employees - first)
            with transaction.atomic():
                actions += self.batch(
                    first, size, targets, ref, seed=seed, copy=copy, grants=grants
                )
            done += size
            elapsed = time.perf_counter() - started
            self.stdout.write(
                f"  {done:,}/{employees:,} employees, {actions:,} actions, "
                f"{elapsed:.1f} s, {done / elapsed:,.0f} employees/s"
            )
        if connection.vendor == "postgresql":
            # Fresh planner statistics: until autovacuum gets to the new rows, PostgreSQL
            # estimates an entity's employees in tens, not thousands, and picks slow plans.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"seed_scale: {done:,} employees and {actions:,} actions in {elapsed:.1f} s "
                f"({done / elapsed:,.0f} employees/s)"
            )
        )

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

    def batch(self, first, size, targets, ref, *, seed, copy, grants) -> int:
        rng = random.Random(f"{seed}:{first}")  # noqa: S311 - benchmark data
        source = _OnePosition()
        positions, specs = [], []
        for counter in range(first, first + size):
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
            positions.append(
                Position(
                    number=source.number,
                    entity_id=entity_id,
                    unit_id=rng.choice(units[job.kind]),
                    job_class_id=ref.classes[job.code],
                    rank=rank,
                    status=PositionStatus.OCCUPIED if occupy else PositionStatus.VACANT,
                )
            )
            specs.append((spec, entity_id))
        Position.objects.bulk_create(positions, batch_size=size)

        employees = []
        for (spec, entity_id), position in zip(specs, positions, strict=True):
            person, career = spec.person, spec.career
            employees.append(
                Employee(
                    national_id=person.national_id,
                    **person.name_fields(),
                    nationality=person.nationality,
                    gender=person.gender,
                    date_of_birth=person.date_of_birth,
                    entity_id=entity_id,
                    unit_id=position.unit_id,
                    position_id=position.pk,
                    rank=career.rank,
                    step=career.step,
                    rank_since=career.rank_since,
                    hire_date=career.hire_date,
                    status=career.status,
                    end_date=career.end_date,
                    end_reason=career.end_reason,
                )
            )
        Employee.objects.bulk_create(employees, batch_size=size)

        actions, evaluations, qualifications, training, scholarships, grant_rows = (
            [],
            [],
            [],
            [],
            [],
            [],
        )
        for (spec, entity_id), position, employee in zip(specs, positions, employees, strict=True):
            pk, career = employee.pk, spec.career
            for a in career.actions:
                actions.append(
                    (
                        pk,
                        a.action_type,
                        a.decision_number,
                        a.decision_date,
                        a.effective_date,
                        position.pk if a.from_position else None,
                        position.pk if a.to_position else None,
                        a.from_rank,
                        a.to_rank,
                        a.from_step,
                        a.to_step,
                        a.notes,
                    )
                )
            evaluations += [(pk, e.year, e.score, e.rating) for e in career.evaluations]
            qualifications += [
                (pk, q.level, q.major, q.institution, q.graduation_date)
                for q in career.qualifications
            ]
            training += [
                (
                    pk,
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
            scholarships += [
                (
                    pk,
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
                grant_rows += [
                    (pk, service, entity_id, valid_from) for service in ServiceCode.values
                ]
        insert_rows(EmploymentAction, ACTION_FIELDS, actions, copy=copy)
        insert_rows(PerformanceEvaluation, EVALUATION_FIELDS, evaluations, copy=copy)
        insert_rows(Qualification, QUALIFICATION_FIELDS, qualifications, copy=copy)
        insert_rows(TrainingDecision, TRAINING_FIELDS, training, copy=copy)
        insert_rows(ScholarshipDecision, SCHOLARSHIP_FIELDS, scholarships, copy=copy)
        insert_rows(ServiceGrant, GRANT_FIELDS, grant_rows, copy=copy)
        return len(actions)
