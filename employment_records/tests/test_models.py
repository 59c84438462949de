"""The record's invariants hold in the database, whatever the code path that writes."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from employment_records.models import Employee, EmployeeStatus, EndReason, Position, SalaryScale

from .factories import EmployeeFactory, PositionFactory

pytestmark = pytest.mark.django_db


def refuses(**changes) -> bool:
    """True when saving an employee with these changes violates a constraint."""
    employee = EmployeeFactory()
    for name, value in changes.items():
        setattr(employee, name, value)
    try:
        with transaction.atomic():
            employee.save()
    except IntegrityError:
        return True
    return False


def test_a_valid_employee_saves():
    assert not refuses(rank=15, step=15)


@pytest.mark.parametrize("rank", [0, 16])
def test_rank_is_1_to_15(rank):
    assert refuses(rank=rank)


def test_step_is_1_to_15():
    assert refuses(step=16)


def test_national_id_is_unique():
    first = EmployeeFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        EmployeeFactory(national_id=first.national_id)


def test_national_id_format_is_enforced_by_the_database():
    assert refuses(national_id="3000000004")


def test_a_position_has_at_most_one_active_occupant():
    first = EmployeeFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        EmployeeFactory(position=first.position, entity=first.entity, unit=first.unit)


def test_an_ended_employee_frees_the_position_for_a_successor():
    first = EmployeeFactory(retired=True)
    successor = EmployeeFactory(position=first.position, entity=first.entity, unit=first.unit)
    assert successor.position == first.position


def test_ended_service_needs_a_date_and_a_reason():
    assert refuses(status=EmployeeStatus.ENDED)
    assert refuses(status=EmployeeStatus.ENDED, end_date=dt.date(2024, 1, 1))
    assert not refuses(
        status=EmployeeStatus.ENDED, end_date=dt.date(2024, 1, 1), end_reason=EndReason.RESIGNATION
    )


def test_active_service_has_no_end_date():
    assert refuses(end_date=dt.date(2024, 1, 1))


def test_end_of_service_cannot_precede_hire():
    assert refuses(
        status=EmployeeStatus.ENDED, end_date=dt.date(2000, 1, 1), end_reason=EndReason.RESIGNATION
    )


def test_position_number_is_unique_within_an_entity_only():
    position = PositionFactory()
    PositionFactory(number=position.number)  # another entity: allowed
    with pytest.raises(IntegrityError), transaction.atomic():
        PositionFactory(number=position.number, entity=position.entity, unit=position.unit)


def test_position_rank_is_checked():
    position = PositionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Position.objects.filter(pk=position.pk).update(rank=16)


def test_salary_scale_is_unique_per_rank_and_step():
    SalaryScale.objects.create(rank=8, step=1, amount="9000.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        SalaryScale.objects.create(rank=8, step=1, amount="9100.00")


def test_names_follow_the_active_language():
    from django.utils import translation

    employee = EmployeeFactory()
    with translation.override("ar"):
        assert employee.full_name() == "محمد عبدالله سعد القحطاني"
    with translation.override("en"):
        assert employee.full_name() == "Mohammed Abdullah Saad Al-Qahtani"
    assert isinstance(Employee.objects.get(pk=employee.pk).is_saudi, bool)
