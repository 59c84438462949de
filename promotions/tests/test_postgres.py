"""What only a real database shows: preferences racing the window's close have exactly one
outcome each, and one form token raced twice saves one list.

Run with DATABASE_URL=postgres://... (CI does); SQLite serialises writers, so there is no race
and the tests skip with that reason.
"""

import threading
import uuid

import pytest
from django.db import connection, connections

from accounts.tests.factories import make_hr_specialist
from core.workflow import WorkflowError
from promotions import services
from promotions.models import Preference, PreferenceSubmission, RoundHistory, RoundStatus

from .factories import RoundFactory, candidate, offer

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises writers, so there is no race to prove",
)


def _race(works):
    barrier = threading.Barrier(len(works))
    results, errors = [None] * len(works), []

    def run(index):
        try:
            barrier.wait()
            results[index] = works[index]()
        except WorkflowError as refused:
            results[index] = refused
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(works))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_submissions_racing_the_close_each_have_one_outcome():
    round_ = RoundFactory(status=RoundStatus.OPEN)
    offers = offer(round_, 2)
    people = [candidate(round_.entity) for _ in range(6)]
    hr = make_hr_specialist(round_.entity)

    def save(person):
        return lambda: services.save_preferences(
            employee=person, round_id=round_.pk, offered_ids=[offers[0].pk], token=uuid.uuid4()
        )

    works = [save(p) for p in people] + [
        lambda: services.take_step(round_id=round_.pk, name="close", actor=hr)
    ]
    results, errors = _race(works)
    assert not errors
    closed_at = RoundHistory.objects.get(round=round_, transition="close").at
    for person, result in zip(people, results[:-1], strict=True):
        saved = PreferenceSubmission.objects.filter(employee=person).first()
        if isinstance(result, WorkflowError):
            assert result.status == 409 and saved is None
            assert not Preference.objects.filter(employee=person).exists()
        else:
            assert saved is not None and saved.submitted_at <= closed_at


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_one_token_raced_twice_saves_one_list():
    round_ = RoundFactory(status=RoundStatus.OPEN)
    offers = offer(round_, 1)
    person = candidate(round_.entity)
    token = uuid.uuid4()

    def save():
        return services.save_preferences(
            employee=person, round_id=round_.pk, offered_ids=[offers[0].pk], token=token
        ).submission.pk

    results, errors = _race([save, save, save])
    assert not errors
    assert len(set(results)) == 1
    assert PreferenceSubmission.objects.filter(employee=person).count() == 1
