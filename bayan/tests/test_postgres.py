"""What only a real database shows: two workers racing for the same delivery send it once,
and two checkers racing to approve make one approval and one outbox row.

Run with DATABASE_URL=postgres://... (CI does); SQLite serialises writers, so there is no race.
"""

import threading

import pytest
from django.db import connection, connections

from bayan import services
from bayan.models import Delivery, Status
from bayan.tests.factories import approved, retiree, specialist, submitted
from employment_records.tests.factories import EntityFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises writers, so there is no race to prove",
    ),
]


def _race(count, work):
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def run(index):
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as error:  # reported by the assertions of the caller
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def test_racing_workers_claim_a_delivery_once(monkeypatch):
    monkeypatch.setattr(services, "enqueue_delivery", lambda delivery_id: None)
    monkeypatch.setattr(services, "_pdf_bytes", lambda document: b"%PDF-1.7 test")
    entity = EntityFactory()
    statement = approved(retiree(entity), specialist(entity), specialist(entity))
    delivery_id = statement.delivery.pk
    results, errors = _race(4, lambda i: services.claim_delivery(delivery_id))
    assert not errors
    assert sum(result is not None for result in results) == 1
    assert Delivery.objects.get(pk=delivery_id).attempts == 1


def test_racing_checkers_approve_once(monkeypatch):
    monkeypatch.setattr(services, "enqueue_delivery", lambda delivery_id: None)
    entity = EntityFactory()
    maker, one, two = specialist(entity), specialist(entity), specialist(entity)
    statement = submitted(retiree(entity), maker)
    checkers = [one, two]
    results, errors = _race(
        2, lambda i: services.approve_statement(statement_id=statement.pk, actor=checkers[i])
    )
    assert len(errors) == 1 and getattr(errors[0], "status", None) == 409
    statement.refresh_from_db()
    assert statement.status == Status.APPROVED
    assert Delivery.objects.filter(statement=statement).count() == 1
