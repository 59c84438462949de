"""The shared documents pipeline: request -> task -> PDF in private storage -> /verify/."""

import datetime as dt

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from core import documents
from core.models import Document
from core.tasks import render_document, requeue_stale_documents
from employment_records.tests.factories import ActionFactory, EmployeeFactory
from employment_records.tests.pdf_text import contains_phrase, page_count, qr_texts

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder():
    employee = EmployeeFactory()
    ActionFactory.create_batch(3, employee=employee)
    return employee


def request_statement(holder, capture):
    with capture(execute=True):
        document = documents.request_document(
            kind="service_statement", holder=holder, requested_by=None
        )
    document.refresh_from_db()
    return document


def test_the_statement_pdf_holds_the_arabic_name_the_record_and_the_code(
    holder, django_capture_on_commit_callbacks
):
    document = request_statement(holder, django_capture_on_commit_callbacks)
    assert document.status == Document.Status.READY and document.issued_at is not None
    data = default_storage.open(document.file_name).read()
    assert data.startswith(b"%PDF-") and page_count(data) == 1
    assert contains_phrase(data, "محمد عبدالله سعد القحطاني")
    assert not contains_phrase(data, "خالد عبدالله سعد القحطاني")  # the check can fail
    assert contains_phrase(data, holder.entity.name_ar)
    for action in holder.actions.all():
        assert contains_phrase(data, action.decision_number)
    assert contains_phrase(data, document.display_code)
    assert contains_phrase(data, f"{document.code}/")  # the end of the printed /verify/ URL
    # The QR code, decoded from the page, leads to this document's public verification page.
    assert qr_texts(data) == [documents.verification_url(document)]


def test_rendering_twice_keeps_the_first_file(holder, django_capture_on_commit_callbacks):
    document = request_statement(holder, django_capture_on_commit_callbacks)
    render_document.delay(document.pk)  # a redelivered message
    again = Document.objects.get(pk=document.pk)
    assert again.file_name == document.file_name and again.issued_at == document.issued_at
    assert len(default_storage.listdir("documents")[1]) == 1


def test_a_failing_render_is_retried_then_marked_failed(holder, monkeypatch):
    from celery.exceptions import Retry

    from core.tasks import MAX_RENDER_RETRIES

    def broken(document_id):
        raise OSError("disk full")

    monkeypatch.setattr(documents, "render_and_store", broken)
    document = Document.objects.create(
        kind="service_statement", holder=holder, entity=holder.entity
    )
    with pytest.raises(Retry):
        render_document.apply(args=[document.pk], retries=0, throw=True)
    document.refresh_from_db()
    assert document.status == Document.Status.PENDING  # still waiting for the retry
    render_document.apply(args=[document.pk], retries=MAX_RENDER_RETRIES, throw=True)
    document.refresh_from_db()
    assert document.status == Document.Status.FAILED  # the last attempt gives up visibly


def test_documents_pending_for_more_than_two_minutes_are_queued_again(holder, monkeypatch):
    queued = []
    monkeypatch.setattr(
        documents, "enqueue_render", lambda document_id, queue: queued.append(document_id)
    )
    old = Document.objects.create(
        kind="service_statement",
        holder=holder,
        entity=holder.entity,
        enqueued_at=timezone.now() - dt.timedelta(minutes=2, seconds=5),
    )
    Document.objects.create(
        kind="service_statement",
        holder=holder,
        entity=holder.entity,
        enqueued_at=timezone.now() - dt.timedelta(seconds=90),
    )
    assert requeue_stale_documents.apply().get() == 1
    assert queued == [old.pk]
    old.refresh_from_db()
    assert timezone.now() - old.enqueued_at < dt.timedelta(seconds=30)  # not again next minute


def test_codes_are_short_unguessable_and_typed_forgivingly():
    codes = {Document._meta.get_field("code").default() for _ in range(200)}
    assert len(codes) == 200 and all(len(code) == 12 for code in codes)
    assert documents.normalise_code("7k2m-9qxd 4tpa") == "7K2M9QXD4TPA"
    assert documents.normalise_code("OIL0-0000-0000") == "0110-0000-0000".replace("-", "")
    assert documents.normalise_code("short") is None
    assert documents.normalise_code("UUUU-UUUU-UUUU") is None


