"""The statement through the real pipeline: Redis broker, a separate Celery worker process on
queue `documents`, PostgreSQL, the PDF written to private storage by the worker."""

import pytest
from django.core.files.storage import default_storage

from core import documents
from core.models import Document
from employment_records.tests.factories import ActionFactory, EmployeeFactory
from employment_records.tests.pdf_text import contains_phrase


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_worker_renders_the_requested_statement(celery_worker_process):
    holder = EmployeeFactory()
    ActionFactory.create_batch(5, employee=holder)
    document = documents.request_document(
        kind="service_statement", holder=holder, requested_by=None
    )  # autocommit: the task is published on commit, to queue "documents"

    def ready():
        return Document.objects.filter(pk=document.pk, status=Document.Status.READY).first()

    done = celery_worker_process.wait_until(ready, timeout=60)
    data = default_storage.open(done.file_name).read()
    assert contains_phrase(data, "محمد عبدالله سعد القحطاني")
    assert contains_phrase(data, done.display_code)
    route = celery_worker_process.app.amqp.router.route({}, "core.tasks.render_document")
    assert route["queue"].name == "documents"  # a slow PDF never delays an SMS code

    # A second delivery (the beat task, a redelivered message) leaves the same file.
    documents.enqueue_render(document.pk)
    celery_worker_process.wait_until(
        lambda: celery_worker_process.log().count("render_document") >= 4, timeout=30
    )
    assert Document.objects.get(pk=document.pk).file_name == done.file_name
