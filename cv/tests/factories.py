import datetime as dt

import factory
from factory.django import DjangoModelFactory

from cv import models
from employment_records import models as records
from employment_records.tests.factories import (
    ActionFactory,
    EmployeeFactory,
    EntityFactory,
    JobClassFactory,
    PositionFactory,
    UnitFactory,
)


class EntryFactory(DjangoModelFactory):
    class Meta:
        abstract = True

    employee = factory.SubFactory(EmployeeFactory)
    language = "en"
    position = factory.Sequence(lambda n: n + 1)


class SkillFactory(EntryFactory):
    class Meta:
        model = models.Skill

    name = factory.Sequence(lambda n: f"Skill {n}")


class LanguageSkillFactory(EntryFactory):
    class Meta:
        model = models.LanguageSkill

    name = factory.Sequence(lambda n: f"Language {n}")
    level = models.LanguageLevel.B2


class CertificateFactory(EntryFactory):
    class Meta:
        model = models.Certificate

    name = factory.Sequence(lambda n: f"Certificate {n}")
    issuer = "PMI"
    issued_on = dt.date(2020, 5, 1)


def career(employee):
    """A record with an appointment, a promotion, a transfer to another entity and an
    increment, plus a qualification and training: what the official part is built from."""
    first_unit = employee.unit
    appointed = PositionFactory(
        entity=employee.entity,
        unit=first_unit,
        job_class=JobClassFactory(title_ar="محاسب", title_en="Accountant", rank=6),
    )
    promoted = PositionFactory(
        entity=employee.entity,
        unit=first_unit,
        job_class=JobClassFactory(title_ar="محاسب أول", title_en="Senior accountant", rank=7),
    )
    other_entity = EntityFactory(name_ar="وزارة المالية", name_en="Ministry of Finance")
    moved = PositionFactory(
        entity=other_entity,
        unit=UnitFactory(entity=other_entity, name_ar="إدارة الميزانية", name_en="Budget"),
        job_class=JobClassFactory(title_ar="مدقق مالي", title_en="Financial auditor", rank=7),
    )
    A = records.ActionType
    actions = [
        ActionFactory(
            employee=employee,
            action_type=A.APPOINTMENT,
            decision_number="APP-1",
            decision_date=dt.date(2014, 8, 20),
            effective_date=dt.date(2014, 9, 1),
            to_position=appointed,
            to_rank=6,
            to_step=1,
        ),
        ActionFactory(
            employee=employee,
            action_type=A.ANNUAL_INCREMENT,
            decision_number="INC-1",
            decision_date=dt.date(2015, 10, 1),
            effective_date=dt.date(2015, 10, 1),
            to_position=appointed,
            to_rank=6,
            to_step=2,
        ),
        ActionFactory(
            employee=employee,
            action_type=A.PROMOTION,
            decision_number="PRO-1",
            decision_date=dt.date(2018, 1, 10),
            effective_date=dt.date(2018, 2, 1),
            from_position=appointed,
            to_position=promoted,
            from_rank=6,
            to_rank=7,
            to_step=1,
        ),
        ActionFactory(
            employee=employee,
            action_type=A.TRANSFER,
            decision_number="TRA-1",
            decision_date=dt.date(2021, 3, 1),
            effective_date=dt.date(2021, 4, 1),
            from_position=promoted,
            to_position=moved,
            from_rank=7,
            to_rank=7,
            to_step=3,
        ),
        ActionFactory(
            employee=employee,
            action_type=A.LEAVE_ORDINARY,
            decision_number="LEA-1",
            decision_date=dt.date(2022, 6, 1),
            effective_date=dt.date(2022, 7, 1),
            to_rank=None,
            to_step=None,
        ),
    ]
    records.Qualification.objects.create(
        employee=employee,
        level=records.QualificationLevel.BACHELOR,
        major="Accounting",
        institution="King Saud University",
        graduation_date=dt.date(2013, 6, 1),
    )
    records.TrainingDecision.objects.create(
        employee=employee,
        title_ar="التدقيق الداخلي",
        title_en="Internal audit",
        provider="IPA",
        decision_number="TR-9",
        decision_date=dt.date(2019, 1, 1),
        start_date=dt.date(2019, 2, 1),
        end_date=dt.date(2019, 2, 5),
        hours=30,
        status=records.DecisionStatus.COMPLETED,
    )
    records.TrainingDecision.objects.create(
        employee=employee,
        title_ar="برنامج مخطط",
        title_en="Planned programme",
        provider="IPA",
        decision_number="TR-10",
        decision_date=dt.date(2025, 1, 1),
        start_date=dt.date(2025, 2, 1),
        end_date=dt.date(2025, 2, 5),
        hours=10,
        status=records.DecisionStatus.PLANNED,
    )
    return actions
