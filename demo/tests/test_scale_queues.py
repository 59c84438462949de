"""demo.scale_queues: the rows bench/scale.py adds to the grievance queue, the audit log, the
outbox and the documents pass every constraint of their tables (COPY checks them as an INSERT
does) and show in the consoles' lists."""

import pytest
from django.db import connection
from django.urls import reverse

from accounts.tests.factories import UserFactory, sign_in_verified
from core.models import AuditEvent, Document, Notification
from demo import scale_queues
from employment_records.tests.factories import EmployeeFactory
from grievances.models import Grievance

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="it loads with COPY"),
]


def test_the_queue_rows_are_valid_and_listed(client):
    EmployeeFactory.create_batch(3)
    assert scale_queues.add_grievances(4) == 4
    assert scale_queues.add_grievances(2) == 2  # numbers carry on from the first batch
    scale_queues.add_audit_events(5)
    scale_queues.add_notifications(5)
    scale_queues.add_notifications(1)  # idempotency keys unique across batches
    scale_queues.add_documents(7)
    numbers = sorted(Grievance.objects.values_list("number", flat=True))
    assert numbers == [f"G-1440-{n:06d}" for n in range(1, 7)]
    assert {g.entity_id for g in Grievance.objects.select_related("employee")} == {
        g.employee.entity_id for g in Grievance.objects.select_related("employee")
    }
    assert AuditEvent.objects.count() == 5 and Notification.objects.count() == 6
    assert Document.objects.filter(status=Document.Status.READY).count() == 7
    sign_in_verified(client, UserFactory(is_staff=True, is_superuser=True))
    for model in (Grievance, AuditEvent, Notification, Document):
        opts = model._meta
        response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        assert response.status_code == 200
        assert len(response.context["cl"].result_list) == model.objects.count()
