"""The service certificate is rendered once and handed out again while the data it prints is
unchanged (issue 16), in the language asked for (issue 15)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import Document
from employment_records import services
from employment_records.documents import statement_fingerprint
from employment_records.tests.factories import ActionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def renders(monkeypatch):
    """Counts renders instead of running WeasyPrint: each render marks the document ready."""
    calls = []

    def fake_render(document_id, **options):
        calls.append(document_id)
        Document.objects.filter(pk=document_id).update(
            status=Document.Status.READY, issued_at=timezone.now(), file_name="documents/x.pdf"
        )

    monkeypatch.setattr("core.documents.enqueue_render", fake_render)
    return calls


def request(employee, capture, language="ar"):
    with capture(execute=True):
        return services.request_service_statement(employee=employee, actor=None, language=language)


def test_asking_again_with_unchanged_data_reuses_the_issued_document(
    employee, renders, django_capture_on_commit_callbacks
):
    ActionFactory(employee=employee)
    first = request(employee, django_capture_on_commit_callbacks)
    again = request(employee, django_capture_on_commit_callbacks)
    assert again.pk == first.pk and len(renders) == 1
    assert Document.objects.count() == 1


def test_changed_data_another_language_or_a_revoked_one_gets_a_new_document(
    employee, renders, django_capture_on_commit_callbacks
):
    first = request(employee, django_capture_on_commit_callbacks)
    english = request(employee, django_capture_on_commit_callbacks, language="en")
    assert english.pk != first.pk and english.language == "en"
    ActionFactory(employee=employee, decision_number="1447/00001")
    after_change = request(employee, django_capture_on_commit_callbacks)
    assert after_change.pk != first.pk
    Document.objects.filter(pk=after_change.pk).update(revoked_at=timezone.now())
    after_revoke = request(employee, django_capture_on_commit_callbacks)
    assert after_revoke.pk != after_change.pk
    assert len(renders) == 4


def test_the_fingerprint_follows_the_printed_data_and_the_day(employee):
    today = dt.date(2026, 12, 2)
    base = statement_fingerprint(employee_id=employee.pk, language="ar", today=today)
    assert base == statement_fingerprint(employee_id=employee.pk, language="ar", today=today)
    assert base != statement_fingerprint(employee_id=employee.pk, language="en", today=today)
    # The length of service of someone in service grows every day.
    tomorrow = today + dt.timedelta(days=1)
    assert base != statement_fingerprint(employee_id=employee.pk, language="ar", today=tomorrow)
    employee.step += 1
    employee.save(update_fields=["step"])
    assert base != statement_fingerprint(employee_id=employee.pk, language="ar", today=today)


def test_the_request_form_offers_english_and_refuses_other_languages(
    client, employee_user, renders
):
    client.force_login(employee_user)
    url = reverse("employment_records:statements")
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert (
        'name="language"' in text and 'value="en"' in text and "Language of the certificate" in text
    )
    response = client.post(url, {"language": "en"})
    document = Document.objects.get()
    assert document.language == "en"
    assert response.url == reverse("employment_records:statement", args=[document.code])
    refused = client.post(url, {"language": "fr"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400 and "Choose Arabic or English." in refused.content.decode()
    assert Document.objects.count() == 1


def test_a_change_to_the_statement_s_files_is_a_new_fingerprint(employee, monkeypatch, tmp_path):
    """The layout part of the fingerprint is a digest of the files the statement is made
    from, so editing the template, an include or the stylesheet re-renders statements
    without anyone remembering to raise a number."""
    from employment_records import documents

    copies = []
    for index, path in enumerate(documents.statement_files()):
        copy = tmp_path / f"{index}-{path.name}"
        copy.write_bytes(path.read_bytes())
        copies.append(copy)
    monkeypatch.setattr(documents, "statement_files", lambda: copies)
    today = dt.date(2026, 12, 2)

    def fingerprint():
        documents.statement_layout.cache_clear()
        return statement_fingerprint(employee_id=employee.pk, language="ar", today=today)

    seen = {fingerprint()}
    for copy in copies:
        copy.write_bytes(copy.read_bytes() + b"\n")
        seen.add(fingerprint())
    assert len(seen) == len(copies) + 1
    documents.statement_layout.cache_clear()


def test_the_statement_s_files_are_its_template_includes_and_stylesheet():
    from employment_records import documents

    files = documents.statement_files()
    names = [path.name for path in files]
    assert names == ["service_statement.html", "length.html", "document.css"]
    # One level of includes is all statement_files() follows: an include of an include
    # would be missed.
    for path in files[1:-1]:
        assert "{% include" not in path.read_text() and "{% extends" not in path.read_text()
