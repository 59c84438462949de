import datetime as dt

import factory
from factory.django import DjangoModelFactory

from core.validators import luhn_valid
from employment_records import models


def national_id_from(seed: int, first_digit: str = "1") -> str:
    """A Luhn-valid national ID made from a counter."""
    body = f"{first_digit}{seed:08d}"
    for check in "0123456789":
        if luhn_valid(body + check):
            return body + check
    raise AssertionError("unreachable: one check digit always fits")


class EntityFactory(DjangoModelFactory):
    class Meta:
        model = models.GovernmentEntity
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"ENT{n:03d}")
    name_ar = factory.Sequence(lambda n: f"جهة حكومية {n}")
    name_en = factory.Sequence(lambda n: f"Government entity {n}")


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = models.OrganisationalUnit

    entity = factory.SubFactory(EntityFactory)
    code = factory.Sequence(lambda n: f"U{n:03d}")
    name_ar = factory.Sequence(lambda n: f"إدارة {n}")
    name_en = factory.Sequence(lambda n: f"Department {n}")


class JobClassFactory(DjangoModelFactory):
    class Meta:
        model = models.JobClass

    code = factory.Sequence(lambda n: f"JC{n:04d}")
    title_ar = "أخصائي موارد بشرية"
    title_en = "Human resources specialist"
    rank = 8
    min_qualification = models.QualificationLevel.BACHELOR


class PositionFactory(DjangoModelFactory):
    class Meta:
        model = models.Position

    number = factory.Sequence(lambda n: f"{n:06d}")
    entity = factory.SubFactory(EntityFactory)
    unit = factory.SubFactory(UnitFactory, entity=factory.SelfAttribute("..entity"))
    job_class = factory.SubFactory(JobClassFactory)
    rank = factory.SelfAttribute("job_class.rank")
    status = models.PositionStatus.OCCUPIED


class EmployeeFactory(DjangoModelFactory):
    class Meta:
        model = models.Employee

    class Params:
        saudi = True
        # An ID card past its expiry date: registration refuses it (civil registry).
        expired_id = factory.Trait(national_id_expiry=dt.date(2020, 1, 1))
        retired = factory.Trait(
            status=models.EmployeeStatus.ENDED,
            end_date=dt.date(2024, 6, 30),
            end_reason=models.EndReason.RETIREMENT,
        )

    national_id = factory.Sequence(lambda n: national_id_from(n + 5000))
    first_name_ar, father_name_ar, grandfather_name_ar, family_name_ar = (
        "محمد",
        "عبدالله",
        "سعد",
        "القحطاني",
    )
    first_name_en, father_name_en, grandfather_name_en, family_name_en = (
        "Mohammed",
        "Abdullah",
        "Saad",
        "Al-Qahtani",
    )
    nationality = factory.LazyAttribute(lambda o: "SA" if o.saudi else "EG")
    gender = models.Gender.MALE
    date_of_birth = dt.date(1990, 3, 15)
    registry_mobile = factory.Sequence(lambda n: f"+96656{n % 10000000:07d}")
    national_id_expiry = dt.date(2035, 1, 1)
    entity = factory.SubFactory(EntityFactory)
    unit = factory.SubFactory(UnitFactory, entity=factory.SelfAttribute("..entity"))
    position = factory.SubFactory(
        PositionFactory,
        entity=factory.SelfAttribute("..entity"),
        unit=factory.SelfAttribute("..unit"),
    )
    rank = 8
    step = 3
    rank_since = dt.date(2021, 6, 1)
    hire_date = dt.date(2014, 9, 1)


class ActionFactory(DjangoModelFactory):
    class Meta:
        model = models.EmploymentAction

    employee = factory.SubFactory(EmployeeFactory)
    action_type = models.ActionType.ANNUAL_INCREMENT
    decision_number = factory.Sequence(lambda n: f"1445/{n:05d}")
    # Wraps every 400 actions (2015-2047): a long run (the console tests create about 1,500)
    # otherwise reaches dates past the Umm al-Qura table (2077), shown in Gregorian only.
    decision_date = factory.Sequence(
        lambda n: dt.date(2015, 1, 1) + dt.timedelta(days=30 * (n % 400))
    )
    effective_date = factory.SelfAttribute("decision_date")
    to_rank = 8
    to_step = 3
