"""Races only a real database can show: distinct correction numbers under concurrent
submissions, and one decision when two HR specialists decide the same request at once.

Run with DATABASE_URL=postgres://... (CI does); SQLite serialises writers, so these races
cannot happen there and the tests skip with that reason.
"""

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from accounts.tests.factories import UserFactory, make_hr_specialist
from core.models import AuditEvent
from employment_records import services
from employment_records.models import CorrectionStatus, Employee
from employment_records.tests.helpers import submit_dob_correction

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises writers, so there is no race to prove",
)


def race(count, work):
    """Run `work(i)` in `count` threads released together; returns results and errors."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def run(index):
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as error:  # reported by the assertions of the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results, errors


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_get_distinct_consecutive_numbers():
    people = [UserFactory(with_employee=True) for _ in range(8)]

    def submit(index):
        return submit_dob_correction(people[index].employee, people[index]).number

    numbers, errors = race(len(people), submit)
    assert errors == []
    assert sorted(int(number[-6:]) for number in numbers) == list(range(1, len(people) + 1))


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_specialists_deciding_at_once_make_one_decision():
    person = UserFactory(with_employee=True)
    request = submit_dob_correction(person.employee, person)
    approver = make_hr_specialist(person.employee.entity)
    rejecter = make_hr_specialist(person.employee.entity)

    def decide(index):
        if index == 0:
            return services.approve_correction(request=request, actor=approver).status
        return services.reject_correction(request=request, actor=rejecter, reason="No").status

    results, errors = race(2, decide)
    assert len(errors) == 1 and errors[0].code == "bad_transition"
    request.refresh_from_db()
    assert request.status in (CorrectionStatus.APPROVED, CorrectionStatus.REJECTED)
    applied = Employee.objects.get(pk=person.employee.pk).date_of_birth == dt.date(1990, 3, 5)
    assert applied == (request.status == CorrectionStatus.APPROVED)
    assert AuditEvent.objects.filter(action="record.corrected").count() == int(applied)
