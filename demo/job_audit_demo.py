"""Demo data of the job-data audit: the first entity gets at least one finding of every type,
an audit run that found them (one finding justified, one resolved), and job variables requests
in every state. Runs once: a database whose first entity already has an audit run is left alone.

The inconsistencies are new rows (positions numbered JA…, employees from the top of the
factories' ID range) so the rest of the demo data stays as it is.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from accounts.models import User
from demo import demo_data
from employment_records.models import (
    Employee,
    EmploymentAction,
    GovernmentEntity,
    JobClass,
    OrganisationalUnit,
    Position,
    PositionStatus,
    Qualification,
    QualificationLevel,
)
from job_audit import services
from job_audit.models import AuditRun, Finding
from job_audit.services import VariableInput

NAMES = (
    ("فهد", "سالم", "ناصر", "العتيبي", "Fahad", "Salem", "Nasser", "Al-Otaibi"),
    ("نورة", "خالد", "فيصل", "الشهري", "Noura", "Khaled", "Faisal", "Al-Shehri"),
)


# The top of the factories' range (second digit 0): demo and seed_scale never use it.
JOB_AUDIT_DEMO_IDS = "1099990"


def _national_id(index: int) -> str:
    return demo_data.with_check_digit(f"{JOB_AUDIT_DEMO_IDS}{index:02d}")


def _employee(entity, unit, position, index, *, rank, level=QualificationLevel.BACHELOR):
    names = NAMES[index % 2]
    employee, _created = Employee.objects.get_or_create(
        national_id=_national_id(index),
        defaults={
            "first_name_ar": names[0],
            "father_name_ar": names[1],
            "grandfather_name_ar": names[2],
            "family_name_ar": names[3],
            "first_name_en": names[4],
            "father_name_en": names[5],
            "grandfather_name_en": names[6],
            "family_name_en": names[7],
            "gender": "f" if index % 2 else "m",
            "date_of_birth": dt.date(1988, 1, 1) + dt.timedelta(days=97 * index),
            "entity": entity,
            "unit": unit,
            "position": position,
            "rank": rank,
            "step": 2,
            "rank_since": dt.date(2021, 1, 1),
            "hire_date": dt.date(2015, 9, 1),
        },
    )
    Qualification.objects.get_or_create(
        employee=employee,
        level=level,
        defaults={
            "major": "إدارة أعمال",
            "institution": "جامعة الملك سعود",
            "graduation_date": dt.date(2012, 6, 1),
        },
    )
    if position is not None:
        EmploymentAction.objects.get_or_create(
            employee=employee,
            decision_number=f"JA/{index:03d}",
            defaults={
                "action_type": "appointment",
                "decision_date": dt.date(2015, 9, 1),
                "effective_date": dt.date(2015, 9, 1),
                "to_position": position,
                "to_rank": rank,
                "to_step": 1,
            },
        )
    return employee


def seed_job_audit() -> int:
    """Returns the number of rows' groups created (0 when already seeded)."""
    entity = GovernmentEntity.objects.get(code=demo_data.FIRST_ENTITY)
    if AuditRun.objects.filter(entity=entity).exists():
        return 0
    hr = User.objects.get(username=demo_data.HR_ID)
    ministry = User.objects.get(username=demo_data.MINISTRY_ID)
    with transaction.atomic():
        unit = OrganisationalUnit.objects.filter(entity=entity).order_by("code").first()
        foreign = OrganisationalUnit.objects.exclude(entity=entity).order_by("code").first()
        job_class = (
            JobClass.objects.filter(min_qualification=QualificationLevel.BACHELOR, rank__lte=12)
            .order_by("code")
            .first()
        )
        rank = job_class.rank

        def position(number, *, status=PositionStatus.OCCUPIED, in_unit=unit, of_class=job_class):
            row, _created = Position.objects.get_or_create(
                entity=entity,
                number=number,
                defaults={
                    "unit": in_unit,
                    "job_class": of_class,
                    "rank": of_class.rank,
                    "status": status,
                },
            )
            return row

        # One inconsistency of each kind.
        p1 = position("JA0001")
        _employee(entity, unit, p1, 1, rank=rank + 1)  # rank differs
        p2 = position("JA0002")
        _employee(entity, unit, p2, 2, rank=rank, level=QualificationLevel.DIPLOMA)
        p3, p4 = position("JA0003"), position("JA0004")
        _employee(entity, unit, p3, 3, rank=rank)
        moved = _employee(entity, unit, p4, 4, rank=rank)
        EmploymentAction.objects.get_or_create(  # the record puts them on p3 as well
            employee=moved,
            decision_number="JA/004-T",
            defaults={
                "action_type": "transfer",
                "decision_date": dt.date(2024, 3, 1),
                "effective_date": dt.date(2024, 3, 1),
                "from_position": p4,
                "to_position": p3,
                "to_rank": rank,
            },
        )
        _employee(entity, unit, None, 5, rank=rank)  # in service, no position
        p6 = position("JA0006", status=PositionStatus.VACANT)
        _employee(entity, unit, p6, 6, rank=rank)  # marked vacant, occupied
        position("JA0007")  # marked occupied, nobody on it
        p8 = position("JA0008", status=PositionStatus.FROZEN)
        _employee(entity, unit, p8, 8, rank=rank)  # frozen, occupied
        position("JA0009", status=PositionStatus.VACANT, in_unit=foreign)  # other entity's unit
        # Positions the demo requests change.
        spare = [position(f"JA00{n}", status=PositionStatus.VACANT) for n in range(10, 16)]
        frozen = position("JA0016", status=PositionStatus.FROZEN)

    run = services.start_audit_run(entity_id=entity.pk, actor=hr)
    services.run_audit(run_id=run.pk)
    marked = (
        ("foreign_unit", "justified", "الوحدة مشتركة مع الجهة الأخرى بقرار تنظيمي."),
        ("occupied_without_occupant", "resolved", "صُحّحت حالة الوظيفة بطلب التصحيح المرفوع."),
    )
    for kind, state, note in marked:
        finding = Finding.objects.filter(entity=entity, type=kind).first()
        if finding is not None:
            services.mark_finding(
                finding_id=finding.pk, entity_id=entity.pk, state=state, note=note, actor=hr
            )

    def request_with(title, variables):
        created = services.create_request(entity_id=entity.pk, title=title, actor=hr)
        for data in variables:
            services.add_variable(
                request_id=created.pk,
                entity_id=entity.pk,
                data=VariableInput(justification="متطلبات الهيكل التنظيمي الجديد", **data),
                actor=hr,
            )
        return created

    def submitted(title, variables):
        created = request_with(title, variables)
        services.submit_request(request_id=created.pk, entity_id=entity.pk, actor=hr)
        return created

    other_unit = (
        OrganisationalUnit.objects.filter(entity=entity)
        .exclude(pk=unit.pk)
        .order_by("code")
        .first()
    )
    with transaction.atomic():
        request_with("تجميد وظيفة شاغرة", [{"type": "freeze", "position": spare[0]}])
        submitted(
            "رفع مرتبة وظيفة", [{"type": "upgrade", "position": spare[1], "new_rank": rank + 1}]
        )
        audited = submitted(
            "نقل وظيفة بين الإدارات",
            [{"type": "transfer", "position": spare[2], "unit": other_unit or unit}],
        )
        services.decide_request(request_id=audited.pk, step="start_audit", actor=ministry)
        approved = submitted(
            "إحداث وظيفة وفك تجميد أخرى",
            [
                {
                    "type": "create",
                    "new_number": "JA0100",
                    "unit": unit,
                    "job_class": job_class,
                    "new_rank": rank,
                },
                {"type": "unfreeze", "position": frozen},
            ],
        )
        services.decide_request(request_id=approved.pk, step="approve", actor=ministry)
        rejected = submitted("إلغاء وظيفة", [{"type": "abolish", "position": spare[3]}])
        services.decide_request(
            request_id=rejected.pk,
            step="reject",
            actor=ministry,
            note="الوظيفة ممولة في ميزانية العام الحالي.",
        )
        returned = submitted(
            "خفض مرتبة وظيفة", [{"type": "downgrade", "position": spare[4], "new_rank": rank - 1}]
        )
        services.decide_request(
            request_id=returned.pk,
            step="return",
            actor=ministry,
            note="أرفقوا قرار اللجنة المختصة.",
        )
    return 1
