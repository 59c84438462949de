"""demo.scale_queues: the rows bench/scale.py adds to the grievance queue, the correction
requests, the audit log, the outbox and the documents pass every constraint of their tables
(COPY checks them as an INSERT does) and show in the consoles' lists."""

import pytest
from django.db import connection
from django.urls import reverse

from accounts.tests.factories import UserFactory, make_hr_specialist, sign_in_verified
from core.models import AuditEvent, Document, Notification
from demo import scale_queues
from employment_records.models import CorrectionRequest
from employment_records.tests.factories import EmployeeFactory
from grievances.models import Grievance

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="it loads with COPY"),
]


def test_the_queue_rows_are_valid_and_listed(client):
    employees = EmployeeFactory.create_batch(3)
    specialist = make_hr_specialist(employees[0].entity)
    assert scale_queues.add_grievances(4) == 4
    assert scale_queues.add_grievances(2) == 2  # numbers carry on from the first batch
    scale_queues.add_corrections(20)
    scale_queues.add_corrections(3)  # numbers carry on
    scale_queues.add_audit_events(40)
    scale_queues.add_notifications(5)
    scale_queues.add_notifications(1)  # idempotency keys unique across batches
    scale_queues.add_documents(7)
    numbers = sorted(Grievance.objects.values_list("number", flat=True))
    assert numbers == [f"G-1440-{n:06d}" for n in range(1, 7)]
    assert {g.entity_id for g in Grievance.objects.select_related("employee")} == {
        g.employee.entity_id for g in Grievance.objects.select_related("employee")
    }
    assert CorrectionRequest.objects.count() == 23
    assert AuditEvent.objects.count() == 40 and Notification.objects.count() == 6
    # Some of the entity's events are its HR specialist's (the console home lists them).
    assert AuditEvent.objects.filter(actor=specialist).exists()
    assert not AuditEvent.objects.exclude(entity=employees[0].entity).filter(actor=specialist)
    assert Document.objects.filter(status=Document.Status.READY).count() == 7
    sign_in_verified(client, UserFactory(is_staff=True, is_superuser=True))
    for model in (Grievance, CorrectionRequest, AuditEvent, Notification, Document):
        opts = model._meta
        response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        assert response.status_code == 200
        assert len(response.context["cl"].result_list) == model.objects.count()
