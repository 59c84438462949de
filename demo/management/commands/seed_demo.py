"""`python manage.py seed_demo`: the demo entities, positions, employees and personas.

Idempotent: every row has a natural key (entity code, unit code, class code, rank and step,
position number, national ID, decision number, evaluation year ...); rows that are missing are
created and rows that exist are left as they are, so a second run creates nothing and edits
made through the site survive. The data comes from `demo.demo_data`.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import HRProfile, ServiceGrant, User
from core.catalogue import ServiceCode
from core.hr_admin import HR_GROUP, MINISTRY_GROUP, ministry_permissions, sync_role_groups
from demo import demo_data
from employment_records.models import (
    CorrectionRequest,
    Employee,
    EmploymentAction,
    GovernmentEntity,
    JobClass,
    OrganisationalUnit,
    PerformanceEvaluation,
    Position,
    Qualification,
    SalaryScale,
    ScholarshipDecision,
    TrainingDecision,
    normalised_name,
)
from employment_records.salary_scale import salary_scale_rows

GRANTS_FROM = dt.date(2024, 1, 1)  # grants start then, or at hire if later
DEMO_GRIEVANCE_TEXT = (
    "صدر القرار دون احتساب سنوات خدمتي السابقة في الجهة، وأرفقت ما يثبتها في طلبي السابق."
)
DEMO_GRIEVANCE_REMEDY = "إعادة دراسة القرار مع احتساب مدة الخدمة السابقة."
DEMO_GRIEVANCE_QUESTION = "يرجى إرفاق صورة من القرار وتحديد المدة التي لم تُحتسب."
DEMO_CORRECTION_REASON = "الاسم بالإنجليزية مكتوب خطأ، وهذا ما في جواز السفر."
DEMO_BAYAN_REJECTION = "الإجازة الاستثنائية لعام 1440هـ غير مذكورة في فترات الخدمة."


@dataclass
class Outcome:
    label: str
    created: int = 0
    existing: int = 0

    def __str__(self):
        return f"{self.label}: {self.created} created, {self.existing} already there"


def create_missing(
    model, key_fields: tuple[str, ...], rows: list[dict], existing, label: str
) -> tuple[dict[tuple, int], Outcome]:
    """Create the rows whose key is not in `existing` (a queryset); keys -> primary keys."""
    found = {row[:-1]: row[-1] for row in existing.values_list(*key_fields, "pk")}
    new_rows = {}
    for row in rows:
        key = tuple(row[name] for name in key_fields)
        if key not in found:
            new_rows.setdefault(key, row)
    created = model.objects.bulk_create([model(**row) for row in new_rows.values()], batch_size=500)
    for key, obj in zip(new_rows, created, strict=True):
        found[key] = obj.pk
    return found, Outcome(label, len(created), len(rows) - len(created))


@dataclass
class Reference:
    entities: dict[str, int]  # code -> pk
    units: dict[tuple[str, str], int]  # (entity code, unit code) -> pk
    classes: dict[str, int]  # class code -> pk
    outcomes: list[Outcome]


def ensure_reference_data() -> Reference:
    """The three entities, their units, the job classes and the salary scale."""
    entities, entities_done = create_missing(
        GovernmentEntity,
        ("code",),
        [{"code": e.code, "name_ar": e.name_ar, "name_en": e.name_en} for e in demo_data.ENTITIES],
        GovernmentEntity.objects.all(),
        "Government entities",
    )
    entity_ids = {code: pk for (code,), pk in entities.items()}
    units, units_done = create_missing(
        OrganisationalUnit,
        ("entity_id", "code"),
        [
            {
                "entity_id": entity_ids[e.code],
                "code": u.code,
                "name_ar": u.name_ar,
                "name_en": u.name_en,
            }
            for e in demo_data.ENTITIES
            for u in e.units
        ],
        OrganisationalUnit.objects.all(),
        "Organisational units",
    )
    codes_by_id = {pk: code for code, pk in entity_ids.items()}
    classes, classes_done = create_missing(
        JobClass,
        ("code",),
        [
            {
                "code": j.code,
                "title_ar": j.title_ar,
                "title_en": j.title_en,
                "general_group": j.general_group,
                "series": j.series,
                "rank": j.rank,
                "min_qualification": j.min_qualification,
                "min_experience_years": j.min_experience_years,
            }
            for j in demo_data.JOB_CLASSES
        ],
        JobClass.objects.all(),
        "Job classes",
    )
    _scale, scale_done = create_missing(
        SalaryScale,
        ("rank", "step"),
        [
            {"rank": rank, "step": step, "amount": amount}
            for rank, step, amount in salary_scale_rows()
        ],
        SalaryScale.objects.all(),
        "Salary scale entries",
    )
    return Reference(
        entities=entity_ids,
        units={
            (codes_by_id[entity_id], code): pk
            for (entity_id, code), pk in units.items()
            if entity_id in codes_by_id
        },
        classes={code: pk for (code,), pk in classes.items()},
        outcomes=[entities_done, units_done, classes_done, scale_done],
    )


def ensure_role_groups() -> tuple[Group, Group, Outcome]:
    """The two role groups; the ministry group holds `ministry_permissions()`."""
    sync_role_groups()
    ministry = Group.objects.get(name=MINISTRY_GROUP)
    wanted = set(ministry_permissions().values_list("pk", flat=True))
    missing = wanted - set(ministry.permissions.values_list("pk", flat=True))
    ministry.permissions.add(*sorted(missing))
    return (
        Group.objects.get(name=HR_GROUP),
        ministry,
        Outcome("Ministry staff permissions", len(missing), len(wanted) - len(missing)),
    )


class Command(BaseCommand):
    help = (
        "Create the demo government entities, positions, 120 employees with histories and "
        "the six personas. Safe to run again: existing rows are left unchanged."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        with transaction.atomic():
            outcomes, personas = self.seed()
        for outcome in outcomes:
            self.stdout.write(f"  {outcome}")
        self.stdout.write(f"Personas (password {demo_data.PASSWORD} where there is an account):")
        for line in personas:
            self.stdout.write(f"  {line}")
        created = sum(outcome.created for outcome in outcomes)
        self.stdout.write(
            self.style.SUCCESS(
                f"seed_demo: {created} rows created in {time.perf_counter() - started:.1f} s"
                + ("" if created else " (everything was already there)")
            )
        )

    def seed(self) -> tuple[list[Outcome], list[str]]:
        hr_group, ministry_group, groups = ensure_role_groups()
        ref = ensure_reference_data()
        demo = demo_data.build_demo()

        positions, positions_done = create_missing(
            Position,
            ("entity_id", "number"),
            [
                {
                    "entity_id": ref.entities[p.entity_code],
                    "number": p.number,
                    "unit_id": ref.units[(p.entity_code, p.unit_code)],
                    "job_class_id": ref.classes[p.class_code],
                    "rank": p.rank,
                    "status": p.status,
                }
                for p in demo.positions
            ],
            Position.objects.filter(entity_id__in=ref.entities.values()),
            "Positions",
        )
        users, users_done = self.ensure_users(demo, hr_group, ministry_group)
        employees, employees_done = self.create_employees(demo, ref, positions, users)
        children = self.create_records(demo, ref, employees, positions)
        grants = self.create_grants(demo, ref, employees, users)
        requests = self.create_requests(demo, employees)
        bayan = self.create_bayan(demo, employees, hr_group)
        rounds = self.create_promotion_rounds()
        job_audit = self.create_job_audit()
        cv_entries = self.create_cv_entries(employees)

        personas = []
        for spec in demo.employees[: len(demo_data.PERSONAS)]:
            person = spec.person
            name = " ".join(part[1] for part in (person.first, person.family))
            personas.append(
                f"{person.national_id}  {name}: {spec.persona}"
                f"{'' if spec.account else ' (no account)'}"
            )
        personas.append(
            f"{self.second_specialist}  second HR specialist of the first entity (prepares "
            "Bayan statements the HR persona approves)"
        )
        return (
            [
                groups,
                *ref.outcomes,
                positions_done,
                users_done,
                employees_done,
                *children,
                grants,
                requests,
                bayan,
                rounds,
                job_audit,
                cv_entries,
            ],
            personas,
        )

    def create_requests(self, demo, employees) -> Outcome:
        """Work waiting in the HR persona's console: two grievances (one new, one waiting for
        the employee's answer) and a data-correction request, from employees of the first
        entity who are not personas. Only on a database that has none yet."""
        from employment_records.services import CorrectionInput, submit_correction
        from grievances import services as grievances
        from grievances.models import Grievance

        outcome = Outcome("Demo grievances and correction requests")
        first_entity = demo_data.ENTITIES[0].code
        if (
            Grievance.objects.filter(entity__code=first_entity).exists()
            or CorrectionRequest.objects.filter(employee__entity__code=first_entity).exists()
        ):
            outcome.existing = 3
            return outcome
        filers = [
            Employee.objects.get(pk=employees[spec.person.national_id])
            for spec in demo.employees[len(demo_data.PERSONAS) :]
            if spec.entity_code == first_entity
        ][:3]
        specialist = User.objects.get(username=demo_data.HR_ID)
        today = timezone.localdate()
        for filer, category in zip(filers[:2], ("promotion", "transfer"), strict=True):
            action = filer.actions.order_by("-effective_date").first()
            grievance, _created = grievances.submit_grievance(
                employee=filer,
                data=grievances.GrievanceInput(
                    category=category,
                    decision_number=action.decision_number,
                    decision_date=action.decision_date,
                    learned_on=today - dt.timedelta(days=6),
                    text=DEMO_GRIEVANCE_TEXT,
                    remedy=DEMO_GRIEVANCE_REMEDY,
                    action_id=action.pk,
                ),
                attachments=[],
                submission_token=uuid.uuid4(),
            )
            outcome.created += 1
        # The second one is followed up: assigned, with a question to the employee.
        grievances.assign_grievance(
            grievance_id=grievance.pk, specialist=specialist, actor=specialist
        )
        grievances.request_more_information(
            grievance_id=grievance.pk, question=DEMO_GRIEVANCE_QUESTION, actor=specialist
        )
        filer = filers[2]
        submit_correction(
            employee=filer,
            data=CorrectionInput(
                field_name="family_name_en",
                proposed_value=f"{filer.family_name_en}i",
                reason=DEMO_CORRECTION_REASON,
                evidence=[],
            ),
            actor=None,
        )
        outcome.created += 1
        return outcome

    def create_bayan(self, demo, employees, hr_group) -> Outcome:
        """Bayan in the first entity: the retired persona's statement acknowledged by the
        pension authority, and in the HR console one statement to prepare, one waiting for the
        HR persona's approval and one rejected by the authority. A second specialist (the
        maker of what the HR persona checks) is made sure of every run; the statements only on
        a database that has none."""
        from bayan import services as bayan
        from bayan.models import Statement

        outcome = Outcome("Bayan statements")
        first = GovernmentEntity.objects.get(code=demo_data.FIRST_ENTITY)
        checker = User.objects.get(username=demo_data.HR_ID)
        maker = self.ensure_second_specialist(demo, employees, hr_group, first)
        if Statement.objects.filter(entity=first).exists():
            outcome.existing = 3
            return outcome
        retirees = [
            Employee.objects.get(pk=employees[spec.person.national_id])
            for spec in demo.employees[-len(demo_data.BAYAN_RETIREE_REASONS) :]
        ]
        retired = Employee.objects.get(pk=employees[demo_data.RETIRED_ID])
        today = timezone.localdate()

        def approved(employee):
            statement = bayan.prepare_statement(employee_id=employee.pk, actor=maker)
            bayan.submit_statement(statement_id=statement.pk, actor=maker)
            return bayan.approve_statement(statement_id=statement.pk, actor=checker)

        # The authority's answers are recorded as the delivery task records them (no HTTP:
        # nothing is serving the simulator while the seed runs).
        acknowledged = approved(retired)
        bayan.claim_delivery(acknowledged.delivery.pk)
        bayan.record_answer(
            acknowledged.delivery.pk,
            bayan.Response(
                201,
                {
                    "status": "acknowledged",
                    "reference": f"PA-{today:%Y}-{acknowledged.pk:06d}",
                },
            ),
        )
        rejected = approved(retirees[1])
        bayan.claim_delivery(rejected.delivery.pk)
        bayan.record_answer(
            rejected.delivery.pk,
            bayan.Response(
                422,
                {"status": "rejected", "code": "periods", "reason": DEMO_BAYAN_REJECTION},
            ),
        )
        waiting = bayan.prepare_statement(employee_id=retirees[2].pk, actor=maker)
        bayan.submit_statement(statement_id=waiting.pk, actor=maker)
        # retirees[0] is left for the HR persona to prepare from the work list.
        outcome.created = 3
        return outcome

    def ensure_second_specialist(self, demo, employees, hr_group, entity) -> User:
        """An HR specialist of the first entity besides the persona: maker-checker needs two.
        The last Saudi in service of that entity who is not a persona gets the account."""
        spec = next(
            spec
            for spec in reversed(demo.employees)
            if spec.entity_code == demo_data.FIRST_ENTITY
            and spec.grants
            and spec.person.national_id not in demo_data.PERSONA_IDS
        )
        national_id = spec.person.national_id
        user = User.objects.filter(username=national_id).first()
        if user is None:
            user = User(
                username=national_id,
                is_staff=True,
                mobile=demo_data.SECOND_HR_MOBILE,
                email=demo_data.email_for(spec.person, entity.code),
                first_name=spec.person.first[0],
                last_name=spec.person.family[0],
            )
            user.set_password(demo_data.PASSWORD)
            user.save()
            Employee.objects.filter(pk=employees[national_id]).update(user=user)
        user.groups.add(hr_group)
        HRProfile.objects.get_or_create(user=user, defaults={"entity": entity})
        self.second_specialist = national_id
        return user

    def create_promotion_rounds(self) -> Outcome:
        """An open round persona 1012345672 may join and a published one with results
        (demo/promotions_demo.py)."""
        from demo.promotions_demo import seed_promotions

        outcome = Outcome("Promotion rounds")
        outcome.created = seed_promotions()
        outcome.existing = 0 if outcome.created else 2
        return outcome

    def create_job_audit(self) -> Outcome:
        """The first entity's inventory with a finding of every type, its audit run, and job
        variables requests in every state (demo.job_audit_demo)."""
        from demo.job_audit_demo import seed_job_audit

        outcome = Outcome("Job-data audit: findings, audit run, variables requests")
        if seed_job_audit():
            outcome.created = 1
        else:
            outcome.existing = 1
        return outcome

    def create_cv_entries(self, employees) -> Outcome:
        """Persona 1012345672's own CV entries in Arabic and English; a section that already
        has entries in a language is left as it is (the person may have edited it)."""
        from cv.sections import SECTIONS_BY_CODE

        outcome = Outcome("CV entries")
        employee_id = employees[demo_data.CV_PERSONA_ID]
        for code, by_language in demo_data.CV_ENTRIES.items():
            model = SECTIONS_BY_CODE[code].model
            for language, rows in by_language.items():
                if model.objects.filter(employee_id=employee_id, language=language).exists():
                    outcome.existing += len(rows)
                    continue
                model.objects.bulk_create(
                    model(employee_id=employee_id, language=language, position=index, **row)
                    for index, row in enumerate(rows, start=1)
                )
                outcome.created += len(rows)
        return outcome

    def ensure_users(self, demo, hr_group, ministry_group):
        """Persona accounts: created with the demo password; roles made sure of every run."""
        outcome = Outcome("Persona accounts")
        users: dict[str, User] = {}
        for spec in demo.employees:
            if not spec.account:
                continue
            national_id = spec.person.national_id
            staff = national_id in (demo_data.HR_ID, demo_data.MINISTRY_ID)
            user = User.objects.filter(username=national_id).first()
            if user is None:
                user = User(username=national_id, is_staff=staff, **spec.account)
                user.set_password(demo_data.PASSWORD)  # hashing is slow: new accounts only
                user.save()
                outcome.created += 1
            else:
                outcome.existing += 1
                if staff and not user.is_staff:
                    user.is_staff = True
                    user.save(update_fields=["is_staff"])
            users[national_id] = user
        hr_user, ministry_user = users[demo_data.HR_ID], users[demo_data.MINISTRY_ID]
        hr_user.groups.add(hr_group)
        ministry_user.groups.add(ministry_group)
        # Ministry staff have no HR profile (the ministry admin refuses HR specialists).
        HRProfile.objects.filter(user=ministry_user).delete()
        entity = GovernmentEntity.objects.get(code=demo_data.FIRST_ENTITY)
        profile, _created = HRProfile.objects.get_or_create(
            user=hr_user, defaults={"entity": entity, "is_lead": True}
        )
        if profile.entity_id != entity.pk or not profile.is_lead:
            profile.entity, profile.is_lead = entity, True
            profile.save(update_fields=["entity", "is_lead"])
        return users, outcome

    def create_employees(self, demo, ref, positions, users):
        unit_of = dict(
            Position.objects.filter(pk__in=list(positions.values())).values_list("pk", "unit_id")
        )
        rows = []
        today = timezone.localdate()
        for spec in demo.employees:
            person, career = spec.person, spec.career
            entity_id = ref.entities[spec.entity_code]
            position_id = positions[(entity_id, career.position)]
            row = {
                "national_id": person.national_id,
                **person.name_fields(),
                "nationality": person.nationality,
                "gender": person.gender,
                "date_of_birth": person.date_of_birth,
                "registry_mobile": demo_data.registry_mobile_for(person.national_id),
                "national_id_expiry": demo_data.ID_EXPIRY,
                "name_normalised": normalised_name(**person.name_fields()),
                "entity_id": entity_id,
                "unit_id": unit_of[position_id],
                "position_id": position_id,
                "rank": career.rank,
                "step": career.step,
                "rank_since": career.rank_since,
                "hire_date": career.hire_date,
                "status": career.status,
                "end_date": career.end_date,
                "end_reason": career.end_reason,
            }
            if career.end_date is None:
                row["annual_leave_balance"] = demo_data.leave_balance_for(person.national_id)
                row["leave_balance_as_of"] = today
            if person.national_id in users:
                row["user_id"] = users[person.national_id].pk
            rows.append(row)
        national_ids = [row["national_id"] for row in rows]
        # Databases seeded before the registry fields existed: the personas get theirs.
        for row in rows[: len(demo_data.PERSONAS)]:
            Employee.objects.filter(national_id=row["national_id"], registry_mobile="").update(
                registry_mobile=row["registry_mobile"], national_id_expiry=row["national_id_expiry"]
            )
            if "annual_leave_balance" in row:
                Employee.objects.filter(
                    national_id=row["national_id"], annual_leave_balance__isnull=True
                ).update(
                    annual_leave_balance=row["annual_leave_balance"],
                    leave_balance_as_of=row["leave_balance_as_of"],
                )
        found, outcome = create_missing(
            Employee,
            ("national_id",),
            rows,
            Employee.objects.filter(national_id__in=national_ids),
            "Employees",
        )
        return {national_id: pk for (national_id,), pk in found.items()}, outcome

    def create_records(self, demo, ref, employees, positions) -> list[Outcome]:
        actions, evaluations, qualifications, training, scholarships = [], [], [], [], []
        for spec in demo.employees:
            employee_id = employees[spec.person.national_id]
            entity_id = ref.entities[spec.entity_code]
            career = spec.career
            for a in career.actions:
                actions.append(
                    {
                        "employee_id": employee_id,
                        "entity_id": entity_id,
                        "action_type": a.action_type,
                        "decision_number": a.decision_number,
                        "decision_date": a.decision_date,
                        "effective_date": a.effective_date,
                        "from_position_id": positions.get((entity_id, a.from_position)),
                        "to_position_id": positions.get((entity_id, a.to_position)),
                        "from_rank": a.from_rank,
                        "to_rank": a.to_rank,
                        "from_step": a.from_step,
                        "to_step": a.to_step,
                        "notes": a.notes,
                    }
                )
            evaluations += [
                {
                    "employee_id": employee_id,
                    "entity_id": entity_id,  # bulk_create skips TakesEmployeesEntity.save()
                    "year": e.year,
                    "score": e.score,
                    "rating": e.rating,
                }
                for e in career.evaluations
            ]
            qualifications += [
                {
                    "employee_id": employee_id,
                    "entity_id": entity_id,
                    "level": q.level,
                    "major": q.major,
                    "institution": q.institution,
                    "graduation_date": q.graduation_date,
                }
                for q in career.qualifications
            ]
            training += [
                {
                    "employee_id": employee_id,
                    "entity_id": entity_id,
                    "title_ar": t.title_ar,
                    "title_en": t.title_en,
                    "provider": t.provider,
                    "decision_number": t.decision_number,
                    "decision_date": t.decision_date,
                    "start_date": t.start_date,
                    "end_date": t.end_date,
                    "hours": t.hours,
                    "status": t.status,
                }
                for t in career.training
            ]
            scholarships += [
                {
                    "employee_id": employee_id,
                    "entity_id": entity_id,
                    "degree": s.degree,
                    "field_of_study": s.field_of_study,
                    "institution": s.institution,
                    "country": s.country,
                    "decision_number": s.decision_number,
                    "decision_date": s.decision_date,
                    "start_date": s.start_date,
                    "end_date": s.end_date,
                    "status": s.status,
                }
                for s in career.scholarships
            ]
        mine = list(employees.values())
        outcomes = []
        for model, key, rows, label in (
            (EmploymentAction, ("employee_id", "decision_number"), actions, "Employment actions"),
            (
                PerformanceEvaluation,
                ("employee_id", "year"),
                evaluations,
                "Performance evaluations",
            ),
            (Qualification, ("employee_id", "level"), qualifications, "Qualifications"),
            (TrainingDecision, ("employee_id", "decision_number"), training, "Training decisions"),
            (
                ScholarshipDecision,
                ("employee_id", "decision_number"),
                scholarships,
                "Scholarship decisions",
            ),
        ):
            _found, outcome = create_missing(
                model, key, rows, model.objects.filter(employee_id__in=mine), label
            )
            outcomes.append(outcome)
        return outcomes

    def create_grants(self, demo, ref, employees, users) -> Outcome:
        """All six services in the employee's entity, for every Saudi in service and the
        personas. A grant that exists in any state (even revoked) is not granted again."""
        hr_user = users.get(demo_data.HR_ID)
        rows = []
        for spec in demo.employees:
            if not spec.grants:
                continue
            entity_id = ref.entities[spec.entity_code]
            for service in ServiceCode.values:
                rows.append(
                    {
                        "employee_id": employees[spec.person.national_id],
                        "service": service,
                        "entity_id": entity_id,
                        "valid_from": max(GRANTS_FROM, spec.career.hire_date),
                        "granted_by_id": hr_user.pk
                        if hr_user and spec.entity_code == demo_data.FIRST_ENTITY
                        else None,
                    }
                )
        _found, outcome = create_missing(
            ServiceGrant,
            ("employee_id", "service", "entity_id"),
            rows,
            ServiceGrant.objects.filter(employee_id__in=list(employees.values())),
            "Service grants",
        )
        return outcome
