"""What only a real database and a real worker can show: distinct numbers under concurrent
submissions, one grievance for a token raced twice, and the SMS delivered by a Celery worker.

Run with DATABASE_URL=postgres://... (CI does); SQLite serialises writers, so the race the
counter lock guards against cannot happen there and the tests skip with that reason.
"""

import threading
import uuid

import pytest
from django.db import connection, connections

from core.models import Notification
from grievances import services
from grievances.models import Grievance

from .factories import grievance_input, grievance_user, hr_for

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises writers, so there is no race to prove",
)


def _race(count, work):
    """Run `work(i)` in `count` threads released together; returns results and errors."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def run(index):
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as error:  # reported by the assertion below
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
def test_concurrent_submissions_get_distinct_numbers():
    people = [grievance_user() for _ in range(8)]

    def submit(index):
        grievance, _created = services.submit_grievance(
            employee=people[index].employee,
            data=grievance_input(),
            attachments=[],
            submission_token=uuid.uuid4(),
        )
        return grievance.number

    numbers, errors = _race(len(people), submit)
    assert errors == []
    assert len(set(numbers)) == len(people)
    assert sorted(int(number[-6:]) for number in numbers) == list(range(1, len(people) + 1))


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_double_click_raced_on_the_database_files_one_grievance():
    person = grievance_user()
    token = uuid.uuid4()

    def submit(_index):
        grievance, created = services.submit_grievance(
            employee=person.employee, data=grievance_input(), attachments=[], submission_token=token
        )
        return grievance.pk, created

    results, errors = _race(4, submit)
    assert errors == []
    assert len({pk for pk, _created in results}) == 1
    assert sum(created for _pk, created in results) == 1
    assert Grievance.objects.count() == 1


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_the_sms_and_runs_the_overdue_check(celery_worker_process):
    import datetime as dt

    from django.utils import timezone

    from grievances.tasks import batch_flag_overdue_grievances

    person = grievance_user()
    lead = hr_for(person.employee.entity, lead=True)
    grievance, _created = services.submit_grievance(
        employee=person.employee,
        data=grievance_input(),
        attachments=[],
        submission_token=uuid.uuid4(),
    )
    celery_worker_process.wait_until(
        lambda: Notification.objects.filter(
            mobile=person.mobile, kind="grievance_submitted", status=Notification.Status.SENT
        ).exists()
    )
    Grievance.objects.filter(pk=grievance.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    batch_flag_overdue_grievances.delay()  # routed to the batch queue, taken by the worker
    celery_worker_process.wait_until(
        lambda: Notification.objects.filter(
            mobile=lead.mobile, kind="grievance_overdue_lead", status=Notification.Status.SENT
        ).exists()
    )
    grievance.refresh_from_db()
    assert grievance.overdue_flagged_at is not None