def test_verify_shows_authenticity_with_minimal_masked_data(
    client, holder, django_capture_on_commit_callbacks
):
    document = request_statement(holder, django_capture_on_commit_callbacks)
    response = client.get(reverse("verify", args=[document.code]), HTTP_ACCEPT_LANGUAGE="en")
    text = response.content.decode()
    assert response.status_code == 200 and "Authentic" in text
    assert "Mohammed A*** S*** A***" in text and "Al-Qahtani" not in text
    assert holder.national_id not in text and holder.entity.name_en in text
    assert "Service certificate" in text


def test_verify_by_typed_code_redirects_to_the_qr_address(client, holder):
    document = Document.objects.create(
        kind="service_statement", holder=holder, entity=holder.entity
    )
    typed = document.display_code.lower()
    response = client.get(reverse("verify_form"), {"code": typed})
    assert response.status_code == 302 and response.url == reverse("verify", args=[document.code])


def test_unknown_pending_and_revoked_codes_get_clear_answers(
    client, holder, django_capture_on_commit_callbacks
):
    unknown = client.get(reverse("verify", args=["ZZZZZZZZZZZZ"]), HTTP_ACCEPT_LANGUAGE="en")
    assert unknown.status_code == 404 and "No document has this code" in unknown.content.decode()
    garbage = client.get(reverse("verify_form"), {"code": "<script>"}, HTTP_ACCEPT_LANGUAGE="en")
    assert garbage.status_code == 404 and "&lt;script&gt;" in garbage.content.decode()
    pending = Document.objects.create(kind="service_statement", holder=holder, entity=holder.entity)
    assert client.get(reverse("verify", args=[pending.code])).status_code == 404
    document = request_statement(holder, django_capture_on_commit_callbacks)
    documents.revoke(document=document, actor=None)
    revoked = client.get(reverse("verify", args=[document.code]), HTTP_ACCEPT_LANGUAGE="en")
    assert revoked.status_code == 200 and "has been revoked" in revoked.content.decode()
    assert "Authentic" not in revoked.content.decode()


def test_verify_is_rate_limited_per_address(client, settings):
    settings.VERIFY_RATE_LIMIT = 3
    url = reverse("verify", args=["ZZZZZZZZZZZZ"])
    statuses = [client.get(url, REMOTE_ADDR="10.0.0.9").status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]
    assert client.get(url, REMOTE_ADDR="10.0.0.10").status_code == 404  # someone else


def test_the_holder_selector_answers_404_for_another_holder(holder):
    from django.http import Http404

    document = Document.objects.create(
        kind="service_statement", holder=holder, entity=holder.entity
    )
    with pytest.raises(Http404):
        documents.access_document_for_holder(holder=EmployeeFactory(), code=document.code)
    assert documents.access_document_for_holder(holder=holder, code=document.code) == document


def test_hr_revokes_a_document_of_their_entity_and_verify_says_so(
    client, holder, django_capture_on_commit_callbacks
):
    from accounts.tests.factories import make_hr_specialist, sign_in_verified
    from employment_records.tests.factories import EntityFactory

    document = request_statement(holder, django_capture_on_commit_callbacks)
    changelist = reverse("hr:core_document_changelist")
    sign_in_verified(client, make_hr_specialist(EntityFactory()))
    client.post(changelist, {"action": "revoke_documents", "_selected_action": [document.pk]})
    document.refresh_from_db()
    assert document.revoked_at is None  # another entity's HR cannot
    sign_in_verified(client, make_hr_specialist(holder.entity))
    client.post(changelist, {"action": "revoke_documents", "_selected_action": [document.pk]})
    document.refresh_from_db()
    assert document.revoked_at is not None
    answer = client.get(reverse("verify", args=[document.code]), HTTP_ACCEPT_LANGUAGE="en")
    assert "has been revoked" in answer.content.decode()
