"""Each finding type from a fixture that spoils a clean inventory one way, and none on it."""

import datetime as dt

import pytest

from employment_records.models import EmploymentAction, Position, PositionStatus
from employment_records.tests.factories import EmployeeFactory, EntityFactory, UnitFactory
from job_audit.findings import FindingType, Severity, explain, findings_for_entity

from .factories import clean_inventory, ended, qualify

pytestmark = pytest.mark.django_db


def kinds(entity):
    return sorted(f.type for f in findings_for_entity(entity_id=entity.pk))


def test_a_clean_inventory_has_no_finding():
    entity, *_ = clean_inventory()
    # An ended employee keeps their last position (now vacant): not a finding either.
    ended(EmployeeFactory(entity=entity, position__status=PositionStatus.VACANT))
    assert kinds(entity) == []


def test_rank_mismatch():
    entity, _unit, _cls, (employee, *_rest) = clean_inventory()
    employee.rank = 9
    employee.save()
    (found,) = findings_for_entity(entity_id=entity.pk)
    assert found.type == FindingType.RANK_MISMATCH
    assert (found.position_id, found.employee_id) == (employee.position_id, employee.pk)
    assert found.severity == Severity.MEDIUM
    english = explain(found.type, found.details, language="en")
    assert english == (
        f"Position {employee.position.number} is of rank 8 but its occupant "
        f"{employee.national_id} holds rank 9."
    )
    arabic = explain(found.type, found.details, language="ar")
    assert employee.position.number in arabic and arabic != english


def test_qualification_below_the_class_minimum():
    entity, _unit, _cls, (employee, *_rest) = clean_inventory()
    employee.qualifications.all().delete()
    qualify(employee, "diploma")
    (found,) = findings_for_entity(entity_id=entity.pk)
    assert found.type == FindingType.QUALIFICATION_BELOW
    assert found.details["required"] == "bachelor" and found.details["held"] == "diploma"
    assert "Diploma" in explain(found.type, found.details, language="en")
    # A higher degree on top of the diploma meets the minimum again.
    qualify(employee, "master")
    assert kinds(entity) == []


def test_occupant_without_any_qualification():
    entity, _unit, _cls, (employee, *_rest) = clean_inventory()
    employee.qualifications.all().delete()
    (found,) = findings_for_entity(entity_id=entity.pk)
    assert found.type == FindingType.QUALIFICATION_BELOW
    assert "No qualification" in explain(found.type, found.details, language="en")


def test_two_employees_on_one_position_by_the_record():
    entity, _unit, _cls, (holder, other, *_rest) = clean_inventory()
    # The other employee's latest placing record entry moves them onto the holder's position,
    # while the inventory still has them on their own.
    EmploymentAction.objects.create(
        employee=other,
        action_type="transfer",
        decision_number="T/1",
        decision_date=dt.date(2024, 1, 1),
        effective_date=dt.date(2024, 1, 1),
        from_position=other.position,
        to_position=holder.position,
        to_rank=8,
    )
    found = [f for f in findings_for_entity(entity_id=entity.pk)]
    assert [f.type for f in found] == [FindingType.DOUBLE_OCCUPANCY]
    assert (found[0].position_id, found[0].employee_id, found[0].other_employee_id) == (
        holder.position_id,
        holder.pk,
        other.pk,
    )
    assert found[0].severity == Severity.HIGH
    # A later entry putting them back on their own position clears it.
    EmploymentAction.objects.create(
        employee=other,
        action_type="transfer",
        decision_number="T/2",
        decision_date=dt.date(2024, 6, 1),
        effective_date=dt.date(2024, 6, 1),
        from_position=holder.position,
        to_position=other.position,
        to_rank=8,
    )
    assert kinds(entity) == []


def test_active_employee_without_a_position():
    entity, _unit, _cls, (employee, *_rest) = clean_inventory()
    loose = EmployeeFactory(entity=entity, position=None)
    qualify(loose)
    (found,) = findings_for_entity(entity_id=entity.pk)
    assert (found.type, found.employee_id, found.position_id) == (
        FindingType.NO_POSITION,
        loose.pk,
        None,
    )
    # An ended employee without a position is no finding.
    ended(loose)
    assert kinds(entity) == []


def test_marked_vacant_but_occupied():
    entity, _unit, _cls, (employee, *_rest) = clean_inventory()
    Position.objects.filter(pk=employee.position_id).update(status=PositionStatus.VACANT)
    assert kinds(entity) == [FindingType.VACANT_BUT_OCCUPIED]


def test_marked_occupied_with_no_occupant():
    entity, _unit, _cls, (employee, *_rest) = clean_inventory()
    ended(employee)
    (found,) = findings_for_entity(entity_id=entity.pk)
    assert (found.type, found.position_id, found.employee_id) == (
        FindingType.OCCUPIED_WITHOUT_OCCUPANT,
        employee.position_id,
        None,
    )


def test_frozen_but_occupied():
    entity, _unit, _cls, (employee, *_rest) = clean_inventory()
    Position.objects.filter(pk=employee.position_id).update(status=PositionStatus.FROZEN)
    assert kinds(entity) == [FindingType.FROZEN_BUT_OCCUPIED]


def test_position_in_a_unit_of_another_entity():
    entity, _unit, _cls, (employee, *_rest) = clean_inventory()
    foreign = UnitFactory(entity=EntityFactory())
    Position.objects.filter(pk=employee.position_id).update(unit=foreign)
    (found,) = findings_for_entity(entity_id=entity.pk)
    assert found.type == FindingType.FOREIGN_UNIT
    assert found.details["unit"] == foreign.code


def test_findings_of_another_entity_are_not_ours():
    ours, *_ = clean_inventory()
    theirs, _unit, _cls, (employee, *_rest) = clean_inventory()
    employee.rank = 3
    employee.save()
    assert kinds(ours) == []
    assert kinds(theirs) == [FindingType.RANK_MISMATCH]


def test_fingerprints_are_stable_and_distinct():
    entity, _unit, _cls, employees = clean_inventory()
    for employee in employees:
        employee.rank = 9
        employee.save()
    first = [f.fingerprint for f in findings_for_entity(entity_id=entity.pk)]
    again = [f.fingerprint for f in findings_for_entity(entity_id=entity.pk, chunk_size=1)]
    assert first == again and len(set(first)) == 3


def test_query_count_per_chunk_does_not_grow_with_the_chunk(django_assert_num_queries):
    small, *_ = clean_inventory(occupied=2, vacant=1, frozen=0)
    large, _unit, _cls, employees = clean_inventory(occupied=25, vacant=10, frozen=5)
    for employee in employees[:10]:
        employee.rank = 9
        employee.save()
    # One chunk of positions (3 queries) and one employee pass (1 query), whatever the size.
    with django_assert_num_queries(4):
        findings_for_entity(entity_id=small.pk)
    with django_assert_num_queries(4):
        assert len(findings_for_entity(entity_id=large.pk)) == 10
    # Chunks of 10 over 40 positions: four full chunks of three queries, one empty read that
    # ends the walk, then one employee chunk.
    with django_assert_num_queries(4 * 3 + 1 + 1):
        assert len(findings_for_entity(entity_id=large.pk, chunk_size=10)) == 10
